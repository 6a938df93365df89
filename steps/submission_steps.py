"""Steps about submitting documents to a verification (phase 3: VER-1, VER-3, VER-10, SM-4, GEN-8)."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from pytest_bdd import then, when

from finhub_conformance import bodies
from finhub_conformance.checks import V, expect_refused, expect_success
from finhub_conformance.errors import NonConformance

from .kyc_support import SUBMITTED_STATUSES, Attempt, advise_unless, verification_state
from .parameter_types import step
from .support import pick_rule


def _passport(verification_type: str = "IDENTITY", document_type: str = "PASSPORT") -> dict:
    return bodies.verification_body(f"P{secrets.token_hex(5).upper()}", document_type, verification_type)


def _submit(bank, customer, body=None, caller=None) -> Attempt:
    before = verification_state(bank, customer) if customer.verification_id else None
    return Attempt(bank.submit(customer, body, caller), customer.verification_id, before)


@when(step("{name:Persona} submits her passport"), target_fixture="submission")
@when(step("{name:Persona} submits her passport without opening a verification"), target_fixture="submission")
def submits_passport(bank, cast, name):
    """E6 with a valid passport (VER-1, VER-3; VER-10 when nothing was opened)."""
    return _submit(bank, cast[name])


@when(step("{name:Persona} submits her passport for a {kind} verification"), target_fixture="submission")
def submits_for_kind(bank, cast, name, kind):
    """E6 with each verificationType (VER-3)."""
    return _submit(bank, cast[name], _passport(verification_type=kind))


@when(step("{name:Persona} submits a document of type {document}"), target_fixture="submission")
def submits_document_type(bank, cast, name, document):
    """E6 with another documentType (VER-3: SHOULD be accepted)."""
    return _submit(bank, cast[name], _passport(document_type=document))


@when(step("{name:Persona} submits a document of an unknown type"), target_fixture="submission")
def submits_unknown_type(bank, cast, name):
    """E6 with a documentType outside the enum (VER-3: V)."""
    return _submit(bank, cast[name], _passport(document_type="LIBRARY_CARD"))


@when(step("{name:Persona} submits a passport without its number"), target_fixture="submission")
def submits_without_number(bank, cast, name):
    """E6 without documentNumber (VER-3: V)."""
    body = _passport()
    del body["verificationData"]["documentNumber"]
    return _submit(bank, cast[name], body)


@when(step("{name:Persona} submits a passport that has expired"), target_fixture="submission")
def submits_expired(bank, cast, name):
    """E6 with an expiryDate in the past (VER-3: SHOULD get V)."""
    body = _passport()
    body["verificationData"].update(issueDate=(date.today() - timedelta(days=3700)).isoformat(),
                                    expiryDate=(date.today() - timedelta(days=30)).isoformat())
    return _submit(bank, cast[name], body)


@when(step("the tenant admin submits a passport on {name:Persona}'s behalf"), target_fixture="submission")
def admin_submits(bank, cast, name):
    """E6 with the tenant admin's token (VER-1: MAY be accepted)."""
    return _submit(bank, cast[name], caller=bank.admin(cast[name].tenant))


@then("the submission is accepted")
def submission_accepted(submission, scenario_rules):
    """VER-1 / VER-3: a valid submission by the customer succeeds."""
    expect_success(submission.exchange, pick_rule(scenario_rules, "VER-3", "VER-1"), "submitting a passport")


@then("the document should be accepted")
def document_should_be_accepted(submission, advisories):
    """VER-3 (SHOULD): ID_CARD, GOVERNMENT_ID, NATIONAL_ID and DRIVERS_LICENSE are accepted."""
    document = submission.exchange.request_body["verificationData"]["documentType"]
    advise_unless(submission.exchange.ok, advisories, "VER-3",
                  f"documentType {document} is refused ({submission.exchange.status})")


@then("the submission is refused as invalid input")
def submission_invalid(submission):
    """VER-3: an unknown documentType or a missing documentNumber gets V."""
    expect_refused(submission.exchange, V, "VER-3", "an invalid document submission")


@then("the expired document should be refused as invalid input")
def expired_should_be_refused(submission, advisories):
    """VER-3 (SHOULD): an expiryDate in the past gets V."""
    advise_unless(submission.exchange.status in V, advisories, "VER-3",
                  f"an expired document got {submission.exchange.status}, not 400 or 422")


@then(step("{name:Persona}'s verification awaits a decision or is already approved"))
def awaits_decision(bank, cast, name, advisories):
    """SM-4 after submit: non-terminal, or APPROVED under VER-9; SHOULD: a documented name."""
    state = verification_state(bank, cast[name])
    if state in (None, "REJECTED"):
        raise NonConformance("SM-4", "a submitted verification is in a status SM-4 does not allow",
                             received=f"status {state}", expected="non-terminal, or APPROVED (VER-9)")
    advise_unless(state in SUBMITTED_STATUSES | {"APPROVED"}, advisories, "SM-4",
                  f"status after submit is {state}, not a documented name")


@then(step("{name:Persona}'s passport opens a verification implicitly or is refused as premature"))
def submitted_without_opening(bank, cast, name, submission):
    """VER-10 (MAY): implicit initiation (success), or 404, 409 or 422 leaving nothing behind (GEN-8)."""
    exchange = submission.exchange
    if exchange.ok:
        return  # SM-4 on the status is enforced by the E6 payload schema
    expect_refused(exchange, {404, 409, 422}, "VER-10", "submitting without opening a verification")
    if not bank.initiate(cast[name]).ok:
        raise NonConformance("GEN-8", "a refused submission left a verification behind",
                             received="the customer can no longer open a verification", expected="no effect")


@then(step("the passport is accepted for {name:Persona} or the attempt leaves nothing behind"))
def admin_submission_outcome(bank, cast, name, submission):
    """VER-1 (MAY): the admin's E6 submits for Alice (SM-4 after submit), or is refused with no effect."""
    state = verification_state(bank, cast[name])
    if submission.exchange.ok:
        if state == "REJECTED":
            raise NonConformance("SM-4", "a submission left the verification REJECTED", received=f"status {state}",
                                 expected="non-terminal, or APPROVED (VER-9)")
    elif state != submission.status_before:
        raise NonConformance("GEN-8", "a refused submission changed the verification",
                             received=f"{submission.status_before} → {state}", expected="unchanged")
