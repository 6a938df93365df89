"""Steps about security (SEC-1 to SEC-5, GEN-6): genuine tokens, own data only, no failures, no secrets."""

from __future__ import annotations

from pytest_bdd import given, then, when

from finhub_conformance import probes
from finhub_conformance.checks import leaked_secrets
from finhub_conformance.errors import NonConformance, SetupFailure
from finhub_conformance.journey import status_of

from .parameter_types import step
from .support import persona, pick_rule


@given(step("{name:Persona} is an active customer with a registered payee"))
def active_with_payee(bank, cast, name):
    """Phases 1 to 5 and one beneficiary, so every endpoint has a real id to aim at."""
    bank.add_beneficiary_ok(bank.onboard(persona(bank, cast, name), "active"))


@given(step("{name:Persona} is a logged-in customer whose passport awaits a decision"))
def awaiting_decision(bank, cast, name):
    """Registered, logged in, passport submitted."""
    bank.submit_documents_ok(bank.log_in_ok(bank.register_ok(persona(bank, cast, name))))


@when(step("Alice and the tenant admin call every protected endpoint presenting {token}"), target_fixture="probe")
def forged_token_calls(bank, cast, token):
    """SEC-3: E1 (unless public), E2, E4-E16, S2, S3, S5-S8 with a token forged from a real one."""
    return probes.Probe(probes.with_forged_tokens(bank, cast["Alice"], token))


@then("every call is refused as unauthenticated")
def refused_as_unauthenticated(probe):
    """SEC-3: 401 on every authenticated endpoint (absent optional endpoints excluded)."""
    offending = probes.outside(probe.attempts, {401})
    if offending:
        raise NonConformance("SEC-3", "a protected endpoint did not refuse a bad token with 401",
                             received="; ".join(offending), expected="401 on every authenticated endpoint")


@when(step("{name:Persona} looks up {other:Persona}'s verification, readiness, wallet, allowed operations and "
           "beneficiaries"), target_fixture="probe")
def same_tenant_reads(bank, cast, name, other):
    """SEC-4 / WAL-1 / VER-4: E7, S5, E12, E13 and S6 on another customer's ids with one's own cust token."""
    return probes.Probe(probes.as_callers(bank, cast[other], ("E7", "S5", "E12", "E13", "S6"),
                                          {"cust": cast[name].caller, "admin": cast[name].caller}))


@when(step("{name:Persona} tries to verify, consent for, add payees to and pay from {other:Persona}'s account"),
      target_fixture="probe")
def same_tenant_writes(bank, cast, name, other):
    """SEC-4 / PAY-12: E5, E6, E8-E10, E14, S7, E15 and E16 on another customer's ids."""
    victim = cast[other]
    before = probes.wallet_snapshot(bank, victim)
    return probes.Probe(probes.as_callers(bank, victim, ("E5", "E6", "E8-E10", "E14", "S7", "E15", "E16"),
                                          {"cust": cast[name].caller}), wallet_before=before)


@when(step("{name:Persona} tries to approve and to reject her own verification"), target_fixture="probe")
def customer_decides(bank, cast, name):
    """SEC-5: S2 approving, S2 rejecting (style A) and S3 (style B) with the customer's own token."""
    customer = cast[name]
    before = status_of(bank.verification_status(customer))
    attempts = [bank.decide(customer, customer.caller), bank.decide(customer, customer.caller, status="REJECTED")]
    rejected = probes.send(bank, probes.endpoint("S3"), customer, customer.caller)
    if rejected.status not in probes.ABSENT:
        attempts.append(rejected)
    return probes.Probe(attempts, status_before=before)


@then("every decision is refused as not hers to make")
def decisions_refused(probe, scenario_rules):
    """SEC-5 / VER-7: 401 or 403."""
    offending = probes.outside([(None, e) for e in probe.exchanges], {401, 403})
    if offending:
        raise NonConformance(pick_rule(scenario_rules, "SEC-5", "VER-7"), "a customer token decided a verification",
                             received="; ".join(offending), expected="401 or 403")


@then(step("{name:Persona}'s verification stays as it was"))
def verification_unchanged(bank, cast, name, probe, scenario_rules):
    """SEC-5 / GEN-8: E7 reports the status read before the attempts."""
    after = status_of(bank.verification_status(cast[name]))
    if after != probe.status_before:
        raise NonConformance(pick_rule(scenario_rules, "SEC-5", "VER-7"), "a refused decision changed the status",
                             received=f"{probe.status_before} → {after}", expected="unchanged")


@when(step("Alice and the tenant admin make a mistake in every phase"), target_fixture="probe")
def mistakes(bank, cast):
    """SEC-1 / GEN-6: one refused request per phase, each with the status set of its case."""
    return probes.Probe(probes.provoke_errors(bank, cast["Alice"]))


@then("every mistake is refused with a status of its documented set")
def mistakes_in_their_sets(probe):
    """GEN-6: the HTTP status is in the set given for the case."""
    offending = [f"{ex.describe()} (expected {sorted(allowed)})" for ex, allowed in probe.attempts
                 if ex.status not in allowed]
    if offending:
        raise NonConformance("GEN-6", "an error status is outside the set the profile gives for its case",
                             received="; ".join(offending), expected="each status in its case's set")


@then("no answer carries a password, a tenant secret or a hash")
def no_secrets(bank, probe):
    """SEC-1: the scan every exchange gets, repeated over the provoked errors."""
    for exchange, _ in probe.attempts:
        found = leaked_secrets(exchange.body, bank.redactor.finder("sensitive")) if exchange.body is not None else []
        if found:
            raise NonConformance("SEC-1", "an error answer exposes secret material",
                                 received="; ".join(found[:5]) + f" in {exchange.describe()}")


@when(step("every endpoint receives {hostile}"), target_fixture="probe")
def hostile_calls(bank, cast, hostile):
    """SEC-2: the row's hostile input sent to every endpoint it applies to, aimed at Alice's real ids."""
    return probes.Probe(probes.hostile_calls(bank, cast["Alice"], hostile))


@then("no answer is a server error")
def no_server_error(probe):
    """SEC-2: any 4xx (or success) passes; a 5xx fails (501 only from an absent optional endpoint)."""
    if not probe.attempts:
        raise SetupFailure("SEC-2", "no request was sent for this kind of input", expected="at least one probe")
    offending = [e.describe() for e in probe.exchanges
                 if e.status >= 500 and not (e.status == 501 and e.operation.startswith(("S3", "S5", "S8")))]
    if offending:
        raise NonConformance("SEC-2", "hostile input caused a server error", received="; ".join(offending),
                             expected="a 4xx (or a success)")
