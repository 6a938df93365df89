"""Steps about the three mandatory consents (phase 4: CON-1 to CON-5, SM-2)."""

from __future__ import annotations

from pytest_bdd import given, then, when

from finhub_conformance import bodies
from finhub_conformance.checks import V, expect_refused, expect_success
from finhub_conformance.errors import NonConformance

from .kyc_support import advise_unless, record_id
from .parameter_types import step
from .support import pick_rule

_TYPES = {"terms": "TERMS_AND_CONDITIONS", "privacy": "PRIVACY_POLICY", "data-processing": "DATA_PROCESSING"}


@given(step("{name:Persona} has accepted all three consents"))
def accepted_all(bank, cast, name):
    """E8, E9, E10 in the profile's order (CON-6)."""
    bank.accept_consents_ok(cast[name])


@given(step("{name:Persona} has accepted every consent except {consent:Consent}"))
def accepted_all_but(bank, cast, name, consent):
    """The two other consents (those after it MAY be refused by a deployment enforcing the order, CON-6)."""
    bank.accept_consents_except(cast[name], consent)


@given(step("{name:Persona} has accepted the {consent:Consent} consent"), target_fixture="first_acceptance")
def accepted_one(bank, cast, name, consent):
    """One consent accepted (after the earlier ones, CON-6) as a setup step; its record is kept (CON-5, SM-2)."""
    exchange = bank.accept_consent(bank.accept_earlier_consents(cast[name], consent), consent)
    return expect_success(exchange, "CON-1", f"accepting the {consent} consent")


@when(step("{name:Persona} accepts the {consent:Consent} consent"), target_fixture="outcome")
@when(step("{name:Persona} accepts the {consent:Consent} consent a second time"), target_fixture="outcome")
def accepts_consent(bank, cast, name, consent):
    """E8-E10 with accepted:true, after the earlier consents (CON-1, CON-6; CON-5 when repeated)."""
    return bank.accept_consent(bank.accept_earlier_consents(cast[name], consent), consent)


@when(step("the tenant admin accepts the {consent:Consent} consent on {name:Persona}'s behalf"),
      target_fixture="outcome")
def admin_accepts_consent(bank, cast, name, consent):
    """E8-E10 with the tenant admin's token (CON-1: MAY be accepted)."""
    return bank.accept_consent(cast[name], consent, caller=bank.admin(cast[name].tenant))


@when(step("{name:Persona} declines the {consent:Consent} consent"), target_fixture="outcome")
def declines_consent(bank, cast, name, consent):
    """E8-E10 with accepted:false, after the earlier consents (CON-3, CON-6)."""
    customer = bank.accept_earlier_consents(cast[name], consent)
    return bank.accept_consent(customer, consent, bodies.consent_body(accepted=False))


@when(step("{name:Persona} answers the {consent:Consent} consent without saying whether she accepts"),
      target_fixture="outcome")
def answers_without_accepted(bank, cast, name, consent):
    """E8-E10 without the ``accepted`` field, after the earlier consents (CON-3, CON-6)."""
    customer = bank.accept_earlier_consents(cast[name], consent)
    return bank.accept_consent(customer, consent, bodies.consent_body(accepted=None))


@when(step("{name:Persona} accepts the {consent:Consent} consent without naming its version"),
      target_fixture="outcome")
def accepts_without_version(bank, cast, name, consent):
    """E8-E10 without ``version``, after the earlier consents (CON-3: SHOULD get V; CON-6)."""
    customer = bank.accept_earlier_consents(cast[name], consent)
    return bank.accept_consent(customer, consent, bodies.consent_body(version=None))


@when(step("{name:Persona} accepts a marketing consent"), target_fixture="outcome")
def accepts_marketing(bank, cast, name):
    """A consent path segment outside the three (CON-4)."""
    customer = cast[name]
    return bank.client.accept_consent(customer.caller, customer.customer_id, "marketing", bodies.consent_body())


