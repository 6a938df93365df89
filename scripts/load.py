#!/usr/bin/env python3
"""Load a deployment with many customers at once and check that money survives it (issue 7).

A tool run on demand, not a test. It drives the same client and journey as the suite, from threads:

1. ``--customers`` customers are onboarded in parallel (registration to an active wallet), each funded
   by a top-up and given the next customer's wallet as beneficiary (a ring) with a payment consent;
2. ``--transfers`` transfers between them run concurrently (prepare, then execute), mixed with
   ``--duplicates`` orders whose execute is fired twice at the same moment.

Afterwards it checks the invariants, and exits 1 when one breaks:

* money is conserved: every wallet holds its credited top-ups less the totals of its executed transfers
  (plus the amounts it received, when the deployment credits transfers between its own wallets), and
  so does the sum over all wallets; available = current − blocked, all ≥ 0 (WAL-2);
* no order executed twice (PAY-4): of two concurrent executes at most one succeeds, unless both answers
  are the same replay (same ``transactionId|orderId|executionId``);
* no 5xx answer, whether final or retried.

It reports throughput (requests/s per phase), p50 and p99 latency per endpoint and overall, and error
counts, on stdout and in ``reports/load.json`` (or ``--output``). Without ``--base-url`` or
``--env-file`` it starts the reference deployment (``python -m finhub_reference serve --port 0``);
a remote target needs the suite's settings, the safety guard ``FINHUB_TARGET_KIND`` included::

    python scripts/load.py                                  # 20 customers, 200 transfers, 8 threads
    python scripts/load.py --customers 50 --threads 16 --transfers 1000 --duplicates 50
    python scripts/load.py --env-file staging.env --customers 5 --transfers 20
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
from finhub_conformance import bodies  # noqa: E402
from finhub_conformance.checks import Balances  # noqa: E402
from finhub_conformance.client import FinHubClient  # noqa: E402
from finhub_conformance.embedded import EmbeddedReference  # noqa: E402
from finhub_conformance.errors import ConfigurationError, NonConformance, TargetError  # noqa: E402
from finhub_conformance.exchange import Exchange  # noqa: E402
from finhub_conformance.journey import Bank, Customer, Order  # noqa: E402
from finhub_conformance.redaction import Redactor  # noqa: E402
from finhub_conformance.settings import Settings, load_settings  # noqa: E402

DEFAULT_OUTPUT = ROOT / "reports" / "load.json"
#: Identifiers a replayed execute must repeat (PAY-4, profile §8 variant 51).
REPLAY_KEYS = ("transactionId", "orderId", "executionId")
CENT = Decimal("0.01")


# ----------------------------------------------------------------------------------------------------
# measuring


class Recorder:
    """Observer of the client: latency per endpoint, statuses, every 5xx seen (retried tries too), and
    the calls that failed without an answer to judge, by kind (a few examples kept, never secrets)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.latency_ms: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter = Counter()
        self.server_errors: list[str] = []
        self.errors: Counter = Counter()
        self.examples: list[str] = []

    def __call__(self, exchange: Exchange) -> None:
        endpoint = exchange.operation.split()[0]
        fives = [f"{exchange.operation} → {t.status}" for t in exchange.tries if t.status and t.status >= 500]
        with self._lock:
            self.latency_ms[endpoint].append(exchange.elapsed_ms)
            self.statuses[f"{endpoint} {exchange.status}"] += 1
            self.server_errors += fives

    def failed(self, kind: str, error: Exception) -> None:
        """A call or a setup step that failed (a 502 answered twice and given up on is also a 5xx)."""
        message = str(error).splitlines()[0][:200]
        fives = [f"{message[:60]} → {t.status}" for t in getattr(error, "tries", ()) if t.status and t.status >= 500]
        with self._lock:
            self.errors[kind] += 1
            self.server_errors += fives
            if len(self.examples) < 10:
                self.examples.append(f"{kind}: {message}")

    def requests(self) -> int:
        """Exchanges observed so far (final answers; retried tries are not counted twice)."""
        with self._lock:
            return sum(len(v) for v in self.latency_ms.values())


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1) of ``values``, 0 when there are none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def latency_table(recorder: Recorder) -> dict[str, dict]:
    """p50 / p99 / count per endpoint and overall, in ms."""
    rows = {endpoint: values for endpoint, values in sorted(recorder.latency_ms.items())}
    rows["overall"] = [v for values in recorder.latency_ms.values() for v in values]
    return {endpoint: {"count": len(values), "p50_ms": round(percentile(values, 0.50), 1),
                       "p99_ms": round(percentile(values, 0.99), 1)} for endpoint, values in rows.items()}


