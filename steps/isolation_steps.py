"""Steps about tenant isolation (TEN-1 to TEN-4, TEN-6): the tenant wall and the one action crossing it."""

from __future__ import annotations

import uuid
import pytest
from pytest_bdd import given, then, when

from finhub_conformance import bodies, probes
from finhub_conformance.checks import F, T, expect_refused, expect_success
from finhub_conformance.errors import NonConformance, SetupFailure
from finhub_conformance.iban import german_iban
from finhub_conformance.journey import status_of

from .parameter_types import step
from .support import high_risk_persona, persona, pick_rule, register_again


def _tenant_b(bank):
    if bank.settings.tenant_b is None:
        pytest.skip("no second tenant configured (FINHUB_TENANT_B_*): TEN-2 to TEN-5 need one (§7.3)")
    return bank.settings.tenant_b


def _other_tenant_header(bank, other: str) -> str:
    return _tenant_b(bank).header_id if other == "tenant B" else f"unknown-tenant-{uuid.uuid4().hex[:12]}"


@given(step("{name:Persona} is a prospective customer of tenant B"))
def prospective_in_b(bank, cast, name):
    """A fresh persona of tenant B (skipped without FINHUB_TENANT_B_*)."""
    cast[name] = bank.new_customer(name, tenant=_tenant_b(bank))


@given(step("{name:Persona} banks with tenant B and is logged in"))
def logged_in_in_b(bank, cast, name):
    """A persona registered and logged in at tenant B."""
    cast[name] = bank.log_in_ok(bank.register_ok(bank.new_customer(name, tenant=_tenant_b(bank))))


@given(step("{name:Persona} is a logged-in customer whose verification is open"))
def verification_open(bank, cast, name):
    """A persona of tenant A, logged in, with an initiated verification (nothing submitted yet)."""
    customer = bank.log_in_ok(bank.register_ok(persona(bank, cast, name)))
    exchange = bank.initiate(customer)
    if not exchange.ok or not customer.verification_id:
        raise SetupFailure("VER-2", "setup step failed: initiating a verification", received=exchange.describe(),
                           expected="a 2xx answer with verificationId|id")


@given(step("{name:Persona} is a high-risk customer of tenant A who awaits approval with every consent given"))
def high_risk_awaiting(bank, cast, name):
    """A high-risk persona with a submitted passport and the three consents (skipped without a power tenant)."""
    customer = bank.log_in_ok(bank.register_ok(high_risk_persona(bank, cast, name)))
    bank.accept_consents_ok(bank.submit_documents_ok(customer))


@when(step("{name:Persona} uses her wallet while naming {other} as her tenant"), target_fixture="probe")
def wallet_with_other_tenant(bank, cast, name, other):
    """TEN-1: E12 and E14 with the customer's token but another X-Tenant-ID."""
    customer, iban = cast[name], german_iban()
    caller = customer.caller.with_tenant_header(_other_tenant_header(bank, other))
    return probes.Probe([bank.client.get_balance(caller, customer.account_id),
                     bank.add_beneficiary(customer, bodies.beneficiary_body(iban), caller=caller)], iban)


@when(step("{name:Persona} uses her wallet without naming her tenant"), target_fixture="probe")
def wallet_without_tenant(bank, cast, name):
    """TEN-1: E12 and E14 with no X-Tenant-ID; a 5xx here breaks TEN-1 rather than only SEC-2."""
    customer, iban = cast[name], german_iban()
    with probes.reported_as("TEN-1"):
        attempts = [probes.send(bank, probes.endpoint(code), customer, customer.caller, body=body,
                                drop_headers=("X-Tenant-ID",))
                    for code, body in (("E12", None), ("E14", bodies.beneficiary_body(iban)))]
    return probes.Probe(attempts, iban)


@when(step("the tenant admin registers {name:Persona} while naming {other} as the tenant"), target_fixture="probe")
def register_with_other_tenant(bank, cast, name, other):
    """TEN-1: E2 with tenant A's admin token but another X-Tenant-ID."""
    caller = bank.admin().with_tenant_header(_other_tenant_header(bank, other))
    return probes.Probe([bank.register(cast[name], caller=caller)])


@then("every request is refused as a tenant mismatch")
def refused_as_mismatch(probe):
    """TEN-1: status set T."""
    for exchange in probe.exchanges:
        expect_refused(exchange, T, "TEN-1", f"{exchange.operation} naming a tenant other than the token's")


@then("every request is refused for the missing tenant")
def refused_for_missing_tenant(probe):
    """TEN-1: a missing X-Tenant-ID gets 400, 401 or 403."""
    for exchange in probe.exchanges:
        expect_refused(exchange, {400, 401, 403}, "TEN-1", f"{exchange.operation} without X-Tenant-ID")


@then(step("{name:Persona}'s beneficiaries are unchanged"))
def beneficiaries_unchanged(bank, cast, name, probe, scenario_rules):
    """TEN-1 / GEN-3 / GEN-8: a refused beneficiary is not on the owner's list."""
    if any(e.ok and e.operation.startswith("E14") for e in probe.exchanges):
        return  # the deployment did not require what was left out (GEN-3): the beneficiary is rightly there
    listed = probes.send(bank, probes.endpoint("S6"), cast[name], cast[name].caller)
    expect_success(listed, "WAL-1", f"{name} listing her beneficiaries")
    if probe.iban in listed.text:
        raise NonConformance(pick_rule(scenario_rules, "TEN-1", "GEN-8"), "a refused request added a beneficiary",
                             received=listed.describe(), expected=f"{probe.iban} not listed")


@then(step("nothing was registered for {name:Persona}"))
def nothing_registered(bank, cast, name):
    """TEN-1 / GEN-8: the refused registration left the email free."""
    register_again(bank, cast[name], leftover_rule="TEN-1", rule="REG-6",
                   what=f"registering {name} with the right tenant")


