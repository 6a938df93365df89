"""Steps about identity verification and risk-based approval (phase 3: VER, RISK, SM-4)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pytest_bdd import given, then, when

from finhub_conformance import bodies
from finhub_conformance.checks import expect_refused, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.exchange import Exchange
from finhub_conformance.journey import status_of

from .parameter_types import step
from .support import high_risk_persona, persona

_TERMINAL = {"APPROVED", "REJECTED"}


@dataclass(frozen=True)
class Decision:
    """A decision attempt and the verification status just before it."""

    exchange: Exchange
    status_before: str | None


@given(step("{name:Persona} is a logged-in customer who has submitted her passport"))
def submitted_passport(bank, cast, name):
    """Registered, logged in, verification initiated and a passport submitted."""
    customer = persona(bank, cast, name)
    bank.onboard(customer, "logged in")
    bank.submit_documents_ok(customer)


@given(step("{name:Persona} is a logged-in high-risk customer who has submitted her passport"))
def high_risk_submitted_passport(bank, cast, name):
    """As above, registered in the configured high-risk category."""
    customer = high_risk_persona(bank, cast, name)
    bank.onboard(customer, "logged in")
    bank.submit_documents_ok(customer)


@given(step("{name:Persona} is a verified customer"))
def verified_customer(bank, cast, name):
    """Registered, logged in, and approved at the level the risk needs."""
    bank.onboard(persona(bank, cast, name), "verified")


def _decide(bank, customer, caller, status="APPROVED", power=False) -> Decision:
    before = status_of(bank.verification_status(customer))
    return Decision(bank.decide(customer, caller, status=status, power=power), before)


@when(step("the tenant admin approves {name:Persona}'s verification"), target_fixture="decision")
def tenant_admin_approves(bank, cast, name):
    """S2 with the tenant admin's token (skipped for a standard customer already auto-approved, VER-9)."""
    customer = cast[name]
    return _decide(bank, customer, bank.admin(customer.tenant))


@when(step("the power tenant approves {name:Persona}'s verification"), target_fixture="decision")
def power_tenant_approves(bank, cast, name):
    """S4: S2 with the power-tenant admin's token and header."""
    return _decide(bank, cast[name], bank.power(), power=True)


@when(step("{name:Persona} tries to approve her own verification"), target_fixture="decision")
def customer_approves_own(bank, cast, name):
    """S2 with the customer's own token (VER-7)."""
    customer = cast[name]
    return _decide(bank, customer, customer.caller)


@when(step("the tenant admin rejects {name:Persona}'s verification"), target_fixture="decision")
def tenant_admin_rejects(bank, cast, name):
    """Rejection in the configured style (S2 status REJECTED, then S3 in auto mode)."""
    customer = cast[name]
    before = status_of(bank.verification_status(customer))
    if before == "APPROVED":
        pytest.skip("the verification was auto-approved at submit (VER-9): nothing left to reject")
    return Decision(bank.reject(customer), before)


@when(step("the tenant admin rejects {name:Persona}'s verification through the rejection endpoint"),
      target_fixture="decision")
def tenant_admin_rejects_style_b(bank, cast, name):
    """S3 (rejection style B, MAY): skipped when the deployment does not serve it."""
    customer = cast[name]
    before = status_of(bank.verification_status(customer))
    if before == "APPROVED":
        pytest.skip("the verification was auto-approved at submit (VER-9): nothing left to reject")
    exchange = bank.client.reject_verification(bank.admin(customer.tenant), customer.verification_id,
                                               bodies.rejection_body())
    if exchange.status in (404, 405, 501):
        pytest.skip(f"the rejection endpoint (S3, MAY) is absent: {exchange.status}")
    expect_success(exchange, "VER-11", "rejecting through the rejection endpoint")
    return Decision(exchange, before)


@then(step("{name:Persona}'s verification is approved"))
def verification_approved(bank, cast, name, decision, scenario_rules):
    """E7 reports APPROVED after a sufficient approval (VER-5, RISK-2, RISK-3)."""
    rule = "RISK-2" if "RISK-2" in scenario_rules else "VER-5"
    if decision.status_before != "APPROVED":
        expect_success(decision.exchange, rule, "a sufficient approval")
    state = status_of(expect_success(bank.verification_status(cast[name]), "VER-4", "reading the verification"))
    if state != "APPROVED":
        raise NonConformance(rule, "the verification is not APPROVED after a sufficient approval",
                             received=f"status {state}", expected="APPROVED")


@then(step("{name:Persona}'s verification is rejected"))
def verification_rejected(bank, cast, name, decision):
    """VER-11: E7 reports REJECTED after a rejection."""
    state = status_of(expect_success(bank.verification_status(cast[name]), "VER-4", "reading the verification"))
    if state != "REJECTED":
        if state == "APPROVED":
            raise NonConformance("VER-11", "a rejection approved the verification", received=f"status {state}",
                                 expected="REJECTED, or a 4xx leaving it undecided")
        pytest.skip(f"neither rejection style worked (status {state}): VER-11 is advisory (§7.3)")


@then("the decision is refused as not permitted")
def decision_forbidden(decision):
    """VER-7: a customer's decision gets 401 or 403."""
    expect_refused(decision.exchange, {401, 403}, "VER-7", "a customer approving a verification")


@then(step("{name:Persona}'s verification is unchanged"))
def verification_unchanged(bank, cast, name, decision):
    """GEN-8 / VER-7: the refused decision changed nothing."""
    state = status_of(bank.verification_status(cast[name]))
    if state != decision.status_before:
        raise NonConformance("VER-7", "a refused decision changed the verification",
                             received=f"{decision.status_before} → {state}", expected="unchanged")


@then(step("the tenant admin's approval is refused or leaves {name:Persona} short of the power level"))
def tenant_approval_insufficient(bank, cast, name, decision):
    """RISK-1: V1 refusal (403, 409, 422) or V2 acceptance with an intermediate outcome."""
    exchange = decision.exchange
    if not exchange.ok:
        expect_refused(exchange, {403, 409, 422}, "RISK-1", "a tenant admin approving a high-risk customer")
