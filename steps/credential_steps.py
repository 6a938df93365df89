"""Steps about wrong, foreign or missing credentials: who may register (REG-1), who may log in (SES-3 to SES-5,
SES-8), and whose token may end a session (SES-7)."""

from __future__ import annotations

import uuid

from pytest_bdd import then, when

from finhub_conformance import bodies
from finhub_conformance.checks import F, Advisory, expect_refused, expect_success
from finhub_conformance.errors import NonConformance

from .identity_support import no_token, registration_credentials, session_still_open, wrong_secret
from .parameter_types import step

#: SES-4: the statuses a log-in with another user's credentials may get (E3 error table).
FOREIGN_LOGIN = frozenset({400, 401, 403, 404})
#: SES-8: the statuses a locked account may get (E3 error table).
LOCKED = frozenset({401, 403, 423, 429})
_UNKNOWN_IDS = {"customer id": (True, False), "user id": (False, True), "customer id and user id": (True, True)}


@when(step("a caller presenting {credentials} registers {name:Persona}"), target_fixture="outcome")
def registers_without_valid_token(bank, cast, name, credentials):
    """REG-1: E2 with no token, a malformed token or a tampered one."""
    return bank.register(cast[name], caller=registration_credentials(bank, credentials))


@then("the registration is refused as unauthenticated")
def registration_unauthenticated(outcome):
    """REG-1: a missing or bad token gets 401."""
    expect_refused(outcome, {401}, "REG-1", "a registration without a valid token")


@when(step("{name:Persona} tries to register {other:Persona} himself"), target_fixture="outcome")
def customer_registers(bank, cast, name, other):
    """REG-1: E2 with a customer's token (MAY be accepted or refused)."""
    return bank.register(cast[other], caller=cast[name].caller)


@then(step("{name:Persona} ends up either properly registered or not registered at all"))
def registered_or_untouched(bank, cast, outcome, name):
    """REG-1 (MAY) / REG-6 / GEN-8: accepted with both ids, or refused leaving the email free."""
    customer = cast[name]
    if outcome.ok:
        if not customer.customer_id or not customer.user_id:
            raise NonConformance("REG-6", "an accepted registration does not identify the customer and user",
                                 received=outcome.describe(), expected="id|customerId and user.id|userId")
        return
    exchange = bank.register(customer)
    if exchange.status == 409:
        raise NonConformance("GEN-8", "a refused registration left a customer behind",
                             received=exchange.describe(), expected="the email still free")
    expect_success(exchange, "REG-1", f"the tenant admin registering {name}")


@when(step("{name:Persona} logs in with her password under an unknown {ids}"), target_fixture="outcome")
def logs_in_under_unknown_ids(bank, cast, name, ids):
    """SES-3: E3 with the right credentials at path ids that do not exist."""
    customer = cast[name]
    unknown_customer, unknown_user = _UNKNOWN_IDS[ids]
    return bank.log_in(customer, customer_id=str(uuid.uuid4()) if unknown_customer else None,
                       user_id=str(uuid.uuid4()) if unknown_user else None)


@then("the log-in is refused as unauthenticated or unknown")
def login_unknown(outcome):
    """SES-3: unknown path ids get 401 or 404, and no token."""
    expect_refused(outcome, {401, 404}, "SES-3", "a log-in at unknown path ids")
    no_token(outcome, "SES-3")


@when(step("{name:Persona} tries to log in as {other:Persona} with her own password"), target_fixture="outcome")
def logs_in_as_other(bank, cast, name, other):
    """SES-4: the persona's email and password sent to another user's path."""
    target = cast[other]
    return bank.log_in(cast[name], customer_id=target.customer_id, user_id=target.user_id)


@then("the log-in is refused and no session is opened")
def login_foreign_refused(outcome):
    """SES-4: 400, 401, 403 or 404, and no token."""
    expect_refused(outcome, FOREIGN_LOGIN, "SES-4", "a log-in with another user's credentials")
    no_token(outcome, "SES-4")


