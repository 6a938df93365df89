"""The harness plugin: settings, target, client, evidence, advisories and the run's verdict.

Registered through ``pytest_plugins`` in the root conftest. Session fixtures start the embedded
reference when no target is configured; function fixtures give each scenario fresh personas.
"""

from __future__ import annotations

import gc
import json
import os
import secrets
import shutil
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Callable

import httpx
import pytest

from finhub_conformance.checks import Advisory, CheckContext, run_checks
from finhub_conformance.client import FinHubClient
from finhub_conformance.embedded import EmbeddedReference
from finhub_conformance.errors import ConfigurationError, TargetError
from finhub_conformance.exchange import Exchange
from finhub_conformance.journey import Bank, Customer
from finhub_conformance.redaction import Redactor, scan_for_secrets
from finhub_conformance.rules import PHASE_TAGS, RULES, rule_of_tag
from finhub_conformance.schemas import load as load_schemas
from finhub_conformance.settings import Settings, load_settings
from finhub_conformance.strategies import register_profiles
from finhub_conformance.transport import Observer, Pacer

from steps.allure_files import drain
from steps.evidence import EVIDENCE, StepEvidence
from steps.run_budget import RUN_DEADLINE, run_started_at

ROOT = Path(__file__).resolve().parent.parent
#: Order TTL of the embedded reference: short, so that PAY-7's order (prepared as the run begins,
#: steps/head_start.py) has expired by the time its scenario runs, yet long enough for every
#: prepare-then-execute under load.
EMBEDDED_ORDER_TTL_S = 2

#: Tags that cut across capabilities (house style 5); everything else must be a rule id or a capability.
CROSS_CUTTING_TAGS = {
    "smoke": "a quick subset covering each phase once",
    "negative": "the deployment must refuse something",
    "needs_funding": "needs money in the wallet: skipped when the deployment has no funding method (FUND-2)",
    "needs_power_tenant": "needs the power tenant: skipped without FINHUB_POWER_* (§7.3)",
    "needs_tenant_b": "needs a second tenant: skipped without FINHUB_TENANT_B_* (§7.3)",
    "concurrency": "sends concurrent requests",
    "slow": "waits on the deployment's clock (order expiry, settlement)",
    "head_start": "its order is prepared as the run begins and it runs last, so that the wait for its expiry "
                  "overlaps the run (steps/head_start.py)",
}

EXIT_CODES = {"conformant": 0, "not conformant": 1, "incomplete": 2, "configuration error": 3,
              "target unreachable": 4, "suite error": 5}


# ---------------------------------------------------------------------------- options and markers

def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("finhub", "FinHub B2C conformance")
    group.addoption("--env-file", default=None, help="env file with FINHUB_* settings (profile §7.2)")
    group.addoption("--base-url", default=None, help="target base URL; without one the embedded reference runs")
    group.addoption("--report-dir", default=None, help="where reports go (default: reports/ for suite runs)")


def _is_suite_run(config: pytest.Config) -> bool:
    args = [a for a in config.args if not a.startswith("-")]
    return not args or any(Path(a.split("::")[0]).resolve().is_relative_to(ROOT / "suite") for a in args)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    for rule in RULES.values():
        config.addinivalue_line("markers", f"{rule.tag}: profile rule {rule.id} ({rule.level}) {rule.title}")
    for tag, title in PHASE_TAGS.items():
        config.addinivalue_line("markers", f"{tag}: capability {title}")
    for tag, meaning in CROSS_CUTTING_TAGS.items():
        config.addinivalue_line("markers", f"{tag}: {meaning}")
    _load_hypothesis_profile(config)
    worker_input = getattr(config, "workerinput", None)
    if worker_input is not None:  # an xdist worker: write where the controller says
        if worker_input.get("finhub_report_dir"):
            _point_reports_at(config, Path(worker_input["finhub_report_dir"]), controller=False)
        return
    if _is_suite_run(config):
        report_dir = Path(config.getoption("--report-dir") or ROOT / "reports").resolve()
        report_dir.mkdir(parents=True, exist_ok=True)
        for stale in [*report_dir.glob("exchanges-*.json"), *report_dir.glob("secret-scan-*.json"),
                      report_dir / "verdict.json"]:
            stale.unlink(missing_ok=True)
        shutil.rmtree(report_dir / "allure-results", ignore_errors=True)  # once, here: never in workers
        _point_reports_at(config, report_dir, controller=True)


