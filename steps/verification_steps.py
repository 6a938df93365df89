"""Steps about opening and submitting a verification (phase 3: VER-1 to VER-3, VER-8, VER-10, SM-4)."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

import pytest
from pytest_bdd import given, then, when

from finhub_conformance import bodies
from finhub_conformance.checks import B, V, expect_refused, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.journey import status_of

from .kyc_support import OPEN_STATUSES, SUBMITTED_STATUSES, Attempt, advise_unless, verification_state
from .parameter_types import step
from .support import high_risk_persona, persona, pick_rule


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


@given(step("{name:Persona} is a logged-in customer who has opened a verification"))
def opened_verification(bank, cast, name):
    """Registered, logged in, and a verification initiated (E5) but nothing submitted yet."""
    customer = bank.onboard(persona(bank, cast, name), "logged in")
    expect_success(bank.initiate(customer), "VER-1", f"{name} opening a verification")


@given(step("{name:Persona} is a verified customer"))
def verified_customer(bank, cast, name):
    """Registered, logged in, and approved at the level the risk needs."""
    bank.onboard(persona(bank, cast, name), "verified")


@given(step("{name:Persona}'s verification has been approved"))
def verification_approved_already(bank, cast, name):
    """A logged-in persona's passport submitted and approved at the level her risk needs."""
    bank.approve_ok(bank.submit_documents_ok(cast[name]))


def _open(bank, customer, caller=None) -> Attempt:
    """E5 without disturbing the verification id the suite already knows (VER-8 read-backs use it)."""
    known = customer.verification_id
    before = verification_state(bank, customer) if known else None
    exchange = bank.client.initiate_verification(caller or customer.caller, customer.customer_id)
    if exchange.ok and not known:
        customer.verification_id = str(exchange.get("verificationId", "id") or "") or None
    return Attempt(exchange, known, before)


@when(step("{name:Persona} opens an identity verification"), target_fixture="opening")
@when(step("{name:Persona} opens another identity verification"), target_fixture="opening")
def opens_verification(bank, cast, name):
    """E5 with the customer's own token (VER-1, VER-2, VER-8)."""
    return _open(bank, cast[name])


@when(step("the tenant admin opens a verification on {name:Persona}'s behalf"), target_fixture="opening")
def admin_opens_verification(bank, cast, name):
    """E5 with the tenant admin's token (VER-1: MAY be accepted)."""
    return _open(bank, cast[name], bank.admin(cast[name].tenant))


@then("the verification is open and has an id of its own")
def verification_open(opening, advisories):
    """VER-1, VER-2 and SM-4: success, an id, a non-terminal status; SHOULD: requiredDocuments."""
    exchange = expect_success(opening.exchange, "VER-1", "a customer opening her own verification")
    if not exchange.get("verificationId", "id"):
        raise NonConformance("VER-2", "initiation returns no verification id", received=exchange.describe(),
                             expected="verificationId|id")
    state = status_of(exchange)
    if state in (None, "APPROVED", "REJECTED"):
        raise NonConformance("SM-4", "a verification just opened is not in a non-terminal status",
                             received=f"status {state}", expected="a non-terminal status")
    advise_unless(state in OPEN_STATUSES, advisories, "SM-4", f"status after initiate is {state}, not one of "
                  + ", ".join(sorted(OPEN_STATUSES)))
    advise_unless(isinstance(exchange.get("requiredDocuments"), list), advisories, "VER-2",
                  "initiation does not list requiredDocuments")


@then("the new verification is refused")
def reopening_refused(opening):
    """VER-8: initiating after APPROVED, or once ACTIVE, gets B."""
    expect_refused(opening.exchange, B, "VER-8", "opening a verification after approval")


@then("the open verification is returned or the new one is refused")
def open_returned_or_refused(opening):
    """VER-8: while a verification is open, E5 gets B or success with the same id."""
    exchange = opening.exchange
    if not exchange.ok:
        expect_refused(exchange, B, "VER-8", "opening a verification while one is open")
        return
    returned = exchange.get("verificationId", "id")
    if str(returned) != str(opening.verification_id):
        raise NonConformance("VER-8", "a second verification was opened while one is open",
                             received=f"new id {returned!r}", expected=f"B, or the open id {opening.verification_id!r}")


@then(step("the verification is opened for {name:Persona} or the attempt leaves nothing behind"))
def admin_opening_outcome(bank, cast, name, opening):
    """VER-1 (MAY): the admin's E5 opens Alice's verification, or is refused and GEN-8 holds."""
    customer = cast[name]
    if opening.exchange.ok:
        verification_state(bank, customer, "VER-2")
        return
    own = bank.initiate(customer)
    if not own.ok:
        raise NonConformance("GEN-8", "a refused initiation by the admin still opened a verification",
                             received=own.describe(), expected=f"{name} can open her own verification")


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


def _last_attempt(request) -> Attempt:
    """The scenario's E6 (``submission``) or E5 (``opening``) attempt."""
    for fixture in ("submission", "opening"):
        try:
            return request.getfixturevalue(fixture)
        except pytest.FixtureLookupError:
            continue
    raise LookupError("no verification attempt in this scenario")


@then(step("{name:Persona}'s verification still awaits her documents"))
def still_awaits_documents(bank, cast, name, request, scenario_rules):
    """GEN-8 / VER-8: a refused (or repeated) E5 or E6 left the open verification as it was."""
    attempt = _last_attempt(request)
    state = verification_state(bank, cast[name], verification_id=attempt.verification_id)
    if state != attempt.status_before:
        raise NonConformance(pick_rule(scenario_rules, "GEN-8", "VER-8"), "a refused call changed the verification",
                             received=f"{attempt.status_before} → {state}", expected="unchanged")


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
