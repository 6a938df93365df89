"""Passwords (REG-3 policy, salted PBKDF2 hashes) and HS256 JSON Web Tokens (SES-1, SEC-3)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
import uuid
from typing import Any

import jwt

ISSUER = "finhub-reference"
AUDIENCE = "bff-clients"
_ITERATIONS = 10_000
_SPECIALS = frozenset(ch for ch in string.printable if 33 <= ord(ch) <= 126 and not ch.isalnum())


def password_violations(password: str, *, skip: frozenset[str] = frozenset(), min_length: int = 8,
                        no_repeats: bool = False) -> list[str]:
    """The REG-3 clauses a password breaks: the seed minimum (ASCII classes only), or a stricter policy.

    ``skip`` names clauses a seeded fault switches off: length, upper, lower, digit, special. A variant may be
    stricter (§8 #15): a longer ``min_length`` and ``no_repeats`` (no character twice in a row).
    """
    problems = []
    if "length" not in skip and len(password) < min_length:
        problems.append(f"must be at least {min_length} characters long")
    if no_repeats and any(a == b for a, b in zip(password, password[1:])):
        problems.append("must not repeat a character consecutively")
    if "upper" not in skip and not any("A" <= ch <= "Z" for ch in password):
        problems.append("must contain an upper-case letter")
    if "lower" not in skip and not any("a" <= ch <= "z" for ch in password):
        problems.append("must contain a lower-case letter")
    if "digit" not in skip and not any("0" <= ch <= "9" for ch in password):
        problems.append("must contain a digit")
    if "special" not in skip and not any(ch in _SPECIALS for ch in password):
        problems.append("must contain a special character")
    return problems


def hash_password(password: str) -> str:
    """A salted PBKDF2-SHA256 hash; the plaintext is never stored."""
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8", "surrogatepass"), salt, _ITERATIONS)
    return f"{salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time comparison against a stored hash."""
    salt_hex, digest_hex = stored.split("$", 1)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8", "surrogatepass"), bytes.fromhex(salt_hex),
                                 _ITERATIONS)
    return hmac.compare_digest(digest.hex(), digest_hex)


def issue_token(secret: str, claims: dict[str, Any], issued_at: float, ttl_s: int) -> str:
    """An HS256 JWT with ``iss``, ``aud``, ``iat``, ``exp`` and a fresh ``jti`` added to ``claims``."""
    payload = {"iss": ISSUER, "aud": AUDIENCE, "iat": int(issued_at), "exp": int(issued_at) + ttl_s,
               "jti": str(uuid.uuid4()), **claims}
    return jwt.encode(payload, secret, algorithm="HS256")


def decode_token(secret: str, token: str, *, allow_unsigned: bool = False) -> dict[str, Any] | None:
    """The verified claims of a token, or None when it is malformed, tampered, unsigned or expired."""
    try:
        if allow_unsigned and jwt.get_unverified_header(token).get("alg") == "none":
            return jwt.decode(token, options={"verify_signature": False, "verify_aud": False})
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER,
                            options={"require": ["exp", "iat", "sessionId"]})
    except Exception:  # noqa: BLE001 - every decoding failure is a 401
        return None
    return claims if isinstance(claims, dict) else None


def sign(secret: str, claims: dict[str, Any]) -> str:
    """An HS256 JWT with exactly ``claims`` (used for payment-consent magic links)."""
    return jwt.encode(claims, secret, algorithm="HS256")


def same_secret(given: str | None, expected: str) -> bool:
    """A constant-time comparison of a presented secret (tenant secret, refresh token) with the real one."""
    return given is not None and hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode())
