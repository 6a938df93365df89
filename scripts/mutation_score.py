#!/usr/bin/env python3
"""Mutation score of the conformance suite: does it catch every seeded fault of the reference, by its rule?

For each fault that ``python -m finhub_reference serve --list-faults`` lists, a reference deployment is
started with that fault alone and ``b2c-conformance run`` is pointed at it, selecting the scenarios tagged
with any rule of the fault's family (``PAY-10`` → every ``@PAY_*``) plus the ``@smoke`` subset. The fault is

* **killed strongly** when the run is *not conformant* and the fault's own rule is among verdict.json's
  ``violated_rules``;
* **killed weakly** when the run is not conformant by other rules only (the suite noticed, but blamed the
  wrong rule);
* **survived** otherwise (the run was incomplete, conformant, or ended in an error).

The rules a run violated other than the fault's own are its **collateral** rules: a fault should break exactly
one MUST rule, so a collateral rule is either one the profile states as a consequence of the fault's (e.g. VER-7
and SEC-5), a coarse fault, or a scenario that blames the wrong rule; the report lists them to keep that visible.

Faults run in parallel (``--jobs N``, each a reference and a suite process), longest families first. The
**time to first failure** of a fault is measured from the launch of its suite process to the ``stop``
timestamp of the first Allure result whose status is ``failed`` (a non-conformance: the suite's
``NonConformance`` is an ``AssertionError``), i.e. when the first failing scenario finished; it includes
the suite's start-up. The per-fault **run time** is the suite process's wall time.

Results go to ``reports/mutation-score.json`` and ``.md`` (or ``--output``)::

    python scripts/mutation_score.py                      # the whole catalogue, 2 jobs
    python scripts/mutation_score.py --jobs 1 --faults logout_does_not_revoke,iban_reused

Exit status 0 when every fault is killed strongly, 1 otherwise. ``tests/test_mutation_score.py`` runs it
as the project's self-test. Why a script and not a ``b2c-conformance`` subcommand: mutation testing
needs the reference deployment, which belongs to this project's self-tests, not to the tool banks run
against their targets; it drives the reference only as a child process (the suite shares no code with it).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
from finhub_conformance.cli import scenarios_by_rule  # noqa: E402
from finhub_conformance.embedded import EmbeddedReference  # noqa: E402
from finhub_conformance.rules import RULES, tag_of  # noqa: E402

DEFAULT_OUTPUT = ROOT / "reports"
#: The order lifetime of the faulted references: the embedded reference's 2 s (PAY-7 waits for it).
ORDER_TTL_S = 2
#: How long the suite waits for a settlement: the reference settles synchronously, so a fault that withholds
#: one (reservation_never_released) need not cost the suite's default of 30 s per scenario.
SETTLE_TIMEOUT_S = "5"
#: A run that takes longer than this is stopped and its fault counted as survived.
RUN_TIMEOUT_S = 300
KILLS = ("strong", "weak", "survived")


@dataclass(frozen=True)
class Fault:
    """One seeded fault of the reference and the rule it breaks."""

    name: str
    rule: str
    description: str

    @property
    def family(self) -> str:
        """``PAY-10`` → ``PAY``."""
        return self.rule.split("-")[0]


@dataclass(frozen=True)
class Outcome:
    """What the suite made of one fault."""

    fault: str
    rule: str
    family: str
    kill: str  # strong, weak, survived
    verdict: str
    violated_rules: list[str]
    collateral: list[str]  # violated rules other than the fault's own
    failed_scenarios: list[str]
    first_failure_s: float | None
    run_s: float


def catalogue() -> list[Fault]:
    """Every seeded fault, from the reference's own listing (``NAME<TAB>RULE<TAB>description``)."""
    listing = subprocess.run([sys.executable, "-m", "finhub_reference", "serve", "--list-faults"],
                             capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return [Fault(*line.split("\t", 2)) for line in listing.splitlines() if line.strip()]


def selection(family: str) -> str:
    """The ``--tags`` expression of a family's run: every rule of the family, plus the smoke subset."""
    tags = [tag_of(rid) for rid in RULES if rid.split("-")[0] == family]
    if not tags:
        raise ValueError(f"no profile rule in family {family!r}")
    return f"({' or '.join(tags)}) or smoke"


def classify(verdict: dict, rule: str) -> str:
    """strong, weak or survived, from a run's verdict.json."""
    if verdict.get("verdict") != "not conformant":
        return "survived"
    return "strong" if rule in verdict.get("violated_rules", []) else "weak"


def collateral(verdict: dict, rule: str) -> list[str]:
    """The rules a run violated besides the fault's own (see the module docstring)."""
    return sorted(r for r in verdict.get("violated_rules", []) if r != rule)


def failed_scenarios(verdict: dict) -> list[str]:
    """``test name (violated rule)`` of every scenario that failed as a non-conformance."""
    return [f"{nodeid.split('::')[-1]} ({test.get('violated_rule') or 'no rule'})"
            for nodeid, test in verdict.get("tests", {}).items()
            if test.get("outcome") in ("non-conformant", "setup failure")]


def first_failure_s(report_dir: Path, launched_at: float) -> float | None:
    """Seconds from the suite's launch until its first failing scenario finished (Allure ``stop``)."""
    stops = []
    for path in (report_dir / "allure-results").glob("*-result.json"):
        try:
            result = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if result.get("status") == "failed" and isinstance(result.get("stop"), (int, float)):
            stops.append(result["stop"] / 1000)
    return round(min(stops) - launched_at, 2) if stops else None


def child_env(target: dict[str, str]) -> dict[str, str]:
    """The suite's environment: exactly the target's FINHUB_* settings with a short settlement timeout,
    the ``ci`` Hypothesis profile (bounded, deterministic) unless one is chosen, and byte-code writing
    allowed (pytest then caches its assertion rewrites: a faster start-up)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FINHUB_", "PYTEST_", "REF_"))
           and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(target)
    env["FINHUB_SETTLE_TIMEOUT_S"] = SETTLE_TIMEOUT_S
    env["FINHUB_HYPOTHESIS_PROFILE"] = os.environ.get("FINHUB_HYPOTHESIS_PROFILE", "ci")
    return env


def run_fault(fault: Fault, workdir: Path) -> Outcome:
    """Start a reference with ``fault``, run the family-scoped suite at it and judge the run."""
    report_dir = workdir / fault.name
    report_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "finhub_conformance.cli", "run", "--no-html", f"--report-dir={report_dir}",
           "--tags", selection(fault.family)]
    with EmbeddedReference(order_ttl_s=ORDER_TTL_S, faults=[fault.name]) as target, \
            (report_dir / "run.log").open("w", encoding="utf-8") as log:
        launched_at, started = time.time(), time.perf_counter()
        try:
            subprocess.run(cmd, cwd=ROOT, env=child_env(target), stdout=log, stderr=subprocess.STDOUT,
                           timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            log.write(f"\nmutation_score: stopped after {RUN_TIMEOUT_S} s\n")
        run_s = round(time.perf_counter() - started, 2)
    try:
        verdict = json.loads((report_dir / "verdict.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        verdict = {"verdict": "no verdict (see run.log)"}
    return Outcome(fault.name, fault.rule, fault.family, classify(verdict, fault.rule), verdict["verdict"],
                   verdict.get("violated_rules", []), collateral(verdict, fault.rule), failed_scenarios(verdict),
                   first_failure_s(report_dir, launched_at), run_s)


def family_sizes() -> dict[str, int]:
    """Scenarios per rule family (a scenario tagged with two rules of a family counts twice): a cost estimate."""
    sizes: dict[str, int] = defaultdict(int)
    for rule, titles in scenarios_by_rule(ROOT / "features").items():
        sizes[rule.split("-")[0]] += len(titles)
    return sizes


def run_catalogue(faults: list[Fault], jobs: int, workdir: Path, progress=print) -> dict:
    """Run every fault, ``jobs`` at a time, largest families first; returns the score (see :func:`score`)."""
    sizes = family_sizes()
    ordered = sorted(faults, key=lambda f: -sizes.get(f.family, 0))
    started = time.perf_counter()

    def one(fault: Fault) -> Outcome:
        outcome = run_fault(fault, workdir)
        progress(f"{outcome.kill:<8} {outcome.fault:<45} {outcome.rule:<7} {outcome.run_s:6.1f} s"
                 + (f"  collateral {', '.join(outcome.collateral)}" if outcome.collateral else ""))
        return outcome

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        outcomes = list(pool.map(one, ordered))
    by_name = {o.fault: o for o in outcomes}
    return score([by_name[f.name] for f in faults], round(time.perf_counter() - started, 1), jobs)


def score(outcomes: list[Outcome], wall_s: float, jobs: int) -> dict:
    """Per fault, per family (kill rates) and totals."""
    families: dict[str, dict] = {}
    for outcome in outcomes:
        entry = families.setdefault(outcome.family, {"faults": 0, **{k: 0 for k in KILLS}})
        entry["faults"] += 1
        entry[outcome.kill] += 1
    for entry in families.values():
        entry["kill_rate"] = round((entry["strong"] + entry["weak"]) / entry["faults"], 3)
        entry["strong_kill_rate"] = round(entry["strong"] / entry["faults"], 3)
    counts = {k: sum(1 for o in outcomes if o.kill == k) for k in KILLS}
    total = len(outcomes)
    slowest = sorted(outcomes, key=lambda o: -o.run_s)[:5]
    return {
        "faults": [asdict(o) for o in outcomes],
        "families": dict(sorted(families.items())),
        "totals": {
            "catalogue": total, "killed": counts["strong"] + counts["weak"], "strong": counts["strong"],
            "weak": counts["weak"], "survived": counts["survived"],
            "with_collateral": sum(1 for o in outcomes if o.collateral),
            "kill_rate": round((counts["strong"] + counts["weak"]) / total, 3) if total else None,
            "strong_kill_rate": round(counts["strong"] / total, 3) if total else None,
            "wall_s": wall_s, "jobs": jobs, "sum_of_run_s": round(sum(o.run_s for o in outcomes), 1),
            "slowest": [{"fault": o.fault, "run_s": o.run_s} for o in slowest],
        },
        "method": {
            "selection": "scenarios tagged with any rule of the fault's family, plus @smoke",
            "strong": "not conformant, and the fault's rule is in violated_rules",
            "weak": "not conformant by other rules only",
            "survived": "any other verdict",
            "collateral": "violated rules other than the fault's own",
            "first_failure_s": "suite launch → stop timestamp of the first failed Allure result",
        },
    }


def offenders(result: dict) -> list[dict]:
    """Faults the suite did not kill by their own rule (survivors and weak kills)."""
    return [f for f in result["faults"] if f["kill"] != "strong"]


def render_markdown(result: dict) -> str:
    """The score as Markdown: totals, kill rate per family, then one row per fault."""
    t = result["totals"]
    lines = ["# Mutation score of the conformance suite", "",
             f"**{t['strong']} of {t['catalogue']} faults killed by their own rule** "
             f"(kill rate {t['kill_rate']:.1%}; weak kills {t['weak']}; survived {t['survived']}; "
             f"{t['with_collateral']} with collateral rules); "
             f"wall time {t['wall_s']} s with {t['jobs']} job(s), {t['sum_of_run_s']} s of suite runs.", "",
             f"Selection per fault: {result['method']['selection']}. Time to first failure: "
             f"{result['method']['first_failure_s']}.", "",
             "| Family | Faults | Strong | Weak | Survived | Kill rate |", "|---|---|---|---|---|---|"]
    for family, e in result["families"].items():
        lines.append(f"| {family} | {e['faults']} | {e['strong']} | {e['weak']} | {e['survived']} | "
                     f"{e['kill_rate']:.0%} |")
    lines += ["", "| Fault | Rule | Kill | Collateral | Verdict | Failed scenarios | First failure (s) | Run (s) |",
              "|---|---|---|---|---|---|---|---|"]
    for f in result["faults"]:
        scenarios = "<br>".join(f["failed_scenarios"]) or "–"
        first = "–" if f["first_failure_s"] is None else f"{f['first_failure_s']:.1f}"
        lines.append(f"| {f['fault']} | {f['rule']} | {f['kill']} | {', '.join(f['collateral']) or '–'} | "
                     f"{f['verdict']} | {scenarios} | {first} | "
                     f"{f['run_s']:.1f} |")
    return "\n".join(lines) + "\n"


def write_reports(result: dict, folder: Path) -> None:
    """``mutation-score.json`` and ``mutation-score.md`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mutation-score.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (folder / "mutation-score.md").write_text(render_markdown(result), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="faults run at the same time (default 2)")
    parser.add_argument("--faults", help="only these faults (comma-separated names)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="folder for mutation-score.json/.md")
    parser.add_argument("--keep", type=Path, help="keep each fault's suite reports in this folder")
    args = parser.parse_args(argv)
    faults = catalogue()
    if args.faults:
        wanted = {name.strip() for name in args.faults.split(",") if name.strip()}
        unknown = wanted - {f.name for f in faults}
        if unknown:
            parser.error(f"unknown fault(s): {', '.join(sorted(unknown))}")
        faults = [f for f in faults if f.name in wanted]
    with tempfile.TemporaryDirectory(prefix="mutation-") as scratch:
        result = run_catalogue(faults, args.jobs, args.keep or Path(scratch),
                               progress=lambda line: print(line, flush=True))
    write_reports(result, args.output)
    t = result["totals"]
    print(f"\n{t['strong']}/{t['catalogue']} killed by their own rule, {t['weak']} weak, {t['survived']} survived, "
          f"{t['with_collateral']} with collateral rules; "
          f"wall time {t['wall_s']} s with --jobs {t['jobs']} (suite runs: {t['sum_of_run_s']} s)")
    print("slowest: " + ", ".join(f"{s['fault']} {s['run_s']} s" for s in t["slowest"]))
    for f in offenders(result):
        print(f"  {f['kill'].upper()}: {f['fault']} ({f['rule']}): verdict {f['verdict']}, "
              f"violated {', '.join(f['violated_rules']) or 'nothing'}")
    print(f"reports: {args.output / 'mutation-score.md'}")
    return 0 if not offenders(result) else 1


if __name__ == "__main__":
    sys.exit(main())
