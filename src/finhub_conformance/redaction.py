"""Keeps passwords, tenant secrets and tokens out of logs and reports."""

from __future__ import annotations

import json
import re
import threading
from typing import Any, Iterable

__all__ = ["Redactor", "SecretFinder", "MASK"]

MASK = "***"
_SECRET_KEY = re.compile(r"(password|passwd|secret|token|authorization|authenticationcode|^otp$|^answer$)",
                         re.IGNORECASE)
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")


class SecretFinder:
    """Which of many known values occur in a text, in one pass over the text.

    A run collects a password per customer (hundreds), and every response string and every piece of
    evidence must be screened for all of them: testing each value with ``in`` was the largest
    per-exchange cost of the suite (issue 8). Every value of at least ``LONG`` characters is indexed by
    each of its first ``LONG - GRAM + 1`` substrings of ``GRAM`` characters; any occurrence of such a
    value then covers one of the positions ``0, STEP, 2*STEP, …`` of the text with one of those
    substrings, so only those positions are looked up, and only the values found there are compared.
    Shorter values are compared directly.
    """

    GRAM = 4
    LONG = 8
    STEP = LONG - GRAM + 1
    #: Below this many indexed substrings the direct ``in`` test of every value is the cheaper one.
    SCAN_FROM = 16 * STEP

    def __init__(self, values: Iterable[str] = ()) -> None:
        self.values: set[str] = set()
        self._grams: dict[str, list[tuple[str, int]]] = {}
        self._short: list[str] = []
        for value in values:
            self.add(value)

    def add(self, value: str) -> None:
        """Index one more value (a run adds a password per customer: no rebuild)."""
        if not value or value in self.values:
            return
        self.values.add(value)
        if len(value) < self.LONG:
            self._short.append(value)
            return
        for offset in range(self.STEP):
            self._grams.setdefault(value[offset:offset + self.GRAM], []).append((value, offset))

    def __bool__(self) -> bool:
        return bool(self.values)

    def found_in(self, text: str) -> set[str]:
        """The values that occur in ``text``."""
        found = {v for v in self._short if v in text}
        if len(self._grams) < self.SCAN_FROM:
            return found | {v for entries in list(self._grams.values()) for v, _ in entries if v in text}
        size, lookup = self.GRAM, self._grams.get
        for at in range(0, len(text) - size + 1, self.STEP):
            entries = lookup(text[at:at + size])
            if entries:
                found.update(v for v, offset in entries if at >= offset and text.startswith(v, at - offset))
        return found


class Redactor:
    """Masks every value it was told is secret, plus secret-looking keys, bearer headers and JWTs.

    ``sensitive`` values (passwords, tenant secrets) are also what SEC-1 looks for in responses;
    tokens are masked in evidence but may legitimately appear in responses.
    """

    def __init__(self, sensitive: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._all = SecretFinder()  # what evidence masks: secrets and tokens
        self._leakable = SecretFinder()  # what SEC-1 looks for: secrets of 4 characters or more
        for value in sensitive:
            self.add_sensitive(value)

    def add_sensitive(self, value: str | None) -> None:
        """Remember a password or secret (checked by SEC-1 and masked)."""
        if value:
            with self._lock:  # the finders ignore values they already hold
                self._all.add(value)
                self._all.add(json.dumps(value, ensure_ascii=False)[1:-1])  # as it stands inside JSON text
                if len(value) >= 4:
                    self._leakable.add(value)

    def add_token(self, value: str | None) -> None:
        """Remember a token (masked in evidence only)."""
        if isinstance(value, str) and len(value) >= 8:
            with self._lock:
                self._all.add(value)

    def finder(self, kind: str = "all") -> SecretFinder:
        """The :class:`SecretFinder` of ``sensitive`` values (what SEC-1 looks for) or of ``all`` (masking)."""
        return self._leakable if kind == "sensitive" else self._all

    def text(self, text: str) -> str:
        """``text`` with every occurrence of every known secret and token masked, then bearer values and JWTs.

        Overlapping occurrences are masked as one span, so no value is half-masked (replacing the longest
        value first left the ends of a value that overlapped it in clear), and what is masked only grows
        with the values known.
        """
        spans = sorted((at, at + len(value)) for value in self.finder().found_in(text)
                       for at in _occurrences(text, value))
        if spans:
            parts, done = [], 0
            for start, end in spans:
                if start >= done:  # not inside the span masked last
                    parts += [text[done:start], MASK]
                done = max(done, end)
            text = "".join(parts) + text[done:]
        text = _BEARER.sub(r"\1" + MASK, text)
        return _JWT.sub(MASK, text)

    @staticmethod
    def _mask_keys(value: Any) -> Any:
        """A deep copy of a JSON value with the strings under secret-named keys masked."""
        if isinstance(value, dict):
            return {k: (MASK if isinstance(v, str) and _SECRET_KEY.search(str(k)) else Redactor._mask_keys(v))
                    for k, v in value.items()}
        if isinstance(value, list):
            return [Redactor._mask_keys(v) for v in value]
        return value

    def json(self, value: Any) -> str:
        """Redacted, pretty-printed JSON: secret-named keys masked, then the text screened once for every
        known value (secrets are also known in their JSON-escaped form, see :meth:`add_sensitive`)."""
        return self.text(json.dumps(self._mask_keys(value), indent=2, ensure_ascii=False, default=str))

    def headers(self, headers: Iterable[tuple[str, str]]) -> dict[str, str]:
        """Request or response headers, with authorization and secret-named headers masked."""
        return {k: (MASK if _SECRET_KEY.search(k) else self.text(v)) for k, v in headers}


def _occurrences(text: str, value: str):
    """Every position where ``value`` starts in ``text``, overlapping ones included."""
    at = text.find(value)
    while at >= 0:
        yield at
        at = text.find(value, at + 1)


def evidence_text(exchange, redactor: Redactor) -> str:
    """The request and response of ``exchange`` as report evidence, with every secret masked."""
    request = redactor.json(exchange.request_body) if exchange.request_body is not None else ""
    response = redactor.json(exchange.body) if exchange.body is not None else redactor.text(exchange.text)
    return (f"{exchange.method} {exchange.path}\n\n{request}\n\n--- {exchange.status} "
            f"({exchange.elapsed_ms:.0f} ms, attempt {exchange.attempts}){exchange.retry_note()}\n\n{response}")


def scan_for_secrets(folder, redactor: Redactor) -> list[str]:
    """Report files under ``folder`` that contain a password, secret or token of the run (names only)."""
    from pathlib import Path

    finder = SecretFinder(v for v in redactor.finder().values if len(v) >= 6)  # escaped forms included
    hits = []
    for path in sorted(Path(folder).rglob("*")):
        if not path.is_file() or path.suffix not in {".json", ".xml", ".txt", ".md", ".html", ".log", ""}:
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if finder.found_in(text):
            hits.append(str(path))
    return hits
