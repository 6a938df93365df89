"""The reporting plugin: classifies each scenario's outcome and writes the run's verdict.

Outcome classes keep "the target broke a rule" apart from "the target or network broke" and from
"the suite broke" (errors.py). At the end of a suite run it prints a summary per phase, writes
``verdict.json`` and the rule-by-rule conformance matrix (Markdown and HTML).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from finhub_conformance.errors import ConfigurationError, NonConformance, SetupFailure, TargetError
from finhub_conformance.livingspec import render_living_spec
from finhub_conformance.matrix import ScenarioResult, overall_verdict, render_html, render_markdown, rule_verdicts
from finhub_conformance.rules import FAMILIES, PHASE_TAGS

try:  # internal API of pytest-bdd 9 (re-check on upgrades); only needed under xdist
    from pytest_bdd import reporting as _bdd_reporting
    _bdd_reporting.ReportContext  # noqa: B018
except (ImportError, AttributeError):  # pragma: no cover
    _bdd_reporting = None

from .allure_files import UNWRITTEN
from .harness import ABORTED, ADVISORIES, EXIT_CODES, REDACTOR, REPORT_DIR, ROOT

_RECORDS = pytest.StashKey[dict]()
_TARGET_ERRORS = pytest.StashKey[int]()
#: Consecutive scenarios broken by the target after which the run stops.
_TARGET_ERROR_LIMIT = 3
_SCENARIO = pytest.StashKey[str]()


def _leaves(error: BaseException) -> list[BaseException]:
    """The exceptions inside (nested) exception groups, e.g. Hypothesis's FlakyFailure."""
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in _leaves(inner)]
    return [error]


def classify_error(error: BaseException) -> tuple[str, str | None]:
    """The outcome class of an exception: non-conformant, target error, configuration or suite error.

    An exception group (Hypothesis reports flaky or multiple failures that way) is non-conformant
    when any member is, a target error when all members are, and a suite error otherwise.
    """
    if isinstance(error, BaseExceptionGroup):
        kinds = [classify_error(leaf) for leaf in _leaves(error)]
        for kind in ("non-conformant", "setup failure", "configuration error", "suite error"):
            found = [k for k in kinds if k[0] == kind]
            if found and (kind != "suite error" or all(k[0] != "target error" for k in kinds)):
                return found[0]
        return "target error", None
    if isinstance(error, NonConformance):
        return ("setup failure" if isinstance(error, SetupFailure) else "non-conformant"), error.rule
    if isinstance(error, AssertionError):
        return "non-conformant", None
    if isinstance(error, TargetError):
        return "target error", None
    if isinstance(error, ConfigurationError):
        return "configuration error", None
    return "suite error", None


def classify(excinfo) -> tuple[str, str | None]:
    """The outcome class of a test's exception info."""
    return classify_error(excinfo.value)


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    config.stash[_RECORDS] = {}


@pytest.hookimpl(trylast=True)
def pytest_bdd_before_scenario(request, feature, scenario) -> None:
    """Remember the scenario's name; give Allure the Rule as story and outline values in the title."""
    request.node.stash[_SCENARIO] = f"{Path(feature.filename).name}: {scenario.name}"
    try:
        import allure
    except ImportError:  # pragma: no cover
        return
    rule = getattr(scenario, "rule", None)
    if rule is not None:
        allure.dynamic.story(rule.name)
    callspec = getattr(request.node, "callspec", None)
    example = callspec.params.get("_pytest_bdd_example") if callspec else None
    if example:
        allure.dynamic.title(f"{scenario.name} [{', '.join(f'{k}={v}' for k, v in example.items())}]")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if call.excinfo is not None and report.outcome != "skipped":
        outcome, rule = classify(call.excinfo)
        report.user_properties.append(("verdict", outcome))
        if rule:
            report.user_properties.append(("violated_rule", rule))
        message = str(call.excinfo.value).strip()
        if REDACTOR in item.config.stash:
            message = item.config.stash[REDACTOR].text(message)
        report.user_properties.append(("message", message[:1500]))
        if outcome == "configuration error":
            item.session.shouldstop = f"configuration error: {call.excinfo.value}"
        streak = item.config.stash.get(_TARGET_ERRORS, 0) + 1 if outcome == "target error" else 0
        item.config.stash[_TARGET_ERRORS] = streak
        if streak >= _TARGET_ERROR_LIMIT:
            # The target went away (or the network did): stop instead of failing every scenario slowly.
            item.session.shouldstop = (f"the target failed {streak} scenarios in a row, last: "
                                       f"{call.excinfo.value}; stopping the run (no conformance verdict)")
    if call.when == "call" or (call.when == "setup" and report.outcome != "passed"):
        report.user_properties.append(("tags", " ".join(sorted({m.name for m in item.iter_markers()}))))
        if _SCENARIO in item.stash:
            report.user_properties.append(("scenario", item.stash[_SCENARIO]))
    if call.when == "teardown":
        for advisory in item.stash.get(ADVISORIES, []):
            report.user_properties.append(("advisory", f"[{advisory.rule}] {advisory.message}"))
    return report


