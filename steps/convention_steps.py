"""Steps about the shared API conventions (GEN-1 to GEN-3, GEN-7, GEN-9, GEN-10, SM-1)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pytest_bdd import given, then, when

from finhub_conformance import bodies, probes
from finhub_conformance.checks import Advisory, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.iban import german_iban

from .parameter_types import step
from .support import persona, pick_rule, skipped_without_funding

_SKEW = timedelta(seconds=60)
_HEADERS = {"the tenant identifier": "X-Tenant-ID", "the forwarding origin": "X-Forwarded-From",
            "the device identifier": "deviceId"}
_STYLES = {"a JSON content type that names its charset": "charset", "header names in lower case": "lower"}


def _now() -> datetime:
    return datetime.now(timezone.utc)


@when("Alice and the tenant admin read everything the profile lets them read", target_fixture="probe")
def read_everything(bank, cast):
    """GEN-1: E1, E3, E7, S5, E12, E13 and S6, each by its canonical caller, at its documented path."""
    alice = cast["Alice"]
    callers = {role: probes.caller_for(bank, alice, role) for role in ("admin", "cust", "none")}
    return probes.Probe(probes.as_callers(bank, alice, ("E1", "E3", "E7", "S5", "E12", "E13", "S6"), callers))


@then("every read succeeds at its documented address")
def reads_succeed(probe):
    """GEN-1: each answers with success (an absent optional endpoint aside)."""
    failed = [ex.describe() for ep, ex in probe.attempts if not ex.ok and not (ep.optional and ex.status in probes.ABSENT)]
    if failed:
        raise NonConformance("GEN-1", "an endpoint is not served at its documented method and path",
                             received="; ".join(failed), expected="a 2xx for a legitimate call")


@when(step("{name:Persona} is registered, logs in and accepts her terms with {style}"), target_fixture="probe")
def first_steps_styled(bank, cast, name, style):
    """GEN-2: E2, E3 and E8 with the standard headers written another way (or GEN-7's unknown fields)."""
    customer = cast[name]
    if style == "unknown fields in every request":
        return probes.Probe(probes.first_steps(bank, customer, unknown_fields=True))
    return probes.Probe(probes.first_steps(bank, customer, style=_STYLES[style]))


@then("each of those steps succeeds")
def each_step_succeeds(probe, scenario_rules):
    """GEN-2 / GEN-7: every request of the sequence is accepted."""
    for exchange in probe.exchanges:
        expect_success(exchange, pick_rule(scenario_rules, "GEN-2", "GEN-7"), exchange.operation)


@when(step("{name:Persona} uses her wallet without sending {header}"), target_fixture="probe")
def wallet_without_header(bank, cast, name, header):
    """GEN-3: E12 and E14 without one standard header; a 5xx here breaks GEN-3."""
    customer, iban = cast[name], german_iban()
    with probes.reported_as("GEN-3"):
        attempts = [probes.send(bank, probes.endpoint(code), customer, customer.caller, body=body,
                                drop_headers=(_HEADERS[header],))
                    for code, body in (("E12", None), ("E14", bodies.beneficiary_body(iban)))]
    return probes.Probe(attempts, iban)


@then("every answer is a client error or a success, never a server error")
def no_server_error_for_missing_header(probe, advisories):
    """GEN-3: never a 5xx; SHOULD: 400 with data.error MISSING_HEADERS."""
    for exchange in probe.exchanges:
        if exchange.status >= 500:
            raise NonConformance("GEN-3", "a missing header caused a server error", received=exchange.describe(),
                                 expected="a 4xx (or a success when the header is not required)")
        if 400 <= exchange.status < 500 and (exchange.status != 400 or exchange.error_code() != "MISSING_HEADERS"):
            advisories.append(Advisory("GEN-3", f"{exchange.describe()}: a missing header SHOULD get 400 "
                                                "MISSING_HEADERS with data.missingHeaders"))


@when(step("{name:Persona} accepts the bank's terms"), target_fixture="probe")
def accepts_terms(bank, cast, name):
    """E8, noting when it was sent (GEN-9)."""
    started = _now()
    return probes.Probe([bank.accept_consent(cast[name], "terms")], started=started)


def _timestamp(value, what: str) -> datetime:
    moment = probes.parse_timestamp(value)
    if moment is None:
        raise NonConformance("GEN-9", f"{what} is not an ISO-8601 timestamp", received=repr(value),
                             expected="e.g. 2025-01-31T12:00:00.000Z")
    return moment


@then("the moment of her consent, where given, is an ISO-8601 timestamp close to now")
def consent_moment(probe):
    """GEN-9: grantedAt (if present) is ISO-8601 and within ±60 s of the request."""
    consent = expect_success(probe.exchanges[0], "CON-1", "accepting the terms")
    value = consent.get("grantedAt", "acceptedAt")
    if value is None:
        return
    moment = _timestamp(value, "grantedAt")
    if not probe.started - _SKEW <= moment <= _now() + _SKEW:
        raise NonConformance("GEN-9", "grantedAt is not the moment of the consent", received=str(value),
                             expected=f"within 60 s of {probe.started.isoformat()}")


def _non_empty_strings(pairs) -> None:
    bad = [f"{what}={value!r}" for what, value in pairs if value is not None and not (isinstance(value, str) and value)]
    if bad:
        raise NonConformance("GEN-10", "an identifier is not a non-empty string", received=", ".join(bad),
                             expected="non-empty strings of any format")


@then(step("every identifier {name:Persona} was given is a non-empty string"))
def ids_are_strings(cast, name, probe):
    """GEN-10: the registration's ids and the consent's ids are non-empty strings."""
    registration, consent = cast[name].registration, probe.exchanges[0]
    _non_empty_strings([("customer id", registration.get("id", "customerId")),
                        ("user id", registration.get("user.id", "userId")),
                        ("consent id", consent.get("id", "consentId")), ("consent customerId", consent.get("customerId"))])


@given(step("{name:Persona} is an active customer with money and a payee she may pay"))
def ready_to_pay(bank, cast, name):
    """Active, funded, with a beneficiary and a payment consent (skipped without funding, FUND-2)."""
    with skipped_without_funding():
        bank.ready_to_pay(bank.onboard(persona(bank, cast, name), "active"))


@when(step("{name:Persona} prices a transfer of {amount:Money} EUR to that payee"), target_fixture="probe")
def prices_transfer(bank, cast, name, amount):
    """E15 to the persona's latest beneficiary, noting when it was sent."""
    customer, started = cast[name], _now()
    return probes.Probe([bank.prepare_transfer(customer, amount, customer.beneficiaries[-1])], started=started)


@then("the order's validity is an ISO-8601 timestamp in the future and its id a non-empty string")
def order_validity(probe):
    """GEN-9 / PAY-5 / GEN-10: validUntil is ISO-8601 and not in the past; preparedOrderId a non-empty string."""
    order = expect_success(probe.exchanges[0], "PAY-5", "preparing a transfer")
    moment = _timestamp(order.get("validUntil"), "validUntil")
    if moment < probe.started - _SKEW:
        raise NonConformance("PAY-5", "the prepared order is already invalid", received=str(order.get("validUntil")),
                             expected=f"after {probe.started.isoformat()}")
    _non_empty_strings([("preparedOrderId", order.get("preparedOrderId") or "")])


@when(step("the tenant admin tries to verify, consent for and activate {name:Persona} before she is registered"),
      target_fixture="probe")
def admin_acts_on_nobody(bank, cast, name):
    """SM-1: E5, E6, E8-E10 and E11 for a customer id that was never registered."""
    admin = bank.admin()
    return probes.Probe(probes.as_callers(bank, cast[name], ("E5", "E6", "E8-E10", "E11"),
                                          {"admin": admin, "cust": admin}))
