"""Start a reference deployment (optionally with faults) the way a user would, and run the suite at it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def reference(*faults: str, order_ttl_s: int = 5, variant: str = "reference") -> Iterator[dict[str, str]]:
    """A reference deployment started with ``serve --port 0`` (``variant``: its MAY choices); yields its
    FINHUB_* variables."""
    cmd = [sys.executable, "-m", "finhub_reference", "serve", "--port", "0", "--order-ttl-s", str(order_ttl_s),
           "--variant", variant]
    for fault in faults:
        cmd += ["--fault", fault]
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               stdin=subprocess.DEVNULL)
    env: dict[str, str] = {}
    try:
        for line in process.stdout:
            if line.strip() == "# ready":
                break
            if line.startswith("FINHUB_"):
                key, value = line.strip().split("=", 1)
                env[key] = value
        else:
            raise RuntimeError(f"reference with faults {faults} did not start")
        yield env
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass(frozen=True)
class RunResult:
    """What one ``b2c-conformance run`` produced."""

    exit_code: int
    output: str
    report_dir: Path

    @property
    def verdict(self) -> dict:
        return json.loads((self.report_dir / "verdict.json").read_text())

    def exchanges(self) -> dict[str, int]:
        calls: dict[str, int] = {}
        for path in self.report_dir.glob("exchanges-*.json"):
            for key, count in json.loads(path.read_text())["calls"].items():
                calls[key] = calls.get(key, 0) + count
        return calls


def start_suite(report_dir: Path, env: dict[str, str] | None = None, args: Sequence[str] = ()) -> subprocess.Popen:
    """``b2c-conformance run`` started in a child process with exactly ``env``'s FINHUB_* settings."""
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("FINHUB_")}
    child_env.update(env or {})
    child_env.pop("PYTEST_XDIST_WORKER", None)
    child_env.pop("PYTEST_CURRENT_TEST", None)
    return subprocess.Popen([sys.executable, "-m", "finhub_conformance.cli", "run", f"--report-dir={report_dir}",
                             *args], cwd=ROOT, env=child_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def run_suite(report_dir: Path, env: dict[str, str] | None = None, args: Sequence[str] = (),
              timeout: float = 600) -> RunResult:
    """``b2c-conformance run`` to its end; the child is killed after ``timeout`` seconds."""
    process = start_suite(report_dir, env, args)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        raise
    return RunResult(process.returncode, output, report_dir)
