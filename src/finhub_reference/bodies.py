"""Lenient request-body parsing (GEN-7, SEC-2).

Bodies are parsed by hand rather than by FastAPI models, so that unknown fields are ignored, every bad
input gets a 4xx in the E-1 error shape, and no input reaches a 5xx: malformed JSON, non-object bodies,
deep nesting, huge numbers and oversized bodies are all refused with 400, 413 or 415.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from fastapi import Request

from finhub_reference.envelope import ApiError, InjectedServerError, validation_failed

MAX_BODY_BYTES = 2 * 1024 * 1024
_MISSING = object()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


async def read_json(request: Request, *, optional: bool = False) -> dict[str, Any]:
    """The request body as a JSON object; an empty body is ``{}`` when ``optional``, else a 400."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ApiError(413, "PAYLOAD_TOO_LARGE", "Request body too large")
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, "PAYLOAD_TOO_LARGE", "Request body too large")
    if not raw.strip():
        if optional:
            return {}
        raise validation_failed([{"field": "body", "message": "a JSON object body is required"}])
    content_type = request.headers.get("content-type")
    if content_type is not None:
        media = content_type.split(";", 1)[0].strip().lower()
        if media and media != "application/json" and not media.endswith("+json"):
            raise ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json")
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except Exception:  # noqa: BLE001 - any decoding failure (bad UTF-8, syntax, recursion, digits) is client input
        config = getattr(request.app.state, "config", None)
        if config is not None and config.fault("malformed_json_500"):
            raise InjectedServerError("fault malformed_json_500") from None
        raise ApiError(400, "MALFORMED_JSON", "Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise validation_failed([{"field": "body", "message": "the body must be a JSON object"}])
    return body


def lookup(body: dict[str, Any], path: str, default: Any = None) -> Any:
    """The value at a dotted path, or ``default`` when any step is missing or not an object."""
    node: Any = body
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


class FieldReader:
    """Reads typed fields from a body and collects ``{field, message}`` errors for one 400."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.errors: list[dict[str, str]] = []

    def fail(self, field: str, message: str) -> None:
        """Record an error on a field."""
        self.errors.append({"field": field, "message": message})

    def string(self, path: str, *, required: bool = False, max_len: int = 200, non_empty: bool = True,
               choices: Iterable[str] | None = None, upper: bool = False) -> str | None:
        """A string field; ``choices`` restricts it to an enum (compared upper-cased if ``upper``)."""
        value = lookup(self.body, path, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.fail(path, "is required")
            return None
        if not isinstance(value, str):
            self.fail(path, "must be a string")
            return None
        if non_empty and not value.strip():
            self.fail(path, "must not be empty")
            return None
        if len(value) > max_len:
            self.fail(path, f"must be at most {max_len} characters")
            return None
        if upper:
            value = value.upper()
        if choices is not None and value not in set(choices):
            self.fail(path, f"must be one of {sorted(set(choices))}")
            return None
        return value

    def obj(self, path: str, *, required: bool = False) -> dict[str, Any] | None:
        """An object field."""
        value = lookup(self.body, path, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.fail(path, "is required")
            return None
        if not isinstance(value, dict):
            self.fail(path, "must be an object")
            return None
        return value

    def check(self, error: str = "VALIDATION_FAILED", message: str = "Request validation failed") -> None:
        """Raise one 400 listing every collected error."""
        if self.errors:
            raise validation_failed(self.errors, error=error, message=message)


def read_credentials(body: dict[str, Any]) -> tuple[str, str, str | None, str | None]:
    """The log-in body of S1 and E3: (username, password, tenantKey, tenantSecret); V when incomplete."""
    fields = FieldReader(body)
    username = fields.string("username", required=True, max_len=254)
    password = fields.string("password", required=True, max_len=256, non_empty=False)
    tenant_key = fields.string("tenantKey", max_len=256, non_empty=False)
    tenant_secret = fields.string("tenantSecret", max_len=256, non_empty=False)
    fields.check()
    assert username is not None and password is not None
    return username, password, tenant_key, tenant_secret
