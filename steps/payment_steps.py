"""Steps about transfers: setting them up, preparing, executing and settling (PAY-2 to PAY-6, PAY-10, AMT-3)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

from pytest_bdd import given, then, when

from finhub_conformance.checks import B, Balances, expect_refused, expect_success, same_execution
from finhub_conformance.errors import NonConformance
from finhub_conformance.exchange import Exchange
from finhub_conformance.iban import german_iban
from finhub_conformance.journey import PENDING, SETTLED, Customer, Order, status_of
from finhub_conformance.timestamps import parse_timestamp

from .money_support import Attempt, check_nothing_moved, fee_of, overcharge_rule
from .parameter_types import step

#: How many E16 calls race for one order (PAY-4).
_RACERS = 3


@dataclass(frozen=True)
class Executed:
    """An order that was executed once already, with that first execution."""

    order: Order
    first: Exchange


@given(step("{name:Persona} has registered a beneficiary"), target_fixture="beneficiary")
def has_beneficiary(bank, cast, name):
    """BEN-1 as a setup step (E14)."""
    return bank.add_beneficiary_ok(cast[name])


@given(step("{name:Persona} holds a payment consent for that beneficiary"))
def holds_consent(bank, cast, name, beneficiary):
    """PAY-2 set-up: an S7 TRANSFER consent for the beneficiary."""
    bank.payment_consent_ok(cast[name], beneficiary)


@given(step("{name:Persona} has prepared a transfer of {amount:Money} EUR to that beneficiary"),
       target_fixture="order")
def has_prepared(bank, cast, name, amount, beneficiary):
    """PAY-5 set-up: E15 must succeed."""
    return bank.prepare_transfer_ok(cast[name], amount, beneficiary)


@given(step("{name:Persona} has executed a transfer of {amount:Money} EUR to that beneficiary"),
       target_fixture="executed")
def has_executed(bank, cast, name, amount, beneficiary, opening_balance):
    """PAY-4 / PAY-10 set-up: E15 and E16 must succeed; waits for settlement."""
    customer = cast[name]
    order = bank.prepare_transfer_ok(customer, amount, beneficiary)
    first = expect_success(bank.execute(customer, order), "PAY-10", "executing a prepared transfer")
    bank.wait_for_balance(customer, lambda b: b.current <= opening_balance.current - order.total)
    return Executed(order, first)


@when(step("{name:Persona} prepares a transfer of {amount:Money} EUR to that beneficiary"),
      target_fixture="attempt")
def prepares(bank, cast, name, amount, beneficiary):
    """PAY-5, PAY-6: E15 with the consent reference."""
    customer = cast[name]
    before = bank.balances(customer)
    return Attempt(customer, bank.prepare_transfer(customer, amount, beneficiary), before, amount=amount)


@when(step("{name:Persona} prepares a transfer of {amount:Money} EUR to an IBAN she has not registered"),
      target_fixture="attempt")
def prepares_to_stranger(bank, cast, name, amount):
    """E15 naming a bare IBAN and no beneficiary id (PAY-3)."""
    customer = cast[name]
    before = bank.balances(customer)
    return Attempt(customer, bank.prepare_transfer(customer, amount, None, iban=german_iban()), before,
                   amount=amount)


@when(step("{name:Persona} tries to transfer {amount:Money} EUR to that beneficiary without a payment consent"),
      target_fixture="attempt")
def transfers_without_consent(bank, cast, name, amount, beneficiary):
    """E15 without a consent; if a deployment defers the check, E16 too (PAY-2)."""
    customer = cast[name]
    before = bank.balances(customer)
    prepared = bank.prepare_transfer(customer, amount, beneficiary, with_consent=False)
    if not prepared.ok:
        return Attempt(customer, prepared, before, amount=amount)
    order = bank.order_of(prepared, amount, consent_id=None)
    return Attempt(customer, prepared, before, bank.execute(customer, order, code=""), amount, held=order.total)


@when(step("{name:Persona} executes the prepared transfer"), target_fixture="attempt")
def executes(bank, cast, name, order):
    """PAY-10, PAY-13: E16 with the consent confirmation and authentication code."""
    customer = cast[name]
    before = bank.balances(customer)
    return Attempt(customer, bank.execute(customer, order), before)


@when(step("{name:Persona} executes the same prepared transfer a second time"), target_fixture="attempt")
def executes_again(bank, cast, name, executed):
    """E16 with an order that was executed already (PAY-4)."""
    customer = cast[name]
    before = bank.balances(customer)
    return Attempt(customer, bank.execute(customer, executed.order), before, executed.first)


@then(step("the order is priced at {amount:Money} EUR plus non-negative fees and is valid for a while"))
def order_priced(bank, attempt, amount):
    """PAY-5, AMT-3 and SM-6: id, a future validUntil, the amount echoed, a total ≥ amount, status READY|PREPARED."""
    expect_success(attempt.exchange, "PAY-5", "preparing a consented transfer to a registered beneficiary")
    order = bank.order_of(attempt.exchange, amount, None)
    valid_until = parse_timestamp(order.valid_until)
    if valid_until is None or valid_until <= datetime.now(timezone.utc):
        raise NonConformance("PAY-5", "validUntil is missing or not in the future", received=repr(order.valid_until))
    fee = fee_of(attempt.exchange)
    if fee is not None and fee < 0:
        raise NonConformance("AMT-3", "the order carries a negative fee", received=str(fee), expected="≥ 0")
    status = status_of(attempt.exchange)
    if status is not None and status not in {"READY", "PREPARED"}:
        raise NonConformance("SM-6", "a prepared order's status is neither READY nor PREPARED", received=status)


@then("the order's total is held without touching her current balance")
def total_held(bank, attempt):
    """PAY-6: R1 (blocked rises by the total) or R2 (nothing reserved); current unchanged either way."""
    order = bank.order_of(attempt.exchange, attempt.amount, None)
    after = bank.balances(attempt.customer)
    before = attempt.before
    if after.current != before.current:
        raise NonConformance("PAY-6", "preparing a transfer changed the current balance",
                             received=f"{before.current} → {after.current}", expected="unchanged")
    reserved = after.blocked - before.blocked
    if reserved not in (0, order.total) or before.available - after.available != reserved:
        raise NonConformance("PAY-6", "the reservation is neither R1 (the total) nor R2 (nothing)",
                             received=f"blocked +{reserved}, available -{before.available - after.available}",
                             expected=f"both {order.total} (R1) or both 0 (R2)")


@then("the transfer completes and her balance drops by exactly the order total")
def settles_exactly(bank, attempt, order, opening_balance):
    """PAY-10 / SM-6: settled at COMPLETED|EXECUTED (polling while pending) with current down by the total."""
    customer = attempt.customer
    expect_success(attempt.exchange, "PAY-10", "executing a prepared transfer")
    status = status_of(attempt.exchange)
    if status not in SETTLED | PENDING:
        raise NonConformance("SM-6", "the execution status is not one of the profile's", received=repr(status))
    target = opening_balance.current - order.total
    after = bank.wait_for_balance(customer, lambda b: b.current <= target and b.blocked == opening_balance.blocked)
    if after.current != target or after.blocked != opening_balance.blocked:
        raise NonConformance("PAY-10", "settlement did not take exactly the order total",
                             received=f"current {opening_balance.current} → {after.current}, blocked "
                                      f"{opening_balance.blocked} → {after.blocked}",
                             expected=f"current {target}, blocked {opening_balance.blocked}")


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


@then("the transfer does not complete")
def does_not_complete(attempt):
    """PAY-2: refused at E15 (B) or at E16 (400, 401, 403, 422)."""
    if attempt.follow_up is None:
        expect_refused(attempt.exchange, B, "PAY-2", "preparing a transfer without a payment consent")
    else:
        expect_refused(attempt.follow_up, {400, 401, 403, 422}, "PAY-2",
                       "executing a transfer without a payment consent")


@then("the order is refused as having no registered beneficiary")
def no_beneficiary(attempt):
    """PAY-3: 400, 403, 404 or 422."""
    expect_refused(attempt.exchange, {400, 403, 404, 422}, "PAY-3",
                   "preparing a transfer to an unregistered IBAN")


@then("no money has moved")
def no_money_moved(bank, attempt, scenario_rules):
    """GEN-8 and the scenario's PAY rule: the refused attempt moved no money and reserved nothing.

    Read back after any settlement delay: a refused attempt must leave nothing to settle.
    """
    check_nothing_moved(attempt, bank.balances(attempt.customer), scenario_rules)


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


@dataclass(frozen=True)
class Spending:
    """Two orders that together exceed the money: their prepares, executions and the balances around them."""

    customer: Customer
    prepared: tuple[Exchange, ...]
    executions: tuple[Exchange, ...]
    totals: tuple[Decimal, ...]
    before: Balances


@when(step("{name:Persona} prepares and executes two transfers of {amount:Money} EUR each to that beneficiary"),
      target_fixture="spending")
def spends_twice(bank, cast, name, amount, beneficiary):
    """PAY-6: both E15 first (R2 accepts both), then E16 for each accepted order."""
    customer = cast[name]
    before = bank.balances(customer)
    prepared = tuple(bank.prepare_transfer(customer, amount, beneficiary) for _ in range(2))
    orders = [bank.order_of(p, amount, customer.consent_id) for p in prepared if p.ok]
    executions = tuple(bank.execute(customer, o) for o in orders)
    return Spending(customer, prepared, executions, tuple(o.total for o in orders), before)


@then("at most one of the two transfers completes")
def at_most_one_completes(bank, spending):
    """PAY-6 (with PAY-8's B for the refused one): current drops by at most one order total."""
    for refused in (e for e in spending.prepared + spending.executions if not e.ok):
        expect_refused(refused, B, "PAY-6", "a transfer beyond the available balance")
    completed = [e for e in spending.executions if e.ok and status_of(e) in SETTLED]
    if len(completed) > 1:
        raise NonConformance("PAY-6", "two orders of 70 % of the money both completed",
                             received="; ".join(e.describe() for e in completed), expected="at most one")
    accepted = sum(1 for e in spending.executions if e.ok)
    floor = spending.before.current - (max(spending.totals) if accepted else 0)
    after = bank.wait_for_balance(spending.customer, lambda b: b.current <= floor)
    if after.current < floor:
        rule = overcharge_rule("PAY-6", spending.before.current, after.current, spending.totals)
        raise NonConformance(rule, "more than one order total was taken from money that covers only one",
                             received=f"current {spending.before.current} → {after.current}", expected=f"≥ {floor}")


@then("her balances never went below zero")
def never_below_zero(bank, spending):
    """PAY-6 / WAL-2: available and current stay ≥ 0 (every E12 read is also checked automatically)."""
    after = bank.balances(spending.customer)
    if min(after.current, after.available) < 0:
        raise NonConformance("PAY-6", "a balance went below zero", received=str(after), expected="≥ 0")