def _recorded_as_accepted(outcome, rule: str, advisories: list) -> None:
    """CON-1 / CON-2: success with status ACCEPTED; SHOULD: consentType, id and version."""
    expect_success(outcome, rule, "accepting a consent")
    status = outcome.get("status")
    if not isinstance(status, str) or status.upper() != "ACCEPTED":
        raise NonConformance("CON-2", "an accepted consent is not reported ACCEPTED", received=repr(status),
                             expected="ACCEPTED")
    segment = outcome.path.rsplit("/", 1)[-1]
    kind = outcome.get("consentType")
    advise_unless(isinstance(kind, str) and kind.upper() == _TYPES.get(segment), advisories, "CON-2",
                  f"the {segment} consent reports consentType {kind!r}, not {_TYPES.get(segment)}")
    advise_unless(record_id(outcome) is not None, advisories, "CON-2", "the consent record has no id|consentId")
    advise_unless(outcome.get("version") is not None, advisories, "CON-2", "the consent record has no version")


def _first_acceptance_succeeds(bank, customer, consent: str, rule: str) -> None:
    """GEN-8: a refused answer recorded nothing, so a first real acceptance succeeds (409 would betray it)."""
    exchange = bank.accept_consent(customer, consent)
    if exchange.status == 409:
        raise NonConformance(rule, "a refused consent answer left a consent behind", received=exchange.describe(),
                             expected="the first acceptance to succeed")
    expect_success(exchange, rule, f"accepting the {consent} consent after a refused answer")


@then("the consent is recorded as accepted")
def consent_accepted(outcome, scenario_rules, advisories):
    """CON-1 and CON-2: success with status ACCEPTED; SHOULD: consentType, id and version."""
    _recorded_as_accepted(outcome, pick_rule(scenario_rules, "CON-1", "CON-2"), advisories)


@then(step("the consent is recorded as accepted, or refused leaving {name:Persona} free to accept it herself"))
def admin_consent_outcome(bank, cast, name, outcome, advisories):
    """CON-1 (admin MAY): accepted as ACCEPTED, or refused with no effect (GEN-8)."""
    if outcome.ok:
        _recorded_as_accepted(outcome, "CON-1", advisories)
    else:
        _first_acceptance_succeeds(bank, cast[name], outcome.path.rsplit("/", 1)[-1], "GEN-8")


@then("the consent answer is refused as invalid input")
def consent_refused(outcome):
    """CON-3: a missing or false ``accepted`` gets V."""
    expect_refused(outcome, V, "CON-3", "a consent answer that is not an acceptance")


@then("the unversioned acceptance should be refused as invalid input")
def unversioned_should_be_refused(outcome, advisories):
    """CON-3 (SHOULD): a missing version gets V."""
    advise_unless(outcome.status in V, advisories, "CON-3",
                  f"an acceptance without a version got {outcome.status}, not 400 or 422")


@then("the unknown consent is refused")
def unknown_consent_refused(outcome):
    """CON-4: any other consent segment gets 400 or 404."""
    expect_refused(outcome, {400, 404}, "CON-4", "accepting a consent type that does not exist")


@then(step("{name:Persona} can still accept the {consent:Consent} consent herself"))
def still_acceptable(bank, cast, name, consent, scenario_rules):
    """GEN-8 / CON-3: the refused answer recorded nothing."""
    _first_acceptance_succeeds(bank, cast[name], consent, pick_rule(scenario_rules, "CON-3", "GEN-8"))


def _same_acceptance(first, again, rule: str) -> None:
    """CON-5 / SM-2: a repeated acceptance gets 409, or success with the same record, still ACCEPTED."""
    if again.status == 409:
        return
    expect_success(again, rule, "accepting a consent again")
    before, after = record_id(first), record_id(again)
    if before and after and before != after:
        raise NonConformance(rule, "accepting again replaced the consent record",
                             received=f"record {before} → {after}", expected="the same record, or 409")


@then(step("{name:Persona}'s {consent:Consent} consent is still accepted"))
def still_accepted(bank, cast, name, consent, first_acceptance, scenario_rules):
    """SM-2 / CON-3: after a refused decline, the consent is the same ACCEPTED record."""
    _same_acceptance(first_acceptance, bank.accept_consent(cast[name], consent),
                     pick_rule(scenario_rules, "CON-3", "SM-2"))


@then("the existing acceptance stands")
def existing_acceptance_stands(first_acceptance, outcome):
    """CON-5 (MAY, variants listed): success with the same record still ACCEPTED, or 409."""
    _same_acceptance(first_acceptance, outcome, "CON-5")
