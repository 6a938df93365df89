#!/usr/bin/env python3
"""Benchmark the conformance suite against the embedded reference (issue 8: measure first).

Runs the suite as child processes (``python -m pytest``), each with its own ``--report-dir`` under a
temporary folder, and reports:

* the full suite's wall time in one process and with ``-n WORKERS`` (pytest-xdist),
* the ``@smoke`` subset's wall time,
* time per phase (junit.xml testcase times, grouped by the phase tag verdict.json gives each test),
* HTTP exchanges (the sum of ``calls`` over exchanges-*.json) and the time spent waiting on HTTP
  (the sum of ``http_ms``), hence the suite's overhead ratio = wall time / HTTP wait, also without the
  deliberate waits on the target's clock (``clock_wait_ms``: PAY-7 expiry, settlement polls),
* on request (``--runs remote``): the full suite against a reference served apart behind a proxy that
  delays every request by ``--latency-ms`` (a target on a network, as staging is, not on loopback),
* the share of time in Hypothesis-driven scenarios (the lifecycle state machine and the scenarios
  whose names say generated / Hypothesis / random).

Every measurement is repeated ``--repeat N`` times; the table shows min and median, and the deltas of
the median against a previous benchmark.json when there is one. Figures go to reports/benchmark.json
(or ``--output``). The Hypothesis profile is ``ci`` (what CI uses) unless ``--hypothesis-profile``.

This is a tool run on demand, not a test::

    python scripts/benchmark.py                  # each run once
    python scripts/benchmark.py --repeat 3       # min / median of three
    python scripts/benchmark.py --runs full,smoke --output /tmp/bench.json
    python scripts/benchmark.py --runs remote --latency-ms 10

Standard library only (plus the project's own rule catalogue for the phase tags).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
from finhub_conformance.rules import PHASE_TAGS  # noqa: E402  (the phase tags, in one place)

#: The runs the benchmark knows, in the order they are executed within one repetition. The smoke run
#: goes first: it also warms the byte-code and assertion-rewrite caches for the runs that follow.
RUNS = {
    "smoke": {"label": "@smoke subset, 1 process", "args": ["-m", "smoke"], "expect": {"incomplete", "conformant"}},
    "full": {"label": "full suite, 1 process", "args": [], "expect": {"conformant"}},
    "xdist": {"label": "full suite, -n {workers}", "args": ["-n", "{workers}"], "expect": {"conformant"}},
    # Not in the default set: a served reference behind a proxy adding --latency-ms to every request,
    # i.e. a target on a network rather than on loopback (what a staging run looks like).
    "remote": {"label": "full suite, 1 process, target {latency_ms} ms away", "args": [], "expect": {"conformant"}},
}
DEFAULT_RUNS = ("smoke", "full", "xdist")
HYPOTHESIS_WORDS = ("generated", "hypothesis", "random")
DEFAULT_OUTPUT = ROOT / "reports" / "benchmark.json"


# ----------------------------------------------------------------------------------------------------
# one run


def child_env(profile: str) -> dict[str, str]:
    """The child's environment: the embedded reference (no FINHUB_* target settings), the chosen
    Hypothesis profile, and byte-code writing allowed so pytest caches its assertion rewrites."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("FINHUB_", "PYTEST_XDIST_")) and k not in {"PYTHONDONTWRITEBYTECODE", "PYTEST_ADDOPTS"}}
    env["FINHUB_HYPOTHESIS_PROFILE"] = profile
    return env


@contextlib.contextmanager
def remote_target(latency_ms: float):
    """FINHUB_* settings of a reference served apart, reached through a proxy delaying every request."""
    sys.path.insert(0, str(ROOT))
    from tests.support.chaos_proxy import ChaosProxy  # noqa: E402  (a dev tool using the test support)
    from tests.support.targets import reference  # noqa: E402

    with reference(order_ttl_s=2) as env:
        with ChaosProxy(env["FINHUB_BASE_URL"], "latency", delay_s=latency_ms / 1000) as proxy:
            yield dict(env, FINHUB_BASE_URL=proxy.url)


