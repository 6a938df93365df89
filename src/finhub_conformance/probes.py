"""Probes for the isolation, security and convention scenarios (TEN, SEC, GEN).

* Forged tokens built from a real one (SEC-3): missing, malformed, tampered and ``alg:none``.
* The table of authenticated endpoints (E1, E2, E4-E16, S2, S3, S5-S8) as client calls aimed at one
  customer's real ids, so that a refusal can only come from the credentials or the input.
* Hostile inputs for every POST endpoint (SEC-2): malformed JSON, non-object bodies, wrong types,
  10,000-character strings, a 1 MiB body, a wrong ``Content-Type``, extreme amounts, hostile headers and
  unknown or non-UUID path ids.

A driver module: it knows HTTP and the profile, never pytest.
"""

from __future__ import annotations

import base64
import json
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable, Iterator
from urllib.parse import quote

from . import bodies
from .errors import NonConformance
from .exchange import Caller, Exchange
from .iban import german_iban
from .journey import Bank, Customer
from .timestamps import parse_timestamp

__all__ = ["ABSENT", "FORGERIES", "HOSTILE_INPUTS", "Endpoint", "ENDPOINTS", "AUTHENTICATED", "Attempt", "forge",
           "ids_of", "send", "endpoint", "e1_is_public", "with_forged_tokens", "as_callers", "outside", "wallet_snapshot", "Probe", "hostile_calls", "provoke_errors", "first_steps",
           "caller_for", "hostile_variants", "foreign_ids", "reported_as", "parse_timestamp", "MEBIBYTE"]

#: An optional endpoint answering one of these for a known resource is absent (S3, S5, S8, S9).
ABSENT = frozenset({404, 405, 501})
MEBIBYTE = 1024 * 1024
_JSON = "application/json"

Body = Callable[[Bank, Customer, dict], dict]


# ---------------------------------------------------------------------------- forged tokens (SEC-3)

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _tampered(token: str) -> str:
    """Flip one character in the middle of the signature (the last one may only carry padding bits)."""
    head, _, signature = token.rpartition(".")
    if not signature:
        return token + "x"
    i = len(signature) // 2
    flipped = "B" if signature[i] != "B" else "C"
    return f"{head}.{signature[:i]}{flipped}{signature[i + 1:]}"


def _unsigned(token: str) -> str:
    """The same payload under the header ``{"alg":"none"}`` and an empty signature."""
    parts = token.split(".")
    payload = parts[1] if len(parts) == 3 else _b64(b"{}")
    return f"{_b64(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{payload}."


#: How each kind of bad token is made from a real one; ``None`` means no Authorization header.
FORGERIES: dict[str, Callable[[str], str | None]] = {
    "no token": lambda token: None,
    "a malformed token": lambda token: "x",
    "a token with a tampered signature": _tampered,
    "an unsigned token": _unsigned,
}


def forge(kind: str, caller: Caller) -> Caller:
    """``caller`` presenting the ``kind`` of bad token derived from its real token."""
    return caller.with_token(FORGERIES[kind](caller.token or ""))


# ---------------------------------------------------------------------------- the endpoint table

@dataclass(frozen=True)
class Endpoint:
    """One endpoint as a call aimed at a customer's ids; ``role`` says whose token it canonically takes."""

    operation: str
    method: str
    path: str
    role: str  # "admin", "cust" or "none"
    body: Body | None = None
    schema: str | None = None
    optional: bool = False
    amount_key: str | None = None

    @property
    def code(self) -> str:
        """``E5``, ``S8`` …"""
        return self.operation.split()[0]


def _registration(bank: Bank, customer: Customer, ids: dict) -> dict:
    return bank.registration_body(bank.new_customer("Eve", tenant=customer.tenant))


def _login(bank: Bank, customer: Customer, ids: dict) -> dict:
    t = customer.tenant
    return bodies.customer_login_body(customer.email, customer.password, t.key, t.secret, t.path_id)


def _admin_login(bank: Bank, customer: Customer, ids: dict) -> dict:
    t = customer.tenant
    return bodies.admin_login_body(f"nobody.{bank.run_id}", "Not-The-Passw0rd!", t.key, t.secret)