@pytest.hookimpl(wrapper=True)
def pytest_report_to_serializable(config, report):
    """pytest-bdd 9 keeps its report context outside the report: carry it across xdist (stack-notes P5)."""
    data = yield
    context = _bdd_reporting.test_report_context_registry.get(report) if _bdd_reporting else None
    if isinstance(data, dict) and context is not None:
        data["_pytest_bdd_ctx"] = {"scenario": context.scenario, "name": context.name}
    return data


@pytest.hookimpl(wrapper=True)
def pytest_report_from_serializable(config, data):
    context = data.pop("_pytest_bdd_ctx", None) if isinstance(data, dict) else None
    report = yield
    if context is not None and report is not None and _bdd_reporting:
        _bdd_reporting.test_report_context_registry[report] = _bdd_reporting.ReportContext(**context)
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_report_teststatus(report, config: pytest.Config):
    """Gather every test report on the controller (this hook also runs for reports from xdist workers)."""
    if _RECORDS not in config.stash or not isinstance(report, pytest.TestReport):
        return None
    record = config.stash[_RECORDS].setdefault(report.nodeid, {"outcome": "passed", "tags": (), "advisories": []})
    props = report.user_properties
    values = dict(props)
    if "tags" in values:
        record["tags"] = tuple(values["tags"].split())
    if "scenario" in values:
        record["scenario"] = values["scenario"]
    record["advisories"] += [v for k, v in props if k == "advisory" and v not in record["advisories"]]
    if report.skipped and record["outcome"] == "passed":
        record["outcome"] = "skipped"
        record["reason"] = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else ""
    elif report.failed and record["outcome"] in ("passed", "skipped"):
        record["outcome"] = values.get("verdict", "suite error")
        record["violated"] = values.get("violated_rule")
        record["message"] = values.get("message", "")
    return None


def _results(config: pytest.Config) -> list[ScenarioResult]:
    return [ScenarioResult(nodeid=nodeid, outcome=r["outcome"], tags=r["tags"], violated=r.get("violated"),
                       reason=r.get("reason", "").removeprefix("Skipped: "), message=r.get("message", ""),
                       advisories=tuple(r["advisories"]))
            for nodeid, r in config.stash[_RECORDS].items()]


def _evidence_links(report_dir: Path, config: pytest.Config) -> dict[str, str]:
    """Test node id → its Allure result file (relative to the report folder).

    Results are matched on the scenario name and, for outline rows, on the example's values, which
    pytest-bdd also uses for the test id (``[v1-v2]``).
    """
    by_key: dict[tuple[str, str], str] = {}
    for path in (report_dir / "allure-results").glob("*-result.json"):
        try:
            result = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        name = str(result.get("name", "")).split(" [", 1)[0]
        values = "-".join(str(p.get("value", "")) for p in result.get("parameters", []))
        by_key.setdefault((name, values), f"allure-results/{path.name}")
    links = {}
    for nodeid, record in config.stash[_RECORDS].items():
        scenario = record.get("scenario", "").split(": ", 1)[-1]
        values = nodeid.split("[", 1)[1][:-1] if nodeid.endswith("]") and "[" in nodeid else ""
        link = by_key.get((scenario, values)) or by_key.get((scenario, ""))
        if link:
            links[nodeid] = link
    return links


def _phase_rows(results: list[ScenarioResult]) -> list[tuple[str, Counter]]:
    rows: dict[str, Counter] = defaultdict(Counter)
    for result in results:
        phase = next((t for t in result.tags if t in PHASE_TAGS), "other")
        rows[phase][result.outcome] += 1
    order = list(PHASE_TAGS) + ["other"]
    return sorted(rows.items(), key=lambda kv: order.index(kv[0]))


