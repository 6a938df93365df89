"""Steps about the tenant wall: tenant B's personas, and what another tenant can neither read nor change (TEN-2, TEN-3).

The tenant a request names is in ``tenant_header_steps`` (TEN-1); log-ins and approvals across the wall in
``tenant_crossing_steps`` (TEN-4, TEN-6).
"""

from __future__ import annotations

from pytest_bdd import given, then, when

from finhub_conformance import probes
from finhub_conformance.checks import F, expect_refused, expect_success
from finhub_conformance.errors import NonConformance, SetupFailure
from finhub_conformance.journey import status_of

from .parameter_types import step
from .support import high_risk_persona, persona, pick_rule, second_tenant


@given(step("{name:Persona} is a prospective customer of tenant B"))
def prospective_in_b(bank, cast, name):
    """A fresh persona of tenant B (skipped without FINHUB_TENANT_B_*)."""
    cast[name] = bank.new_customer(name, tenant=second_tenant(bank))


@given(step("{name:Persona} banks with tenant B and is logged in"))
@given(step("{name:Persona} is a logged-in customer of tenant B"))
def logged_in_in_b(bank, cast, name):
    """A persona registered and logged in at tenant B (skipped without FINHUB_TENANT_B_*, §7.3)."""
    cast[name] = bank.log_in_ok(bank.register_ok(bank.new_customer(name, tenant=second_tenant(bank))))


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


@when(step("Mallory and tenant B's admin look up tenant A's categories and Alice's verification, readiness and "
           "wallet"), target_fixture="probe")
def foreign_tenant_reads(bank, cast):
    """TEN-2: E1 (A's path id), E7, S5, E12, E13 and S6 with B's tokens and B's header."""
    admin_b, codes = bank.admin(second_tenant(bank)), ("E1", "E7", "S5", "E12", "E13", "S6")
    return probes.Probe(probes.as_callers(bank, cast["Alice"], codes, {"admin": admin_b, "cust": cast["Mallory"].caller})
                    + probes.as_callers(bank, cast["Alice"], codes, {"cust": admin_b}))


@when("Mallory and tenant B's admin try to verify, consent for and activate Alice", target_fixture="probe")
def foreign_tenant_onboarding(bank, cast):
    """TEN-3: E5, E6, E8-E10 and E11 on Alice's ids with B's tokens."""
    alice, admin_b = cast["Alice"], bank.admin(second_tenant(bank))
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
                    + probes.as_callers(bank, alice, codes, {"cust": bank.admin(second_tenant(bank))}),
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