def _decision(bank: Bank, customer: Customer, ids: dict) -> dict:
    admin = customer.tenant.admin
    return bodies.decision_body(ids["verification"], ids["customer"], admin.user_id, admin.username)


def _activation(bank: Bank, customer: Customer, ids: dict) -> dict:
    return bodies.activation_body(ids["user"], customer.tenant.admin.user_id)


def _transfer(bank: Bank, customer: Customer, ids: dict) -> dict:
    return bodies.transfer_body(ids["account"], Decimal("1.00"), beneficiary_id=ids["beneficiary"],
                                iban=german_iban(), consent_id=customer.consent_id)


def _payment_consent(bank: Bank, customer: Customer, ids: dict) -> dict:
    return bodies.payment_consent_body(ids["beneficiary"], Decimal("10.00"))


def _topup(bank: Bank, customer: Customer, ids: dict) -> dict:
    return bodies.topup_body(ids["account"], Decimal("1.00"), german_iban())


_C = "/customer/individual/{customer}"
_F = "/fintrans/{account}"

#: Every endpoint of §5 and §6 the suite calls, in phase order. S9 (a PUT, refresh-token auth) is left out.
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("S1 admin log-in", "POST", "/admin/organization/{org}/users/{admin}/sessions", "none",
             _admin_login, "admin_session"),
    Endpoint("E1 hierarchy", "GET", "/customer/individual/categorization/hierarchy/{tenant}", "admin",
             schema="category_hierarchy"),
    Endpoint("E2 register", "POST", "/customer/individual/registration", "admin", _registration, "registration"),
    Endpoint("E3 log in", "POST", _C + "/users/{user}/sessions", "none", _login, "customer_session"),
    Endpoint("E5 initiate verification", "POST", _C + "/verification/initiate", "cust",
             lambda b, c, i: {}, "verification_initiate"),
    Endpoint("E6 submit verification", "POST", _C + "/verification", "cust",
             lambda b, c, i: bodies.verification_body(f"P{uuid.uuid4().hex[:9].upper()}"), "verification_submit"),
    Endpoint("E7 verification status", "GET", "/verifications/{verification}", "cust", schema="verification"),
    Endpoint("S2 decide verification", "POST", "/verifications/{verification}/approve", "admin", _decision,
             "verification_decision"),
    Endpoint("S3 reject verification", "POST", "/verifications/{verification}/reject", "admin",
             lambda b, c, i: bodies.rejection_body(), "verification_decision", optional=True),
    *(Endpoint(f"E8-E10 consent {segment}", "POST", _C + f"/consents/{segment}", "cust",
               lambda b, c, i: bodies.consent_body(), "consent") for segment in ("terms", "privacy", "data-processing")),
    Endpoint("S5 activation check", "GET", _C + "/owner/{tenant}/activation/check", "admin",
             schema="activation_check", optional=True),
    Endpoint("E11 activate", "POST", _C + "/activation", "admin", _activation, "activation"),
    Endpoint("E12 balance", "GET", _F + "/balance", "cust", schema="balance"),
    Endpoint("E13 allowed operations", "GET", _F + "/allowed-operations", "cust", schema="allowed_operations"),
    Endpoint("E14 add beneficiary", "POST", _F + "/beneficiaries", "cust",
             lambda b, c, i: bodies.beneficiary_body(german_iban()), "beneficiary"),
    Endpoint("S6 list beneficiaries", "GET", _F + "/beneficiaries", "cust", schema="beneficiary_list"),
    Endpoint("S7 payment consent", "POST", _F + "/payment-consents/types/TRANSFER", "cust", _payment_consent,
             "payment_consent", amount_key="maxAmount"),
    Endpoint("E15 prepare transfer", "POST", _F + "/types/transfer/prepare", "cust", _transfer,
             "transfer_prepare", amount_key="amount"),
    Endpoint("E16 execute transfer", "POST", _F + "/types/transfer/execute", "cust",
             lambda b, c, i: bodies.execute_body(i["order"], consent_id=c.consent_id), "transfer_execute"),
    Endpoint("S8 prepare top-up", "POST", _F + "/types/topup/prepare", "cust", _topup, "topup_prepare",
             optional=True, amount_key="amount"),
    Endpoint("S8 execute top-up", "POST", _F + "/types/topup/execute", "cust",
             lambda b, c, i: bodies.execute_body(i["order"]), "topup_execute", optional=True),
    Endpoint("E4 log out", "DELETE", _C + "/users/{user}/sessions/{session}", "cust", schema="logout"),
)

