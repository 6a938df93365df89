"""Steps about activation (phase 5: ACT-1 to ACT-8, RISK-1 to RISK-3, CON-7, IBAN, SM-3, SM-5)."""

from __future__ import annotations

import secrets

from pytest_bdd import given, then, when

from finhub_conformance.checks import B, N, expect_refused, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.iban import iban_problems

from .kyc_support import (ABSENT, ACTIVE_CUSTOMER, Activation, activate_with_code, readiness_agrees,
                          readiness_flag, skip_if_auto_approved, verification_state)
from .parameter_types import step
from .support import persona, pick_rule

_PREREQUISITES = ("ACT-1", "ACT-2", "ACT-3", "ACT-4", "CON-7")


@given(step("{name:Persona} is a verified customer who has accepted all three consents"))
def verified_and_consenting(bank, cast, name):
    """Every activation prerequisite met."""
    bank.onboard(persona(bank, cast, name), "consented")


@given(step("{name:Persona} is an active customer"))
def active_customer(bank, cast, name):
    """Taken through phases 1 to 5."""
    bank.onboard(persona(bank, cast, name), "active")


def _activate(bank, customer) -> Activation:
    readiness = bank.activation_check(customer)
    account, iban = customer.account_id, customer.iban
    return Activation(bank.activate(customer), readiness, account, iban, customer)


@when(step("the tenant admin activates {name:Persona}"), target_fixture="activation")
@when(step("the tenant admin activates {name:Persona} again"), target_fixture="activation")
def admin_activates(bank, cast, name):
    """S5 (readiness), then E11 by the tenant admin (ACT-5 when repeated)."""
    return _activate(bank, cast[name])


@when(step("the tenant admin activates {name:Persona} with a code of the suite's own invention"),
      target_fixture="activation")
def admin_activates_with_any_code(bank, cast, name):
    """ACT-8: E11 with an arbitrary non-empty code that no out-of-band channel delivered."""
    customer = cast[name]
    readiness = bank.activation_check(customer)
    return Activation(activate_with_code(bank, customer, f"any-{secrets.token_hex(4)}"), readiness,
                      customer=customer)


@then(step("{name:Persona}'s wallet is active with a valid IBAN of her own"))
def wallet_active_with_iban(bank, cast, name, activation, scenario_rules):
    """ACT-6, ACT-7 / IBAN-1, IBAN-3, SM-5 (ACT-8 when the code was arbitrary)."""
    customer = cast[name]
    expect_success(activation.exchange, pick_rule(scenario_rules, "ACT-8", "ACT-1"),
                   "activating a customer who meets every prerequisite")
    readiness_agrees(activation)
    bank.obtain_wallet(customer)
    problems = iban_problems(customer.iban)
    if problems:
        raise NonConformance("IBAN-1", "the wallet IBAN is not valid", received="; ".join(problems),
                             expected="ISO 13616 shape, check digits 02-98, mod-97 = 1")
    balance = expect_success(bank.client.get_balance(customer.caller, customer.account_id), "WAL-1",
                             "reading the activated wallet")
    status = balance.get("status")
    if isinstance(status, str) and status.upper() != "ACTIVE":
        raise NonConformance("SM-5", "the wallet is not ACTIVE after activation", received=repr(status),
                             expected="ACTIVE")


@then(step("{name:Persona}'s customer status denotes activity"))
def customer_status_active(activation):
    """SM-3: after activation, customerStatus (where E11 shows it) is CS_ACTIVE, ACTIVE or ACTIVATED."""
    status = activation.exchange.get("customerStatus")
    if isinstance(status, str) and status.upper() not in ACTIVE_CUSTOMER:
        raise NonConformance("SM-3", "an activated customer's status does not denote activity",
                             received=f"customerStatus {status!r}", expected=" or ".join(sorted(ACTIVE_CUSTOMER)))


@then("the activation is refused")
def activation_refused(bank, activation, scenario_rules):
    """ACT-1 to ACT-4, CON-7: E11 gets B, and S5 (if present) agrees (VER-9: skip if auto-approved)."""
    rule = pick_rule(scenario_rules, *_PREREQUISITES)
    customer = activation.customer
    if rule == "ACT-1" and activation.exchange.ok and customer and not bank.is_high_risk(customer):
        skip_if_auto_approved(verification_state(bank, customer), "the customer is not unverified after all")
    expect_refused(activation.exchange, B, rule, "activating a customer who misses a prerequisite")
    readiness_agrees(activation)


@then("the activation is refused as already done")
def activation_refused_again(activation):
    """ACT-5: 409 or 422."""
    expect_refused(activation.exchange, {409, 422}, "ACT-5", "a second activation")


@then(step("{name:Persona} keeps the same wallet and IBAN"))
def same_wallet(cast, name, activation):
    """ACT-5: the wallet id and IBAN stay the same."""
    customer = cast[name]
    if (customer.account_id, customer.iban) != (activation.account_before, activation.iban_before):
        raise NonConformance("ACT-5", "a refused second activation changed the wallet or IBAN",
                             received=f"{activation.iban_before} → {customer.iban}", expected="unchanged")


@then(step("{name:Persona}'s wallet is still not active"))
def wallet_still_inactive(bank, cast, name, scenario_rules):
    """GEN-8 / SM-5 / WAL-3: after a refused activation, S5 still says no and the wallet refuses writes."""
    customer = cast[name]
    rule = pick_rule(scenario_rules, *_PREREQUISITES)
    readiness = bank.activation_check(customer)
    if readiness.status not in ABSENT and readiness_flag(readiness) is True:
        raise NonConformance("ACT-9", "the readiness check allows an activation that was refused",
                             received=readiness.describe())
    if customer.account_id:
        balance = bank.client.get_balance(customer.caller, customer.account_id)
        status = balance.get("status") if balance.ok else None
        if isinstance(status, str) and status.upper() == "ACTIVE":
            raise NonConformance("SM-5", "the wallet is ACTIVE before activation", received=balance.describe(),
                                 expected="a status other than ACTIVE")
        expect_refused(bank.add_beneficiary(customer), N, rule, "a wallet write after a refused activation")


@then(step("{name:Persona} cannot be activated"))
def cannot_be_activated(bank, cast, name, scenario_rules):
    """RISK-1 / VER-11: E11 is refused with B, and S5 (if present) says not allowed."""
    rule = pick_rule(scenario_rules, "RISK-1", "ACT-1")
    activation = _activate(bank, cast[name])
    expect_refused(activation.exchange, B, rule, "activating a customer without a sufficient approval")
    readiness_agrees(activation)


@then(step("{name:Persona} can be activated"))
def can_be_activated(bank, cast, name, scenario_rules):
    """RISK-2 / RISK-3: after a sufficient approval, E11 succeeds."""
    activation = _activate(bank, cast[name])
    expect_success(activation.exchange, pick_rule(scenario_rules, "RISK-2", "RISK-3"),
                   "activating after a sufficient approval")
    readiness_agrees(activation)
    bank.obtain_wallet(cast[name])
