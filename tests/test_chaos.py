"""Chaos: a flaky network between the suite and a conformant target is never reported as non-conformance.

A reference deployment (conformant) runs behind :class:`ChaosProxy`, which breaks the network in one
way per test; the suite is pointed at the proxy and runs its ``--smoke`` selection (each phase once,
no Hypothesis scenario) with ``FINHUB_HTTP_TIMEOUT_S=3``. Requests are numbered from 1: the
pre-flight probe is 1, the S1 admin log-in 2, so ``after=2`` starts the faults inside the scenarios.

Expected, per the README's verdict table:

* transport faults (dropped connections, 502/503/504, truncated bodies, bytes that are not HTTP, a
  target that dies, latency beyond the timeout): never ``not conformant``; the run ends
  ``incomplete`` (exit 2) or ``target unreachable`` (exit 4), with verdict.json and junit.xml written
  whenever pytest ran (a target that refuses the pre-flight probe is reported before pytest starts,
  so that run writes no reports by design);
* latency below the timeout, and at most 3 consecutive 429s with ``Retry-After: 0`` (GEN-12): the
  selection passes (the run is still ``incomplete``, because a subset never proves conformance);
* a 200 whose body is HTML, and a 4th consecutive 429: ``not conformant`` (GEN-4, GEN-12); see
  :func:`test_answers_the_profile_forbids_are_non_conformance_even_when_a_middlebox_sent_them`;
* the same transport faults aimed at reads only (GET): absorbed by the client's retries, the selection
  passes and each retry is in the evidence;
* a run slower than its ``--budget``: stopped between scenarios, ``incomplete`` (exit 2), reports written;
* a target that dies inside the lifecycle state machine (``--tags lifecycle``): still a target error.

Each run is bounded by ``run_suite``'s subprocess timeout; no test asserts timings beyond that.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from tests.support.chaos_proxy import ChaosProxy
from tests.support.targets import ROOT, RunResult, reference, run_suite

RUN_TIMEOUT_S = 60  # the bound on one chaos run; a healthy smoke run through the proxy takes ~3 s
SELECTION = ["--smoke"]
FAILED = ("non-conformant", "setup failure")
PREFLIGHT = "/api/v2.1/verifications/conformance-preflight"


@contextmanager
def chaos(mode: str, **fault) -> Iterator[tuple[ChaosProxy, dict[str, str]]]:
    """A fresh reference behind a proxy injecting ``mode``; yields the proxy and the suite's FINHUB_* env."""
    with reference() as env, ChaosProxy(env["FINHUB_BASE_URL"], mode, **fault) as proxy:
        yield proxy, {**env, "FINHUB_BASE_URL": proxy.url, "FINHUB_TARGET_KIND": "local",
                      "FINHUB_HTTP_TIMEOUT_S": "3", "FINHUB_HYPOTHESIS_PROFILE": "ci"}


def run_through(mode: str, tmp_path: Path, args: tuple[str, ...] = (), **fault) -> tuple[RunResult, ChaosProxy]:
    with chaos(mode, **fault) as (proxy, env):
        result = run_suite(tmp_path, env, [*SELECTION, *args], timeout=RUN_TIMEOUT_S)
    return result, proxy


