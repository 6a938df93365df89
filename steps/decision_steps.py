"""Steps about deciding a verification: approval, rejection, and who may decide (phase 3: VER-5 to VER-7, VER-11, SM-2).

The high-risk path through the power tenant is in ``risk_steps``; reading a verification in
``verification_lookup_steps``.
"""

from __future__ import annotations

import pytest
from pytest_bdd import given, then, when

from finhub_conformance import bodies
from finhub_conformance.checks import B, expect_refused, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.journey import status_of

from .kyc_support import ABSENT, Decision, advise_unless, recorded_decision, skip_if_auto_approved, verification_state
from .parameter_types import step
from .support import persona, pick_rule


@given(step("{name:Persona} is a logged-in customer whose verification has been {decision}"))
def decided_verification(bank, cast, name, decision, advisories):
    """A submitted passport, then approved (VER-9 aware) or rejected (skipped when no style works, §7.3)."""
    customer = bank.onboard(persona(bank, cast, name), "logged in")
    bank.submit_documents_ok(customer)
    skip_if_auto_approved(verification_state(bank, customer), "VER-6 is exercised only on decisions the suite took")
    if decision == "approved":
        bank.approve_ok(customer)
        return
    bank.reject(customer)
    state = verification_state(bank, customer)
    if state != "REJECTED":
        advise_unless(False, advisories, "VER-11", f"neither rejection style rejects a verification ({state})")
        pytest.skip(f"neither rejection style worked (status {state}): VER-11 is advisory (§7.3)")


@when(step("the tenant admin approves {name:Persona}'s verification"), target_fixture="decision")
def tenant_admin_approves(bank, cast, name):
    """S2 with the tenant admin's token (its answer is not judged when already auto-approved, VER-9)."""
    customer = cast[name]
    return recorded_decision(bank, customer, bank.admin(customer.tenant))


@when(step("{name:Persona} tries to approve her own verification"), target_fixture="decision")
def customer_approves_own(bank, cast, name):
    """S2 with the customer's own token (VER-7)."""
    customer = cast[name]
    decision = recorded_decision(bank, customer, customer.caller)
    skip_if_auto_approved(decision.status_before, "a decided verification cannot show who may decide")
    return decision


@when(step("{name:Persona} tries to reject her own verification"), target_fixture="decision")
def customer_rejects_own(bank, cast, name):
    """S2 with status REJECTED, and S3, with the customer's own token (VER-7)."""
    customer = cast[name]
    before = status_of(bank.verification_status(customer))
    skip_if_auto_approved(before, "a decided verification cannot show who may decide")
    style_a = bank.decide(customer, customer.caller, status="REJECTED")
    style_b = bank.client.reject_verification(customer.caller, customer.verification_id, bodies.rejection_body())
    return Decision(style_a, before, (style_b,))


@when(step("the tenant admin {action} {name:Persona}'s verification once more"), target_fixture="decision")
def admin_decides_again(bank, cast, name, action):
    """S2 (and S3 for a rejection) on a decided verification (VER-6)."""
    customer = cast[name]
    admin = bank.admin(customer.tenant)
    if action == "approves":
        return recorded_decision(bank, customer, admin)
    assert action == "rejects", f"unknown decision {action!r}"
    decision = recorded_decision(bank, customer, admin, status="REJECTED")
    style_b = bank.client.reject_verification(admin, customer.verification_id, bodies.rejection_body())
    return Decision(decision.exchange, decision.status_before, (style_b,))


@when(step("the tenant admin rejects {name:Persona}'s verification"), target_fixture="decision")
def tenant_admin_rejects(bank, cast, name):
    """Rejection in the configured style (S2 status REJECTED, then S3 in auto mode)."""
    customer = cast[name]
    before = status_of(bank.verification_status(customer))
    skip_if_auto_approved(before, "nothing is left to reject")
    return Decision(bank.reject(customer), before)


@when(step("the tenant admin rejects {name:Persona}'s verification through the rejection endpoint"),
      target_fixture="decision")
def tenant_admin_rejects_style_b(bank, cast, name):
    """S3 (rejection style B, MAY): skipped when the deployment does not serve it."""
    customer = cast[name]
    before = status_of(bank.verification_status(customer))
    skip_if_auto_approved(before, "nothing is left to reject")
    exchange = bank.client.reject_verification(bank.admin(customer.tenant), customer.verification_id,
                                               bodies.rejection_body())
    if exchange.status in ABSENT:
        pytest.skip(f"the rejection endpoint (S3, MAY) is absent: {exchange.status}")
    expect_success(exchange, "VER-11", "rejecting through the rejection endpoint")
    return Decision(exchange, before)


@then(step("{name:Persona}'s verification is approved"))
def verification_approved(bank, cast, name, decision, scenario_rules):
    """E7 reports APPROVED after a sufficient approval (VER-5, RISK-2: a power approval MUST be accepted)."""
    rule = "RISK-2" if "RISK-2" in scenario_rules else "VER-5"
    if rule == "RISK-2" or decision.status_before != "APPROVED":
        expect_success(decision.exchange, rule, "a sufficient approval")
    state = verification_state(bank, cast[name])
    if state != "APPROVED":
        raise NonConformance(rule, "the verification is not APPROVED after a sufficient approval",
                             received=f"status {state}", expected="APPROVED")


@then(step("{name:Persona}'s verification is rejected"))
def verification_rejected(bank, cast, name, decision):
    """VER-11: E7 reports REJECTED after a rejection."""
    state = verification_state(bank, cast[name])
    if state != "REJECTED":
        if state == "APPROVED":
            raise NonConformance("VER-11", "a rejection approved the verification", received=f"status {state}",
                                 expected="REJECTED, or a 4xx leaving it undecided")
        pytest.skip(f"neither rejection style worked (status {state}): VER-11 is advisory (§7.3)")


@then("the decision is refused as not permitted")
def decision_forbidden(decision):
    """VER-7: a customer's decision gets 401 or 403 (S3 may be absent: 404, 405, 501)."""
    expect_refused(decision.exchange, {401, 403}, "VER-7", "a customer deciding a verification")
    for other in decision.others:
        if other.status not in ABSENT:
            expect_refused(other, {401, 403}, "VER-7", "a customer rejecting through the rejection endpoint")


@then("the new decision is refused")
def redecision_refused(decision):
    """VER-6: deciding an APPROVED or REJECTED verification again gets B (S3 may be absent)."""
    expect_refused(decision.exchange, B, "VER-6", "deciding a decided verification again")
    for other in decision.others:
        if other.status not in ABSENT:
            expect_refused(other, B, "VER-6", "rejecting a decided verification again through the rejection endpoint")


@then(step("{name:Persona}'s verification is unchanged"))
def verification_unchanged(bank, cast, name, decision):
    """GEN-8 / VER-7: the refused decision changed nothing."""
    state = status_of(bank.verification_status(cast[name]))
    if state != decision.status_before:
        raise NonConformance("VER-7", "a refused decision changed the verification",
                             received=f"{decision.status_before} → {state}", expected="unchanged")


@then(step("{name:Persona}'s verification is still {decision_word}"))
def verification_still(bank, cast, name, decision_word, scenario_rules):
    """SM-2 (with VER-6, VER-8): a decided verification keeps its decision after a refused call."""
    state = verification_state(bank, cast[name])
    if state != decision_word.upper():
        raise NonConformance(pick_rule(scenario_rules, "VER-6", "VER-8", "SM-2"), "a decided verification moved",
                             received=f"status {state}", expected=decision_word.upper())
