"""Forged tokens for SEC-3: each kind of bad token, made from a real one so that only the forgery differs."""

from __future__ import annotations

import base64
import json
from typing import Callable

from ..exchange import Caller


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
