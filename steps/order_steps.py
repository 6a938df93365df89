"""Steps about transfers that must be refused: funds, limits, input, ownership, code, consent scope, expiry.

PAY-7, PAY-8, PAY-9, PAY-11, PAY-12, PAY-13 (MUST) and PAY-14 (SHOULD); GEN-8 read-backs use the
shared "no money has moved" step.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from pytest_bdd import given, then, when

from finhub_conformance import bodies, waiting
from finhub_conformance.checks import B, F, V, Advisory, expect_refused
from finhub_conformance.errors import NonConformance

from .money_support import EXECUTE_REFUSED, Attempt, check_nothing_moved, expiry_wait_s, wrong_code
from .parameter_types import step
from .support import pick_rule

_CENT = Decimal("0.01")

#: PAY-11: each defect of the Examples table, as a change to a valid E15 body.
DEFECTS = {
    "an amount of zero": lambda b: {**b, "amount": {**b["amount"], "value": "0"}},
    "a negative amount": lambda b: {**b, "amount": {**b["amount"], "value": "-1000"}},
    "an amount that is not a number": lambda b: {**b, "amount": {**b["amount"], "value": "ten euros"}},
    "no amount": lambda b: {k: v for k, v in b.items() if k != "amount"},
    "a currency that differs from the amount's": lambda b: {**b, "currency": "USD"},
    "a currency other than her wallet's": lambda b: {**b, "currency": "USD", "amount": {**b["amount"], "currency": "USD"}},
    "a source wallet other than the one she pays from": lambda b: {**b, "sourceAccount": {"walletId": str(uuid.uuid4())}},
}


def _try_transfer(bank, customer, amount, beneficiary) -> Attempt:
    """E15, and E16 when E15 accepts (R2 deployments refuse at E16)."""
    before = bank.balances(customer)
    prepared = bank.prepare_transfer(customer, amount, beneficiary)
    if not prepared.ok:
        return Attempt(customer, prepared, before, amount=amount)
    order = bank.order_of(prepared, amount, customer.consent_id)
    return Attempt(customer, prepared, before, bank.execute(customer, order), amount, held=order.total)


def _refusal(attempt: Attempt):
    """The exchange that refused the attempt: E15's, else E16's."""
    return attempt.exchange if attempt.follow_up is None else attempt.follow_up


@given(step("{name:Persona} holds a payment consent for at most {amount:Money} EUR to that beneficiary"))
def holds_small_consent(bank, cast, name, amount, beneficiary):
    """S7 with a small maxAmount, as a setup step (PAY-14)."""
    bank.payment_consent_ok(cast[name], beneficiary, amount)


@given(step("{name:Persona} holds a payment consent for another beneficiary only"))
def holds_other_consent(bank, cast, name):
    """A second beneficiary and a consent naming only it, as setup steps (PAY-14)."""
    customer = cast[name]
    bank.payment_consent_ok(customer, bank.add_beneficiary_ok(customer))


@when(step("{name:Persona} tries to transfer {amount:Money} EUR to that beneficiary"), target_fixture="attempt")
def tries_to_transfer(bank, cast, name, amount, beneficiary):
    """PAY-8, PAY-14: E15 with the consent reference, then E16 if E15 accepts."""
    return _try_transfer(bank, cast[name], amount, beneficiary)


@when(step("{name:Persona} tries to transfer just over her per-transaction limit to that beneficiary"),
      target_fixture="attempt")
def tries_over_limit(bank, cast, name, limit, beneficiary):
    """E15 for the E13 per-transaction maximum plus one cent, then E16 if E15 accepts (PAY-9)."""
    return _try_transfer(bank, cast[name], limit + _CENT, beneficiary)


@then("the transfer is refused for insufficient funds")
def refused_insufficient(attempt):
    """PAY-8: B, at E15 (R1) or at E16 (R2)."""
    expect_refused(_refusal(attempt), B, "PAY-8", "a transfer whose total is above the available balance")


@then("the transfer is refused as over the limit")
def refused_over_limit(attempt):
    """PAY-9: B for an amount above the per-transaction maximum shown in E13."""
    expect_refused(_refusal(attempt), B, "PAY-9", "a transfer above the per-transaction limit")


@then("the transfer should be refused as outside her payment consent")
def refused_outside_consent(attempt, advisories):
    """PAY-14 (SHOULD): above the consent's maxAmount, or to a beneficiary it does not name, is refused."""
    if _refusal(attempt).ok:
        advisories.append(Advisory("PAY-14", "a transfer outside the payment consent's scope was executed"))


@when(step("{name:Persona} prepares a transfer to that beneficiary with {defect}"), target_fixture="attempt")
def prepares_invalid(bank, cast, name, defect, beneficiary):
    """E15 with one PAY-11 defect."""
    customer = cast[name]
    body = bodies.transfer_body(customer.account_id, Decimal("10.00"), beneficiary_id=beneficiary.beneficiary_id,
                                iban=beneficiary.iban, name=beneficiary.name, consent_id=customer.consent_id)
    before = bank.balances(customer)
    return Attempt(customer, bank.client.prepare_transfer(customer.caller, customer.account_id,
                                                          DEFECTS[defect](body)), before)


