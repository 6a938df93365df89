"""scripts/load.py with tiny numbers: it checks its invariants, they hold on the reference, and they catch
a reference seeded to execute an order twice."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.targets import ROOT, reference

TINY = ["--customers", "4", "--threads", "2", "--transfers", "8", "--duplicates", "3"]
TIMEOUT_S = 120


def run_load(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    output = tmp_path / "load.json"
    # No FINHUB_* from the caller; a short settle timeout, as a broken invariant is waited for that long.
    env = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", "FINHUB_SETTLE_TIMEOUT_S": "1"}
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "load.py"), *TINY, "--output", str(output), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    return done, json.loads(output.read_text()) if output.exists() else {}


def test_the_invariants_are_checked_and_hold_on_the_reference(tmp_path):
    done, figures = run_load(tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    checks = figures["invariants"]
    assert all(check["checked"] and check["holds"] for check in checks.values()), checks
    assert figures["customers"]["onboarded"] == 4 and checks["no_double_execution"]["pairs"] == 3
    assert figures["transfers"]["executed"] == 8 and figures["latency"]["overall"]["count"] > 50
    assert figures["phases"]["payments"]["requests_per_s"] > 0 and not figures["errors"]["counts"]


def test_a_deployment_that_executes_an_order_twice_fails_the_run(tmp_path):
    with reference("double_execute_moves_money_twice") as env:
        env_file = tmp_path / "target.env"
        env_file.write_text("".join(f"{key}={value}\n" for key, value in env.items()))
        done, figures = run_load(tmp_path, "--env-file", str(env_file))
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    checks = figures["invariants"]
    assert not checks["no_double_execution"]["holds"] and not checks["money_conserved"]["holds"], checks
    assert "BROKEN" in done.stdout
