"""Checks run on every exchange, and the status-set assertions steps use.

Each check is a small named function ``check(exchange, context)`` registered in :data:`CHECKS`. A
MUST violation raises :class:`NonConformance` with the rule id; a SHOULD miss calls
``context.advise`` and the scenario still passes (profile §0.1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Iterable

from .amounts import AmountDecodeError, decode_amount
from .errors import NonConformance
from .exchange import Exchange
from .redaction import SecretFinder
from .schemas import SchemaRegistry
from .secret_leaks import finder_of, leaked_secrets  # leaked_secrets re-exported: steps and tests use it

__all__ = ["CheckContext", "CHECKS", "run_checks", "V", "B", "F", "N", "T", "expect_refused", "expect_success",
           "Advisory", "balances_of", "Balances", "same_execution", "leaked_secrets"]

# Status sets of profile §0.4.
V = frozenset({400, 422})
B = frozenset({400, 403, 409, 422})
F = frozenset({403, 404})
N = frozenset({404, 409, 422})
T = frozenset({400, 401, 403, 404})


@dataclass(frozen=True)
class Advisory:
    """A SHOULD the deployment missed: reported, never failed."""

    rule: str
    message: str


@dataclass
class CheckContext:
    """What checks need besides the exchange: schemas, the run's secrets, the advisory sink."""

    schemas: SchemaRegistry | None
    sensitive: Callable[[], SecretFinder | Iterable[str]]  # the run's passwords and secrets (SEC-1)
    advise: Callable[[Advisory], None]
    enabled: set[str] = field(default_factory=set)


Check = Callable[[Exchange, CheckContext], None]
CHECKS: dict[str, Check] = {}


def check(func: Check) -> Check:
    """Register ``func`` under its name."""
    CHECKS[func.__name__] = func
    return func


def run_checks(exchange: Exchange, context: CheckContext) -> None:
    """Run every registered check on ``exchange`` (all, unless ``context.enabled`` narrows them)."""
    for name, func in CHECKS.items():
        if not context.enabled or name in context.enabled:
            func(exchange, context)


_OPTIONAL_ENDPOINTS = ("S3", "S5", "S8", "S9")


@check
def server_error_conformance(exchange: Exchange, context: CheckContext) -> None:
    """SEC-2 / GEN-3: the suite's requests never earn a 5xx (501 only from an absent optional endpoint)."""
    if exchange.status >= 500:
        if exchange.status == 501 and exchange.operation.startswith(_OPTIONAL_ENDPOINTS):
            return
        raise NonConformance("SEC-2", "the deployment answered a client request with a server error",
                             received=exchange.describe(), expected="a 2xx, or a 4xx for bad input",
                             evidence=exchange.text[:300])


_SUCCESS = {"GET": {200}, "POST": {200, 201}, "PUT": {200}, "DELETE": {200, 204}}


@check
def success_status_conformance(exchange: Exchange, context: CheckContext) -> None:
    """GEN-5: GET 200; POST 200/201; PUT 200; DELETE 200/204; never 202."""
    if exchange.ok and exchange.status not in _SUCCESS.get(exchange.method, {200}):
        raise NonConformance("GEN-5", f"unexpected success status for {exchange.method}",
                             received=exchange.describe(),
                             expected=" or ".join(map(str, sorted(_SUCCESS.get(exchange.method, {200})))))


@check
def envelope_conformance(exchange: Exchange, context: CheckContext) -> None:
    """GEN-4: every success but 204 has a JSON object body; a top-level ``success`` is ``true``."""
    if not exchange.ok or exchange.status == 204:
        return
    if exchange.json_error or not isinstance(exchange.body, (dict, list)):
        raise NonConformance("GEN-4", "a success answer has no JSON object body", received=exchange.describe()
                             + f" with content-type {exchange.content_type!r}: {exchange.text[:120]!r}",
                             expected="a JSON object (or, for S6, an array payload)")
    if isinstance(exchange.body, list) and not exchange.operation.startswith("S6"):
        raise NonConformance("GEN-4", "a success body is a JSON array, not an object",
                             received=exchange.describe(), expected="a JSON object")
    body = exchange.body
    if isinstance(body, dict):
        if "success" in body and body["success"] is not True:
            raise NonConformance("GEN-4", "a success answer carries a top-level success that is not true",
                                 received=f"success={body['success']!r} on {exchange.describe()}",
                                 expected="success: true")
        if "code" in body and body["code"] != exchange.status:
            context.advise(Advisory("GEN-4", f"{exchange.operation}: envelope code {body['code']!r} differs "
                                             f"from HTTP status {exchange.status}"))


#: Which rule a payload schema speaks for, so a schema miss names the rule it breaks.
SCHEMA_RULES = {
    "admin_session": "GEN-4", "category_hierarchy": "CAT-1", "registration": "REG-6",
    "customer_session": "SES-1", "logout": "GEN-4", "verification_initiate": "VER-2",
    "verification_submit": "SM-4", "verification": "VER-4", "verification_decision": "GEN-4",
    "consent": "CON-2", "activation_check": "ACT-9", "activation": "ACT-6", "balance": "WAL-2",
    "allowed_operations": "WAL-5", "beneficiary": "BEN-1", "beneficiary_list": "BEN-6",
    "payment_consent": "PAY-13", "transfer_prepare": "PAY-5", "transfer_execute": "SM-6",
    "topup_prepare": "PAY-5", "topup_execute": "FUND-1", "session_refresh": "SES-9",
}


