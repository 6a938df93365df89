"""Steps about consents and activation (phases 4 and 5: CON, ACT, IBAN, SM-5)."""

from __future__ import annotations

from dataclasses import dataclass

from pytest_bdd import given, then, when

from finhub_conformance import bodies
from finhub_conformance.checks import B, V, N, expect_refused, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.exchange import Exchange
from finhub_conformance.iban import iban_problems

from .parameter_types import step
from .support import persona, pick_rule

_ALL = ("terms", "privacy", "data-processing")
_ABSENT = {404, 405, 501}


@dataclass(frozen=True)
class Activation:
    """An activation attempt, with the readiness check (S5) asked just before it."""

    exchange: Exchange
    readiness: Exchange
    account_before: str | None = None
    iban_before: str | None = None


@given(step("{name:Persona} has accepted all three consents"))
def accepted_all(bank, cast, name):
    """E8, E9, E10 in the profile's order."""
    bank.accept_consents_ok(cast[name])


@given(step("{name:Persona} has accepted every consent except {consent:Consent}"))
def accepted_all_but(bank, cast, name, consent):
    """Two of the three consents."""
    bank.accept_consents_ok(cast[name], tuple(s for s in _ALL if s != consent))


@given(step("{name:Persona} is a verified customer who has accepted all three consents"))
def verified_and_consenting(bank, cast, name):
    """Every activation prerequisite met."""
    bank.onboard(persona(bank, cast, name), "consented")


@given(step("{name:Persona} is an active customer"))
def active_customer(bank, cast, name):
    """Taken through phases 1 to 5."""
    bank.onboard(persona(bank, cast, name), "active")


@when(step("{name:Persona} accepts the {consent:Consent} consent"), target_fixture="outcome")
def accepts_consent(bank, cast, name, consent):
    """E8-E10 with accepted:true."""
    return bank.accept_consent(cast[name], consent)


@when(step("{name:Persona} declines the {consent:Consent} consent"), target_fixture="outcome")
def declines_consent(bank, cast, name, consent):
    """E8-E10 with accepted:false (CON-3)."""
    return bank.accept_consent(cast[name], consent, bodies.consent_body(accepted=False))


@then("the consent is recorded as accepted")
def consent_accepted(outcome):
    """CON-1 and CON-2: success with status ACCEPTED."""
    expect_success(outcome, "CON-1", "accepting a consent")
    status = outcome.get("status")
    if not isinstance(status, str) or status.upper() != "ACCEPTED":
        raise NonConformance("CON-2", "an accepted consent is not reported ACCEPTED", received=repr(status),
                             expected="ACCEPTED")


@then("the consent answer is refused as invalid input")
def consent_refused(outcome):
    """CON-3: accepted:false gets V."""
    expect_refused(outcome, V, "CON-3", "declining a consent")


def _activate(bank, customer) -> Activation:
    readiness = bank.activation_check(customer)
    account, iban = customer.account_id, customer.iban
    return Activation(bank.activate(customer), readiness, account, iban)


@when(step("the tenant admin activates {name:Persona}"), target_fixture="activation")
def admin_activates(bank, cast, name):
    """S5 (readiness), then E11 by the tenant admin."""
    return _activate(bank, cast[name])


@when(step("the tenant admin activates {name:Persona} again"), target_fixture="activation")
def admin_activates_again(bank, cast, name):
    """E11 on an already active customer (ACT-5)."""
    return _activate(bank, cast[name])


def _readiness_agrees(activation: Activation) -> None:
    """ACT-9: where S5 exists, "allowed" means E11 succeeds and "not allowed" means it is refused."""
    check = activation.readiness
    if check.status in _ABSENT:
        return
    expect_success(check, "ACT-9", "the activation readiness check")
    allowed = check.get("activationAllowed", "canActivate")
    if isinstance(allowed, bool) and allowed != activation.exchange.ok:
        raise NonConformance("ACT-9", "the readiness check disagrees with the activation",
                             received=f"allowed={allowed}, activation {activation.exchange.describe()}",
                             expected="the same verdict from both")


@then(step("{name:Persona}'s wallet is active with a valid IBAN of her own"))
def wallet_active_with_iban(bank, cast, name, activation):
    """ACT-6, ACT-7 / IBAN-1, IBAN-3, SM-5."""
    customer = cast[name]
    expect_success(activation.exchange, "ACT-1", "activating a customer who meets every prerequisite")
    _readiness_agrees(activation)
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


@then("the activation is refused")
def activation_refused(activation, scenario_rules):
    """ACT-1 to ACT-4: E11 gets B, and S5 (if present) agrees."""
    rule = pick_rule(scenario_rules, "ACT-1", "ACT-2", "ACT-3", "ACT-4")
    expect_refused(activation.exchange, B, rule, "activating a customer who misses a prerequisite")
    _readiness_agrees(activation)


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
    """GEN-8 / WAL-3: after a refused activation the wallet still refuses writes."""
    customer = cast[name]
    rule = pick_rule(scenario_rules, "ACT-1", "ACT-2", "ACT-3", "ACT-4")
    readiness = bank.activation_check(customer)
    if readiness.status not in _ABSENT and readiness.get("activationAllowed", "canActivate") is True:
        raise NonConformance("ACT-9", "the readiness check allows an activation that was refused",
                             received=readiness.describe())
    if customer.account_id:
        write = bank.add_beneficiary(customer)
        expect_refused(write, N, rule, "a wallet write after a refused activation")


@then(step("{name:Persona} cannot be activated"))
def cannot_be_activated(bank, cast, name, scenario_rules):
    """RISK-1 / VER-11: E11 is refused with B, and S5 (if present) says not allowed."""
    rule = pick_rule(scenario_rules, "RISK-1", "ACT-1")
    activation = _activate(bank, cast[name])
    expect_refused(activation.exchange, B, rule, "activating a customer without a sufficient approval")
    _readiness_agrees(activation)


@then(step("{name:Persona} can be activated"))
def can_be_activated(bank, cast, name):
    """RISK-2: after the power approval, E11 succeeds."""
    activation = _activate(bank, cast[name])
    expect_success(activation.exchange, "RISK-2", "activating after a power-tenant approval")
    _readiness_agrees(activation)
    bank.obtain_wallet(cast[name])
