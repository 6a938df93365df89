"""SEC-1 detection: secret material in a JSON answer, in the JWTs inside it, or in a raw body.

Secret-named keys (password, secret, hash, salt) holding a string are findings on their own; the run's
passwords and tenant secrets are found by value, in one pass over each document's strings
(:class:`~finhub_conformance.redaction.SecretFinder`), and JWT payloads are decoded and searched too.
Findings name paths, never values.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any, Iterable, Iterator

from .redaction import SecretFinder

__all__ = ["leaked_secrets", "decoded_jwt", "finder_of"]

_SECRET_KEY = re.compile(r"(password|passwd|secret)", re.IGNORECASE)
_JWT = re.compile(r"^[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]*$")
#: A string :data:`_JWT` matches, as it stands in JSON text without escapes (versions like "1.2.3" too).
_JWT_IN_TEXT = re.compile(r'"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"')
#: What a key :data:`_SECRET_KEY` matches, or one ending in hash or salt, shows in case-folded JSON text.
_SECRET_WORDS = ("password", "passwd", "secret", 'hash"', 'salt"')


def _walk(value: Any, path: str = "") -> Iterator[tuple[str, str | None, Any]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield f"{path}/{key}", str(key), inner
            yield from _walk(inner, f"{path}/{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield f"{path}/{index}", None, inner
            yield from _walk(inner, f"{path}/{index}")


def decoded_jwt(value: str) -> Any:
    """The claims of ``value`` when it is a JWT (payload not verified), else None."""
    match = _JWT.match(value)
    if not match:
        return None
    segment = match.group(1)
    try:
        return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except ValueError:
        return None


def finder_of(sensitive: SecretFinder | Iterable[str]) -> SecretFinder:
    """``sensitive`` as a finder (the run's cached one, or one built from plain values of 4+ characters)."""
    if isinstance(sensitive, SecretFinder):
        return sensitive
    return SecretFinder(s for s in sensitive if s and len(s) >= 4)


def _clean_text(text: str | None, finder: SecretFinder) -> bool:
    """True when the JSON ``text`` a body was parsed from certainly holds no finding: it has no escape (so
    every key and string of the body stands in it as it is), no secret of the run, no secret-looking key
    and nothing shaped like a JWT. Almost every answer is such a text; the others are walked."""
    if not text or "\\" in text or _JWT_IN_TEXT.search(text) or (finder and finder.found_in(text)):
        return False
    folded = text.casefold()  # also "ſ" to "s", which _SECRET_KEY's IGNORECASE matches to "s"
    return not any(word in folded for word in _SECRET_WORDS)


def leaked_secrets(body: Any, sensitive: SecretFinder | Iterable[str], text: str | None = None) -> list[str]:
    """SEC-1 findings in a JSON value and in every JWT payload inside it (paths, never values).

    ``text``, the JSON text ``body`` was parsed from, lets a clean answer be passed in a few scans of it
    (:func:`_clean_text`) instead of a walk. Otherwise the strings of each document are screened for the
    run's secrets in one pass; only when one is found are the nodes searched to name its path.
    """
    finder = finder_of(sensitive)
    if _clean_text(text, finder):
        return []
    findings = []
    documents = [("", body)]
    for path, _, value in _walk(body):
        if isinstance(value, str):
            claims = decoded_jwt(value)
            if claims is not None:
                documents.append((f"{path} (decoded JWT)", claims))
    for prefix, document in documents:
        nodes = [(prefix or "/", None, document)] + [(prefix + p, k, v) for p, k, v in _walk(document)]
        strings = [value for _, _, value in nodes if isinstance(value, str)]
        leaked = finder.found_in("\x00".join(strings)) if finder and strings else set()
        for path, key, value in nodes:
            if key is not None and isinstance(value, str) and value:
                lowered = key.lower()
                if _SECRET_KEY.search(lowered) or lowered.endswith(("hash", "salt")):
                    findings.append(f"{path} holds a string under a secret-named key")
                    continue
            if leaked and isinstance(value, str) and any(s in value for s in leaked):
                findings.append(f"{path} contains a password or tenant secret of this run")
    return findings
