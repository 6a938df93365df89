"""Steps about opening a verification, and the personas at each stage of it (phase 3: VER-1, VER-2, VER-8, SM-4).

Submitting documents is in ``submission_steps``; deciding in ``decision_steps``.
"""

from __future__ import annotations

import pytest
from pytest_bdd import given, then, when

from finhub_conformance.checks import B, expect_refused, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.journey import status_of

from .kyc_support import OPEN_STATUSES, Attempt, advise_unless, verification_state
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