def run_once(kind: str, index: int, workdir: Path, args: argparse.Namespace) -> dict:
    """Run the suite once as a child process; return its figures."""
    report_dir = workdir / f"{kind}-{index}"
    report_dir.mkdir(parents=True)
    extra = [a.format(workers=args.workers) for a in RUNS[kind]["args"]]
    cmd = [sys.executable, "-m", "pytest", "-q", f"--report-dir={report_dir}", *extra, *args.pytest_arg]
    log = report_dir / "pytest.log"
    env = child_env(args.hypothesis_profile)
    with (remote_target(args.latency_ms) if kind == "remote" else contextlib.nullcontext({})) as target:
        env.update(target)
        started = time.perf_counter()
        with log.open("w", encoding="utf-8") as out:
            try:
                code = subprocess.call(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                       timeout=args.timeout)
            except subprocess.TimeoutExpired:
                code = None
        wall_s = time.perf_counter() - started
    figures = {"kind": kind, "index": index, "command": cmd[1:], "report_dir": str(report_dir),
               "pytest_exit": code, "wall_s": round(wall_s, 3)}
    figures.update(read_reports(report_dir))
    figures["http_wait_s"] = round(figures["http_ms"] / 1000, 3)
    figures["clock_wait_s"] = round(figures["clock_wait_ms"] / 1000, 3)
    figures["overhead_ratio"] = round(wall_s * 1000 / figures["http_ms"], 2) if figures["http_ms"] else None
    # The same without the deliberate waits on the target's clock (PAY-7 expiry, settlement polls): with
    # several workers those overlap, so the subtraction is only made for a single process.
    waits = figures["clock_wait_s"] if kind != "xdist" else 0.0
    figures["overhead_ratio_without_clock"] = (round((wall_s - waits) * 1000 / figures["http_ms"], 2)
                                               if figures["http_ms"] else None)
    # The process's fixed costs (interpreter start, collection, reports, exit) apart from the scenarios':
    # what a run spends outside junit's testcase times, and the scenarios' own time per second of HTTP.
    figures["outside_scenarios_s"] = round(wall_s - figures["testcase_s"], 3)
    figures["scenario_ratio"] = (round(figures["testcase_s"] * 1000 / figures["http_ms"], 2)
                                 if figures["http_ms"] and kind != "xdist" else None)
    figures["ok"] = code is not None and figures.get("verdict") in RUNS[kind]["expect"]
    if not figures["ok"]:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-25:]
        print(f"  ! {kind} run {index}: pytest exit {code}, verdict {figures.get('verdict')!r} "
              f"(expected {' or '.join(sorted(RUNS[kind]['expect']))}); log {log}:", file=sys.stderr)
        print("    " + "\n    ".join(tail), file=sys.stderr)
    return figures


def read_reports(report_dir: Path) -> dict:
    """Figures from one run's verdict.json, junit.xml and exchanges-*.json."""
    verdict = load_json(report_dir / "verdict.json") or {}
    tests = verdict.get("tests", {})
    calls, http_ms, clock_ms, per_worker = 0, 0.0, 0.0, {}
    for path in sorted(report_dir.glob("exchanges-*.json")):
        data = load_json(path) or {}
        worker_calls = sum(data.get("calls", {}).values())
        calls += worker_calls
        http_ms += float(data.get("http_ms", 0.0))
        clock_ms += float(data.get("clock_wait_ms", 0.0))
        per_worker[path.stem.removeprefix("exchanges-")] = {"calls": worker_calls, "http_ms": data.get("http_ms")}

    times = junit_times(report_dir / "junit.xml")
    phases = {tag: 0.0 for tag in PHASE_TAGS}
    phases["(no phase tag)"] = 0.0
    hypothesis: dict[str, float] = {}
    unmatched = 0
    for nodeid, seconds in times.items():
        tags = (tests.get(nodeid) or {}).get("tags")
        if tags is None:
            unmatched += 1
            tags = []
        phase = next((t for t in tags if t in PHASE_TAGS), "(no phase tag)")
        phases[phase] += seconds
        if is_hypothesis_driven(nodeid, tags):
            hypothesis[nodeid.split("::")[-1]] = round(seconds, 3)
    testcase_s = sum(times.values())
    hypothesis_s = sum(hypothesis.values())
    return {
        "verdict": verdict.get("verdict"),
        "outcomes": verdict.get("outcomes", {}),
        "tests": len(times),
        "tests_without_tags": unmatched,
        "http_exchanges": calls,
        "http_ms": round(http_ms, 1),
        "clock_wait_ms": round(clock_ms, 1),
        "exchanges_per_worker": per_worker,
        "testcase_s": round(testcase_s, 3),
        "phase_s": {k: round(v, 3) for k, v in phases.items() if v or k in PHASE_TAGS},
        "hypothesis_s": round(hypothesis_s, 3),
        "hypothesis_share": round(hypothesis_s / testcase_s, 4) if testcase_s else None,
        "hypothesis_tests": hypothesis,
    }