# ----------------------------------------------------------------------------------------------------
# the target


def target_settings(args: argparse.Namespace) -> tuple[Settings, EmbeddedReference | None]:
    """The suite's settings for ``--base-url`` / ``--env-file`` (same guard), else a started reference."""
    settings = load_settings({"FINHUB_BASE_URL": args.base_url}, env_file=args.env_file)
    if not settings.embedded:
        if settings.funding == "none":
            raise ConfigurationError("FINHUB_FUNDING=none: the load script needs money to move")
        return settings, None
    reference = EmbeddedReference()
    return settings.with_target(reference.start()), reference


def bank_for(settings: Settings, recorder: Recorder, threads: int) -> tuple[Bank, httpx.Client]:
    """A bank over one pooled httpx.Client shared by every thread (httpx clients are thread-safe)."""
    http = httpx.Client(base_url=settings.base_url, timeout=settings.http_timeout_s, verify=settings.verify_tls,
                        trust_env=False, follow_redirects=False,
                        limits=httpx.Limits(max_connections=threads * 2 + 4, max_keepalive_connections=threads * 2))
    run_id = f"load{time.strftime('%m%d%H%M%S')}{random.randrange(16 ** 3):03x}"
    client = FinHubClient(http, run_id=run_id, forwarded_for=settings.forwarded_for, observers=[recorder],
                          max_rps=settings.max_rps)
    return Bank(client, settings, Redactor(settings.secrets()), run_id), http


# ----------------------------------------------------------------------------------------------------
# phase 1: onboarding


@dataclass
class Wallet:
    """One customer's wallet as the load script accounts for it."""

    customer: Customer
    credited: Decimal = Decimal(0)
    sent: Decimal = Decimal(0)  # totals (amount + fee) of executed transfers
    received: Decimal = Decimal(0)  # amounts of executed transfers to this wallet
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def onboard(bank: Bank, index: int, funds: Decimal, recorder: Recorder) -> Wallet | None:
    """Register, verify, consent, activate and fund one customer; None (and an error) when that fails."""
    customer = bank.new_customer(f"Load{index}")
    try:
        bank.onboard(customer, "active")
        before = bank.balances(customer).current
        bank.fund(customer, funds)
        return Wallet(customer, credited=bank.balances(customer).current - before)
    except (TargetError, NonConformance) as exc:
        recorder.failed("onboarding", exc)
        return None


def connect_ring(bank: Bank, wallets: list[Wallet], funds: Decimal) -> None:
    """Each wallet gets the next one's IBAN as beneficiary and a payment consent for it."""
    for wallet, payee in zip(wallets, wallets[1:] + wallets[:1]):
        customer = wallet.customer
        body = bodies.beneficiary_body(payee.customer.iban, payee.customer.first_name, payee.customer.last_name)
        response = bank.add_beneficiary(customer, {**body, "country": payee.customer.iban[:2]})
        if not response.ok or not customer.beneficiaries:
            raise NonConformance("BEN-1", f"cannot register {payee.customer.name}'s wallet as a beneficiary",
                                 received=response.describe())
        bank.payment_consent_ok(customer, customer.beneficiaries[-1], funds)


# ----------------------------------------------------------------------------------------------------
# phase 2: transfers and duplicate executes


