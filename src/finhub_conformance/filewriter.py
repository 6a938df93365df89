"""Files written by a child process, so that the run never waits on the disk and never shares its GIL.

A run writes ~830 small report files (Allure results and evidence). Creating and renaming one took from
0.05 ms to over 1 ms on the project's CI disks, ~1 s of a 9 s run in the worst case. A writer thread
did not help: each of its system calls hands the GIL back and forth with the scenario's thread, which
then waited as long as before. :class:`FileWriter` pipes each file's bytes to ``python -m
finhub_conformance.filewriter`` instead, which writes them in order (under a temporary name, then
renamed, as Allure does); :meth:`FileWriter.sync` waits until it has caught up and says which files it
could not write.

The pipe carries ``W <path length> <data length>\\n`` + path + data per file, and ``S\\n`` for a sync,
answered by one JSON line: the failures since the last sync.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

__all__ = ["FileWriter"]

#: The pipe's size (Linux): the scenario's thread only blocks when the child is this far behind.
_PIPE_BYTES = 1 << 20


class FileWriter:
    """The parent's end: :meth:`write` returns once the bytes are in the pipe."""

    def __init__(self) -> None:
        self._child = subprocess.Popen([sys.executable, "-m", "finhub_conformance.filewriter"],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=_PIPE_BYTES)
        try:
            fcntl.fcntl(self._child.stdin.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), _PIPE_BYTES)
        except OSError:
            pass  # a smaller pipe only means the writer blocks sooner
        self._lock = threading.Lock()
        self._lost: list[str] = []

    def write(self, path: Path, data: bytes) -> None:
        """Have ``data`` written to ``path`` (a failure is reported by the next :meth:`sync`)."""
        encoded = os.fsencode(path)
        self._send(b"W %d %d\n" % (len(encoded), len(data)) + encoded + data, str(path))

    def sync(self) -> list[str]:
        """Wait until every file written so far is on disk; the files that could not be written since."""
        if not self._send(b"S\n", "the sync"):
            return self._take_lost()
        try:
            self._child.stdin.flush()
            answer = self._child.stdout.readline()
            failures = json.loads(answer) if answer else ["the report writer exited"]
        except (OSError, ValueError) as exc:
            failures = [f"the report writer failed: {exc}"]
        return self._take_lost() + failures

    def close(self) -> list[str]:
        """Sync, then end the child."""
        failures = self.sync()
        try:
            self._child.stdin.close()
        except OSError:
            pass
        try:
            self._child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._child.kill()
        return failures

    def _send(self, message: bytes, what: str) -> bool:
        with self._lock:
            try:
                self._child.stdin.write(message)
                return True
            except (OSError, ValueError):  # the child is gone (broken pipe, closed)
                self._lost.append(f"{what}: the report writer is not running")
                return False

    def _take_lost(self) -> list[str]:
        with self._lock:
            lost, self._lost = self._lost, []
        return lost


def _serve(source, answers) -> None:
    """The child: write every file of ``source`` in order; answer each sync with the failures since."""
    failures: list[str] = []
    while header := source.readline():
        if header == b"S\n":
            answers.write(json.dumps(failures).encode() + b"\n")
            answers.flush()
            failures = []
            continue
        _, path_length, data_length = header.split()
        path = Path(os.fsdecode(source.read(int(path_length))))
        data = source.read(int(data_length))
        temporary = path.with_name(path.name + ".tmp")
        try:
            temporary.write_bytes(data)
            os.replace(temporary, path)
        except OSError as exc:
            failures.append(f"{path.name}: {type(exc).__name__}: {exc.strerror or exc}")


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the run, whose reports are still to be written
    _serve(sys.stdin.buffer, sys.stdout.buffer)
