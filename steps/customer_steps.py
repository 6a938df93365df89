"""Steps about personas and a registration that succeeds (phase 1: REG-6, REG-7, CAT-5, SM-3).

Registrations that must be refused, and email uniqueness, are in ``registration_refusal_steps``.
"""

from __future__ import annotations

import pytest
from pytest_bdd import given, then, when

from finhub_conformance.checks import expect_success
from finhub_conformance.errors import NonConformance

from .parameter_types import step
from .support import high_risk_persona, persona

_NOT_ACTIVE = {"CS_ACTIVE", "ACTIVE", "ACTIVATED"}


@given(step("{name:Persona} is a prospective customer of tenant A"))
def prospective_customer(bank, cast, name):
    """A persona with fresh data, not yet registered."""
    persona(bank, cast, name)


@given(step("{name:Persona} is a prospective high-risk customer of tenant A"))
def prospective_high_risk_customer(bank, cast, name):
    """A persona for the high-risk category, not yet registered."""
    high_risk_persona(bank, cast, name)


@given(step("{name:Persona} is a registered customer"))
def registered_customer(bank, cast, name):
    """A persona registered by the tenant admin."""
    bank.register_ok(persona(bank, cast, name))


@when(step("the tenant admin registers {name:Persona}"), target_fixture="outcome")
def admin_registers(bank, cast, name):
    """E2 with a valid body."""
    return bank.register(cast[name])


@when(step("the tenant admin registers {name:Persona} in the standard category"), target_fixture="outcome")
def admin_registers_in_standard_category(bank, cast, name):
    """E2 naming the standard category with every mandatory key filled in (CAT-5)."""
    customer = cast[name]
    customer.category = bank.settings.standard_category
    if bank.category(customer.category) is None:
        raise NonConformance("CAT-1", "the configured standard category is not in the hierarchy",
                             received=f"categories {sorted(bank.hierarchy())}",
                             expected=f"{customer.category!r} (FINHUB_STANDARD_CATEGORY)")
    return bank.register(customer)


@then(step("{name:Persona} has a customer id and a user id"))
def has_ids(outcome, cast, name):
    """REG-6: the ids are returned."""
    expect_success(outcome, "REG-6", f"registering {name}")
    customer = cast[name]
    if not customer.customer_id or not customer.user_id:
        raise NonConformance("REG-6", "the registration does not identify the customer and the user",
                             received=f"customer id {customer.customer_id!r}, user id {customer.user_id!r}",
                             expected="id|customerId and user.id|userId")


@then(step("{name:Persona}'s customer status does not yet denote activity"))
def status_not_active(outcome, name):
    """SM-3: after registration the customer status is not an active one."""
    status = outcome.get("customerStatus")
    if isinstance(status, str) and status.upper() in _NOT_ACTIVE:
        raise NonConformance("SM-3", "a freshly registered customer is reported active",
                             received=f"customerStatus {status!r}", expected="a non-active status")


@then(step("{name:Persona}'s default wallet is not active"))
def default_wallet_inactive(bank, cast, name):
    """REG-7: the default wallet, when addressable, is not ACTIVE. Registration's own word on the wallet is
    REG-7's evidence; a read showing ACTIVE a wallet that registration reported inactive misreports an inactive
    wallet, which WAL-3 forbids (REG-7: "WAL-3 applies to it"), so that failure is WAL-3's."""
    customer = cast[name]
    if customer.account_id is None:
        pytest.skip("the deployment exposes no wallet id before activation (REG-7): nothing to address")
    registered = customer.registration.get("wallet.status")
    if _active(registered):
        raise NonConformance("REG-7", "registration created an active default wallet",
                             received=customer.registration.describe() + f" wallet.status {registered!r}",
                             expected="not ACTIVE")
    bank.log_in_ok(customer)
    balance = bank.client.get_balance(customer.caller, customer.account_id)
    status = balance.get("status")
    if balance.ok and _active(status):
        if isinstance(registered, str):
            raise NonConformance("WAL-3", f"a read shows the default wallet ACTIVE although registration "
                                 f"reported it {registered!r}", received=balance.describe() + f" status {status!r}",
                                 expected="not ACTIVE before activation")
        raise NonConformance("REG-7", "the default wallet is active right after registration",
                             received=balance.describe() + f" status {status!r}", expected="not ACTIVE")


def _active(status) -> bool:
    """A wallet status that says ACTIVE (WAL-3's word for an enabled wallet)."""
    return isinstance(status, str) and status.upper() == "ACTIVE"
