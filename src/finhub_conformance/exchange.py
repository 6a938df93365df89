"""One HTTP exchange with the target, kept whole for checks and evidence."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple

__all__ = ["Exchange", "Caller", "Attempt", "payload_of", "describe_attempts"]


def payload_of(body: Any) -> Any:
    """GEN-4: the payload is ``data`` when the top level has a ``data`` key, else the whole body."""
    if isinstance(body, dict) and "data" in body:
        return body["data"]
    return body


class Attempt(NamedTuple):
    """One try of a request, kept so that retries show in the evidence (issue 7).

    ``status`` is the HTTP status, or None when the transport failed (``error`` then says how);
    ``waited_s`` is the pause honoured before the next try (``Retry-After`` or back-off), 0 for the last.
    """

    status: int | None
    error: str | None
    elapsed_ms: float
    waited_s: float = 0.0

    def describe(self) -> str:
        """``503 after 12 ms, waited 1.0 s`` or ``ReadTimeout after 3001 ms``."""
        outcome = str(self.status) if self.status is not None else self.error
        waited = f", waited {self.waited_s:.1f} s" if self.waited_s else ""
        return f"{outcome} after {self.elapsed_ms:.0f} ms{waited}"


def describe_attempts(attempts: tuple[Attempt, ...]) -> str:
    """Every try on one line each, numbered: the retry story of a call for evidence and errors."""
    return "\n".join(f"  attempt {n}: {attempt.describe()}" for n, attempt in enumerate(attempts, start=1))


@dataclass(frozen=True)
class Caller:
    """Who makes a call: bearer token, ``X-Tenant-ID`` value and (for customers) the session id."""

    label: str
    token: str | None = field(default=None, repr=False)
    tenant_header: str | None = None
    session_id: str | None = None

    def with_token(self, token: str | None) -> "Caller":
        """The same caller presenting another token (tampered, ended, missing …)."""
        return Caller(self.label, token, self.tenant_header, self.session_id)

    def with_tenant_header(self, tenant_header: str | None) -> "Caller":
        """The same caller sending another ``X-Tenant-ID``."""
        return Caller(self.label, self.token, tenant_header, self.session_id)


@dataclass(frozen=True)
class Exchange:
    """A request and the target's answer. ``body`` is parsed JSON, or None when there was none."""

    operation: str
    method: str
    path: str
    status: int
    request_body: Any = field(repr=False)
    body: Any = field(repr=False)
    text: str = field(repr=False)
    content_type: str = ""
    elapsed_ms: float = 0.0
    attempts: int = 1
    json_error: str | None = None
    schema: str | None = None
    #: Every try of this call, the final one last (one entry when nothing was retried).
    tries: tuple[Attempt, ...] = field(default=(), repr=False)
    #: When the answer was in hand, on this machine's monotonic clock: a moment the deployment had already
    #: acted by, whatever its own clock says (PAY-7 measures an order's age from it).
    received_at: float = field(default_factory=time.monotonic, repr=False, compare=False)

    @property
    def retried(self) -> bool:
        """True when the answer came after at least one retry (throttling, a gateway error, a timeout …)."""
        return len(self.tries) > 1

    def retry_note(self) -> str:
        """For evidence: every try on its own line when the call was retried, else ""."""
        return "\nretried:\n" + describe_attempts(self.tries) if self.retried else ""

    @property
    def ok(self) -> bool:
        """A 2xx answer."""
        return 200 <= self.status < 300

    @property
    def payload(self) -> Any:
        """The GEN-4 payload of the body."""
        return payload_of(self.body)

    def get(self, *keys: str, default: Any = None) -> Any:
        """The first present of ``keys`` in the payload; dotted keys walk nested objects (``a|b``)."""
        for key in keys:
            node = self.payload
            for part in key.split("."):
                if isinstance(node, dict) and part in node:
                    node = node[part]
                else:
                    break
            else:
                if node is not None:
                    return node
        return default

    def error_code(self) -> str | None:
        """``data.error`` of an error body, when there is one (SHOULD only, §7.1)."""
        data = self.body.get("data") if isinstance(self.body, dict) else None
        if isinstance(data, dict) and isinstance(data.get("error"), str):
            return data["error"]
        return None

    def describe(self) -> str:
        """``POST /api/…/register → 409 DUPLICATE_EMAIL`` for messages."""
        code = self.error_code()
        return f"{self.operation}: {self.method} {self.path} → {self.status}" + (f" {code}" if code else "")
