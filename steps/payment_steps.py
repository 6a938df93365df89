"""Steps about transfers: setting them up, preparing, executing and settling (PAY-2, PAY-3, PAY-5, PAY-6, PAY-10).

Executing an order more than once is in ``repeat_execution_steps``; two orders on money for one in
``double_spend_steps``.
"""

from __future__ import annotations

from datetime import datetime, timezone

from pytest_bdd import given, then, when

from finhub_conformance.checks import B, expect_refused, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.iban import german_iban
from finhub_conformance.journey import PENDING, SETTLED, status_of
from finhub_conformance.timestamps import parse_timestamp

from .money_support import Attempt, check_nothing_moved, fee_of
from .parameter_types import step


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
