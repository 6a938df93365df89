"""Steps about two orders on money that covers only one: at most one completes (PAY-6, with PAY-8's B and WAL-2)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pytest_bdd import then, when

from finhub_conformance.checks import B, Balances, expect_refused
from finhub_conformance.errors import NonConformance
from finhub_conformance.exchange import Exchange
from finhub_conformance.journey import SETTLED, Customer, status_of

from .money_support import overcharge_rule
from .parameter_types import step


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
