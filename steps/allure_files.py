"""Allure's result files, written by a child process: the run does not wait on the disk for each one.

allure-pytest-bdd writes every scenario result and every evidence attachment as its own file (822 in a
full run), each created under a temporary name and renamed. On this project's CI disks that took the
scenarios' thread ~1 s a run (0.05 ms to over 1 ms a file); a run writing its reports to a RAM disk
was that much faster. Here Allure's file logger prepares each file's bytes where Allure hands them over
(the CPU part: serialising, encoding) and pipes them to a :class:`~finhub_conformance.filewriter.FileWriter`
(a thread was tried first: its system calls traded the GIL with the scenarios' thread, which waited as
long as before).

Everything is on disk before anything reads the results (:func:`drain`: the harness's secret scan, the
conformance matrix's evidence links); a file that could not be written makes the run a suite error,
named in the summary. Without allure-pytest-bdd's file logger (another Allure version, or no
``--alluredir``) nothing is replaced.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest

from finhub_conformance.filewriter import FileWriter

try:
    import allure_commons
    from allure_commons.logger import AllureFileLogger
    from attr import asdict
except ImportError:  # pragma: no cover - allure-pytest-bdd is a dependency
    allure_commons = AllureFileLogger = None

__all__ = ["drain", "UNWRITTEN"]

#: Report files that could not be written (name and error), for the verdict.
UNWRITTEN = pytest.StashKey[list]()
_LOGGER = pytest.StashKey["PipedFileLogger"]()


if AllureFileLogger is not None:
    class PipedFileLogger(AllureFileLogger):
        """allure-commons' file logger with the disk work in a :class:`FileWriter` (same files, same bytes)."""

        writer: FileWriter

        @classmethod
        def adopt(cls, logger: AllureFileLogger) -> "PipedFileLogger":
            """Turn allure-pytest-bdd's registered logger into one of these, re-registered: the same object,
            so that allure-pytest-bdd's clean-up still finds it to unregister."""
            allure_commons.plugin_manager.unregister(logger)
            logger.__class__ = cls
            logger.writer = FileWriter()
            allure_commons.plugin_manager.register(logger)
            return logger

        def _write(self, file_name: str, data: bytes) -> None:
            self.writer.write(self._report_dir / file_name, data)

        def _report_item(self, item) -> None:
            indent = 4 if os.environ.get("ALLURE_INDENT_OUTPUT") else None  # as allure-commons does
            data = asdict(item, filter=lambda _, v: v or v is False)
            self._write(item.file_pattern.format(prefix=uuid.uuid4()),
                        json.dumps(data, indent=indent, ensure_ascii=False).encode("utf8"))

        @allure_commons.hookimpl
        def report_attached_data(self, body, file_name) -> None:
            self._write(file_name, body.encode("utf-8") if isinstance(body, str) else bytes(body))

        @allure_commons.hookimpl
        def report_attached_file(self, source, file_name) -> None:
            self._write(file_name, Path(source).read_bytes())


@pytest.hookimpl(trylast=True)  # after allure-pytest-bdd registered its file logger
def pytest_configure(config: pytest.Config) -> None:
    if AllureFileLogger is None:
        return
    for plugin in list(allure_commons.plugin_manager.get_plugins()):
        if type(plugin) is AllureFileLogger:
            config.stash[_LOGGER] = PipedFileLogger.adopt(plugin)


def drain(config: pytest.Config, *, close: bool = False) -> None:
    """Wait until every report file is on disk (then end the writer, with ``close``); the files that could
    not be written are added to ``config.stash[UNWRITTEN]``."""
    logger = config.stash.get(_LOGGER, None)
    if logger is not None:
        failures = logger.writer.close() if close else logger.writer.sync()
        config.stash[UNWRITTEN] = config.stash.get(UNWRITTEN, []) + failures


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    drain(session.config)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    drain(config, close=True)  # with what Allure wrote after the session's end
