"""The whole conformance suite against the reference's alternate mode (issue #5: both sides of every MAY).

``serve --variant alternate`` takes another accepted variant than the reference at every MAY point of
profile §8 (bare envelope, 201/200/204, opaque ids, zone-less timestamps, lower-case enums, numeric amounts,
V2, R2, asynchronous settlement, replays, throttling ...). A suite that leaned on one of the reference's
choices would fail here; it must come out conformant with no failed scenario.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from tests.support.targets import reference, run_suite


@pytest.fixture(scope="module")
def alternate_run(tmp_path_factory):
    """One full run against a reference started with ``--variant alternate``."""
    with reference(variant="alternate") as env:
        yield run_suite(tmp_path_factory.mktemp("alternate"), env, ["--no-html"])


def test_the_suite_is_conformant_against_the_alternate_mode(alternate_run):
    assert alternate_run.exit_code == 0, alternate_run.output[-4000:]
    assert alternate_run.verdict["verdict"] == "conformant"
    assert "verdict: CONFORMANT" in alternate_run.output


def test_no_scenario_fails_or_breaks_against_the_alternate_mode(alternate_run):
    suite = ET.parse(alternate_run.report_dir / "junit.xml").getroot().find("testsuite")
    assert suite.get("failures") == "0" and suite.get("errors") == "0", alternate_run.output[-4000:]
    assert int(suite.get("tests")) - int(suite.get("skipped")) >= 150  # skips are per §7.3/VER-9/REG-7 only


def test_the_alternate_mode_was_really_met(alternate_run):
    """The variants show in the run's own exchange statistics: 201 logins, 204 logouts, 410 on expiry."""
    statuses = {}
    for path in alternate_run.report_dir.glob("exchanges-*.json"):
        for key, count in json.loads(path.read_text())["statuses"].items():
            statuses[key] = statuses.get(key, 0) + count
    assert statuses.get("E3 201") and statuses.get("E4 204") and statuses.get("E16 410"), statuses
    assert not statuses.get("E3 200") and not statuses.get("E14 201"), statuses
