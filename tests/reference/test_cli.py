"""The real CLI as a subprocess: ``serve --port 0`` announces the FINHUB_* lines and ``# ready``, serves a
request, and stops cleanly with exit status 0 on SIGTERM."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx

import finhub_reference

EXPECTED = {
    "FINHUB_BASE_URL", "FINHUB_TENANT_ID", "FINHUB_TENANT_PATH_ID", "FINHUB_TENANT_KEY", "FINHUB_TENANT_SECRET",
    "FINHUB_ADMIN_ORG_ID", "FINHUB_ADMIN_USER_ID", "FINHUB_ADMIN_USERNAME", "FINHUB_ADMIN_PASSWORD",
    "FINHUB_POWER_ORG_ID", "FINHUB_POWER_USER_ID", "FINHUB_POWER_USERNAME", "FINHUB_POWER_PASSWORD",
    "FINHUB_POWER_TENANT_ID", "FINHUB_POWER_TENANT_KEY", "FINHUB_POWER_TENANT_SECRET", "FINHUB_TENANT_B_ID",
    "FINHUB_TENANT_B_PATH_ID", "FINHUB_TENANT_B_KEY", "FINHUB_TENANT_B_SECRET", "FINHUB_TENANT_B_ADMIN_ORG_ID",
    "FINHUB_TENANT_B_ADMIN_USER_ID", "FINHUB_TENANT_B_ADMIN_USERNAME", "FINHUB_TENANT_B_ADMIN_PASSWORD",
    "FINHUB_STANDARD_CATEGORY", "FINHUB_HIGH_RISK_CATEGORY", "FINHUB_FUNDING", "FINHUB_TARGET_KIND",
}


def test_serve_announces_serves_and_stops() -> None:
    src = str(Path(finhub_reference.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")])),
           "REF_TENANT_KEY": "custom-key"}
    process = subprocess.Popen([sys.executable, "-m", "finhub_reference", "serve", "--port", "0",
                                "--order-ttl-s", "5", "--admin-username", "boss@example.com"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        announced: dict[str, str] = {}
        while True:
            line = lines.get(timeout=15).rstrip("\n")
            if line == "# ready":
                break
            name, _, value = line.partition("=")
            assert name.startswith("FINHUB_") and value and " " not in value, line
            announced[name] = value
        assert set(announced) == EXPECTED
        assert announced["FINHUB_TENANT_KEY"] == "custom-key"
        assert announced["FINHUB_ADMIN_USERNAME"] == "boss@example.com"
        assert announced["FINHUB_FUNDING"] == "topup"
        with httpx.Client(base_url=announced["FINHUB_BASE_URL"], trust_env=False, timeout=10) as client:
            response = client.post(
                f"/api/v2.1/admin/organization/{announced['FINHUB_ADMIN_ORG_ID']}/users/"
                f"{announced['FINHUB_ADMIN_USER_ID']}/sessions",
                headers={"X-Tenant-ID": announced["FINHUB_TENANT_ID"]},
                json={"username": announced["FINHUB_ADMIN_USERNAME"], "password": announced["FINHUB_ADMIN_PASSWORD"],
                      "tenantKey": announced["FINHUB_TENANT_KEY"], "tenantSecret": announced["FINHUB_TENANT_SECRET"]})
        assert response.status_code == 200 and response.json()["data"]["token"]
    finally:
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=15)
        stderr = process.stderr.read()
    assert returncode == 0, stderr
    assert announced["FINHUB_ADMIN_PASSWORD"] not in stderr and announced["FINHUB_TENANT_SECRET"] not in stderr
    assert lines.empty()
