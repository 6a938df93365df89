"""Steps about an order left to expire (PAY-7, with GEN-8 and SM-2).

Alice's order is prepared as the run begins, by the head start (``steps/head_start.py``), so that its
lifetime passes while the other scenarios run; the Given steps take it, with its exchanges as their
evidence. Their amounts are in their text and in :func:`prepare_expiring_order`, which does the work.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from pytest_bdd import given, then, when

from finhub_conformance.checks import Balances, expect_refused
from finhub_conformance.errors import NonConformance
from finhub_conformance.expiry import validity_of
from finhub_conformance.journey import Bank, Customer, Order

from .evidence import EVIDENCE
from .money_support import EXECUTE_REFUSED, Attempt
from .parameter_types import step
from .support import skipped_without_funding

FUNDS = Decimal("500.00")
AMOUNT = Decimal("100.00")


@dataclass(frozen=True)
class ExpiringOrder:
    """Alice, her balances just before the prepare, and the order."""

    customer: Customer
    before: Balances
    order: Order


def prepare_expiring_order(bank: Bank) -> ExpiringOrder:
    """Phases 1-5, funding, a beneficiary, a payment consent, then E15 (the head start's work)."""
    customer = bank.new_customer("Alice")
    with skipped_without_funding():
        beneficiary = bank.ready_to_pay(customer, FUNDS)
    before = bank.balances(customer)
    return ExpiringOrder(customer, before, bank.prepare_transfer_ok(customer, AMOUNT, beneficiary))


def _take(request: pytest.FixtureRequest, head_start, evidence_of) -> ExpiringOrder:
    """The head start's order, with the exchanges ``evidence_of`` picks as this step's evidence."""
    if head_start is None:
        pytest.fail("the head start did not run: is this scenario tagged @head_start?", pytrace=False)
    prepared: ExpiringOrder = head_start.take()
    evidence = request.config.stash.get(EVIDENCE, None)
    if evidence is not None:
        for exchange in evidence_of(head_start.preparation.exchanges, prepared.order.exchange):
            evidence(exchange)
    return prepared


@given(f"Alice had {FUNDS} EUR in her wallet and a payment consent for a beneficiary as the run began",
       target_fixture="opening_balance")
def had_money_and_consent(request, head_start, cast, advisories):
    """Phases 1-5, funding, a beneficiary and a payment consent, done by the head start as the run began."""
    prepared = _take(request, head_start, lambda exchanges, order: [e for e in exchanges if e is not order])
    advisories.extend(a for a in head_start.preparation.advisories if a not in advisories)
    cast["Alice"] = prepared.customer
    return prepared.before


@given(f"Alice prepared a transfer of {AMOUNT} EUR to that beneficiary as the run began", target_fixture="order")
def prepared_as_the_run_began(request, head_start):
    """E15, made by the head start right after the balance the previous step returned."""
    return _take(request, head_start, lambda exchanges, order: [order]).order


@when(step("{name:Persona} executes the prepared transfer after it has expired"), target_fixture="attempt")
def executes_expired(bank, cast, name, order, opening_balance):
    """E16 once validUntil has certainly passed on the deployment's clock (PAY-7); skipped beyond
    FINHUB_MAX_EXPIRY_WAIT_S."""
    customer = cast[name]
    validity = validity_of(order.exchange)
    if validity is None:
        raise NonConformance("PAY-5", "the prepared order has no readable validUntil", received=repr(order.valid_until))
    wait = validity.wait_s()
    if wait > bank.settings.max_expiry_wait_s:
        pytest.skip(f"the order expires in {wait:.0f} s, beyond FINHUB_MAX_EXPIRY_WAIT_S="
                    f"{bank.settings.max_expiry_wait_s:.0f} s (§7.3)")
    bank.client.wait_on_target(wait)
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
