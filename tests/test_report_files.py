"""Report files written by a child process (finhub_conformance.filewriter, steps/allure_files.py)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import allure_commons
import pytest
from allure_commons.logger import AllureFileLogger
from allure_commons import model2

from finhub_conformance.filewriter import FileWriter
from steps import allure_files
from steps.allure_files import UNWRITTEN, PipedFileLogger, drain


def test_files_are_written_whole_and_in_order_and_sync_waits_for_them(tmp_path):
    writer = FileWriter()
    try:
        for n in range(200):
            writer.write(tmp_path / f"f{n}.txt", f"{n}".encode() * n)
        writer.write(tmp_path / "same.txt", b"first")
        writer.write(tmp_path / "same.txt", b"second")
        assert writer.sync() == []
        assert all((tmp_path / f"f{n}.txt").read_bytes() == f"{n}".encode() * n for n in range(200))
        assert (tmp_path / "same.txt").read_bytes() == b"second"
        assert not list(tmp_path.glob("*.tmp"))
    finally:
        assert writer.close() == []


def test_a_file_that_cannot_be_written_is_named_by_the_next_sync_and_the_rest_are_written(tmp_path):
    writer = FileWriter()
    writer.write(tmp_path / "missing-folder" / "a.json", b"{}")
    writer.write(tmp_path / "b.json", b"{}")
    failures = writer.sync()
    assert len(failures) == 1 and failures[0].startswith("a.json: FileNotFoundError")
    assert (tmp_path / "b.json").exists() and writer.close() == []


def test_a_writer_that_died_is_reported_not_raised(tmp_path):
    writer = FileWriter()
    writer._child.kill()
    writer._child.wait()
    writer.write(tmp_path / "a.json", b"{}" * 100_000)
    failures = writer.close()
    assert failures and all("report writer" in failure for failure in failures)


def test_allures_logger_is_adopted_and_writes_the_same_files_through_the_writer(tmp_path):
    logger = AllureFileLogger(tmp_path)
    allure_commons.plugin_manager.register(logger)
    name = allure_commons.plugin_manager.get_name(logger)
    try:
        adopted = PipedFileLogger.adopt(logger)
        allure_commons.plugin_manager.hook.report_attached_data(body="evidence ✓", file_name="e-attachment.txt")
        allure_commons.plugin_manager.hook.report_result(result=model2.TestResult(uuid="u1", name="a scenario"))
        assert adopted.writer.sync() == []
        assert (tmp_path / "e-attachment.txt").read_text(encoding="utf-8") == "evidence ✓"
        [result] = tmp_path.glob("*-result.json")
        assert json.loads(result.read_text(encoding="utf-8"))["name"] == "a scenario"
    finally:
        allure_commons.plugin_manager.unregister(name=allure_commons.plugin_manager.get_name(logger) or name)
        logger.writer.close()
    assert adopted is logger  # allure-pytest-bdd's clean-up unregisters this very object


def test_drain_collects_what_could_not_be_written(tmp_path):
    logger = AllureFileLogger(tmp_path)
    allure_commons.plugin_manager.register(logger)
    try:
        config = SimpleNamespace(stash=pytest.Stash())
        config.stash[allure_files._LOGGER] = PipedFileLogger.adopt(logger)
        logger.writer.write(tmp_path / "gone" / "x.json", b"{}")
        drain(config, close=True)
        assert len(config.stash[UNWRITTEN]) == 1 and "x.json" in config.stash[UNWRITTEN][0]
    finally:
        allure_commons.plugin_manager.unregister(logger)
