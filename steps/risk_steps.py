"""Steps about a high-risk customer, whom only the power tenant's approval suffices for (phase 3: RISK-1, RISK-2)."""

from __future__ import annotations

from pytest_bdd import given, then, when

from finhub_conformance.checks import B, expect_refused
from finhub_conformance.errors import NonConformance
from finhub_conformance.journey import status_of

from .kyc_support import Decision, recorded_decision
from .parameter_types import step
from .support import high_risk_persona

_V1_REFUSAL = {403, 409, 422}


def _v1_or_v2(exchange) -> None:
    """RISK-1: a tenant admin's S2 on high risk is refused (V1: 403, 409, 422) or accepted (V2)."""
    if not exchange.ok:
        expect_refused(exchange, _V1_REFUSAL, "RISK-1", "a tenant admin approving a high-risk customer")


@given(step("{name:Persona} is a logged-in high-risk customer whose verification the tenant admin has "
            "already reviewed"))
def high_risk_after_tenant_step(bank, cast, name):
    """S4 step 2: the tenant admin's S2 on a submitted high-risk passport, V1 (refusal) or V2 (accepted)."""
    customer = bank.onboard(high_risk_persona(bank, cast, name), "logged in")
    bank.submit_documents_ok(customer)
    _v1_or_v2(bank.decide(customer, bank.admin(customer.tenant)))
    review = bank.verification_status(customer)
    if status_of(review) == "APPROVED" and status_of(review, "level") == "POWER_TENANT_VERIFIED":
        raise NonConformance("RISK-1", "a tenant admin's approval gave a high-risk customer the power level",
                             received=review.describe() + " level POWER_TENANT_VERIFIED",
                             expected="a refusal (V1) or an intermediate state (V2)")


@when(step("the tenant admin approves {name:Persona}'s verification twice"), target_fixture="decision")
def tenant_admin_approves_twice(bank, cast, name):
    """S2 twice with the tenant admin's token (RISK-1: repeated tenant approvals do not suffice)."""
    customer = cast[name]
    first = recorded_decision(bank, customer, bank.admin(customer.tenant))
    return Decision(first.exchange, first.status_before, (bank.decide(customer, bank.admin(customer.tenant)),))


@when(step("the power tenant approves {name:Persona}'s verification"), target_fixture="decision")
def power_tenant_approves(bank, cast, name):
    """S4: S2 with the power token; a direct power approval refused with B (MAY) is retried after the tenant step."""
    customer = cast[name]
    before = status_of(bank.verification_status(customer))
    return Decision(bank.power_approve(customer), before)


@then(step("the tenant admin's approval is refused or leaves {name:Persona} short of the power level"))
def tenant_approval_insufficient(decision):
    """RISK-1: V1 refusal (403, 409, 422) or V2 acceptance with an intermediate outcome."""
    _v1_or_v2(decision.exchange)


@then(step("each tenant approval is refused or leaves {name:Persona} short of the power level"))
def tenant_approvals_insufficient(decision):
    """RISK-1 / RISK-2: the first is V1 or V2; under V2 a repeat gets success with no change, or B."""
    _v1_or_v2(decision.exchange)
    for again in decision.others:
        if not again.ok:
            expect_refused(again, B, "RISK-1", "a repeated tenant approval of a high-risk customer")
