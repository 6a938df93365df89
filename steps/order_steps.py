"""Steps about transfers refused for what they ask: funds, limit, malformed input, consent scope.

PAY-8, PAY-9, PAY-11 (MUST) and PAY-14 (SHOULD); GEN-8 read-backs use the shared "no money has moved"
step. Refusals for who executes, with which code and when are in ``order_authority_steps``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from pytest_bdd import given, then, when

from finhub_conformance import bodies
from finhub_conformance.checks import B, V, Advisory, expect_refused

from .money_support import Attempt
from .parameter_types import step

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
