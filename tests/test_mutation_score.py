"""The suite's mutation score: every seeded fault of the reference must be killed by its own rule.

The catalogue runs once per session through scripts/mutation_score.py (2 jobs, each fault against the
scenarios of its rule family plus @smoke). Its report is written to the test's temporary folder and to
the repository's reports/ (git-ignored), which is where ``python -m pytest tests`` leaves it. The
catalogue's wall time is measured by the script itself, not asserted here (a shared machine is noisy).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts import mutation_score

NEW_FAULTS = {"concurrent_double_execute_moves_money_twice": "PAY-4", "fee_above_prepared_total": "PAY-10",
              "foreign_writes_allowed": "SEC-4"}


@pytest.fixture(scope="module")
def catalogue() -> list[mutation_score.Fault]:
    """The reference's fault listing (``serve --list-faults``)."""
    return mutation_score.catalogue()


@pytest.fixture(scope="module")
def score_folder(tmp_path_factory, catalogue) -> Path:
    """The whole catalogue run once; the folder holding its mutation-score.json and .md."""
    result = mutation_score.run_catalogue(catalogue, jobs=2, workdir=tmp_path_factory.mktemp("mutation-runs"),
                                          progress=lambda line: None)
    folder = tmp_path_factory.mktemp("mutation-score")
    mutation_score.write_reports(result, folder)
    mutation_score.write_reports(result, mutation_score.DEFAULT_OUTPUT)
    return folder


@pytest.fixture(scope="module")
def score(score_folder) -> dict:
    """The mutation score as written to disk."""
    return json.loads((score_folder / "mutation-score.json").read_text(encoding="utf-8"))


def test_every_seeded_fault_is_killed_by_its_own_rule(score):
    offenders = [f"{f['kill']}: {f['fault']} ({f['rule']}) → {f['verdict']}, violated "
                 f"{', '.join(f['violated_rules']) or 'nothing'}" for f in mutation_score.offenders(score)]
    assert not offenders, "faults not killed by their own rule:\n" + "\n".join(offenders)


def test_the_report_accounts_for_every_fault_family_and_total(score, score_folder, catalogue):
    assert [f["fault"] for f in score["faults"]] == [f.name for f in catalogue]
    totals = score["totals"]
    assert totals["catalogue"] == len(catalogue) == sum(e["faults"] for e in score["families"].values())
    assert totals["strong"] + totals["weak"] + totals["survived"] == totals["catalogue"]
    assert set(score["families"]) == {f.family for f in catalogue}
    killed = [f for f in score["faults"] if f["kill"] != "survived"]
    assert all(f["failed_scenarios"] and f["first_failure_s"] is not None for f in killed)
    assert all(0 < f["first_failure_s"] <= f["run_s"] for f in killed)
    markdown = (score_folder / "mutation-score.md").read_text(encoding="utf-8")
    assert all(f"| {f.name} | {f.rule} |" in markdown for f in catalogue)
    assert (mutation_score.DEFAULT_OUTPUT / "mutation-score.json").is_file()


def test_the_listing_names_the_new_faults_with_their_rules(catalogue):
    listed = {f.name: f.rule for f in catalogue}
    assert {name: listed.get(name) for name in NEW_FAULTS} == NEW_FAULTS


def test_a_fault_runs_its_rule_family_and_the_smoke_subset():
    expression = mutation_score.selection("SES")
    assert expression.endswith(" or smoke") and "SES_6" in expression and "SES_9" in expression
    assert "REG_" not in expression and "SEC_" not in expression
    with pytest.raises(ValueError):
        mutation_score.selection("NOPE")


@pytest.mark.parametrize("verdict, kill", [
    ({"verdict": "not conformant", "violated_rules": ["PAY-4", "GEN-8"]}, "strong"),
    ({"verdict": "not conformant", "violated_rules": ["PAY-6"]}, "weak"),
    ({"verdict": "incomplete", "violated_rules": []}, "survived"),
    ({"verdict": "suite error", "violated_rules": ["PAY-4"]}, "survived"),
])
def test_a_kill_is_strong_only_by_the_faults_own_rule(verdict, kill):
    assert mutation_score.classify(verdict, "PAY-4") == kill


def test_time_to_first_failure_is_when_the_first_failing_scenario_finished(tmp_path):
    results = tmp_path / "allure-results"
    results.mkdir()
    for index, (status, stop_ms) in enumerate([("passed", 1_000_500), ("failed", 1_003_000),
                                               ("failed", 1_002_250), ("broken", 1_001_000)]):
        (results / f"{index}-result.json").write_text(json.dumps({"status": status, "stop": stop_ms}))
    assert mutation_score.first_failure_s(tmp_path, launched_at=1_000.0) == 2.25
    assert mutation_score.first_failure_s(tmp_path / "nothing-here", launched_at=1_000.0) is None
