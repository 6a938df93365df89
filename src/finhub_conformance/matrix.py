"""The conformance matrix: a verdict per profile rule, and the run's overall verdict.

Pure functions over what a run observed (per test: outcome, tags, violated rule, skip reason,
advisories), so that the same logic serves the terminal summary, ``verdict.json`` and the
Markdown/HTML matrix that product owners read.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from .rules import RULES, Rule, rule_of_tag

__all__ = ["ScenarioResult", "RuleVerdict", "rule_verdicts", "overall_verdict", "render_markdown", "render_html",
           "BLOCKING_OUTCOMES"]

#: Outcomes that leave a scenario without a conformance verdict.
BLOCKING_OUTCOMES = {"target error", "suite error", "configuration error"}
#: Rule levels whose every rule must be passed (or skipped per §7.3) for a "conformant" verdict.
MANDATORY = {"MUST"}


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario's result as the harness recorded it."""

    nodeid: str
    outcome: str  # passed, skipped, non-conformant, setup failure, target error, suite error, configuration error
    tags: tuple[str, ...] = ()
    violated: str | None = None
    reason: str = ""
    message: str = ""
    advisories: tuple[str, ...] = ()

    @property
    def rules(self) -> tuple[str, ...]:
        """The rule ids this scenario is tagged with."""
        return tuple(r for r in (rule_of_tag(t) for t in self.tags) if r)

    @property
    def title(self) -> str:
        """The scenario's test name without the module path."""
        return self.nodeid.split("::")[-1]


