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
#: The only faults allowed to break a rule besides their own: the profile makes their behaviour a violation of
#: both (§0.3 VER-7 and SEC-5; PAY-6 "no sequence of calls takes available below 0"; PAY-10 "and WAL-2 holds";
#: TEN-1 "a missing header gets 400, 401 or 403"). Any other collateral rule is a coarse fault or a mis-blame.
STATED_TWICE = {"customer_can_approve": {"SEC-5"}, "insufficient_funds_accepted": {"PAY-6"},
                "reservation_never_released": {"WAL-2"}, "missing_tenant_header_500": {"TEN-1"}}


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


def test_a_fault_breaks_another_rule_only_where_the_profile_says_so(score):
    stray = {f["fault"]: sorted(set(f["collateral"]) - STATED_TWICE.get(f["fault"], set()))
             for f in score["faults"]}
    stray = {fault: rules for fault, rules in stray.items() if rules}
    assert not stray, f"rules broken besides the fault's own that the profile does not tie to it: {stray}"


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


def test_collateral_rules_are_the_violated_rules_besides_the_faults_own():
    assert mutation_score.collateral({"violated_rules": ["SES-9", "GEN-8", "SES-6"]}, "SES-6") == ["GEN-8", "SES-9"]
    assert mutation_score.collateral({"verdict": "incomplete"}, "SES-6") == []


def test_the_report_counts_and_lists_collateral_rules():
    outcomes = [mutation_score.Outcome("coarse", "SES-6", "SES", "strong", "not conformant", ["SES-6", "SES-9"],
                                       ["SES-9"], ["t1 (SES-6)", "t2 (SES-9)"], 1.5, 4.0),
                mutation_score.Outcome("exact", "PAY-4", "PAY", "strong", "not conformant", ["PAY-4"], [],
                                       ["t3 (PAY-4)"], 2.5, 6.0)]
    result = mutation_score.score(outcomes, wall_s=6.5, jobs=2)
    assert result["totals"]["with_collateral"] == 1
    markdown = mutation_score.render_markdown(result)
    assert "| coarse | SES-6 | strong | SES-9 | not conformant |" in markdown
    assert "| exact | PAY-4 | strong | – | not conformant |" in markdown
    assert "1 with collateral rules" in markdown