def junit_times(path: Path) -> dict[str, float]:
    """Per-test seconds (setup + call + teardown) from junit.xml, keyed by pytest node id.

    junit writes ``classname="suite.test_conformance" name="test_x[row]"``; the node id is
    ``suite/test_conformance.py::test_x[row]`` (the suite binds every scenario as a module function).
    """
    if not path.is_file():
        return {}
    times: dict[str, float] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        module = case.get("classname", "").replace(".", "/") + ".py"
        times[f"{module}::{case.get('name')}"] = float(case.get("time") or 0.0)
    return times


def is_hypothesis_driven(nodeid: str, tags: list[str]) -> bool:
    """The lifecycle state-machine scenario and the scenarios whose names say generated/Hypothesis/random."""
    name = nodeid.split("::")[-1].lower()
    if "lifecycle" in tags and "state_machine" in name:
        return True
    return any(word in name for word in HYPOTHESIS_WORDS)


def load_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# ----------------------------------------------------------------------------------------------------
# summaries, comparison, table


def min_median(values: list) -> dict:
    values = [v for v in values if v is not None]
    if not values:
        return {"min": None, "median": None}
    return {"min": min(values), "median": round(statistics.median(values), 4)}


def summarise(runs: list[dict]) -> dict:
    """min / median of every figure over the repetitions of one kind of run."""
    summary = {key: min_median([r[key] for r in runs]) for key in
               ("wall_s", "http_exchanges", "http_wait_s", "clock_wait_s", "overhead_ratio",
                "overhead_ratio_without_clock", "testcase_s", "outside_scenarios_s", "scenario_ratio", "hypothesis_s",
                "hypothesis_share")}
    phases = sorted({p for r in runs for p in r["phase_s"]}, key=lambda p: list(PHASE_TAGS).index(p)
                    if p in PHASE_TAGS else len(PHASE_TAGS))
    summary["phase_s"] = {p: min_median([r["phase_s"].get(p, 0.0) for r in runs]) for p in phases}
    return summary


