"""Steps that take a persona through all seven phases (SM-1, the seed's linear flow)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pytest_bdd import then, when

from finhub_conformance.checks import Balances, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.journey import Order

from .parameter_types import step
from .support import funded

_FUNDS = Decimal("500.00")
_AMOUNT = Decimal("100.00")


@dataclass(frozen=True)
class Journey:
    """What a full journey produced: the transfer order and the balances around it."""

    order: Order
    before: Balances
    after: Balances


@when(step("{name:Persona} goes through all seven phases"), target_fixture="journey")
@when(step("{name:Persona} goes through all seven phases with the power tenant's approval"),
      target_fixture="journey")
def goes_through_all_phases(bank, cast, name):
    """Register, log in, verify, consent, activate, then fund, add a beneficiary and pay 100.00 EUR."""
    customer = bank.onboard(cast[name], "active")
    funded(bank, customer, _FUNDS)
    beneficiary = bank.add_beneficiary_ok(customer)
    bank.payment_consent_ok(customer, beneficiary)
    before = bank.balances(customer)
    order = bank.prepare_transfer_ok(customer, _AMOUNT, beneficiary)
    expect_success(bank.execute(customer, order), "PAY-10", "executing the journey's transfer")
    after = bank.wait_for_balance(customer, lambda b: b.current <= before.current - order.total)
    return Journey(order, before, after)


@then(step("{name:Persona} is active and her transfer has settled exactly"))
def settled_exactly(journey):
    """PAY-10 on the journey's transfer: current down by exactly the total, nothing left blocked."""
    expected = journey.before.current - journey.order.total
    if journey.after.current != expected or journey.after.blocked != journey.before.blocked:
        raise NonConformance("PAY-10", "the journey's transfer did not settle exactly",
                             received=str(journey.after), expected=f"current {expected}, blocked "
                                                                   f"{journey.before.blocked}")
