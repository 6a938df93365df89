"""The rule-by-rule matrix and the overall verdict (never a silent green)."""

from __future__ import annotations

from finhub_conformance.matrix import ScenarioResult, overall_verdict, render_html, render_markdown, rule_verdicts
from finhub_conformance.rules import RULES


def _all_must_passed() -> list[ScenarioResult]:
    tags = tuple(r.tag for r in RULES.values() if r.level == "MUST")
    return [ScenarioResult("suite::test_everything", "passed", tags)]


def test_every_must_rule_passed_is_conformant():
    results = _all_must_passed()
    assert overall_verdict(results, rule_verdicts(results)) == "conformant"


def test_a_must_rule_nobody_tested_makes_the_run_incomplete():
    results = [ScenarioResult("t::a", "passed", ("REG_3",))]
    verdicts = rule_verdicts(results)
    assert verdicts["REG-3"].verdict == "passed" and verdicts["PAY-4"].verdict == "not run"
    assert overall_verdict(results, verdicts) == "incomplete"


def test_a_violation_fails_the_rule_it_names_even_untagged():
    results = _all_must_passed() + [ScenarioResult("t::b", "non-conformant", ("ACT_1",), violated="SEC-1",
                                               message="[SEC-1] a response exposes secret material")]
    verdicts = rule_verdicts(results)
    assert verdicts["SEC-1"].verdict == "failed"
    assert verdicts["ACT-1"].verdict == "inconclusive"
    assert overall_verdict(results, verdicts) == "not conformant"


def test_skips_and_advisories_do_not_fail_and_are_reported():
    results = _all_must_passed() + [
        ScenarioResult("t::c", "skipped", ("RISK_2",), reason="no power tenant configured"),
        ScenarioResult("t::d", "passed", ("SES_8",), advisories=("[SES-8] no lockout after 5 failures",)),
    ]
    verdicts = rule_verdicts(results)
    assert verdicts["SES-8"].verdict == "advisory" and verdicts["SES-8"].notes
    assert overall_verdict(results, verdicts) == "conformant"
    only_skipped = [ScenarioResult("t::e", "skipped", ("VER_9",), reason="auto-approval")]
    assert rule_verdicts(only_skipped)["VER-9"].verdict == "skipped"


def test_transport_errors_make_the_run_incomplete_not_non_conformant():
    results = _all_must_passed() + [ScenarioResult("t::f", "target error", ("PAY_4",))]
    verdicts = rule_verdicts(results)
    assert verdicts["PAY-4"].verdict == "inconclusive"
    assert overall_verdict(results, verdicts) == "incomplete"


def test_renderings_list_every_rule_with_links():
    results = [ScenarioResult("t::a", "passed", ("REG_3",))]
    verdicts = rule_verdicts(results)
    markdown = render_markdown(verdicts, "incomplete", {"t::a": "allure-results/x-result.json"})
    page = render_html(verdicts, "incomplete", {})
    assert markdown.count("\n| ") == len(RULES) + 1 and "[a](allure-results/x-result.json)" in markdown
    assert page.count("<tr") == len(RULES) + 1 and "INCOMPLETE" in page
