"""``b2c-conformance``: run the suite, serve the reference deployment, list the rules.

Exit codes of ``run`` (stable, documented in the README):
0 conformant · 1 not conformant · 2 incomplete · 3 configuration error · 4 target unreachable ·
5 suite error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx

from .errors import ConfigurationError
from .rules import RULES, tag_of
from .settings import load_settings

__all__ = ["main", "EXIT"]

EXIT = {"conformant": 0, "not conformant": 1, "incomplete": 2, "configuration error": 3,
        "target unreachable": 4, "suite error": 5}


def _project_root() -> Path:
    """The checkout holding features/, steps/ and schemas/ (the suite runs from its sources)."""
    here = Path(__file__).resolve()
    for candidate in [Path.cwd(), *here.parents]:
        if (candidate / "features").is_dir() and (candidate / "suite").is_dir() and (candidate / "steps").is_dir():
            return candidate
    raise ConfigurationError("cannot find the suite's features/ and steps/: run b2c-conformance from a checkout "
                             "of finhub-b2c-conformance (installed with pip install -e .)")


def _preflight(base_url: str, verify: bool, timeout: float) -> str | None:
    """None when the target answers HTTP at all; otherwise why it is unreachable."""
    try:
        with httpx.Client(timeout=min(timeout, 10.0), verify=verify, trust_env=False) as client:
            client.get(base_url.rstrip("/") + "/api/v2.1/verifications/conformance-preflight")
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _run(args: argparse.Namespace, passthrough: list[str]) -> int:
    overrides = {"FINHUB_BASE_URL": args.base_url,
                 "FINHUB_MAX_RPS": str(args.max_rps) if args.max_rps else None,
                 "FINHUB_RUN_BUDGET_S": str(args.budget) if args.budget is not None else None}
    settings = load_settings(overrides, env_file=args.env_file)
    root = _project_root()
    if not settings.embedded:
        problem = _preflight(settings.base_url, settings.verify_tls, settings.http_timeout_s)
        if problem:
            print(f"b2c-conformance: target unreachable: {settings.base_url}: {problem}", file=sys.stderr)
            return EXIT["target unreachable"]
    report_dir = Path(args.report_dir or root / "reports").resolve()
    pytest_args = [str(root / "suite"), f"--rootdir={root}", "-c", str(root / "pytest.ini"),
                   f"--report-dir={report_dir}"]
    if args.env_file:
        pytest_args.append(f"--env-file={Path(args.env_file).resolve()}")
    if args.base_url:
        pytest_args.append(f"--base-url={args.base_url}")
    selection = []
    if args.smoke:
        selection.append("smoke")
    if args.rules:
        rules = [r.strip().upper() for r in args.rules.split(",") if r.strip()]
        unknown = [r for r in rules if r not in RULES]
        if unknown:
            print(f"b2c-conformance: configuration error: unknown rule id(s): {', '.join(unknown)}", file=sys.stderr)
            return EXIT["configuration error"]
        selection.append("(" + " or ".join(tag_of(r) for r in rules) + ")")
    if args.tags:
        selection.append(f"({args.tags})")
    if selection:
        pytest_args += ["-m", " and ".join(selection)]
    if args.workers:
        pytest_args += ["-n", str(args.workers)]
    pytest_args += passthrough
    verdict_file = report_dir / "verdict.json"
    verdict_file.unlink(missing_ok=True)
    child_env = dict(os.environ)
    for key in ("FINHUB_MAX_RPS", "FINHUB_RUN_BUDGET_S"):  # the options the suite's own settings must see
        if overrides[key] is not None:
            child_env[key] = overrides[key]
    code = subprocess.call([sys.executable, "-m", "pytest", *pytest_args], cwd=root, env=child_env)
    if code in (EXIT["configuration error"], EXIT["target unreachable"]) and not verdict_file.exists():
        return code
    if code == 5:  # pytest: nothing selected
        print("b2c-conformance: no scenario matched the selection: the run is incomplete", file=sys.stderr)
        return EXIT["incomplete"]
    if not args.no_html:
        print(render_allure(root, report_dir))
    try:
        verdict = json.loads(verdict_file.read_text(encoding="utf-8"))["verdict"]
    except (OSError, ValueError, KeyError):
        print(f"b2c-conformance: the run ended (pytest exit {code}) without a verdict: suite error", file=sys.stderr)
        return EXIT["suite error"]
    return EXIT.get(verdict, EXIT["suite error"])


_TRACKER = re.compile(r"<script[^>]*googletagmanager[^>]*></script>\s*<script>[^<]*?gtag\([^<]*?</script>", re.S)


def render_allure(root: Path, report_dir: Path) -> str:
    """Render ``report_dir/allure-results`` to ``report_dir/allure-report/index.html`` offline.

    Uses the npm package ``allure`` pinned in package.json (``npm ci`` installs it); returns a line
    saying what happened. The report's analytics snippet is removed: nothing in it calls home.
    """
    results = report_dir / "allure-results"
    if not any(results.glob("*-result.json")):
        return f"no Allure results in {results}: run the suite first"
    allure = root / "node_modules" / ".bin" / "allure"
    if not allure.exists():
        return ("HTML report skipped: the npm package 'allure' is not installed (run `npm ci` in "
                f"{root}; Node is needed). Allure results are in {results}")
    output = report_dir / "allure-report"
    completed = subprocess.run([str(allure), "generate", str(results), "--output", str(output)], cwd=root,
                               capture_output=True, text=True, timeout=300)
    index = output / "index.html"
    if completed.returncode != 0 or not index.exists():
        return f"HTML report failed (allure exit {completed.returncode}): {completed.stderr.strip()[-300:]}"
    index.write_text(_TRACKER.sub("", index.read_text(encoding="utf-8")), encoding="utf-8")
    return f"HTML report: {index}"


def _report(args: argparse.Namespace, passthrough: list[str]) -> int:
    root = _project_root()
    print(render_allure(root, Path(args.report_dir or root / "reports").resolve()))
    return 0


def _serve(args: argparse.Namespace, passthrough: list[str]) -> int:
    command = [sys.executable, "-m", "finhub_reference", "serve", "--host", args.host, "--port", str(args.port)]
    try:
        return subprocess.call(command + passthrough)
    except KeyboardInterrupt:
        return 0


_TAG_LINE = re.compile(r"^\s*(@.*)$")
_SCENARIO = re.compile(r"^\s*(Scenario(?: Outline)?|Example):\s*(.+)$")


def scenarios_by_rule(features: Path) -> dict[str, list[str]]:
    """Rule id → scenario titles tagged with it (Feature, Rule, Scenario and Examples tags)."""
    found: dict[str, list[str]] = {}
    for path in sorted(features.glob("*.feature")):
        pending: list[str] = []
        inherited: list[str] = []
        rule_tags: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            tag_match = _TAG_LINE.match(line)
            if tag_match:
                pending += [t[1:] for t in tag_match.group(1).split()]
                continue
            stripped = line.strip()
            if stripped.startswith("Feature:"):
                inherited, pending = pending, []
            elif stripped.startswith("Rule:"):
                rule_tags, pending = pending, []
            elif _SCENARIO.match(line):
                title = f"{path.name}: {_SCENARIO.match(line).group(2)}"
                for tag in inherited + rule_tags + pending:
                    rule = tag.replace("_", "-")
                    if rule in RULES:
                        found.setdefault(rule, []).append(title)
                pending = []
            elif stripped.startswith("Examples:") and pending:
                for tag in pending:
                    rule = tag.replace("_", "-")
                    if rule in RULES:
                        found.setdefault(rule, []).append(f"{path.name}: examples {stripped[9:].strip()}")
                pending = []
    return found


def _rules(args: argparse.Namespace, passthrough: list[str]) -> int:
    root = _project_root()
    tested = scenarios_by_rule(root / "features")
    for rule in RULES.values():
        scenarios = tested.get(rule.id, [])
        print(f"{rule.id:<8} {rule.level:<6} {rule.title:<50} {len(scenarios)} scenario(s)")
        if args.verbose:
            for title in scenarios:
                print(f"           - {title}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``b2c-conformance`` command."""
    parser = argparse.ArgumentParser(prog="b2c-conformance", description=__doc__.split("\n\n")[0],
                                     epilog="Exit codes of run: 0 conformant, 1 not conformant, 2 incomplete, "
                                            "3 configuration error, 4 target unreachable, 5 suite error.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the conformance suite (extra arguments go to pytest)")
    run.add_argument("--env-file", help="env file with FINHUB_* settings (profile §7.2)")
    run.add_argument("--base-url", help="target base URL; without one, the embedded reference is started")
    run.add_argument("--report-dir", help="where reports are written (default: reports/)")
    run.add_argument("--smoke", action="store_true", help="only the @smoke subset (each phase once)")
    run.add_argument("--rules", help="only scenarios tagged with these rule ids, e.g. PAY-4,ACT-1")
    run.add_argument("--tags", help="a pytest -m expression over tags, e.g. 'payments and not negative'")
    run.add_argument("--workers", type=int, help="parallel workers (pytest-xdist)")
    run.add_argument("--max-rps", type=float, help="at most this many requests per second (a shared staging)")
    run.add_argument("--budget", type=float, metavar="SECONDS",
                     help="the whole run's time budget (default 1800, or FINHUB_RUN_BUDGET_S): once spent, no "
                          "further scenario starts and the run ends incomplete")
    run.add_argument("--no-html", action="store_true", help="do not render the Allure HTML report")
    run.set_defaults(handler=_run)
    report = sub.add_parser("report", help="render the Allure HTML report from results already on disk")
    report.add_argument("--report-dir", help="the folder holding allure-results/ (default: reports/)")
    report.set_defaults(handler=_report)
    serve = sub.add_parser("serve", help="run the reference deployment standalone")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=_serve)
    rules = sub.add_parser("rules", help="list the profile's rules and the scenarios that test them")
    rules.add_argument("-v", "--verbose", action="store_true", help="name the scenarios")
    rules.set_defaults(handler=_rules)
    args, passthrough = parser.parse_known_args(argv)
    try:
        return args.handler(args, passthrough)
    except ConfigurationError as exc:  # one clear line and a distinct status, never a traceback
        print(f"b2c-conformance: configuration error: {exc}", file=sys.stderr)
        return EXIT["configuration error"]
    except BrokenPipeError:  # the output was piped into e.g. `head`, which stopped reading
        sys.stdout = open(os.devnull, "w")
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