def _load_hypothesis_profile(config: pytest.Config) -> None:
    """Register the suite's Hypothesis profiles; load FINHUB_HYPOTHESIS_PROFILE, else ci under CI, else dev.

    ``--hypothesis-profile NAME`` (Hypothesis's own option) still wins: its plugin loads it after this.
    """
    from hypothesis import settings as hypothesis_settings
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(ROOT / ".hypothesis")  # never a .hypothesis/ in whatever folder pytest ran from
    register_profiles(ROOT / ".hypothesis")
    name = os.environ.get("FINHUB_HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
    examples = os.environ.get("FINHUB_HYPOTHESIS_EXAMPLES")
    if examples:
        if not examples.isdigit() or int(examples) < 1:
            raise pytest.UsageError(f"FINHUB_HYPOTHESIS_EXAMPLES must be a positive whole number, got {examples!r}")
        hypothesis_settings.register_profile(f"{name}-{examples}", hypothesis_settings.get_profile(name),
                                             max_examples=int(examples))
        name = f"{name}-{examples}"
    hypothesis_settings.load_profile(name)


def _point_reports_at(config: pytest.Config, report_dir: Path, controller: bool) -> None:
    config.stash[REPORT_DIR] = report_dir
    if getattr(config.option, "tbstyle", "auto") == "auto":
        # Long tracebacks print the failing frame's arguments (request bodies with passwords) into the
        # terminal, junit.xml and Allure; the short style shows the lines, never the values.
        config.option.tbstyle = "short"
    if controller and getattr(config.option, "xmlpath", None) is None:
        config.option.xmlpath = str(report_dir / "junit.xml")
    if hasattr(config.option, "allure_report_dir") and not config.option.allure_report_dir:
        config.option.allure_report_dir = str(report_dir / "allure-results")
    if controller and hasattr(config.option, "cucumber_json_path") and not config.option.cucumber_json_path:
        config.option.cucumber_json_path = str(report_dir / "cucumber.json")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Scan this process's report artefacts for the run's secrets (only this process knows them)."""
    config = session.config
    if REDACTOR not in config.stash or REPORT_DIR not in config.stash:
        return
    folder = config.stash[REPORT_DIR]
    drain(config)  # Allure's files still queued, and any written after allure_files' own drain
    hits = [p for p in scan_for_secrets(folder, config.stash[REDACTOR]) if "secret-scan-" not in p]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    (folder / f"secret-scan-{worker}.json").write_text(json.dumps({"files_with_secrets": hits}), encoding="utf-8")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """xdist: tell each worker where the reports go (workers re-parse options and would not know)."""
    if REPORT_DIR in node.config.stash:
        node.workerinput["finhub_report_dir"] = str(node.config.stash[REPORT_DIR])


# ---------------------------------------------------------------------------- the cycle collector

def pytest_collection_finish(session: pytest.Session) -> None:
    """What start-up and collection built (modules, items, step definitions, schemas) lives to the end of
    the run: the cycle collector need not scan it again at every full collection (those took 0.24 s of a
    full run, 0.07 s since)."""
    gc.freeze()


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """After every other plugin's last collection (pytest's own looks for unraisable exceptions): the
    process is ending, and the interpreter's final collections over the whole heap took ~0.3 s."""
    gc.freeze()


REPORT_DIR = pytest.StashKey[Path]()
ADVISORIES = pytest.StashKey[list]()
REDACTOR = pytest.StashKey[Redactor]()
ABORTED = pytest.StashKey[str]()


def abort(config: pytest.Config, verdict: str, reason: BaseException) -> None:
    """End the whole run before any verdict can be drawn (remembered for the summary)."""
    config.stash[ABORTED] = verdict
    pytest.exit(f"{verdict}: {reason}", returncode=EXIT_CODES[verdict])


# ---------------------------------------------------------------------------- session fixtures

@pytest.fixture(scope="session")
def run_id() -> str:
    """A short id unique to this run (and worker), used in test data."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"{time.strftime('%m%d%H%M%S')}{secrets.token_hex(2)}{worker.replace('gw', 'w')}"


@pytest.fixture(scope="session")
def settings(pytestconfig: pytest.Config) -> Settings:
    """The run's settings: CLI options > FINHUB_* environment > env file > defaults."""
    try:
        settings = load_settings({"FINHUB_BASE_URL": pytestconfig.getoption("--base-url")},
                                 env_file=pytestconfig.getoption("--env-file"))
    except ConfigurationError as exc:
        abort(pytestconfig, "configuration error", exc)
    pytestconfig.stash[RUN_DEADLINE] = (settings.run_budget_s, run_started_at(pytestconfig) + settings.run_budget_s)
    return settings


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config, settings: Settings):
    """Settings pointing at the target: the configured one, or the embedded reference started here."""
    if not settings.embedded:
        yield settings
        return
    reference = EmbeddedReference(order_ttl_s=EMBEDDED_ORDER_TTL_S)
    try:
        env = reference.start()
        yield settings.with_target(env)
    except ConfigurationError as exc:
        abort(pytestconfig, "configuration error", exc)
    finally:
        reference.stop()


@pytest.fixture(scope="session")
def redactor(pytestconfig: pytest.Config, target: Settings) -> Redactor:
    """Masks the run's secrets in evidence; also the SEC-1 list of plaintext secrets."""
    redactor = Redactor(target.secrets())
    pytestconfig.stash[REDACTOR] = redactor
    return redactor


class _AdvisorySink:
    """Routes advisories to the scenario that is running."""

    def __init__(self) -> None:
        self.current: list[Advisory] | None = None

    def __call__(self, advisory: Advisory) -> None:
        if self.current is not None and advisory not in self.current:
            self.current.append(advisory)