#: SEC-3's scope: every endpoint but E3, S1 and S9 (E1 is dropped at run time when it is public).
AUTHENTICATED = tuple(e for e in ENDPOINTS if e.role != "none")


def endpoint(code: str) -> Endpoint:
    """The first endpoint of the table whose operation starts with ``code`` (``E12``, ``E8-E10``)."""
    return next(e for e in ENDPOINTS if e.code == code)


def _fresh() -> str:
    return str(uuid.uuid4())


def ids_of(customer: Customer) -> dict[str, str]:
    """The path and body ids of ``customer``; what it lacks (no verification yet …) is a fresh unknown id."""
    beneficiary = customer.beneficiaries[-1].beneficiary_id if customer.beneficiaries else None
    admin = customer.tenant.admin
    return {"customer": customer.customer_id or _fresh(), "user": customer.user_id or _fresh(),
            "session": customer.session_id or _fresh(), "verification": customer.verification_id or _fresh(),
            "account": customer.account_id or _fresh(), "tenant": customer.tenant.path_id,
            "beneficiary": beneficiary or _fresh(), "order": _fresh(),
            "org": admin.org_id, "admin": admin.user_id}


#: Path ids that are not UUIDs: odd characters, traversal, injection and a very long one.
_ODD_IDS = ("not-a-uuid", "../../etc/passwd", "1' OR '1'='1", "%00", "x" * 1000)


def foreign_ids(ids: dict[str, str], kind: str) -> dict[str, str]:
    """``ids`` with every resource id replaced: ``unknown`` (fresh UUIDs) or ``odd`` (not UUIDs at all)."""
    keep = {"tenant", "org", "admin"}
    odd = iter(_ODD_IDS * 3)
    return {k: (v if k in keep else (_fresh() if kind == "unknown" else next(odd))) for k, v in ids.items()}


def caller_for(bank: Bank, customer: Customer, role: str) -> Caller:
    """The canonical caller of an endpoint for ``customer``: its tenant admin, the customer, or nobody."""
    if role == "admin":
        return bank.admin(customer.tenant)
    if role == "cust":
        return customer.caller
    return Caller("anonymous", None, customer.tenant.header_id)


def send(bank: Bank, ep: Endpoint, customer: Customer, caller: Caller, ids: dict[str, str] | None = None, *,
         body: Any = None, content: bytes | None = None, extra_headers: dict[str, str] | None = None,
         drop_headers: tuple[str, ...] = ()) -> Exchange:
    """Call ``ep`` for ``customer``'s ids (or ``ids``) as ``caller``; the default body is the endpoint's own."""
    ids = ids or ids_of(customer)
    path = ep.path.format(**{k: quote(str(v), safe="") for k, v in ids.items()})
    if body is None and content is None and ep.body is not None:
        body = ep.body(bank, customer, ids)
    return bank.client.call(ep.operation, ep.method, path, caller, json_body=body, content=content,
                            extra_headers=extra_headers, drop_headers=drop_headers, schema=ep.schema)


# ---------------------------------------------------------------------------- hostile inputs (SEC-2)

def _retyped(value: Any) -> Any:
    """Every leaf of the wrong JSON type: strings become numbers, numbers strings, lists objects …"""
    if isinstance(value, dict):
        return {k: _retyped(v) for k, v in value.items()}
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, (int, float)):
        return "not-a-number"
    if isinstance(value, str):
        return 12345
    if isinstance(value, list):
        return {"unexpected": True}
    return [None]


