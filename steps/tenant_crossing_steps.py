"""Steps about crossing the tenant wall: no log-in through another tenant (TEN-4), and the one action that may
cross it, the power tenant's approval (TEN-6, RISK-2)."""

from __future__ import annotations

from pytest_bdd import then, when

from finhub_conformance.checks import expect_refused, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.journey import status_of

from .parameter_types import step
from .support import pick_rule, second_tenant


@when(step("{name:Persona} logs in presenting tenant B's {credential}"), target_fixture="outcome")
def logs_in_through_b(bank, cast, name, credential):
    """TEN-4: E3 with B's key and secret (A's header), or with B's header (A's key and secret)."""
    customer, tenant_b = cast[name], second_tenant(bank)
    if credential == "key and secret":
        return bank.log_in(customer, tenant=tenant_b, tenant_header=customer.tenant.header_id)
    return bank.log_in(customer, tenant_header=tenant_b.header_id)


@then(step("no session is opened for {name:Persona}"))
def no_session(outcome):
    """TEN-4: 401, 403 or 404, and no token."""
    expect_refused(outcome, {401, 403, 404}, "TEN-4", "a log-in through another tenant")
    if outcome.get("token"):
        raise NonConformance("TEN-4", "a refused log-in carries a token", received=outcome.describe())


@when(step("the power tenant approves {name:Persona}'s verification from its own tenant"), target_fixture="outcome")
def power_approves(bank, cast, name):
    """TEN-6 / S4: the power admin's S2, with the power tenant's X-Tenant-ID (after the tenant step when the
    deployment requires it, RISK-2 MAY)."""
    return bank.power_approve(cast[name])


@then(step("{name:Persona}'s verification is approved and she can be activated"))
def approved_across_tenants(bank, cast, name, outcome, scenario_rules):
    """TEN-6 / RISK-2: the cross-tenant approval succeeds, E7 says APPROVED and E11 succeeds."""
    rule = pick_rule(scenario_rules, "TEN-6", "RISK-2")
    expect_success(outcome, rule, "the power tenant's approval")
    status = status_of(bank.verification_status(cast[name]))
    if status != "APPROVED":
        raise NonConformance(rule, "the power tenant's approval did not approve the verification",
                             received=f"status {status}", expected="APPROVED")
    expect_success(bank.activate(cast[name]), rule, f"activating {name} after the power tenant's approval")
