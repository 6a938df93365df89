"""Steps about customer sessions (phase 2: SES)."""

from __future__ import annotations

import pytest
from pytest_bdd import given, then, when

from finhub_conformance import bodies
from finhub_conformance.checks import Advisory, expect_refused, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.exchange import Exchange

from .identity_support import (ABSENT_S9, claim_problems, jwt_parts, refresh, session_still_open,
                               wrong_secret)
from .parameter_types import step
from .support import persona, pick_rule


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


@then(step("{name:Persona} receives a signed session token and a session id"))
def receives_token(outcome: Exchange, advisories, name):
    """SES-1: a compact JWS with a JSON payload, ``alg`` not ``none``, and a sessionId."""
    expect_success(outcome, "SES-2", f"{name} logging in before verification")
    token, session_id = outcome.get("token"), outcome.get("sessionId")
    if not isinstance(token, str) or not session_id:
        raise NonConformance("SES-1", "the log-in yields no token or no sessionId", received=outcome.describe(),
                             expected="token (JWT) and sessionId")
    try:
        header, claims = jwt_parts(token)
    except ValueError as exc:
        raise NonConformance("SES-1", "the token is not a compact JWS with JSON header and payload",
                             received=str(exc), expected="three base64url segments of JSON") from None
    if str(header.get("alg", "none")).lower() == "none":
        raise NonConformance("SES-1", "the token is unsigned", received=f"alg {header.get('alg')!r}",
                             expected="an alg other than none")
    for problem in claim_problems(claims):
        advisories.append(Advisory("SES-1", problem))


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
def can_still_log_in(bank, cast, name, scenario_rules):
    """REG-5 / TEN-3 / GEN-8: the refused (or other tenant's) request left the customer unchanged."""
    expect_success(bank.log_in(cast[name]), pick_rule(scenario_rules, "REG-5", "TEN-3", "GEN-8"),
                   f"{name} logging in afterwards")


@when(step("{name:Persona} refreshes her session"), target_fixture="refreshed")
def refreshes(bank, cast, name):
    """SES-9: S9 with the session's refresh token; a 404, 405 or 501 means S9 is absent (skip)."""
    exchange = refresh(bank, cast[name])
    if exchange.status in ABSENT_S9:
        pytest.skip(f"session refresh (S9) is absent: {exchange.describe()} (SES-9, §7.3)")
    return exchange


@when(step("{name:Persona} refreshes her session with a refresh token that is not hers"),
      target_fixture="refreshed")
def refreshes_wrongly(bank, cast, name):
    """SES-9: S9 with a refresh token the deployment never issued."""
    return refresh(bank, cast[name], refresh_token=wrong_secret())


@then(step("{name:Persona}'s refreshed token opens her session"))
def refreshed_token_works(bank, cast, refreshed, name):
    """SES-9 (S9 MUST when implemented): a token is returned, and it works."""
    expect_success(refreshed, "SES-9", f"refreshing {name}'s session")
    token = refreshed.get("token")
    if not isinstance(token, str) or not token:
        raise NonConformance("SES-9", "a refresh returns no token", received=refreshed.describe(),
                             expected="token")
    bank.redactor.add_token(token)
    bank.redactor.add_token(refreshed.get("refreshToken"))
    expect_success(session_still_open(bank, cast[name], token), "SES-9",
                   f"using {name}'s refreshed token")


@then(step("{name:Persona}'s refresh is refused as unauthenticated"))
def wrong_refresh_refused(bank, cast, refreshed, name):
    """SES-9: a wrong refresh token gets 401 (unless a valid call shows that S9 is absent)."""
    if refreshed.status in ABSENT_S9 and refresh(bank, cast[name]).status in ABSENT_S9:
        pytest.skip("session refresh (S9) is absent (SES-9, §7.3)")
    expect_refused(refreshed, {401}, "SES-9", "a refresh with a wrong refresh token")


@then(step("{name:Persona}'s ended session can no longer be refreshed"))
def ended_refresh_refused(bank, cast, name):
    """SES-9: after E4 a refresh gets 401 or 404 (405 or 501: S9 absent, skip)."""
    exchange = refresh(bank, cast[name])
    if exchange.status in ABSENT_S9 - {404}:
        pytest.skip(f"session refresh (S9) is absent: {exchange.describe()} (SES-9, §7.3)")
    expect_refused(exchange, {401, 404}, "SES-9", "refreshing a session that was ended")