@dataclass
class Ledger:
    """What the transfers did, for the invariants."""

    executed: Counter = field(default_factory=Counter)  # "transfers" / "duplicate orders" executed
    refused: Counter = field(default_factory=Counter)
    duplicate_pairs: list[tuple[int, int]] = field(default_factory=list)  # (first status, second status)
    double_executions: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def prepare(bank: Bank, wallet: Wallet, amount: Decimal, ledger: Ledger) -> Order | None:
    """E15 to the wallet's beneficiary; a refusal (e.g. funds spent by other transfers) is counted."""
    customer = wallet.customer
    prepared = bank.prepare_transfer(customer, amount, customer.beneficiaries[-1])
    if not prepared.ok:
        with ledger.lock:
            ledger.refused[f"E15 {prepared.status} {prepared.error_code() or ''}".strip()] += 1
        return None
    return bank.order_of(prepared, amount, customer.consent_id)


def settle(wallet: Wallet, payee: Wallet, order: Order, ledger: Ledger, kind: str) -> None:
    """Book one executed order on both wallets."""
    with wallet.lock:
        wallet.sent += order.total
    with payee.lock:
        payee.received += order.amount
    with ledger.lock:
        ledger.executed[kind] += 1


def transfer(bank: Bank, wallet: Wallet, payee: Wallet, amount: Decimal, ledger: Ledger) -> None:
    """Prepare and execute one transfer."""
    order = prepare(bank, wallet, amount, ledger)
    if order is None:
        return
    executed = bank.execute(wallet.customer, order)
    if executed.ok:
        settle(wallet, payee, order, ledger, "transfers")
    else:
        with ledger.lock:
            ledger.refused[f"E16 {executed.status} {executed.error_code() or ''}".strip()] += 1


def replay_id(exchange: Exchange) -> tuple:
    """The identifiers a replay must repeat."""
    return tuple(exchange.get(key) for key in REPLAY_KEYS)