@check
def schema_conformance(exchange: Exchange, context: CheckContext) -> None:
    """Every success payload matches its JSON Schema (MUST keys, accepted variants)."""
    if not exchange.ok or exchange.status == 204 or not exchange.schema or context.schemas is None:
        return
    problems = context.schemas.errors(exchange.schema, exchange.payload)
    if problems:
        raise NonConformance(SCHEMA_RULES.get(exchange.schema, "GEN-4"),
                             f"the {exchange.operation} payload does not match schema {exchange.schema}",
                             received="; ".join(problems[:5]),
                             expected=f"schemas/{exchange.schema}.json (MUST keys of the profile)")


@check
def secret_leak_conformance(exchange: Exchange, context: CheckContext) -> None:
    """SEC-1: no response (errors included), nor any JWT inside one, carries a password or secret."""
    finder = finder_of(context.sensitive())
    if exchange.body is None:
        if finder and finder.found_in(exchange.text):
            raise NonConformance("SEC-1", "a response body contains a password or tenant secret",
                                 received=exchange.describe(), expected="no secret in any response")
        return
    findings = leaked_secrets(exchange.body, finder, exchange.text)
    if findings:
        raise NonConformance("SEC-1", "a response exposes secret material", received="; ".join(findings[:5])
                             + f" in {exchange.describe()}", expected="no password, secret, hash or salt")


@dataclass(frozen=True)
class Balances:
    """One observation of a wallet's balances, in major units."""

    current: Decimal
    available: Decimal
    blocked: Decimal


def balances_of(exchange: Exchange) -> Balances:
    """Decode E12's three balances with the AMT-2 ladder; a missing or undecodable one breaks WAL-2."""
    payload = exchange.payload if isinstance(exchange.payload, dict) else {}
    values = {}
    for key in ("currentBalance", "availableBalance", "blockedBalance"):
        try:
            values[key] = decode_amount(payload, key)
        except AmountDecodeError as exc:
            raise NonConformance("WAL-2", f"{key} cannot be read", received=str(exc),
                                 expected="an amount in one of the AMT-2 encodings") from None
    return Balances(values["currentBalance"], values["availableBalance"], values["blockedBalance"])


@check
def balance_invariant_conformance(exchange: Exchange, context: CheckContext) -> None:
    """WAL-2: at every balance observation available = current − blocked, all three ≥ 0."""
    if not exchange.ok or not exchange.operation.startswith("E12"):
        return
    b = balances_of(exchange)
    if b.available != b.current - b.blocked or min(b.current, b.available, b.blocked) < 0:
        raise NonConformance("WAL-2", "the balance invariant is broken",
                             received=f"current={b.current} available={b.available} blocked={b.blocked}",
                             expected="available = current − blocked, all ≥ 0")


_TRACE = re.compile(r"(Traceback \(most recent call last\)|\bat [\w.$]+\([\w]+\.java:\d+\)|"
                    r"SQLSTATE|syntax error at or near|\bjava\.lang\.|NullPointerException)")


@check
def error_body_conformance(exchange: Exchange, context: CheckContext) -> None:
    """GEN-6 (SHOULD) and SEC-6 (SHOULD): errors carry message and data.error, and no internals."""
    if not 400 <= exchange.status < 500:
        return
    if _TRACE.search(exchange.text):
        context.advise(Advisory("SEC-6", f"{exchange.operation}: the error body shows internals "
                                         "(stack trace, SQL or class names)"))
    body = exchange.body if isinstance(exchange.body, dict) else {}
    if not isinstance(body.get("message"), str) or exchange.error_code() is None:
        context.advise(Advisory("GEN-6", f"{exchange.operation}: the {exchange.status} body lacks "
                                         "message and data.error"))


# ---------------------------------------------------------------------------- step-level assertions

def expect_success(exchange: Exchange, rule: str, what: str) -> Exchange:
    """Assert a 2xx for ``what``; otherwise rule ``rule`` is broken."""
    if not exchange.ok:
        raise NonConformance(rule, f"{what} was refused", received=exchange.describe()
                             + (f" {exchange.text[:200]}" if exchange.text else ""), expected="a 2xx answer")
    return exchange


def expect_refused(exchange: Exchange, statuses: Iterable[int], rule: str, what: str) -> Exchange:
    """Assert that ``what`` was refused with one of ``statuses``."""
    allowed = sorted(set(statuses))
    if exchange.status not in allowed:
        verdict = "was accepted" if exchange.ok else "was refused with the wrong status"
        raise NonConformance(rule, f"{what} {verdict}", received=exchange.describe(),
                             expected="one of " + ", ".join(map(str, allowed)))
    return exchange


def same_execution(first: Exchange, second: Exchange) -> bool:
    """PAY-4: a 2xx second execute is a replay only if it carries the same
    ``transactionId|orderId|executionId`` (the first of those keys present) as the first execute."""
    keys = ("transactionId", "orderId", "executionId")
    key = next((k for k in keys if first.get(k) is not None), None)
    return key is not None and second.get(key) == first.get(key)
