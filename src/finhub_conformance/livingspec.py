"""The living specification: the feature files as a product owner reads them, each scenario marked
with its latest verdict."""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path
from typing import Mapping, Sequence

__all__ = ["render_living_spec"]

_SCENARIO = re.compile(r"^\s*(Scenario Outline|Scenario|Example):\s*(.+?)\s*$")
_MARKS = {"passed": ("PASSED", "#1e8e3e"), "failed": ("FAILED", "#d93025"), "broken": ("BROKEN", "#e37400"),
          "skipped": ("SKIPPED", "#5f6368"), "not run": ("NOT RUN", "#9aa0a6")}


def _verdict(outcomes: Sequence[str]) -> str:
    if not outcomes:
        return "not run"
    counts = Counter(outcomes)
    if counts["non-conformant"] or counts["setup failure"]:
        return "failed"
    if counts["target error"] or counts["suite error"] or counts["configuration error"]:
        return "broken"
    if counts["passed"]:
        return "passed"
    return "skipped"


def _outcomes_of(outcomes: Mapping[tuple[str, str], Sequence[str]], file_name: str, name: str) -> list[str]:
    """The outcomes of a scenario; an outline's rows carry its name with the example values filled in."""
    if "<" not in name:
        return list(outcomes.get((file_name, name), ()))
    pattern = re.compile("".join(".+?" if part.startswith("<") else re.escape(part)
                                 for part in re.split(r"(<[^>]+>)", name)) + "$")
    return [o for (f, scenario), found in outcomes.items() if f == file_name and pattern.match(scenario)
            for o in found]


def render_living_spec(features: Path, outcomes: Mapping[tuple[str, str], Sequence[str]], title: str) -> str:
    """HTML of every ``*.feature`` in ``features``; ``outcomes`` maps (file name, scenario) to outcomes."""
    sections = []
    for path in sorted(features.glob("*.feature")):
        lines = []
        for raw in path.read_text(encoding="utf-8").splitlines():
            match = _SCENARIO.match(raw)
            text = html.escape(raw)
            if match:
                verdict = _verdict(_outcomes_of(outcomes, path.name, match.group(2)))
                mark, colour = _MARKS[verdict]
                text = (f'<span style="color:{colour};font-weight:bold">{text}</span>  '
                        f'<span style="background:{colour};color:#fff;padding:0 4px;border-radius:3px">{mark}</span>')
            elif raw.strip().startswith("@"):
                text = f'<span style="color:#8430ce">{text}</span>'
            elif raw.strip().startswith(("Feature:", "Rule:")):
                text = f"<strong>{text}</strong>"
            lines.append(text)
        sections.append(f'<h2 id="{html.escape(path.stem)}">{html.escape(path.name)}</h2><pre>'
                        + "\n".join(lines) + "</pre>")
    index = " · ".join(f'<a href="#{html.escape(p.stem)}">{html.escape(p.stem)}</a>'
                       for p in sorted(features.glob("*.feature")))
    legend = " ".join(f'<span style="background:{colour};color:#fff;padding:0 4px;border-radius:3px">{mark}</span>'
                      for mark, colour in _MARKS.values())
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Living specification</title>"
            "<style>body{font-family:sans-serif;margin:2em}pre{background:#f8f9fa;padding:1em;"
            "font-size:14px;line-height:1.4;white-space:pre-wrap}</style></head><body>"
            f"<h1>{html.escape(title)}</h1><p>{legend}</p><p>{index}</p>" + "".join(sections) + "</body></html>\n")