@pytest.fixture(scope="session")
def advisory_sink() -> _AdvisorySink:
    """The session's advisory router."""
    return _AdvisorySink()


class ExchangeTally:
    """Counts exchanges per endpoint, the time spent waiting on HTTP and on the target's clock (benchmarks)."""

    def __init__(self) -> None:
        self.calls: Counter = Counter()
        self.statuses: Counter = Counter()
        self.http_ms = 0.0
        self._lock = threading.Lock()  # the head start's client counts here too, from its thread

    def __call__(self, exchange: Exchange) -> None:
        endpoint = exchange.operation.split()[0]
        with self._lock:
            self.calls[endpoint] += 1
            self.statuses[f"{endpoint} {exchange.status}"] += 1
            self.http_ms += exchange.elapsed_ms

    def write(self, folder: Path, clock_wait_s: float) -> None:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        (folder / f"exchanges-{worker}.json").write_text(json.dumps(
            {"calls": dict(sorted(self.calls.items())), "statuses": dict(sorted(self.statuses.items())),
             "http_ms": round(self.http_ms, 1), "clock_wait_ms": round(clock_wait_s * 1000, 1)},
            indent=2), encoding="utf-8")


def new_client(target: Settings, redactor: Redactor, run_id: str, observers: list[Observer],
               advise: Callable[[Advisory], None], pacer: Pacer | None = None) -> FinHubClient:
    """A FinHub client over an httpx.Client of its own (close it with ``client.http.close()``): the checks run
    on every exchange after ``observers``, and advisories go to ``advise``."""
    context = CheckContext(schemas=load_schemas(str(ROOT / "schemas")),
                           sensitive=lambda: redactor.finder("sensitive"), advise=advise)
    http = httpx.Client(base_url=target.base_url, timeout=target.http_timeout_s, verify=target.verify_tls,
                        trust_env=False, follow_redirects=False)
    return FinHubClient(http, run_id=run_id, forwarded_for=target.forwarded_for, max_rps=target.max_rps,
                        pacer=pacer, observers=[*observers, lambda exchange: run_checks(exchange, context)])


@pytest.fixture(scope="session")
def tally() -> ExchangeTally:
    """The run's exchange counts and HTTP time, over every client of the run."""
    return ExchangeTally()


@pytest.fixture(scope="session")
def client(pytestconfig: pytest.Config, target: Settings, redactor: Redactor, advisory_sink: _AdvisorySink,
           run_id: str, tally: ExchangeTally):
    """The FinHub client over one httpx.Client, with checks and evidence on every exchange."""
    evidence = pytestconfig.stash[EVIDENCE] = StepEvidence(redactor)
    client = new_client(target, redactor, run_id, [tally, evidence], advisory_sink)
    with client.http:
        yield client
    folder = pytestconfig.getoption("--report-dir") or (ROOT / "reports")
    if Path(folder).is_dir():
        tally.write(Path(folder), client.clock_wait_s)


@pytest.fixture(scope="session")
def bank(pytestconfig: pytest.Config, client: FinHubClient, target: Settings, redactor: Redactor,
         run_id: str) -> Bank:
    """Domain operations against the target; checks that the tenant admin can log in (S1) first."""
    bank = Bank(client, target, redactor, run_id)
    try:
        bank.admin()
    except ConfigurationError as exc:
        abort(pytestconfig, "configuration error", exc)
    except TargetError as exc:
        abort(pytestconfig, "target unreachable", exc)
    return bank


@pytest.fixture(autouse=True)
def advisories(request: pytest.FixtureRequest, advisory_sink: _AdvisorySink):
    """The SHOULD advisories raised during this scenario; reported, never failed."""
    found: list[Advisory] = []
    advisory_sink.current = found
    request.node.stash[ADVISORIES] = found
    yield found
    advisory_sink.current = None
    if found:
        try:
            import allure
            allure.attach("\n".join(f"[{a.rule}] {a.message}" for a in found), name="advisories (SHOULD)",
                          attachment_type=allure.attachment_type.TEXT)
        except ImportError:  # pragma: no cover
            pass


@pytest.fixture
def scenario_rules(request: pytest.FixtureRequest) -> tuple[str, ...]:
    """The profile rule ids this scenario is tagged with."""
    return tuple(dict.fromkeys(r for m in request.node.iter_markers() if (r := rule_of_tag(m.name))))


class Cast(dict):
    """The scenario's personas by name (Alice, Bob, Hana, Mallory …)."""

    def __missing__(self, name: str) -> Customer:
        raise KeyError(f"persona {name!r} has not been introduced by a Given step")


@pytest.fixture
def cast() -> Cast:
    """Personas introduced by this scenario's Given steps."""
    return Cast()


__all__ = ["EXIT_CODES", "Cast", "REPORT_DIR", "ADVISORIES", "REDACTOR", "ABORTED", "ROOT", "abort", "new_client"]