def headline(results: dict) -> dict[str, dict]:
    """The figures the table shows (and a later benchmark compares), each with unit, min and median."""
    rows: dict[str, dict] = {}

    def add(key, label, unit, mm):
        if mm and mm.get("median") is not None:
            rows[key] = {"label": label, "unit": unit, **mm}

    for kind in RUNS:
        if kind in results:
            label = RUNS[kind]["label"].format(workers=results[kind]["workers"],
                                               latency_ms=f"{results[kind].get('latency_ms', 0):g}")
            add(f"{kind}.wall_s", label + ": wall", "s", results[kind]["summary"]["wall_s"])
    full = results.get("full")
    if full:
        s = full["summary"]
        add("full.http_exchanges", "HTTP exchanges (full suite)", "", s["http_exchanges"])
        add("full.http_wait_s", "HTTP wait (sum of http_ms)", "s", s["http_wait_s"])
        add("full.clock_wait_s", "waits on the target's clock (PAY-7 expiry, polls)", "s", s["clock_wait_s"])
        add("full.overhead_ratio", "overhead ratio: wall / HTTP wait", "x", s["overhead_ratio"])
        add("full.overhead_ratio_without_clock", "  the same, clock waits not counted", "x",
            s["overhead_ratio_without_clock"])
        add("full.testcase_s", "sum of junit testcase times", "s", s["testcase_s"])
        add("full.outside_scenarios_s", "  wall outside them (start-up, reports, exit)", "s", s["outside_scenarios_s"])
        add("full.scenario_ratio", "  testcase times / HTTP wait", "x", s["scenario_ratio"])
        add("full.hypothesis_s", "Hypothesis-driven scenarios", "s", s["hypothesis_s"])
        add("full.hypothesis_share", "  share of testcase time", "%", scale(s["hypothesis_share"], 100))
        for phase, mm in s["phase_s"].items():
            add(f"full.phase.{phase}", f"phase {PHASE_TAGS.get(phase, phase)}", "s", mm)
    xdist = results.get("xdist")
    if xdist:
        s = xdist["summary"]
        add("xdist.overhead_ratio", f"-n {xdist['workers']}: wall / HTTP wait (all workers)", "x", s["overhead_ratio"])
        if full and full["summary"]["wall_s"]["median"] and s["wall_s"]["median"]:
            add("xdist.speedup", f"-n {xdist['workers']} speed-up over 1 process", "x",
                {"min": None, "median": round(full["summary"]["wall_s"]["median"] / s["wall_s"]["median"], 2)})
    remote = results.get("remote")
    if remote:
        s = remote["summary"]
        add("remote.http_wait_s", "  its HTTP wait", "s", s["http_wait_s"])
        add("remote.overhead_ratio", "  its overhead ratio: wall / HTTP wait", "x", s["overhead_ratio"])
    return rows


def scale(mm: dict, factor: float) -> dict:
    return {k: (round(v * factor, 2) if v is not None else None) for k, v in mm.items()}


def fmt(value, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit == "" and float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.2f}" if abs(value) < 100 else f"{value:.1f}"