@when(step("Mallory and tenant B's admin look up tenant A's categories and Alice's verification, readiness and "
           "wallet"), target_fixture="probe")
def foreign_tenant_reads(bank, cast):
    """TEN-2: E1 (A's path id), E7, S5, E12, E13 and S6 with B's tokens and B's header."""
    admin_b, codes = bank.admin(_tenant_b(bank)), ("E1", "E7", "S5", "E12", "E13", "S6")
    return probes.Probe(probes.as_callers(bank, cast["Alice"], codes, {"admin": admin_b, "cust": cast["Mallory"].caller})
                    + probes.as_callers(bank, cast["Alice"], codes, {"cust": admin_b}))


@when("Mallory and tenant B's admin try to verify, consent for and activate Alice", target_fixture="probe")
def foreign_tenant_onboarding(bank, cast):
    """TEN-3: E5, E6, E8-E10 and E11 on Alice's ids with B's tokens."""
    alice, admin_b = cast["Alice"], bank.admin(_tenant_b(bank))
    before = status_of(bank.verification_status(alice))
    codes = ("E5", "E6", "E8-E10", "E11")
    return probes.Probe(probes.as_callers(bank, alice, codes, {"admin": admin_b, "cust": cast["Mallory"].caller})
                    + probes.as_callers(bank, alice, codes[:3], {"cust": admin_b}), status_before=before)


@when("Mallory and tenant B's admin try to add payees, consents and transfers to Alice's wallet",
      target_fixture="probe")
def foreign_tenant_payments(bank, cast):
    """TEN-3 / PAY-12: E14, S7, E15 and E16 on Alice's account with B's tokens."""
    alice, codes = cast["Alice"], ("E14", "S7", "E15", "E16")
    before = probes.wallet_snapshot(bank, alice)
    return probes.Probe(probes.as_callers(bank, alice, codes, {"cust": cast["Mallory"].caller})
                    + probes.as_callers(bank, alice, codes, {"cust": bank.admin(_tenant_b(bank))}),
                    wallet_before=before)


@then("every attempt is refused as foreign to them")
def refused_as_foreign(probe, scenario_rules):
    """TEN-2, TEN-3, SEC-4, SM-1: status set F on every attempt (an absent optional endpoint aside)."""
    offending = probes.outside([a for a in probe.attempts if not (a[0].optional and a[1].status in {405, 501})], F)
    if offending:
        raise NonConformance(pick_rule(scenario_rules, "TEN-2", "TEN-3", "SEC-4", "SM-1"),
                             "a caller reached a resource that is not theirs", received="; ".join(offending),
                             expected="403 or 404 on every attempt")


@then(step("{name:Persona}'s onboarding is untouched"))
def onboarding_untouched(bank, cast, name, probe):
    """TEN-3: the verification status is as before, and the first own consent is not refused as a repeat."""
    customer = cast[name]
    after = status_of(expect_success(bank.verification_status(customer), "VER-4", f"{name} reading her verification"))
    if after != probe.status_before:
        raise NonConformance("TEN-3", "another tenant's attempts changed the verification",
                             received=f"status {probe.status_before} → {after}", expected="unchanged")
    accepted = bank.accept_consent(customer, "terms")
    if accepted.status == 409:
        raise NonConformance("TEN-3", "the consent was already accepted by another tenant's caller",
                             received=accepted.describe(), expected=f"{name}'s own first acceptance succeeds")
    expect_success(accepted, "CON-1", f"{name} accepting her terms")


@then(step("{name:Persona}'s wallet is untouched"))
def wallet_untouched(bank, cast, name, probe, scenario_rules):
    """TEN-3 / SEC-4 / GEN-8: the same beneficiaries and balances as before the attempts."""
    after = probes.wallet_snapshot(bank, cast[name])
    if after != probe.wallet_before:
        raise NonConformance(pick_rule(scenario_rules, "TEN-3", "SEC-4", "GEN-8"),
                             "refused attempts changed the wallet", received=str(after),
                             expected=str(probe.wallet_before))


@when(step("tenant B's admin registers {name:Persona} with details that name tenant A"), target_fixture="outcome")
def b_admin_registers_into_a(bank, cast, name):
    """TEN-3: E2 by B's admin whose body names tenant A's tenantId."""
    customer, a_path = cast[name], bank.settings.tenant.path_id
    body = bank.registration_body(customer, tenantId=a_path)
    body["individualCustomer"]["tenantId"] = a_path
    return bank.register(customer, body, caller=bank.admin(customer.tenant))


@then(step("{name:Persona} is either refused or registered in tenant B only"))
def refused_or_in_b(bank, cast, name, outcome):
    """TEN-3: refused with 400 or 403, or created in the token's tenant (she logs in there, not in A)."""
    if not outcome.ok:
        expect_refused(outcome, {400, 403}, "TEN-3", "a registration naming another tenant")
        return
    customer = cast[name]
    expect_success(bank.log_in(customer), "TEN-3", f"{name} logging in at tenant B, where she was registered")
    in_a = bank.log_in(customer, tenant=bank.settings.tenant)
    if in_a.ok or in_a.get("token"):
        raise NonConformance("TEN-3", "a customer registered by tenant B's admin exists in tenant A",
                             received=in_a.describe(), expected="no session at tenant A")


@when(step("{name:Persona} logs in presenting tenant B's {credential}"), target_fixture="outcome")
def logs_in_through_b(bank, cast, name, credential):
    """TEN-4: E3 with B's key and secret (A's header), or with B's header (A's key and secret)."""
    customer, tenant_b = cast[name], _tenant_b(bank)
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
