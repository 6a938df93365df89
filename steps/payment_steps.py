"""Steps about funding and transfers (phase 7: PAY, FUND, AMT-3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

from pytest_bdd import given, then, when

from finhub_conformance.checks import B, Balances, expect_refused, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.exchange import Exchange
from finhub_conformance.iban import german_iban
from finhub_conformance.journey import PENDING, SETTLED, Customer, Order, status_of

from .parameter_types import step
from .support import funded, persona


@dataclass(frozen=True)
class Attempt:
    """A payment attempt by ``customer``, and her balances just before it."""

    customer: Customer
    exchange: Exchange
    before: Balances
    follow_up: Exchange | None = None
    amount: Decimal | None = None


@dataclass(frozen=True)
class Executed:
    """An order that was executed once already, with that first execution."""

    order: Order
    first: Exchange


@given(step("{name:Persona} is an active customer with {amount:Money} EUR in her wallet"),
       target_fixture="opening_balance")
def active_and_funded(bank, cast, name, amount):
    """Phases 1-5, then funding (skipped with FUND-2 when there is no funding method)."""
    customer = bank.onboard(persona(bank, cast, name), "active")
    funded(bank, customer, amount)
    return bank.balances(customer)


@given(step("{name:Persona} has registered a beneficiary"), target_fixture="beneficiary")
def has_beneficiary(bank, cast, name):
    """E14 as a setup step."""
    return bank.add_beneficiary_ok(cast[name])


@given(step("{name:Persona} holds a payment consent for that beneficiary"))
def holds_consent(bank, cast, name, beneficiary):
    """S7 as a setup step."""
    bank.payment_consent_ok(cast[name], beneficiary)


@given(step("{name:Persona} has prepared a transfer of {amount:Money} EUR to that beneficiary"),
       target_fixture="order")
def has_prepared(bank, cast, name, amount, beneficiary):
    """E15 as a setup step."""
    return bank.prepare_transfer_ok(cast[name], amount, beneficiary)


@given(step("{name:Persona} has executed a transfer of {amount:Money} EUR to that beneficiary"),
       target_fixture="executed")
def has_executed(bank, cast, name, amount, beneficiary, opening_balance):
    """E15 and E16 as setup steps, waiting for settlement."""
    customer = cast[name]
    order = bank.prepare_transfer_ok(customer, amount, beneficiary)
    first = expect_success(bank.execute(customer, order), "PAY-10", "executing a prepared transfer")
    bank.wait_for_balance(customer, lambda b: b.current <= opening_balance.current - order.total)
    return Executed(order, first)


@when(step("{name:Persona} prepares a transfer of {amount:Money} EUR to that beneficiary"),
      target_fixture="attempt")
def prepares(bank, cast, name, amount, beneficiary):
    """E15 with the consent reference."""
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
    executed = None
    if prepared.ok:
        order = bank.order_of(prepared, amount, consent_id=None)
        executed = bank.execute(customer, order, code="")
    return Attempt(customer, prepared, before, executed, amount)


@when(step("{name:Persona} executes the prepared transfer"), target_fixture="attempt")
def executes(bank, cast, name, order):
    """E16 with the consent confirmation and authentication code."""
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
    """PAY-5 and AMT-3: id, a future validUntil, a total ≥ amount, the amount echoed."""
    expect_success(attempt.exchange, "PAY-5", "preparing a consented transfer to a registered beneficiary")
    order = bank.order_of(attempt.exchange, amount, None)
    if order.valid_until is None or _parse_ts(order.valid_until) <= datetime.now(timezone.utc):
        raise NonConformance("PAY-5", "validUntil is missing or not in the future", received=repr(order.valid_until))


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
        ids = lambda e: {e.get(k) for k in ("transactionId", "orderId", "executionId")} - {None}  # noqa: E731
        if not ids(first) & ids(second):
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
    """GEN-8: current, available and blocked are as before the refused attempt."""
    after = bank.balances(attempt.customer)
    if after != attempt.before:
        rule = next((r for r in ("PAY-2", "PAY-3") if r in scenario_rules), "GEN-8")
        raise NonConformance(rule, "a refused payment changed the balances", received=str(after),
                             expected=str(attempt.before))


def _parse_ts(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)