def table(rows: dict[str, dict], previous: dict[str, dict] | None, meta: dict) -> str:
    head = ["figure", "unit", "min", "median"] + (["previous", "delta", "delta %"] if previous else [])
    lines = [head]
    for key, row in rows.items():
        line = [row["label"], row["unit"], fmt(row["min"], row["unit"]), fmt(row["median"], row["unit"])]
        if previous:
            before = (previous.get(key) or {}).get("median")
            now = row["median"]
            if before is None or now is None:
                line += [fmt(before, row["unit"]), "-", "-"]
            else:
                delta = now - before
                pct = f"{delta / before * 100:+.1f}" if before else "-"
                line += [fmt(before, row["unit"]), f"{delta:+.2f}", pct]
        lines.append(line)
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
    out = [f"FinHub suite benchmark: Hypothesis profile {meta['hypothesis_profile']}, repeat {meta['repeat']}, "
           f"commit {meta['commit'] or '?'}{' (dirty)' if meta['dirty'] else ''}, {meta['cpus']} CPUs"]
    for i, line in enumerate(lines):
        out.append("  ".join(str(c).ljust(w) if j == 0 else str(c).rjust(w) for j, (c, w) in enumerate(zip(line, widths))))
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def git_state() -> tuple[str | None, bool]:
    """The commit and whether the tree is dirty; read-only (no index refresh)."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, env=env, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, env=env,
                                    capture_output=True, text=True, check=True).stdout.strip())
        return commit, dirty
    except (OSError, subprocess.CalledProcessError):
        return None, False


# ----------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1, help="repetitions of every run (min / median); default 1")
    parser.add_argument("--runs", default=",".join(DEFAULT_RUNS),
                        help=f"which runs, comma-separated, of {', '.join(RUNS)} (default: {','.join(DEFAULT_RUNS)})")
    parser.add_argument("--latency-ms", type=float, default=10.0,
                        help="the remote run's added latency per request (default 10 ms)")
    parser.add_argument("--workers", type=int, default=2, help="xdist workers for the xdist run (default 2)")
    parser.add_argument("--hypothesis-profile", default="ci", help="FINHUB_HYPOTHESIS_PROFILE for the runs (default ci)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help=f"where the figures go (default {DEFAULT_OUTPUT.relative_to(ROOT)})")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="a previous benchmark.json to compare with (default: the one at --output, else reports/benchmark.json)")
    parser.add_argument("--no-compare", action="store_true", help="do not compare with a previous benchmark")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before a run is abandoned (default 1800)")
    parser.add_argument("--keep", action="store_true", help="keep the per-run report folders (their path is printed)")
    parser.add_argument("--pytest-arg", action="append", default=[], metavar="ARG",
                        help="an extra argument for every pytest run (repeatable)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    args.runs = [r.strip() for r in args.runs.split(",") if r.strip()]
    unknown = [r for r in args.runs if r not in RUNS]
    if unknown or not args.runs:
        parser.error(f"--runs: unknown {', '.join(unknown) or '(none given)'}; choose from {', '.join(RUNS)}")
    return args


def previous_headline(args: argparse.Namespace) -> tuple[Path | None, dict | None]:
    if args.no_compare:
        return None, None
    candidates = [args.baseline] if args.baseline else [args.output, DEFAULT_OUTPUT]
    for path in candidates:
        data = load_json(path) if path else None
        if data and isinstance(data.get("headline"), dict):
            return path, data["headline"]
    if args.baseline:
        print(f"benchmark: no usable baseline at {args.baseline}", file=sys.stderr)
    return None, None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    baseline_path, previous = previous_headline(args)  # read before the output is overwritten
    commit, dirty = git_state()
    meta = {"created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "commit": commit,
            "dirty": dirty, "python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "hypothesis_profile": args.hypothesis_profile, "repeat": args.repeat,
            "workers": args.workers, "pytest_args": args.pytest_arg}
    workdir = Path(tempfile.mkdtemp(prefix="finhub-bench-"))
    runs: dict[str, list[dict]] = {kind: [] for kind in RUNS if kind in args.runs}
    try:
        for index in range(1, args.repeat + 1):
            for kind in runs:
                print(f"benchmark: {kind} run {index}/{args.repeat} ...", end=" ", flush=True, file=sys.stderr)
                figures = run_once(kind, index, workdir, args)
                runs[kind].append(figures)
                print(f"{figures['wall_s']:.1f} s, verdict {figures['verdict']}", file=sys.stderr)
    finally:
        if args.keep:
            print(f"benchmark: run reports kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    results = {kind: {"workers": args.workers if kind == "xdist" else 1, "summary": summarise(items), "runs": items}
               for kind, items in runs.items()}
    if "remote" in results:
        results["remote"]["latency_ms"] = args.latency_ms
    rows = headline(results)
    document = {**meta, "baseline": str(baseline_path) if baseline_path else None,
                "all_runs_ok": all(r["ok"] for items in runs.values() for r in items),
                "headline": rows, "results": results,
                "notes": ["wall_s: the child process end to end (interpreter start, collection, embedded reference start, "
                          "report writing)",
                          "phase_s / testcase_s: junit testcase times (setup + call + teardown), so session fixtures "
                          "such as the reference start count in the first test's phase",
                          "overhead_ratio: wall_s / (sum of http_ms over exchanges-*.json); for xdist http_ms is summed "
                          "over workers",
                          "overhead_ratio_without_clock: (wall_s - clock_wait_s) / HTTP wait, one process only; "
                          "clock_wait_s = deliberate waits on the target's clock (FinHubClient.wait_on_target)",
                          "outside_scenarios_s: wall_s - testcase_s (interpreter start, plugin imports, collection, "
                          "report writing, exit); scenario_ratio: testcase_s / HTTP wait, one process only",
                          "hypothesis_share: Hypothesis-driven testcase time / all testcase time"]}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, indent=2), encoding="utf-8")
    print(table(rows, previous, meta))
    if previous:
        print(f"(deltas: median now minus median in {baseline_path})")
    full = results.get("full")
    if full:
        print("Hypothesis-driven scenarios (full run, last repetition):")
        for name, seconds in sorted(full["runs"][-1]["hypothesis_tests"].items(), key=lambda kv: -kv[1]):
            print(f"  {seconds:7.2f} s  {name}")
    print(f"figures written to {args.output}")
    if not document["all_runs_ok"]:
        print("benchmark: some runs did not end with the expected verdict: their figures are suspect", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