@then("the order is refused as invalid input")
def refused_invalid(attempt):
    """PAY-11: V."""
    expect_refused(attempt.exchange, V, "PAY-11", "preparing a malformed transfer")


@when(step("{name:Persona} tries to prepare a transfer of {amount:Money} EUR from {owner:Persona}'s wallet "
           "to her beneficiary"), target_fixture="attempt")
def prepares_on_foreign_wallet(bank, cast, name, amount, owner, beneficiary):
    """E15 on another customer's account, naming her beneficiary and consent (PAY-12)."""
    victim = cast[owner]
    before = bank.balances(victim)
    return Attempt(victim, bank.prepare_transfer(victim, amount, beneficiary, caller=cast[name].caller), before)


@when(step("{name:Persona} tries to execute {owner:Persona}'s prepared transfer on her wallet"),
      target_fixture="attempt")
def executes_on_foreign_wallet(bank, cast, name, owner, order):
    """E16 on another customer's account, even with her authentication code (PAY-12)."""
    victim = cast[owner]
    before = bank.balances(victim)
    return Attempt(victim, bank.execute(victim, order, caller=cast[name].caller), before)


@when(step("{name:Persona} tries to execute {owner:Persona}'s prepared transfer through his own wallet"),
      target_fixture="attempt")
def executes_through_own_wallet(bank, cast, name, owner, order):
    """E16 on the caller's own account for an order prepared on another account (PAY-12)."""
    victim, caller = cast[owner], cast[name]
    before = bank.balances(victim)
    return Attempt(victim, bank.execute(victim, order, caller=caller.caller, account_id=caller.account_id), before)


@then(step("{name:Persona} is refused as touching a wallet that is not his"))
@then(step("{name:Persona} is refused as touching a wallet that is not hers"))
def refused_as_foreign(attempt, scenario_rules, name):
    """PAY-12 (with SEC-4 or TEN-3): F."""
    rule = pick_rule(scenario_rules, "PAY-12", "SEC-4", "TEN-3")
    expect_refused(attempt.exchange, F, rule, f"{name} moving money on another customer's wallet")


@then(step("{name:Persona} is refused as naming an order that is not his"))
def refused_as_foreign_order(attempt, name):
    """PAY-12: F, 400 or 422 for an order prepared on another account."""
    expect_refused(attempt.exchange, F | {400, 422}, "PAY-12", f"{name} executing an order of another account")


@when(step("{name:Persona} executes the prepared transfer with a wrong authentication code"),
      target_fixture="attempt")
def executes_with_wrong_code(bank, cast, name, order):
    """E16 with a code that is not the consent's (PAY-13); skipped when no code is issued (A-3, §7.3)."""
    customer = cast[name]
    if not customer.authentication_code:
        pytest.skip("the payment consent issued no authentication code (A-3): PAY-13 does not apply (§7.3)")
    before = bank.balances(customer)
    return Attempt(customer, bank.execute(customer, order, code=wrong_code(customer.authentication_code)), before)


@then("the execution is refused and no money has moved")
def wrong_code_refused(bank, attempt, scenario_rules):
    """PAY-13: 400, 401, 403 or 422, and nothing moves (GEN-8)."""
    expect_refused(attempt.exchange, {400, 401, 403, 422}, "PAY-13", "executing with a wrong authentication code")
    check_nothing_moved(attempt, bank.balances(attempt.customer), scenario_rules)


@when(step("{name:Persona} executes the prepared transfer after it has expired"), target_fixture="attempt")
def executes_expired(bank, cast, name, order, opening_balance):
    """E16 once validUntil has passed on the deployment's clock (PAY-7); skipped beyond FINHUB_MAX_EXPIRY_WAIT_S."""
    customer = cast[name]
    wait = expiry_wait_s(order.valid_until, order.exchange.get("createdAt"))
    if wait is None:
        raise NonConformance("PAY-5", "the prepared order has no readable validUntil", received=repr(order.valid_until))
    if wait > bank.settings.max_expiry_wait_s:
        pytest.skip(f"the order expires in {wait:.0f} s, beyond FINHUB_MAX_EXPIRY_WAIT_S="
                    f"{bank.settings.max_expiry_wait_s:.0f} s (§7.3)")
    waiting.wait(wait)
    return Attempt(customer, bank.execute(customer, order), opening_balance)


@then("the expired order is refused and its hold is released")
def expired_refused(bank, attempt):
    """PAY-7: 400, 404, 409, 410 or 422; no money moves, and under R1 available returns to its value before E15."""
    expect_refused(attempt.exchange, EXECUTE_REFUSED, "PAY-7", "executing an expired order")
    before = attempt.before
    after = bank.wait_for_balance(attempt.customer, lambda b: b == before)
    if after != before:
        raise NonConformance("PAY-7", "an expired order moved money or kept its hold",
                             received=str(after), expected=f"{before} (as before the prepare)")