def smoke_scenarios(report_dir: Path) -> list[str]:
    """The node ids of the ``--smoke`` selection (collected only, reports kept out of the checkout)."""
    collected = subprocess.run([sys.executable, "-m", "pytest", "suite", "-m", "smoke", "--collect-only", "-q",
                                f"--report-dir={report_dir}", "-p", "no:cacheprovider"], cwd=ROOT,
                               capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    return [line for line in collected.stdout.splitlines() if "::" in line]


def assert_reports_written(result: RunResult) -> dict:
    verdict = result.verdict  # verdict.json exists and parses
    ET.parse(result.report_dir / "junit.xml")  # and so does junit.xml
    assert verdict["exit_code"] == result.exit_code, (verdict["verdict"], result.exit_code)
    return verdict


# ------------------------------------------------------------------ the proxy itself


@pytest.fixture(scope="module")
def upstream():
    with reference() as env:
        yield env["FINHUB_BASE_URL"]


def _get(proxy: ChaosProxy, timeout: float = 3.0) -> httpx.Response:
    with httpx.Client(base_url=proxy.url, timeout=timeout, trust_env=False) as http:
        return http.get(PREFLIGHT)


def test_the_proxy_injects_each_fault_where_it_is_asked_to(upstream):
    with ChaosProxy(upstream) as proxy:
        clean = _get(proxy)
    assert clean.status_code < 500 and clean.headers["content-type"].startswith("application/json")
    for mode in ("drop", "garbage", "truncate"):
        with ChaosProxy(upstream, mode, after=1, count=1) as proxy:
            assert _get(proxy).status_code == clean.status_code  # request 1 passes
            with pytest.raises(httpx.RemoteProtocolError):
                _get(proxy)
            assert _get(proxy).status_code == clean.status_code and proxy.faults == 1
    with ChaosProxy(upstream, "burst_5xx", count=3) as proxy:
        assert [_get(proxy).status_code for _ in range(4)] == [502, 503, 504, clean.status_code]
    with ChaosProxy(upstream, "storm_429", every=4, run=2) as proxy:
        answers = [_get(proxy) for _ in range(4)]
        assert [a.status_code for a in answers] == [429, 429, clean.status_code, clean.status_code]
        assert answers[0].headers["retry-after"] == "0"
    with ChaosProxy(upstream, "burst_5xx", methods=("POST",)) as proxy:
        assert _get(proxy).status_code == clean.status_code and proxy.faults == 0  # a GET is not aimed at
        with httpx.Client(base_url=proxy.url, timeout=3.0, trust_env=False) as http:
            assert http.post(PREFLIGHT, json={}).status_code == 502 and proxy.faults == 1
    with ChaosProxy(upstream, "non_json", count=1) as proxy:
        page = _get(proxy)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    with ChaosProxy(upstream, "latency", count=1, delay_s=1.0) as proxy:
        with pytest.raises(httpx.ReadTimeout):
            _get(proxy, timeout=0.3)
    with ChaosProxy(upstream, "die", after=2) as proxy:
        assert _get(proxy).status_code == _get(proxy).status_code == clean.status_code
        with pytest.raises(httpx.TransportError):  # refused, or reset while the listener closes
            _get(proxy)
    with pytest.raises(httpx.ConnectError):  # stopped: nothing listens any more
        _get(proxy)


# ------------------------------------------------------------------ transport faults


TRANSPORT_FAULTS = {
    # every 7th request closed without an answer, from request 3: the first E2 register, whose body
    # holds a password (the report secret scan once made that a suite error: see test_client.py)
    "drop": dict(after=2, every=7),
    "burst_5xx": dict(after=10, count=6),  # 502, 503, 504, 502, 503, 504 from the "gateway"
    "truncate": dict(after=2, every=9),  # Content-Length larger than the body, then closed
    "garbage": dict(after=2, every=11),  # bytes that are not HTTP
    "latency": dict(after=2, every=40, count=2, delay_s=4.0),  # beyond FINHUB_HTTP_TIMEOUT_S=3
    "die": dict(after=20),  # answers 20 requests, then refuses connections
}


@pytest.mark.parametrize("mode", list(TRANSPORT_FAULTS))
def test_a_transport_fault_mid_run_makes_the_run_incomplete_never_not_conformant(mode, tmp_path):
    result, proxy = run_through(mode, tmp_path, **TRANSPORT_FAULTS[mode])
    assert proxy.faults >= 1 or proxy.dead.is_set(), "the fault was never injected: the test proves nothing"
    verdict = assert_reports_written(result)
    assert (result.exit_code, verdict["verdict"]) == (2, "incomplete"), result.output[-3000:]
    outcomes = verdict["outcomes"]
    assert not any(outcomes.get(o) for o in FAILED + ("suite error",)), outcomes
    assert outcomes.get("target error", 0) >= 1 and not verdict["violated_rules"], verdict["violated_rules"]


@pytest.mark.parametrize("after", [60, 200])
def test_a_target_dying_inside_a_hypothesis_run_is_a_target_error(after, tmp_path):
    """The state machine's replays fail elsewhere once the target is gone, which Hypothesis reports as its
    own error: the run must still read as a broken target, never as a suite error or a rule failure."""
    with chaos("die", after=after) as (proxy, env):
        result = run_suite(tmp_path, env, ["--tags", "lifecycle"], timeout=RUN_TIMEOUT_S)
    assert proxy.dead.is_set(), "the target never died: the test proves nothing"
    verdict = assert_reports_written(result)
    assert (result.exit_code, verdict["verdict"]) == (2, "incomplete"), result.output[-3000:]
    outcomes = verdict["outcomes"]
    assert not any(outcomes.get(o) for o in FAILED + ("suite error",)), outcomes
    assert outcomes.get("target error", 0) >= 1 and not verdict["violated_rules"], verdict["violated_rules"]


def test_a_target_that_refuses_connections_right_after_the_preflight_is_not_a_verdict(tmp_path):
    """S1 (the admin log-in) is refused: the run stops before any scenario can judge the target."""
    result, proxy = run_through("die", tmp_path, after=1)
    assert proxy.dead.is_set()
    verdict = assert_reports_written(result)
    assert result.exit_code in (2, 4) and verdict["verdict"] in ("incomplete", "target unreachable")
    assert not any(verdict["outcomes"].get(o) for o in FAILED) and not verdict["violated_rules"]


def test_a_target_that_refuses_every_connection_is_unreachable(tmp_path):
    """Refused from the pre-flight probe on: exit 4 before pytest starts (so, by design, no reports)."""
    result, _ = run_through("die", tmp_path, after=0)
    assert result.exit_code == 4 and "target unreachable" in result.output, result.output[-2000:]


# ------------------------------------------------------------------ faults the suite must absorb


@pytest.mark.parametrize("mode, fault", [
    ("latency", dict(after=2, every=10, count=30, delay_s=1.0)),  # 1 s on 3 requests; the timeout is 3 s
    ("storm_429", dict(after=2, every=15, run=3)),  # 3 consecutive 429s (Retry-After: 0) every 15 requests
], ids=["latency-below-timeout", "storm_429-3-in-a-row"])
def test_faults_within_the_profile_leave_the_selection_green(mode, fault, tmp_path):
    result, proxy = run_through(mode, tmp_path, **fault)
    assert proxy.faults >= 3
    verdict = assert_reports_written(result)
    # A subset run is incomplete by design even when green: judge the outcomes, not the verdict.
    assert (result.exit_code, verdict["verdict"]) == (2, "incomplete"), result.output[-3000:]
    assert set(verdict["outcomes"]) <= {"passed", "skipped"}, verdict["outcomes"]
    assert verdict["outcomes"].get("passed", 0) >= 10 and not verdict["violated_rules"]


# ------------------------------------------------------------------ answers the profile forbids


@pytest.mark.parametrize("mode, fault, rule", [
    ("non_json", dict(after=2, count=1), "GEN-4"),
    ("storm_429", dict(after=2, count=4, every=4, run=4), "GEN-12"),
], ids=["non_json-200-html", "storm_429-4-in-a-row"])
def test_answers_the_profile_forbids_are_non_conformance_even_when_a_middlebox_sent_them(mode, fault, rule,
                                                                                         tmp_path):
    """A decision, not an accident: these are HTTP answers, not transport failures.

    The suite judges the deployment as reached at FINHUB_BASE_URL and cannot see whether a
    captive portal, WAF or gateway in front of it wrote the answer. GEN-4 says every success but
    204 carries a JSON object body, so a well-formed ``200 text/html`` is a GEN-4 violation; GEN-12
    allows at most 3 consecutive 429s, so a 4th is a GEN-12 violation. Both end ``not conformant``
    (exit 1) naming the rule; if a middlebox is to blame, the evidence (the exchange, attached to
    the failing scenario) shows it, and the fix is the deployment's, not the suite's.
    """
    result, proxy = run_through(mode, tmp_path, **fault)
    assert proxy.faults == fault["count"]
    verdict = assert_reports_written(result)
    assert (result.exit_code, verdict["verdict"]) == (1, "not conformant"), result.output[-3000:]
    assert verdict["violated_rules"] == [rule]


# ------------------------------------------------------------------ faults the client's retries absorb


@pytest.mark.parametrize("mode, fault", [
    ("drop", dict(after=1, every=2)),  # every other read (the pre-flight aside) closed without an answer
    ("burst_5xx", dict(after=1, every=2)),  # every other read answered 502, 503 or 504 by the "gateway"
    ("latency", dict(after=1, every=10, count=20, delay_s=4.0)),  # 2 reads beyond FINHUB_HTTP_TIMEOUT_S=3
], ids=["drop-reads", "burst_5xx-reads", "latency-reads"])
def test_transport_faults_on_reads_are_retried_and_every_try_is_in_the_evidence(mode, fault, tmp_path):
    """GETs are idempotent: the client retries them (twice at most), so a flaky read is not a failure."""
    result, proxy = run_through(mode, tmp_path, methods=("GET",), **fault)
    assert proxy.faults >= 2
    verdict = assert_reports_written(result)
    assert (result.exit_code, verdict["verdict"]) == (2, "incomplete"), result.output[-3000:]  # a subset
    assert set(verdict["outcomes"]) <= {"passed", "skipped"}, verdict["outcomes"]
    evidence = [p.read_text(encoding="utf-8") for p in (result.report_dir / "allure-results").glob("*-attachment*")]
    assert any("retried:" in text and "attempt 2: " in text for text in evidence), "no retry in the evidence"


# ------------------------------------------------------------------ the run budget


def test_a_run_slower_than_its_budget_stops_cleanly_and_is_incomplete(tmp_path):
    """Every request 0.3 s late, a 2 s budget: the run stops between scenarios with the reports written.

    Bounded only by ``RUN_TIMEOUT_S`` (no timing assertion): what counts is the classification.
    """
    result, proxy = run_through("latency", tmp_path, args=("--budget", "2"), after=2, delay_s=0.3)
    assert proxy.faults >= 1
    verdict = assert_reports_written(result)
    assert (result.exit_code, verdict["verdict"]) == (2, "incomplete"), result.output[-3000:]
    assert "run budget of 2 s" in verdict["stopped"], verdict.get("stopped")
    assert not any(verdict["outcomes"].get(o) for o in FAILED + ("target error", "suite error")), verdict["outcomes"]
    assert 0 < sum(verdict["outcomes"].values()) < len(smoke_scenarios(tmp_path / "collect")), "nothing stopped"
    assert (result.report_dir / "conformance-matrix.md").is_file()
