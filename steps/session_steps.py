"""Steps about customer sessions (phase 2: SES)."""

from __future__ import annotations

import base64
import json

from pytest_bdd import given, then, when

from finhub_conformance import bodies
from finhub_conformance.checks import Advisory, expect_refused, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.exchange import Exchange

from .parameter_types import step
from .support import persona


@given(step("{name:Persona} is logged in"))
def logged_in(bank, cast, name):
    """An open session for an already registered persona."""
    bank.log_in_ok(cast[name])


@given(step("{name:Persona} is a logged-in customer"))
def logged_in_customer(bank, cast, name):
    """A persona registered and logged in."""
    customer = persona(bank, cast, name)
    bank.register_ok(customer)
    bank.log_in_ok(customer)


@when(step("{name:Persona} logs in with her password"), target_fixture="outcome")
def logs_in(bank, cast, name):
    """E3 with the right credentials."""
    return bank.log_in(cast[name])


@when(step("{name:Persona} logs in with a wrong password"), target_fixture="outcome")
def logs_in_wrongly(bank, cast, name):
    """E3 with a wrong password."""
    return bank.log_in(cast[name], password=cast[name].password + "x")


@when(step("{name:Persona} logs out"), target_fixture="ended_session")
def logs_out(bank, cast, name):
    """E4 on the persona's own session; the ended caller is kept for the checks."""
    customer = cast[name]
    ended = customer.caller
    expect_success(bank.log_out(customer), "SES-6", f"{name} logging out")
    return ended


def _jwt_header_and_claims(token: str) -> tuple[dict, dict]:
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("not three segments")
    decode = lambda s: json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))  # noqa: E731
    return decode(parts[0]), decode(parts[1])


@then(step("{name:Persona} receives a signed session token and a session id"))
def receives_token(outcome: Exchange, advisories, name):
    """SES-1: a compact JWS with a JSON payload, ``alg`` not ``none``, and a sessionId."""
    expect_success(outcome, "SES-2", f"{name} logging in before verification")
    token, session_id = outcome.get("token"), outcome.get("sessionId")
    if not isinstance(token, str) or not session_id:
        raise NonConformance("SES-1", "the log-in yields no token or no sessionId", received=outcome.describe(),
                             expected="token (JWT) and sessionId")
    try:
        header, claims = _jwt_header_and_claims(token)
    except ValueError as exc:
        raise NonConformance("SES-1", "the token is not a compact JWS with JSON header and payload",
                             received=str(exc), expected="three base64url segments of JSON") from None
    if str(header.get("alg", "none")).lower() == "none":
        raise NonConformance("SES-1", "the token is unsigned", received=f"alg {header.get('alg')!r}",
                             expected="an alg other than none")
    missing = [c for c in ("tenantId", "customerId", "userId", "exp") if c not in claims]
    if missing:
        advisories.append(Advisory("SES-1", f"the token lacks the claims {', '.join(missing)}"))


@then("the log-in is refused as unauthenticated")
def login_refused(outcome: Exchange):
    """SES-3: 401 and no token."""
    expect_refused(outcome, {401}, "SES-3", "a log-in with a wrong password")
    if outcome.get("token"):
        raise NonConformance("SES-3", "a refused log-in still carries a token", received=outcome.describe())


@then(step("{name:Persona}'s ended session is refused as unauthenticated on every endpoint she could use"))
def ended_session_refused(bank, cast, name, ended_session):
    """SES-6: 401 on every authenticated endpoint the customer uses."""
    customer = cast[name]
    client = bank.client
    attempts = [
        client.initiate_verification(ended_session, customer.customer_id),
        client.accept_consent(ended_session, customer.customer_id, "terms", bodies.consent_body()),
        client.log_out(ended_session, customer.customer_id, customer.user_id, ended_session.session_id),
    ]
    if customer.account_id:
        attempts += [client.get_balance(ended_session, customer.account_id),
                     client.get_allowed_operations(ended_session, customer.account_id)]
    for attempt in attempts:
        expect_refused(attempt, {401}, "SES-6", f"{attempt.operation} with the ended session's token")


@then(step("{name:Persona} can still log in"))
def can_still_log_in(bank, cast, name):
    """REG-5 / GEN-8: the refused duplicate left the first customer unchanged."""
    expect_success(bank.log_in(cast[name]), "REG-5", f"{name} logging in after a refused duplicate")