def _lengthened(value: Any) -> Any:
    """Every string 10,000 characters long."""
    if isinstance(value, dict):
        return {k: _lengthened(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lengthened(v) for v in value]
    return "x" * 10_000 if isinstance(value, str) else value


def _dump(value: Any) -> bytes:
    return json.dumps(value).encode()


def _padded(body: dict) -> bytes:
    """The body plus an unknown field that brings it to about 1 MiB."""
    size = len(_dump(body))
    return _dump({**body, "padding": "p" * max(MEBIBYTE - size - 20, 0)})


#: Raw AmountDto literals that no amount can be: too many digits, overflowing floats, absurd scales.
_EXTREME_AMOUNTS = (
    '{"value": "' + "9" * 400 + '", "scale": 2, "currency": "EUR"}',
    '{"value": 1e400, "scale": 2, "currency": "EUR"}',
    '{"value": "100", "scale": 2147483648, "currency": "EUR"}',
    '{"value": "100", "scale": -2147483649, "currency": "EUR"}',
    '{"value": "1e999999999", "scale": 2, "currency": "EUR"}',
    '{"value": "-0.000000000000000000001", "scale": "two", "currency": "EUR"}',
)

_HOSTILE_HEADERS = {"X-Forwarded-For": "999.999.999.999, <script>", "Accept": "application/xml;q=0.9, */*;q=0",
                    "platform": "", "deviceId": "../" * 60, "User-Agent": "u" * 2000,
                    "Content-Type": "application/json; charset=utf-8; boundary=\"--\""}

Variant = tuple[bytes, dict[str, str]]


def _with_amount(body: dict, key: str, literal: str) -> bytes:
    marker = "__conformance_amount__"
    return _dump({**body, key: marker}).replace(f'"{marker}"'.encode(), literal.encode())


#: The SEC-2 table: each kind of bad input, as the raw requests it makes from an endpoint's valid body.
HOSTILE_INPUTS: dict[str, Callable[[Endpoint, dict], list[Variant]]] = {
    "malformed JSON": lambda ep, body: [(b'{"accepted": tru', {}), (b"\xff\xfe{\x00", {}), (b"{" * 5000, {})],
    "a list or a scalar instead of an object": lambda ep, body: [
        (_dump([body]), {}), (b'"text"', {}), (b"42", {}), (b"null", {})],
    "values of the wrong types": lambda ep, body: [(_dump(_retyped(body)), {})],
    "10,000-character strings": lambda ep, body: [(_dump(_lengthened(body)), {})],
    "a body of about one mebibyte": lambda ep, body: [(_padded(body), {})],
    "a content type other than JSON": lambda ep, body: [
        (_dump(body), {"Content-Type": "text/plain"}),
        (b"accepted=true&version=1.0", {"Content-Type": "application/x-www-form-urlencoded"})],
    "extreme amounts and scales": lambda ep, body: [
        (_with_amount(body, ep.amount_key, literal), {}) for literal in _EXTREME_AMOUNTS] if ep.amount_key else [],
    "hostile header values": lambda ep, body: [(_dump(body), dict(_HOSTILE_HEADERS))],
}


def hostile_variants(kind: str, ep: Endpoint, body: dict) -> list[Variant]:
    """The raw requests of ``kind`` for ``ep``, each with its extra headers (``Content-Type`` JSON unless set)."""
    if ep.method != "POST":
        return []
    return [(content, {"Content-Type": _JSON, **headers}) for content, headers in HOSTILE_INPUTS[kind](ep, body)]


# ---------------------------------------------------------------------------- helpers for rule naming

@contextmanager
def reported_as(rule: str) -> Iterator[None]:
    """Name ``rule`` for a server error the automatic SEC-2 check raised (e.g. GEN-3 for a missing header)."""
    try:
        yield
    except NonConformance as exc:
        if exc.rule != "SEC-2" or rule == "SEC-2":
            raise
        raise NonConformance(rule, exc.summary, exc.received, exc.expected, exc.evidence) from None



# ---------------------------------------------------------------------------- probe runs

Attempt = tuple[Endpoint, Exchange]


@dataclass(frozen=True)
class Probe:
    """What a When step tried (exchanges, or (endpoint, exchange) pairs) and what must be unchanged after it."""

    attempts: list
    iban: str | None = None
    status_before: str | None = None
    wallet_before: tuple | None = None
    started: datetime | None = None

    @property
    def exchanges(self) -> list[Exchange]:
        """The exchanges alone."""
        return [a[1] if isinstance(a, tuple) else a for a in self.attempts]


def e1_is_public(bank: Bank, customer: Customer) -> bool:
    """SEC-3: E1 answering 200 without a token is public, and leaves SEC-3's scope."""
    anonymous = Caller("anonymous", None, customer.tenant.header_id)
    return send(bank, endpoint("E1"), customer, anonymous).status == 200


def with_forged_tokens(bank: Bank, customer: Customer, kind: str) -> list[Attempt]:
    """Every authenticated endpoint for ``customer``'s ids with a ``kind`` token forged from the real one."""
    public_e1 = e1_is_public(bank, customer)
    attempts = []
    for ep in AUTHENTICATED:
        if ep.code == "E1" and public_e1:
            continue
        attempts.append((ep, send(bank, ep, customer, forge(kind, caller_for(bank, customer, ep.role)))))
    return [(ep, ex) for ep, ex in attempts if not (ep.optional and ex.status in ABSENT)]


def as_callers(bank: Bank, victim: Customer, codes: tuple[str, ...], callers: dict[str, Caller],
               ids: dict[str, str] | None = None) -> list[Attempt]:
    """The endpoints ``codes`` aimed at ``victim``'s ids, each by the caller given for its role.

    Every E8-E10 segment is included for ``E8-E10``; a role without a caller is skipped.
    """
    ids = ids or ids_of(victim)
    chosen = [ep for ep in ENDPOINTS if ep.code in codes]
    return [(ep, send(bank, ep, victim, callers[ep.role], ids)) for ep in chosen if ep.role in callers]


def outside(attempts: list[Attempt], allowed: frozenset[int] | set[int]) -> list[str]:
    """The attempts whose status is not in ``allowed``, described for a failure message."""
    return [ex.describe() for _, ex in attempts if ex.status not in allowed]


def wallet_snapshot(bank: Bank, customer: Customer) -> tuple[frozenset[str], Any]:
    """What GEN-8 compares: the IBANs S6 lists and the E12 balances, both read with the owner's token."""
    listed = send(bank, endpoint("S6"), customer, customer.caller)
    items = listed.payload if isinstance(listed.payload, list) else (
        listed.get("beneficiaries") if listed.ok else None)
    ibans = frozenset(str(i.get("iban")) for i in items or [] if isinstance(i, dict))
    return ibans, bank.balances(customer)


def hostile_calls(bank: Bank, customer: Customer, kind: str) -> list[Attempt]:
    """SEC-2: the hostile input ``kind`` sent to every endpoint it applies to, for ``customer``'s ids.

    Body kinds go to every POST endpoint (S1 and E3 included); id kinds replace every resource id in
    every endpoint's path and body.
    """
    attempts: list[Attempt] = []
    for ep in ENDPOINTS:
        caller = caller_for(bank, customer, ep.role)
        ids = ids_of(customer)
        if ep.code == "S1":  # never at the real admin's path: failed log-ins there could lock the admin out
            ids = {**ids, "org": _fresh(), "admin": _fresh()}
        if kind.startswith("identifiers"):
            ids = foreign_ids(ids, "unknown" if "not exist" in kind else "odd")
            attempts.append((ep, send(bank, ep, customer, caller, ids)))
            continue
        body = ep.body(bank, customer, ids) if ep.body else {}
        for content, headers in hostile_variants(kind, ep, body):
            attempts.append((ep, send(bank, ep, customer, caller, ids, content=content, extra_headers=headers)))
    return attempts


def provoke_errors(bank: Bank, customer: Customer) -> list[tuple[Exchange, frozenset[int]]]:
    """SEC-1 / GEN-6: one mistake per phase for an active ``customer``, each with its case's status set (§5, §6)."""
    V, B, F = frozenset({400, 422}), frozenset({400, 403, 409, 422}), frozenset({403, 404})
    admin, me, ids = bank.admin(customer.tenant), customer.caller, ids_of(customer)
    tenant, admin_creds = customer.tenant, customer.tenant.admin
    twin = bank.new_customer("Eve", tenant=tenant)
    twin.email = customer.email
    weak = bank.new_customer("Eve", tenant=tenant)
    unknown = foreign_ids(ids, "unknown")
    bad_iban = bodies.beneficiary_body("DE00370400440532013001")
    zero = bodies.transfer_body(ids["account"], Decimal("0.00"), beneficiary_id=ids["beneficiary"], iban=german_iban())
    return [
        (bank.client.admin_log_in(admin_creds.org_id, admin_creds.user_id,
                                  {"username": admin_creds.username, "tenantKey": tenant.key,
                                   "tenantSecret": tenant.secret}, tenant.header_id), V),
        (bank.register(twin), frozenset({409})),
        (bank.register(weak, bank.registration_body(weak, password="short1!", matchingPassword="short1!")), V),
        (bank.log_in(customer, password=customer.password + "x"), frozenset({401})),
        (send(bank, endpoint("E4"), customer, me, {**ids, "session": unknown["session"]}), frozenset({404})),
        (bank.initiate(customer), B),
        (bank.submit(customer, {"verificationType": "IDENTITY", "verificationData": {"documentType": "PASSPORT"}}),
         B | {404}),  # a decided verification may count as none open (VER-10)
        (send(bank, endpoint("E7"), customer, me, unknown), F),
        (bank.decide(customer, admin), B),
        (bank.accept_consent(customer, "terms", bodies.consent_body(accepted=False)), B),
        (bank.accept_consent(customer, "marketing"), frozenset({400, 404})),
        (bank.activate(customer), frozenset({409, 422})),
        (send(bank, endpoint("E12"), customer, me, unknown), F),
        (bank.add_beneficiary(customer, bad_iban), V),
        # PAY-11 (V), or PAY-2 / PAY-3 when a deployment checks the consent or beneficiary first
        (bank.client.prepare_transfer(me, ids["account"], zero), frozenset({400, 403, 404, 409, 422})),
        # an unknown order (400, 404), or the R2 consent refusal a deployment may check first (403, 422)
        (send(bank, endpoint("E16"), customer, me, ids), frozenset({400, 403, 404, 422})),
        (bank.client.create_payment_consent(me, ids["account"], bodies.payment_consent_body(
            ids["beneficiary"], Decimal("10.00")), operation_type="TELEPORT"), frozenset({400, 404})),
    ]


def _styled(bank: Bank, style: str | None, caller: Caller, has_body: bool) -> tuple[dict[str, str], tuple[str, ...]]:
    """GEN-2: the §1.1 header set written another way (extra headers, headers dropped first)."""
    if style == "charset":
        return ({"Content-Type": "application/json; charset=utf-8"} if has_body else {}), ()
    if style != "lower":
        return {}, ()
    standard = bank.client.standard_headers(caller, has_body)
    headers = {name.lower(): value for name, value in standard.items()}
    return headers, tuple(standard)


#: GEN-7: fields no version of the profile knows, at the top level and nested.
UNKNOWN_FIELDS = {"conformanceProbe": "ignore me", "conformanceNested": {"unknown": [1, "two", None]}}


def first_steps(bank: Bank, customer: Customer, *, style: str | None = None,
                unknown_fields: bool = False) -> list[Exchange]:
    """E2, E3 and E8 (terms) for ``customer``, with headers in ``style`` and/or unknown fields in every body.

    Stops at the first refusal; the successful steps leave the customer registered and logged in.
    """
    extra = UNKNOWN_FIELDS if unknown_fields else {}

    def go(code: str, caller: Caller, body: dict) -> Exchange:
        headers, drop = _styled(bank, style, caller, True)
        return send(bank, endpoint(code), customer, caller, body={**body, **extra}, extra_headers=headers,
                    drop_headers=drop)

    registration = bank.registration_body(customer)
    if unknown_fields:
        registration["individualCustomer"] = {**registration["individualCustomer"], **UNKNOWN_FIELDS}
    done = [go("E2", bank.admin(customer.tenant), registration)]
    if not done[-1].ok:
        return done
    bank.remember_registration(customer, done[-1])
    done.append(go("E3", caller_for(bank, customer, "none"), _login(bank, customer, {})))
    if not done[-1].ok:
        return done
    customer.token, customer.session_id = done[-1].get("token"), done[-1].get("sessionId")
    bank.redactor.add_token(customer.token)
    done.append(go("E8-E10", customer.caller, bodies.consent_body()))
    return done
