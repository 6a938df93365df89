"""End-to-end: the conformance suite run the way users run it, against clean and faulty targets.

These start real processes: ``b2c-conformance run`` against the embedded reference, and against a
reference started separately with ``serve`` and reached through FINHUB_* variables only. Runs against
references with seeded faults are the mutation score (tests/test_mutation_score.py).
"""

from __future__ import annotations

import socket
import time
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from tests.support.targets import ROOT, RunResult, reference, run_suite, start_suite

SEED_ENDPOINTS = {f"E{n}" for n in range(1, 17) if n not in (8, 9, 10)} | {"E8-E10"}
SUPPORTING = {"S1", "S2", "S3", "S5", "S6", "S7", "S8"}  # S4 is a procedure over S1 and S2


@pytest.fixture(scope="module")
def embedded_run(tmp_path_factory):
    """One full run against the embedded reference (no FINHUB_* configured)."""
    return run_suite(tmp_path_factory.mktemp("embedded"))


def test_embedded_run_is_conformant_and_prints_a_per_phase_summary(embedded_run):
    assert embedded_run.exit_code == 0, embedded_run.output[-3000:]
    assert embedded_run.verdict["verdict"] == "conformant"
    assert embedded_run.verdict["files_with_secrets"] == []  # the run's own scan of its artefacts
    for phase in ("1 Registration", "2 Sessions", "3 Verification", "4 Consents", "5 Activation", "6 Wallet",
                  "7 Payments"):
        assert phase in embedded_run.output
    assert "verdict: CONFORMANT" in embedded_run.output


def test_embedded_run_exercises_every_seed_endpoint_and_s1_to_s8(embedded_run):
    calls = embedded_run.exchanges()
    assert SEED_ENDPOINTS | SUPPORTING <= set(calls), sorted(calls)


def test_embedded_run_writes_junit_allure_and_cucumber_reports(embedded_run):
    folder = embedded_run.report_dir
    suite = ET.parse(folder / "junit.xml").getroot().find("testsuite")
    assert int(suite.get("tests")) >= 38 and suite.get("failures") == "0" and suite.get("errors") == "0"
    results = list((folder / "allure-results").glob("*-result.json"))
    assert len(results) >= 38
    assert (folder / "cucumber.json").stat().st_size > 1000


def test_html_report_is_rendered_offline_when_the_allure_package_is_installed(embedded_run):
    index = embedded_run.report_dir / "allure-report" / "index.html"
    if not (ROOT / "node_modules" / ".bin" / "allure").exists():
        assert "HTML report skipped" in embedded_run.output and "npm ci" in embedded_run.output
        pytest.skip("the npm package 'allure' is not installed here (npm ci)")
    text = index.read_text(encoding="utf-8")
    assert "googletagmanager" not in text and len(text) > 100_000


def test_reports_carry_no_secret_of_the_run(embedded_run, tmp_path):
    with reference() as env:  # the same default credentials as the embedded one
        secrets = [v for k, v in env.items() if k.endswith(("PASSWORD", "SECRET"))]
    for path in embedded_run.report_dir.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not [s for s in secrets if s in text], path.name


def test_separately_started_reference_reached_through_finhub_variables_only(tmp_path):
    with reference() as env:
        result = run_suite(tmp_path, env)
    assert result.exit_code == 0, result.output[-3000:]
    assert result.verdict["verdict"] == "conformant"


def _catalogue() -> list[tuple[str, str]]:
    """Every seeded fault of the reference with the one rule it breaks (``serve --list-faults``)."""
    listing = subprocess.run([sys.executable, "-m", "finhub_reference", "serve", "--list-faults"],
                             capture_output=True, text=True, check=True).stdout
    return [tuple(line.split("\t")[:2]) for line in listing.splitlines() if line.strip()]


def test_the_fault_catalogue_spans_the_rule_families():
    catalogue = _catalogue()
    assert len(catalogue) >= 50
    assert len({rule.split("-")[0] for _, rule in catalogue}) >= 14


def test_a_remote_target_without_required_settings_is_a_configuration_error(tmp_path):
    result = run_suite(tmp_path, {"FINHUB_BASE_URL": "http://127.0.0.1:9"})
    assert result.exit_code == 3
    assert "missing required setting(s)" in result.output and "Traceback" not in result.output


def test_an_unreachable_target_is_reported_as_such(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        with reference() as env:
            env = dict(env, FINHUB_BASE_URL=f"http://127.0.0.1:{port}")
        result = run_suite(tmp_path, env)
    assert result.exit_code == 4, result.output[-2000:]
    assert "target unreachable" in result.output and "Traceback" not in result.output


def test_wrong_admin_credentials_are_a_configuration_error_before_any_scenario(tmp_path):
    with reference() as env:
        result = run_suite(tmp_path, dict(env, FINHUB_ADMIN_PASSWORD="not-the-password"), args=["--smoke"])
    assert result.exit_code == 3, result.output[-2000:]
    assert "admin log-in (S1)" in result.output and "not-the-password" not in result.output


def test_a_target_not_declared_a_test_environment_is_refused_before_anything_runs(tmp_path):
    with reference() as env:
        env = {k: v for k, v in env.items() if k != "FINHUB_TARGET_KIND"}
        result = run_suite(tmp_path, env, args=["--smoke"])
    assert result.exit_code == 3, result.output[-2000:]
    assert "FINHUB_TARGET_KIND" in result.output and "Traceback" not in result.output


def test_an_unknown_rule_selection_is_a_configuration_error(tmp_path):
    result = run_suite(tmp_path, args=["--rules", "PAY-99"])
    assert result.exit_code == 3 and "PAY-99" in result.output


def test_a_target_that_dies_mid_run_ends_the_run_as_incomplete_with_a_clear_message(tmp_path):
    with reference() as env:
        process = start_suite(tmp_path, env)
        time.sleep(5)  # the reference is stopped when the block ends, while scenarios are running
    output, _ = process.communicate(timeout=300)
    result = RunResult(process.returncode, output, tmp_path)
    assert result.exit_code in (2, 4), output[-3000:]  # 4 when it died before the first scenario
    assert "Traceback" not in output
    if result.exit_code == 2:
        assert result.verdict["verdict"] == "incomplete" and "stopping the run" in result.verdict["stopped"]
        assert not result.verdict["violated_rules"]
