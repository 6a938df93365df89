"""Steps about funding: as a setup step, and the top-up itself (FUND-1 to FUND-3).

How amounts are written and add up is in ``amount_steps``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from pytest_bdd import given, then, when

from finhub_conformance import bodies
from finhub_conformance.checks import Advisory, Balances, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.exchange import Exchange
from finhub_conformance.iban import german_iban
from finhub_conformance.journey import Customer, FundingUnavailable

from .money_support import fee_of, per_transaction_limit
from .parameter_types import step
from .support import funded, persona

#: PAY-9 is skipped when the per-transaction limit is above this: funding beyond it is not sensible.
SENSIBLE_FUNDING = Decimal("100000.00")
_ABSENT = {404, 405, 501}


@dataclass(frozen=True)
class TopUp:
    """A top-up (S8 prepare and execute, or the funding hook) and the balances before it."""

    customer: Customer
    before: Balances
    fee: Decimal
    prepared: Exchange | None = None
    executed: Exchange | None = None


@given(step("{name:Persona} is an active customer with {amount:Money} EUR in her wallet"),
       target_fixture="opening_balance")
def active_and_funded(bank, cast, name, amount):
    """Phases 1-5, then funding (skipped with FUND-2 when there is no funding method)."""
    customer = bank.onboard(persona(bank, cast, name), "active")
    funded(bank, customer, amount)
    return bank.balances(customer)


@given(step("{name:Persona} has {amount:Money} EUR in her wallet"), target_fixture="opening_balance")
def has_money(bank, cast, name, amount):
    """Funding as a setup step (skipped with FUND-2 when there is no funding method)."""
    funded(bank, cast[name], amount)
    return bank.balances(cast[name])


@given(step("{name:Persona} has {amount:Money} EUR in her wallet and a payment consent for that beneficiary"),
       target_fixture="opening_balance")
def has_money_and_consent(bank, cast, name, amount, beneficiary):
    """PAY-2 / FUND-2 set-up: funding (skipped without a funding method), then an S7 consent for the beneficiary."""
    funded(bank, cast[name], amount)
    bank.payment_consent_ok(cast[name], beneficiary)
    return bank.balances(cast[name])


@given(step("{name:Persona} has up to {amount:Money} EUR in her wallet"), target_fixture="opening_balance")
def has_up_to(bank, cast, name, amount):
    """Funding where a method exists; otherwise the wallet stays empty (§7.3: PAY-8 runs on a zero balance)."""
    try:
        bank.fund(cast[name], amount)
    except FundingUnavailable:
        pass
    return bank.balances(cast[name])


@given(step("{name:Persona} has prepared a transfer of {amount:Money} EUR from a wallet holding {funds:Money} EUR"),
       target_fixture="order")
def prepared_from_funded_wallet(bank, cast, name, amount, funds):
    """PAY-5 set-up: phases 1-5 if needed, funding, a beneficiary, a payment consent and E15, all as setup steps."""
    customer = persona(bank, cast, name)
    if not customer.iban:
        bank.onboard(customer, "active")
    funded(bank, customer, funds)
    beneficiary = bank.add_beneficiary_ok(customer)
    bank.payment_consent_ok(customer, beneficiary, max(funds, Decimal("1000.00")))
    return bank.prepare_transfer_ok(customer, amount, beneficiary)


@given(step("{name:Persona} has enough money and consent to go beyond her per-transaction limit"),
       target_fixture="limit")
def funded_beyond_limit(bank, cast, name, beneficiary):
    """PAY-9 set-up: the E13 limit (WAL-5), then funds and a consent well above it, so only the limit can refuse."""
    customer = cast[name]
    allowed = expect_success(bank.allowed_operations(customer), "WAL-1", "the owner reading allowed operations")
    limit = per_transaction_limit(allowed)
    if limit is None:
        raise NonConformance("WAL-5", "the TRANSFER per-transaction limit is not shown",
                             expected="maxAmount|perTransaction|perTransactionLimit of the TRANSFER limits")
    if limit > SENSIBLE_FUNDING:
        pytest.skip(f"the per-transaction limit {limit} EUR is above the {SENSIBLE_FUNDING} EUR the suite is "
                    "prepared to fund: PAY-9 is not tested")
    funds = (limit + max(Decimal("100.00"), limit / 10)).quantize(Decimal("0.01"))
    funded(bank, customer, funds)
    bank.payment_consent_ok(customer, beneficiary, funds)
    return limit


@when(step("{name:Persona} tops up {amount:Money} EUR without holding a payment consent"), target_fixture="topup")
def tops_up(bank, cast, name, amount, advisories):
    """S8 prepare and execute without any payment consent (FUND-3), or the funding hook; FUND-2 skips."""
    customer = cast[name]
    if bank.settings.funding == "none":
        pytest.skip("no funding method: FINHUB_FUNDING=none (FUND-2, §7.3)")
    before = bank.balances(customer)
    if bank.settings.funding == "hook":
        funded(bank, customer, amount)
        return TopUp(customer, before, Decimal(0))
    prepared = bank.client.prepare_topup(customer.caller, customer.account_id,
                                         bodies.topup_body(customer.account_id, amount, german_iban()))
    if prepared.status in _ABSENT:
        pytest.skip(f"no funding method: top-up prepare answered {prepared.status} (FUND-2, §7.3)")
    if not prepared.ok:
        advisories.append(Advisory("FUND-3", f"a top-up without a payment consent was refused: {prepared.describe()}"))
    expect_success(prepared, "FUND-1", "preparing a top-up of an active wallet")
    executed = bank.client.execute_topup(customer.caller, customer.account_id,
                                         bodies.execute_body(prepared.get("preparedOrderId")))
    if not executed.ok:
        advisories.append(Advisory("FUND-3", f"a top-up without a payment consent was refused: {executed.describe()}"))
    expect_success(executed, "FUND-1", "executing a prepared top-up")
    return TopUp(customer, before, fee_of(prepared) or Decimal(0), prepared, executed)


@then(step("her current and available balances rise by {amount:Money} EUR less the fee stated for the top-up"))
def topup_credited(bank, topup, amount):
    """FUND-1: once settled, current and available have each risen by the amount less the stated fee (≥ 0)."""
    customer = topup.customer
    if topup.fee < 0:
        raise NonConformance("AMT-3", "the top-up states a negative fee", received=str(topup.fee), expected="≥ 0")
    expected = amount - topup.fee
    before = topup.before
    after = bank.wait_for_balance(customer, lambda b: b.current >= before.current + expected)
    if after.current - before.current != expected or after.available - before.available != expected:
        raise NonConformance("FUND-1", "the top-up did not credit the amount less the stated fee",
                             received=f"current +{after.current - before.current}, available "
                                      f"+{after.available - before.available}", expected=f"both +{expected}")
