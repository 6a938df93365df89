"""Hostile inputs for SEC-2: the bad requests each kind of input makes from an endpoint's valid body.

Malformed JSON, non-object bodies, wrong types, 10,000-character strings, a 1 MiB body, a wrong
``Content-Type``, extreme amounts and hostile header values; only POST endpoints take a body.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from .endpoints import Endpoint

MEBIBYTE = 1024 * 1024
_JSON = "application/json"


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
