"""Starts the embedded reference deployment in a child process and reads where it listens.

The suite shares no code with the reference: it only runs ``python -m finhub_reference serve`` and
parses the ``FINHUB_*=value`` lines the reference prints, up to ``# ready``.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from typing import Sequence

from .errors import ConfigurationError

__all__ = ["EmbeddedReference"]


class EmbeddedReference:
    """A reference deployment on a free loopback port, for the lifetime of a ``with`` block."""

    def __init__(self, *, order_ttl_s: float | None = None, faults: Sequence[str] = (),
                 startup_timeout_s: float = 60.0, extra_args: Sequence[str] = ()) -> None:
        self.order_ttl_s = order_ttl_s
        self.faults = tuple(faults)
        self.startup_timeout_s = startup_timeout_s
        self.extra_args = tuple(extra_args)
        self.env: dict[str, str] = {}
        self.process: subprocess.Popen[str] | None = None
        self._readers: list[threading.Thread] = []
        self._stderr: list[str] = []

    def command(self) -> list[str]:
        """The child's command line."""
        cmd = [sys.executable, "-m", "finhub_reference", "serve", "--host", "127.0.0.1", "--port", "0"]
        if self.order_ttl_s is not None:
            cmd += ["--order-ttl-s", str(self.order_ttl_s)]
        for fault in self.faults:
            cmd += ["--fault", fault]
        return cmd + list(self.extra_args)

    def start(self) -> dict[str, str]:
        """Start the child and return its ``FINHUB_*`` variables once it says ``# ready``."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FINHUB_", "REF_"))}
        try:
            self.process = subprocess.Popen(self.command(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                            stdin=subprocess.DEVNULL, text=True, env=env)
        except OSError as exc:
            raise ConfigurationError(f"cannot start the embedded reference deployment: {exc}") from None
        lines: queue.Queue[str | None] = queue.Queue()
        self._readers = [threading.Thread(target=self._pump, args=(self.process.stdout, lines), daemon=True),
                         threading.Thread(target=self._drain, args=(self.process.stderr,), daemon=True)]
        for reader in self._readers:
            reader.start()
        deadline = time.monotonic() + self.startup_timeout_s
        while True:
            try:
                line = lines.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                line = ""
            if line is None or time.monotonic() > deadline:
                self.stop()
                tail = "".join(self._stderr[-15:]).strip()
                raise ConfigurationError("the embedded reference deployment did not start"
                                         + (f":\n{tail}" if tail else ""))
            if line.strip() == "# ready":
                return dict(self.env)
            if line.startswith("FINHUB_") and "=" in line:
                key, value = line.strip().split("=", 1)
                self.env[key] = value

    @staticmethod
    def _pump(stream, lines: "queue.Queue[str | None]") -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    def _drain(self, stream) -> None:
        for line in stream:
            self._stderr.append(line)
            del self._stderr[:-200]

    def stop(self) -> None:
        """Stop the child at once (SIGKILL): it keeps everything in memory, so there is nothing to flush,
        and a graceful shutdown waited ~0.25 s for idle connections at the end of every run."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)
        if self.process:
            for reader in self._readers:  # they end at the pipes' EOF, once the child is gone
                reader.join(timeout=2)
            for stream in (self.process.stdout, self.process.stderr):
                if stream and not stream.closed:
                    stream.close()

    def __enter__(self) -> dict[str, str]:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