@when(step("{name:Persona} logs in with her password but a wrong tenant {part}"), target_fixture="outcome")
def logs_in_with_wrong_tenant_credentials(bank, cast, name, part):
    """SES-5: E3 with a wrong ``tenantKey`` or a wrong ``tenantSecret`` (the other one right)."""
    customer, tenant = cast[name], cast[name].tenant
    if part not in ("key", "secret"):
        raise ValueError(f"unknown tenant credential {part!r}")
    key = wrong_secret() if part == "key" else tenant.key
    secret = wrong_secret() if part == "secret" else tenant.secret
    body = bodies.customer_login_body(customer.email, customer.password, key, secret, tenant.path_id)
    return bank.client.log_in(customer.customer_id, customer.user_id, body, tenant.header_id)


@then("the log-in is refused as not coming from the tenant")
def login_bad_tenant_credentials(outcome):
    """SES-5: 401 or 403, and no token."""
    expect_refused(outcome, {401, 403}, "SES-5", "a log-in with wrong tenant credentials")
    no_token(outcome, "SES-5")


@when(step("{name:Persona}'s password is guessed wrongly as many times as the lockout threshold"),
      target_fixture="guesses")
def guessed_wrongly(bank, cast, name):
    """SES-8: FINHUB_LOCKOUT_THRESHOLD consecutive wrong passwords on a fresh, throw-away customer."""
    customer = cast[name]
    return [bank.log_in(customer, password=f"{customer.password}{n}x") for n in range(bank.settings.lockout_threshold)]


@then("none of the guesses opens a session")
def guesses_refused(guesses):
    """SES-3: a wrong password never opens a session (401 until a lockout answers, SES-8)."""
    for number, guess in enumerate(guesses, start=1):
        if guess.ok:
            raise NonConformance("SES-3", f"wrong password number {number} opened a session",
                                 received=guess.describe(), expected="401 (or a lockout status) and no token")
        expect_refused(guess, {401} if number == 1 else LOCKED, "SES-3", f"wrong password number {number}")
        no_token(guess, "SES-3")


@then(step("even {name:Persona}'s right password is refused for a while"))
def locked_out(bank, cast, advisories, name):
    """SES-8 (SHOULD): after the threshold even the correct password is refused; otherwise an advisory."""
    exchange = bank.log_in(cast[name])
    threshold = bank.settings.lockout_threshold
    if exchange.ok:
        advisories.append(Advisory("SES-8", f"the account is not locked after {threshold} wrong passwords"))
    elif exchange.status not in LOCKED:
        advisories.append(Advisory("SES-8", f"a locked account answers {exchange.status}, not 401, 403, 423 or 429"))
    elif exchange.error_code() != "ACCOUNT_LOCKED":
        advisories.append(Advisory("SES-8", f"a locked account's answer lacks data.error ACCOUNT_LOCKED "
                                            f"({exchange.describe()})"))


@when(step("{name:Persona} tries to end {other:Persona}'s session"), target_fixture="attempts")
def ends_foreign_session(bank, cast, name, other):
    """SES-7: E4 with one customer's token on another's session, by her path and under his own."""
    intruder, owner = cast[name], cast[other]
    return [(f"{name} ending {other}'s session", bank.log_out(owner, caller=intruder.caller)),
            (f"{name} ending {other}'s session under his own ids",
             bank.client.log_out(intruder.caller, intruder.customer_id, intruder.user_id, owner.session_id))]


@then("every such attempt is refused as concerning a session that is not his")
def foreign_logout_refused(attempts):
    """SES-7: another customer's token gets F."""
    for what, exchange in attempts:
        expect_refused(exchange, F, "SES-7", what)


@then(step("{name:Persona}'s session is still open"))
def session_open(bank, cast, name):
    """SES-7: the session survived the foreign attempt (ending it herself succeeds)."""
    expect_success(session_still_open(bank, cast[name]), "SES-7", f"{name} ending her own session afterwards")
