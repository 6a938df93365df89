"""Helpers shared by the wallet, beneficiary, order and funding steps (phases 6 and 7).

Not a step module: the ``*_steps`` modules import it, never each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Sequence

from finhub_conformance.amounts import AmountDecodeError, decode_amount, decode_value
from finhub_conformance.checks import Balances
from finhub_conformance.errors import NonConformance
from finhub_conformance.exchange import Exchange
from finhub_conformance.journey import Customer

__all__ = ["Attempt", "WalletUse", "iban_for", "fee_of", "listed_items", "listed_ibans",
           "wrong_code", "check_nothing_moved", "transfer_item", "transfer_limits", "limit_of",
           "per_transaction_limit", "overcharge_rule",
           "PAY_RULES", "EXECUTE_REFUSED"]

#: The PAY rules whose scenarios promise that a refusal moves no money (first tagged one is named).
PAY_RULES = ("PAY-2", "PAY-3", "PAY-7", "PAY-8", "PAY-9", "PAY-11", "PAY-12", "PAY-13")
#: E16 refusals for an order that cannot run again (PAY-4) or any more (PAY-7).
EXECUTE_REFUSED = frozenset({400, 404, 409, 410, 422})


@dataclass(frozen=True)
class Attempt:
    """A payment attempt on ``customer``'s wallet and her balances just before it.

    ``follow_up`` is a second exchange belonging to the attempt (the E16 after an accepted E15, or the
    first execution of a repeated one); ``held`` is the total a successful E15 of this attempt may
    legitimately keep reserved (R1) although the attempt was refused later, at E16.
    """

    customer: Customer
    exchange: Exchange
    before: Balances
    follow_up: Exchange | None = None
    amount: Decimal | None = None
    held: Decimal | None = None


@dataclass(frozen=True)
class WalletUse:
    """Reads and writes attempted on one wallet."""

    reads: tuple[Exchange, ...]
    writes: tuple[Exchange, ...] = ()
    owner: Customer | None = None


def iban_for(country: str, bban: str) -> str:
    """An IBAN with correct ISO 13616 check digits for ``country`` and ``bban`` (any length)."""
    digits = "".join(str(int(ch, 36)) for ch in f"{bban}{country}00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def fee_of(exchange: Exchange) -> Decimal | None:
    """E15/S8: the total fee, from the first present of ``fees.totalFee``, ``fees.total``, ``fees`` (as an
    amount), ``summary.fees``, else ``fees.processingFee + fees.networkFee``; None when none is shown.

    An undecodable fee breaks AMT-2.
    """
    fees = exchange.get("fees")
    try:
        for key in ("fees.totalFee", "fees.total"):
            if exchange.get(key) is not None:
                return decode_value(exchange.get(key))
        if isinstance(fees, (int, float, str)) or (isinstance(fees, dict) and ("value" in fees or "amount" in fees)):
            return decode_value(fees)
        if exchange.get("summary.fees") is not None:
            return decode_value(exchange.get("summary.fees"))
        parts = [fees.get(k) for k in ("processingFee", "networkFee")] if isinstance(fees, dict) else []
        if any(p is not None for p in parts):
            return sum((decode_value(p) for p in parts if p is not None), Decimal(0))
    except AmountDecodeError as exc:
        raise NonConformance("AMT-2", "a fee cannot be decoded", received=str(exc),
                             expected="an amount in one of the AMT-2 encodings") from None
    return None


def listed_items(listing: Exchange) -> list[dict]:
    """S6: the beneficiaries, from a root array or under ``beneficiaries``."""
    payload = listing.payload
    items = payload if isinstance(payload, list) else listing.get("beneficiaries", default=[])
    return [item for item in items or [] if isinstance(item, dict)]


def listed_ibans(listing: Exchange) -> list[str]:
    """S6: the IBAN of every listed beneficiary."""
    return [item.get("iban") for item in listed_items(listing)]


def wrong_code(code: str) -> str:
    """An authentication code that differs from ``code`` but looks like one (same length and alphabet)."""
    if code.isdigit():
        return f"{(int(code) + 1) % 10 ** len(code):0{len(code)}d}"
    return code[:-1] + ("A" if code[-1:] != "A" else "B") if code else "000000"


def transfer_item(allowed: Exchange) -> dict | None:
    """The TRANSFER item of E13's operations (``operationType|type``, case-insensitive)."""
    for item in allowed.get("operations", default=[]) or []:
        if isinstance(item, dict):
            kind = item.get("operationType", item.get("type"))
            if isinstance(kind, str) and kind.upper() == "TRANSFER":
                return item
    return None


def transfer_limits(allowed: Exchange) -> dict:
    """WAL-5: the TRANSFER limits object, from the first present location (empty when none)."""
    item = transfer_item(allowed) or {}
    for limits in (item.get("limits"), allowed.get("limits"), allowed.get("transactionLimits")):
        if isinstance(limits, dict):
            return limits
    return {}


def limit_of(allowed: Exchange, *keys: str) -> Decimal | None:
    """WAL-5: a TRANSFER limit under the first present of ``keys``; None when absent or undecodable."""
    limits = transfer_limits(allowed)
    for key in keys:
        if key in limits or f"{key}Formatted" in limits:
            try:
                return decode_amount(limits, key)
            except AmountDecodeError:
                return None
    return None


def per_transaction_limit(allowed: Exchange) -> Decimal | None:
    """WAL-5: the TRANSFER per-transaction maximum from the first present location and key."""
    return limit_of(allowed, "maxAmount", "perTransaction", "perTransactionLimit")


def check_nothing_moved(attempt: Attempt, after: Balances, scenario_rules: Iterable[str]) -> None:
    """GEN-8 and the PAY rules: a refused attempt moves no money and reserves nothing.

    A change of ``current`` breaks the scenario's PAY rule ("no money moves"); any other change is a
    reservation and breaks GEN-8, except the R1 hold of an E15 the attempt got accepted (``held``).
    """
    before = attempt.before
    if after.current != before.current:
        tagged = [r for r in PAY_RULES if r in set(scenario_rules)]
        raise NonConformance(tagged[0] if tagged else "GEN-8", "a refused payment moved money",
                             received=f"current {before.current} → {after.current}", expected="unchanged")
    reserved = after.blocked - before.blocked
    allowed = {Decimal(0)} | ({attempt.held} if attempt.held is not None else set())
    if reserved not in allowed or before.available - after.available != reserved:
        raise NonConformance("GEN-8", "a refused payment changed the reserved or available balance",
                             received=f"{before} → {after}",
                             expected="unchanged" + (f" (or {attempt.held} held by the accepted prepare)"
                                                     if attempt.held is not None else ""))


def overcharge_rule(rule: str, before: Decimal, after: Decimal, totals: Sequence[Decimal]) -> str:
    """The rule a wallet that lost more than one order total breaks: ``rule`` once two order totals left it
    (PAY-4: one order ran twice; PAY-6: two orders ran on money for one), else PAY-10 (a single order took
    more than its total), so that an overcharge is not reported as money moving twice."""
    return rule if len(totals) >= 2 and before - after >= sum(sorted(totals)[:2]) else "PAY-10"