@dataclass
class RuleVerdict:
    """The verdict on one rule, with the scenarios behind it."""

    rule: Rule
    verdict: str = "not run"  # passed, failed, advisory, skipped, inconclusive, not run
    scenarios: list[ScenarioResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def rule_verdicts(results: Iterable[ScenarioResult]) -> dict[str, RuleVerdict]:
    """A verdict for every rule of the catalogue."""
    results = list(results)
    verdicts = {rid: RuleVerdict(rule) for rid, rule in RULES.items()}
    advised: dict[str, list[str]] = {}
    for result in results:
        for rid in result.rules:
            verdicts[rid].scenarios.append(result)
        for line in result.advisories:
            rid = line[1:line.index("]")] if line.startswith("[") and "]" in line else None
            if rid in verdicts:
                advised.setdefault(rid, []).append(line)
                if result not in verdicts[rid].scenarios:
                    verdicts[rid].scenarios.append(result)
        if result.violated in verdicts and result not in verdicts[result.violated].scenarios:
            verdicts[result.violated].scenarios.append(result)
    for rid, entry in verdicts.items():
        outcomes = Counter(s.outcome for s in entry.scenarios if s.violated == rid or rid in s.rules)
        failed = [s for s in entry.scenarios if s.violated == rid and s.outcome in ("non-conformant", "setup failure")]
        if failed:
            entry.verdict = "failed"
            entry.notes = [s.message.splitlines()[0] if s.message else s.title for s in failed][:3]
        elif outcomes["passed"] and not (set(outcomes) & (BLOCKING_OUTCOMES | {"non-conformant", "setup failure"})):
            entry.verdict = "advisory" if rid in advised else "passed"
            entry.notes = sorted(set(advised.get(rid, [])))[:5]
        elif outcomes and set(outcomes) == {"skipped"}:
            entry.verdict = "skipped"
            entry.notes = sorted({s.reason for s in entry.scenarios if s.reason})[:3]
        elif outcomes:
            entry.verdict = "inconclusive"
            entry.notes = [f"{s.title}: {s.outcome}" + (f" ({s.violated})" if s.violated else "")
                           for s in entry.scenarios if s.outcome not in ("passed", "skipped")][:3]
        elif rid in advised:
            entry.verdict = "advisory"
            entry.notes = sorted(set(advised[rid]))[:5]
    return verdicts


def overall_verdict(results: Iterable[ScenarioResult], verdicts: Mapping[str, RuleVerdict]) -> str:
    """``not conformant`` on any failure; ``conformant`` only when every MUST rule passed or was
    skipped for a §7.3 reason and nothing broke; otherwise ``incomplete`` (never a silent green)."""
    results = list(results)
    outcomes = Counter(r.outcome for r in results)
    if outcomes["non-conformant"] or outcomes["setup failure"]:
        return "not conformant"
    if outcomes["configuration error"]:
        return "configuration error"
    if outcomes["suite error"]:
        return "suite error"
    if not results or outcomes["target error"]:
        return "incomplete"
    uncovered = [rid for rid, v in verdicts.items()
                 if v.rule.level in MANDATORY and v.verdict not in ("passed", "advisory", "skipped")]
    return "incomplete" if uncovered else "conformant"


_ICONS = {"passed": "✅ passed", "failed": "❌ failed", "advisory": "⚠️ advisory", "skipped": "⏭️ skipped",
          "inconclusive": "❔ inconclusive", "not run": "◻️ not run"}


def _rows(verdicts: Mapping[str, RuleVerdict]):
    for rid, entry in verdicts.items():
        yield rid, entry.rule.level, entry.rule.title, entry.verdict, entry.scenarios, entry.notes


def render_markdown(verdicts: Mapping[str, RuleVerdict], overall: str, evidence: Mapping[str, str]) -> str:
    """The matrix as Markdown; ``evidence`` maps a test node id to a relative link."""
    counts = Counter(v.verdict for v in verdicts.values())
    lines = ["# FinHub B2C conformance matrix", "", f"**Overall verdict: {overall.upper()}**", "",
             " · ".join(f"{k}: {counts[k]}" for k in _ICONS if counts[k]), "",
             "| Rule | Level | Title | Verdict | Scenarios | Notes |", "|---|---|---|---|---|---|"]
    for rid, level, title, verdict, scenarios, notes in _rows(verdicts):
        links = ", ".join(f"[{s.title}]({evidence[s.nodeid]})" if s.nodeid in evidence else s.title
                          for s in scenarios[:4])
        if len(scenarios) > 4:
            links += f" (+{len(scenarios) - 4} more)"
        note = "<br>".join(n.replace("|", "\\|") for n in notes)
        lines.append(f"| {rid} | {level} | {title} | {_ICONS[verdict]} | {links} | {note} |")
    return "\n".join(lines) + "\n"


def render_html(verdicts: Mapping[str, RuleVerdict], overall: str, evidence: Mapping[str, str]) -> str:
    """The matrix as a self-contained HTML page."""
    esc = html.escape
    colour = {"passed": "#e6f4ea", "failed": "#fce8e6", "advisory": "#fef7e0", "skipped": "#f1f3f4",
              "inconclusive": "#fff0f6", "not run": "#ffffff"}
    rows = []
    for rid, level, title, verdict, scenarios, notes in _rows(verdicts):
        links = "<br>".join(f'<a href="{esc(evidence[s.nodeid])}">{esc(s.title)}</a>' if s.nodeid in evidence
                            else esc(s.title) for s in scenarios)
        rows.append(f'<tr style="background:{colour[verdict]}"><td>{esc(rid)}</td><td>{esc(level)}</td>'
                    f"<td>{esc(title)}</td><td><strong>{esc(verdict)}</strong></td><td>{links}</td>"
                    f"<td>{'<br>'.join(esc(n) for n in notes)}</td></tr>")
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>FinHub B2C conformance matrix"
            "</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}"
            "td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;font-size:14px}th{background:#eee}"
            "</style></head><body><h1>FinHub B2C conformance matrix</h1>"
            f"<p><strong>Overall verdict: {esc(overall.upper())}</strong></p><table><tr><th>Rule</th><th>Level</th>"
            "<th>Title</th><th>Verdict</th><th>Scenarios</th><th>Notes</th></tr>" + "".join(rows)
            + "</table></body></html>\n")