def _verdict(results: list[ScenarioResult], verdicts, exitstatus: int, aborted: str | None = None) -> str:
    if aborted:  # the run was ended on purpose (settings, admin log-in, target gone) before a verdict
        return aborted
    if not results and exitstatus == EXIT_CODES["configuration error"]:
        return "configuration error"
    if not results and exitstatus == EXIT_CODES["target unreachable"]:
        return "target unreachable"
    verdict = overall_verdict(results, verdicts)
    if verdict == "conformant" and exitstatus not in (0, 1):
        return "incomplete"
    return verdict


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if REPORT_DIR not in config.stash or config.option.collectonly:
        return
    report_dir = config.stash[REPORT_DIR]
    results = _results(config)
    verdicts = rule_verdicts(results)
    verdict = _verdict(results, verdicts, exitstatus, config.stash.get(ABORTED, None))
    write = terminalreporter.write_line
    terminalreporter.section("FinHub B2C conformance")
    write(f"{'phase':<18}{'passed':>8}{'failed':>8}{'broken':>8}{'skipped':>9}")
    for phase, counts in _phase_rows(results):
        failed = counts["non-conformant"] + counts["setup failure"]
        broken = counts["target error"] + counts["suite error"] + counts["configuration error"]
        write(f"{PHASE_TAGS.get(phase, phase):<18}{counts['passed']:>8}{failed:>8}{broken:>8}{counts['skipped']:>9}")
    by_family: dict[str, Counter] = defaultdict(Counter)
    for rid, entry in verdicts.items():
        by_family[rid.split("-")[0]][entry.verdict] += 1
    write("rules by family: " + "  ".join(
        f"{fam} {by_family[fam]['passed'] + by_family[fam]['advisory']}/{sum(by_family[fam].values())}"
        + (f" ({by_family[fam]['failed']} failed)" if by_family[fam]["failed"] else "") for fam in FAMILIES))
    failed_rules = sorted(rid for rid, v in verdicts.items() if v.verdict == "failed")
    if failed_rules:
        write(f"rules violated: {', '.join(failed_rules)}")
    untested = sorted(rid for rid, v in verdicts.items() if v.rule.level == "MUST" and v.verdict == "not run")
    if untested:
        write(f"MUST rules not exercised by this run ({len(untested)}): {', '.join(untested)}")
    advisories = sorted({a for r in results for a in r.advisories})
    if advisories:
        write(f"advisories (SHOULD, not failures): {len(advisories)}")
        for line in advisories[:15]:
            write(f"  {line}")
    leaked = sorted({path for scan in report_dir.glob("secret-scan-*.json")
                     for path in json.loads(scan.read_text(encoding="utf-8"))["files_with_secrets"]})
    if leaked:  # our redaction failed: a defect of the suite, whatever the target did
        write(f"SECRET FOUND in report artefacts (values not shown): {', '.join(leaked[:5])}")
        verdict = "suite error"
    unwritten = config.stash.get(UNWRITTEN, [])
    if unwritten:  # the evidence is incomplete: no verdict can rest on it
        write(f"REPORT FILES NOT WRITTEN ({len(unwritten)}): {'; '.join(unwritten[:3])}")
        verdict = "suite error"
    links = _evidence_links(report_dir, config)
    (report_dir / "conformance-matrix.md").write_text(render_markdown(verdicts, verdict, links), encoding="utf-8")
    (report_dir / "conformance-matrix.html").write_text(render_html(verdicts, verdict, links), encoding="utf-8")
    by_scenario: dict[tuple[str, str], list[str]] = defaultdict(list)
    for nodeid, record in config.stash[_RECORDS].items():
        if ": " in record.get("scenario", ""):
            file_name, scenario = record["scenario"].split(": ", 1)
            by_scenario[(file_name, scenario)].append(record["outcome"])
    (report_dir / "living-specification.html").write_text(render_living_spec(
        ROOT / "features", by_scenario, f"FinHub B2C living specification: {verdict}"), encoding="utf-8")
    summary = {
        "verdict": verdict, "exit_code": EXIT_CODES[verdict], "pytest_exit_status": int(exitstatus),
        "outcomes": dict(Counter(r.outcome for r in results)), "violated_rules": failed_rules,
        "advisories": advisories, "untested_must_rules": untested, "files_with_secrets": leaked,
        "rules": {rid: {"level": v.rule.level, "verdict": v.verdict, "scenarios": [s.nodeid for s in v.scenarios],
                        "notes": v.notes} for rid, v in verdicts.items()},
        "tests": {r.nodeid: {"outcome": r.outcome, "tags": list(r.tags), "reason": r.reason or None,
                             "violated_rule": r.violated} for r in results},
    }
    (report_dir / "verdict.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    stopped = getattr(terminalreporter._session, "shouldstop", None) if hasattr(terminalreporter, "_session") else None
    # Under xdist a worker's stop (run budget, target gone) reaches the controller's DSession only.
    stopped = stopped or getattr(config.pluginmanager.getplugin("dsession"), "shouldstop", None)
    if stopped:
        write(f"run stopped early: {stopped}")
        summary["stopped"] = str(stopped)
        (report_dir / "verdict.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    write(f"verdict: {verdict.upper()}  (matrix and reports in {report_dir})")