def duplicate_execute(bank: Bank, wallet: Wallet, payee: Wallet, amount: Decimal, ledger: Ledger) -> None:
    """Prepare one order, then fire two executes of it at the same moment (PAY-4)."""
    order = prepare(bank, wallet, amount, ledger)
    if order is None:
        return
    start = threading.Barrier(2)
    answers: list[Exchange | Exception | None] = [None, None]

    def fire(slot: int) -> None:
        start.wait(timeout=30)
        try:
            answers[slot] = bank.execute(wallet.customer, order)
        except (TargetError, NonConformance) as exc:
            answers[slot] = exc

    threads = [threading.Thread(target=fire, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    judge_duplicate(order, answers, wallet, payee, ledger)


def judge_duplicate(order: Order, answers: list, wallet: Wallet, payee: Wallet, ledger: Ledger) -> None:
    """At most one success, or two identical replays; the order's money is booked once if any succeeded.

    A success is booked even when the other execute failed in transport, which is then raised.
    """
    exchanges = [a for a in answers if isinstance(a, Exchange)]
    successes = [a for a in exchanges if a.ok]
    if successes:
        settle(wallet, payee, order, ledger, "duplicate orders")
    if len(exchanges) == 2:
        first, second = exchanges
        with ledger.lock:
            ledger.duplicate_pairs.append((first.status, second.status))
            if len(successes) == 2 and (replay_id(first) != replay_id(second) or not any(replay_id(first))):
                ledger.double_executions.append(f"order {order.prepared_order_id}: {first.describe()} and "
                                                f"{second.describe()} with different ids {replay_id(first)} / "
                                                f"{replay_id(second)}")
    failures = [a for a in answers if isinstance(a, Exception)]
    if failures:
        raise failures[0]


def run_payments(bank: Bank, wallets: list[Wallet], args: argparse.Namespace, ledger: Ledger,
                 recorder: Recorder) -> None:
    """The transfers and duplicate executes, shuffled, on ``--threads`` threads."""
    rng = random.Random(args.seed)
    payees = {id(w): p for w, p in zip(wallets, wallets[1:] + wallets[:1])}
    jobs = [(action, rng.choice(wallets), Decimal(rng.randrange(100, 500)) * CENT)
            for action, count in ((transfer, args.transfers), (duplicate_execute, args.duplicates))
            for _ in range(count)]
    rng.shuffle(jobs)

    def run(job) -> None:
        action, wallet, amount = job
        try:
            action(bank, wallet, payees[id(wallet)], amount, ledger)
        except TargetError as exc:
            recorder.failed("transport", exc)
        except NonConformance as exc:
            recorder.failed(f"non-conformance {exc.rule}", exc)

    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        list(pool.map(run, jobs))


# ----------------------------------------------------------------------------------------------------
# invariants


def settled_balances(bank: Bank, wallets: list[Wallet]) -> dict[str, Balances]:
    """Every wallet's balances once each matches its books, or as read when the settle timeout ends."""
    deadline = time.monotonic() + bank.settings.settle_timeout_s
    while True:
        observed = {w.customer.name: bank.balances(w.customer) for w in wallets}
        if time.monotonic() >= deadline or all(
                observed[w.customer.name].current in (w.credited - w.sent, w.credited - w.sent + w.received)
                for w in wallets):
            return observed
        time.sleep(0.25)


def conservation(bank: Bank, wallets: list[Wallet]) -> dict:
    """Read every wallet back and compare it with the books, under both crediting variants.

    ``external``: money sent leaves the deployment (the beneficiary is paid outside it);
    ``internal``: the payee wallet is credited the amount. Either is fine, but one must hold for all.
    """
    observed = settled_balances(bank, wallets)
    variants = {}
    for variant, inbound in (("external", 0), ("internal", 1)):
        variants[variant] = [w.customer.name for w in wallets
                             if observed[w.customer.name].current != w.credited - w.sent + inbound * w.received]
    holding = [name for name, misses in variants.items() if not misses]
    wal2 = [f"{name}: current {b.current}, available {b.available}, blocked {b.blocked}"
            for name, b in observed.items() if b.available != b.current - b.blocked or min(b.current, b.available,
                                                                                          b.blocked) < 0]
    return {
        "holds": bool(holding) and not wal2, "variant": holding[0] if holding else None,
        "credited": str(sum((w.credited for w in wallets), Decimal(0))),
        "sent_totals": str(sum((w.sent for w in wallets), Decimal(0))),
        "received_amounts": str(sum((w.received for w in wallets), Decimal(0))),
        "sum_current": str(sum((b.current for b in observed.values()), Decimal(0))),
        "sum_blocked": str(sum((b.blocked for b in observed.values()), Decimal(0))),
        "wallets_off": {} if holding else {k: v[:10] for k, v in variants.items()}, "wal2_broken": wal2,
    }


def invariants(conserved: dict, ledger: Ledger, recorder: Recorder, duplicates: int) -> dict[str, dict]:
    """Each invariant with whether it was checked, whether it holds, and the evidence."""
    return {
        "money_conserved": {"checked": True, "holds": conserved["holds"], "detail": conserved},
        "no_double_execution": {"checked": len(ledger.duplicate_pairs) > 0 or duplicates == 0,
                                "holds": not ledger.double_executions, "pairs": len(ledger.duplicate_pairs),
                                "pair_statuses": dict(Counter(f"{a}+{b}" for a, b in ledger.duplicate_pairs)),
                                "detail": ledger.double_executions[:10]},
        "no_5xx": {"checked": True, "holds": not recorder.server_errors, "detail": recorder.server_errors[:10]},
    }


# ----------------------------------------------------------------------------------------------------
# the run


def phase(label: str, recorder: Recorder, work) -> dict:
    """Run ``work()`` and return its wall time, request count and throughput."""
    before, started = recorder.requests(), time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    requests = recorder.requests() - before
    figures = {"seconds": round(seconds, 2), "requests": requests,
               "requests_per_s": round(requests / seconds, 1) if seconds else 0.0}
    print(f"{label:<28} {figures['seconds']:>8.2f} s {requests:>7} requests {figures['requests_per_s']:>8.1f} req/s",
          flush=True)
    return figures


def load(args: argparse.Namespace, settings: Settings) -> dict:
    """Onboard, pay, check; return the figures."""
    recorder, ledger = Recorder(), Ledger()
    bank, http = bank_for(settings, recorder, args.threads)
    funds = Decimal(args.funds)
    wallets: list[Wallet] = []
    with http:
        bank.admin()  # S1 once, before the threads (a refused log-in is a configuration error)

        def onboarding() -> None:
            with ThreadPoolExecutor(max_workers=args.threads) as pool:
                wallets.extend(w for w in pool.map(lambda i: onboard(bank, i, funds, recorder),
                                                   range(args.customers)) if w is not None)
            if len(wallets) < 2:
                raise TargetError(f"only {len(wallets)} customer(s) onboarded: nothing to transfer between")
            connect_ring(bank, wallets, funds)

        phases = {"onboarding": phase("onboarding + funding", recorder, onboarding),
                  "payments": phase("transfers + duplicates", recorder,
                                    lambda: run_payments(bank, wallets, args, ledger, recorder))}
        conserved = conservation(bank, wallets)
    checks = invariants(conserved, ledger, recorder, args.duplicates)
    return {
        "target": settings.base_url if not settings.embedded else "embedded reference",
        "customers": {"asked": args.customers, "onboarded": len(wallets)}, "threads": args.threads,
        "transfers": {"asked": args.transfers, "executed": ledger.executed["transfers"],
                      "refused": dict(ledger.refused)},
        "duplicate_executes": {"asked": args.duplicates, "pairs": len(ledger.duplicate_pairs),
                               "orders_executed": ledger.executed["duplicate orders"]},
        "phases": phases, "latency": latency_table(recorder), "statuses": dict(sorted(recorder.statuses.items())),
        "errors": {"counts": dict(recorder.errors), "examples": recorder.examples},
        "invariants": checks, "ok": all(c["checked"] and c["holds"] for c in checks.values()),
    }


def summary(figures: dict) -> str:
    """The figures as a few lines of text."""
    lines = [f"customers onboarded {figures['customers']['onboarded']}/{figures['customers']['asked']}, "
             f"transfers executed {figures['transfers']['executed']}/{figures['transfers']['asked']} "
             f"(refused: {figures['transfers']['refused'] or 'none'}), duplicate pairs "
             f"{figures['duplicate_executes']['pairs']}/{figures['duplicate_executes']['asked']}",
             f"{'endpoint':<10}{'count':>8}{'p50 ms':>10}{'p99 ms':>10}"]
    lines += [f"{name:<10}{row['count']:>8}{row['p50_ms']:>10.1f}{row['p99_ms']:>10.1f}"
              for name, row in figures["latency"].items()]
    lines.append(f"errors: {figures['errors']['counts'] or 'none'}")
    for name, check in figures["invariants"].items():
        state = "NOT CHECKED" if not check["checked"] else ("holds" if check["holds"] else "BROKEN")
        lines.append(f"invariant {name}: {state}" + (f" ({check['detail']['variant']} transfers)"
                                                     if name == "money_conserved" and check["holds"] else ""))
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=20, help="customers onboarded in parallel (≥ 2)")
    parser.add_argument("--threads", type=int, default=8, help="concurrent threads")
    parser.add_argument("--transfers", type=int, default=200, help="transfers between the customers")
    parser.add_argument("--duplicates", type=int, default=20, help="orders executed twice at the same moment")
    parser.add_argument("--funds", default="500.00", help="the top-up per customer, EUR")
    parser.add_argument("--seed", type=int, default=7, help="seed of the transfer plan")
    parser.add_argument("--base-url", help="target base URL (with the suite's FINHUB_* settings)")
    parser.add_argument("--env-file", help="env file with FINHUB_* settings, FINHUB_TARGET_KIND included")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where the figures go (JSON)")
    args = parser.parse_args(argv)
    if args.customers < 2 or args.threads < 1 or args.transfers < 0 or args.duplicates < 0:
        parser.error("--customers ≥ 2, --threads ≥ 1, --transfers and --duplicates ≥ 0")
    return args


def main(argv: list[str] | None = None) -> int:
    """Exit 0 when every invariant was checked and holds, 1 when one breaks, 3 on a configuration error."""
    args = parse_args(argv)
    try:
        settings, reference = target_settings(args)
    except ConfigurationError as exc:
        print(f"load: configuration error: {exc}", file=sys.stderr)
        return 3
    try:
        figures = load(args, settings)
    except ConfigurationError as exc:
        print(f"load: configuration error: {exc}", file=sys.stderr)
        return 3
    finally:
        if reference is not None:
            reference.stop()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(summary(figures))
    print(f"figures: {args.output}")
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
