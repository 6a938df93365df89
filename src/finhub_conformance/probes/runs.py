"""Probe runs: what an isolation or security When step tries, and what it must leave unchanged.

Each run sends a set of endpoints as some callers (forged, foreign or hostile) and returns the
attempts; :class:`Probe` carries them, with the state to compare after, to the Then steps.
:func:`reported_as` names the rule a probe is about when the automatic SEC-2 check fails one of its calls.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterator

from ..errors import NonConformance
from ..exchange import Caller, Exchange
from ..journey import Bank, Customer
from .calls import caller_for, foreign_ids, fresh_id, ids_of, send
from .endpoints import ABSENT, AUTHENTICATED, ENDPOINTS, Endpoint, endpoint
from .forgery import forge
from .hostile import hostile_variants


@contextmanager
def reported_as(rule: str) -> Iterator[None]:
    """Name ``rule`` for a server error the automatic SEC-2 check raised (e.g. GEN-3 for a missing header)."""
    try:
        yield
    except NonConformance as exc:
        if exc.rule != "SEC-2" or rule == "SEC-2":
            raise
        raise NonConformance(rule, exc.summary, exc.received, exc.expected, exc.evidence) from None


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
            ids = {**ids, "org": fresh_id(), "admin": fresh_id()}
        if kind.startswith("identifiers"):
            ids = foreign_ids(ids, "unknown" if "not exist" in kind else "odd")
            attempts.append((ep, send(bank, ep, customer, caller, ids)))
            continue
        body = ep.body(bank, customer, ids) if ep.body else {}
        for content, headers in hostile_variants(kind, ep, body):
            attempts.append((ep, send(bank, ep, customer, caller, ids, content=content, extra_headers=headers)))
    return attempts
