"""Steps about executing one prepared order again, or several times at once: it executes at most once (PAY-4)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pytest_bdd import given, then, when

from finhub_conformance.checks import Balances, expect_refused, expect_success, same_execution
from finhub_conformance.errors import NonConformance
from finhub_conformance.exchange import Exchange
from finhub_conformance.journey import Customer, Order

from .money_support import Attempt, overcharge_rule
from .parameter_types import step

#: How many E16 calls race for one order (PAY-4).
_RACERS = 3


@dataclass(frozen=True)
class Executed:
    """An order that was executed once already, with that first execution."""

    order: Order
    first: Exchange


@given(step("{name:Persona} has executed a transfer of {amount:Money} EUR to that beneficiary"),
       target_fixture="executed")
def has_executed(bank, cast, name, amount, beneficiary, opening_balance):
    """PAY-4 / PAY-10 set-up: E15 and E16 must succeed; waits for settlement."""
    customer = cast[name]
    order = bank.prepare_transfer_ok(customer, amount, beneficiary)
    first = expect_success(bank.execute(customer, order), "PAY-10", "executing a prepared transfer")
    bank.wait_for_balance(customer, lambda b: b.current <= opening_balance.current - order.total)
    return Executed(order, first)


@when(step("{name:Persona} executes the same prepared transfer a second time"), target_fixture="attempt")
def executes_again(bank, cast, name, executed):
    """E16 with an order that was executed already (PAY-4)."""
    customer = cast[name]
    before = bank.balances(customer)
    return Attempt(customer, bank.execute(customer, executed.order), before, executed.first)


@then("the second execution is refused or replays the first")
def second_refused_or_replayed(attempt):
    """PAY-4: 400, 404, 409, 410, 422, or a 2xx replay carrying the same transaction id."""
    second, first = attempt.exchange, attempt.follow_up
    if second.ok:
        if not same_execution(first, second):
            raise NonConformance("PAY-4", "a second execute succeeded as a new execution",
                                 received=second.describe(), expected="a refusal, or a replay with the same id")
        return
    expect_refused(second, {400, 404, 409, 410, 422}, "PAY-4", "a second execute of the same order")


@then("the money has moved only once")
def moved_once(bank, attempt):
    """PAY-4: current drops only once."""
    after = bank.balances(attempt.customer)
    if after.current != attempt.before.current:
        raise NonConformance("PAY-4", "money moved a second time", received=f"current {attempt.before.current} "
                             f"→ {after.current}", expected="unchanged by the second execute")


@dataclass(frozen=True)
class Race:
    """Several E16 calls for the same order sent at the same moment, and the balances before them."""

    customer: Customer
    order: Order
    executions: tuple[Exchange, ...]
    before: Balances


@when(step("{name:Persona} executes the prepared transfer several times at the same moment"), target_fixture="race")
def executes_concurrently(bank, cast, name, order):
    """PAY-4: three E16 calls for one order, released together from three threads."""
    customer = cast[name]
    before = bank.balances(customer)
    gate = threading.Barrier(_RACERS)

    def execute():
        gate.wait(timeout=10)
        return bank.execute(customer, order)

    with ThreadPoolExecutor(max_workers=_RACERS) as pool:
        futures = [pool.submit(execute) for _ in range(_RACERS)]
        executions = tuple(f.result() for f in futures)
    return Race(customer, order, executions, before)


@then("at most one execution succeeds unless the others replay it, and the money moves once")
def race_moves_once(bank, race):
    """PAY-4: refusals in 400, 404, 409, 410, 422; successes all replay one execution; current drops once."""
    successes = [e for e in race.executions if e.ok]
    for refused in (e for e in race.executions if not e.ok):
        expect_refused(refused, {400, 404, 409, 410, 422}, "PAY-4", "a concurrent second execute of one order")
    if len(successes) > 1 and not all(same_execution(successes[0], e) for e in successes[1:]):
        raise NonConformance("PAY-4", "concurrent executes of one order succeeded as separate executions",
                             received="; ".join(e.describe() for e in successes),
                             expected="one success, the others refused or replaying the same id")
    target = race.before.current - (race.order.total if successes else 0)
    after = bank.wait_for_balance(race.customer, lambda b: b.current <= target)
    if after.current != target:
        totals = (race.order.total,) * 2
        rule = overcharge_rule("PAY-4", race.before.current, after.current, totals) if successes else "PAY-4"
        raise NonConformance(rule, "concurrent executes did not move the money exactly once",
                             received=f"current {race.before.current} → {after.current}", expected=f"current {target}")
