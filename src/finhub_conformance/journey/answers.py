"""Reading the deployment's answers: enum states, ids, fees, totals and the payment consent's code.

Shared by every phase of :class:`~finhub_conformance.journey.Bank`, and by the lifecycle model, so that
one profile rule (GEN-11 upper-casing, the fee lookup order, the A-1/A-2/A-3 code variants) is read in
one place; ``setup_step`` is the §7.4 rule that a failed setup call is an error, never a pass.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..amounts import AmountDecodeError, decode_value
from ..errors import SetupFailure
from ..exchange import Exchange
from ..secret_leaks import decoded_jwt

SETTLED = {"COMPLETED", "EXECUTED"}
PENDING = {"PENDING", "PROCESSING", "EXECUTING"}


def status_of(exchange: Exchange, *keys: str) -> str | None:
    """An enum value from the payload, upper-cased (GEN-11)."""
    value = exchange.get(*(keys or ("status",)))
    return value.upper() if isinstance(value, str) else None


def authentication_code(exchange: Exchange) -> str | None:
    """S7's code: A-1 ``magicLinkToken`` JWT ``answer`` claim, A-2 ``authenticationCode``, A-3 none."""
    token = exchange.get("magicLinkToken")
    if isinstance(token, str):
        claims = decoded_jwt(token)
        if isinstance(claims, dict) and claims.get("answer") is not None:
            return str(claims["answer"])
    code = exchange.get("authenticationCode")
    return str(code) if code is not None else None


def fee_of(exchange: Exchange) -> Decimal:
    """The total fee of a prepare answer (E15 / S8) in the profile's order: ``fees.totalFee``,
    ``fees.total``, ``fees`` as an amount, ``summary.fees``, else ``fees.processingFee + fees.networkFee``;
    0 when none is stated."""
    for candidate in ("fees.totalFee", "fees.total"):
        value = exchange.get(candidate)
        if value is not None:
            return decode_value(value)
    fees = exchange.get("fees")
    if isinstance(fees, (int, float, str)) or (isinstance(fees, dict) and ("value" in fees or "amount" in fees
                                                                           or "valueFormatted" in fees)):
        return decode_value(fees)
    summary = exchange.get("summary.fees")
    if summary is not None:
        return decode_value(summary)
    if isinstance(fees, dict):
        parts = [fees.get("processingFee"), fees.get("networkFee")]
        if any(p is not None for p in parts):
            return sum((decode_value(p) for p in parts if p is not None), Decimal(0))
    return Decimal(0)


def total_of(exchange: Exchange, amount: Decimal) -> Decimal | None:
    """The stated total of a prepare answer, else the amount plus its fee; ``None`` when undecodable."""
    total = exchange.get("totalAmount", "summary.totalAmount")
    try:
        if total is not None:
            return decode_value(total)
        return amount + fee_of(exchange)
    except AmountDecodeError:
        return None


def text_of(value: Any) -> str | None:
    """An id or token from the payload as text: a non-empty string or an integer, else ``None``."""
    if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
        return str(value)
    return None


def setup_step(exchange: Exchange, rule: str, what: str) -> Exchange:
    """A setup call must succeed (profile §7.4): otherwise an error naming the rule, never a pass."""
    if not exchange.ok:
        raise SetupFailure(rule, f"setup step failed: {what}", received=exchange.describe()
                           + (f" {exchange.text[:200]}" if exchange.text else ""), expected="a 2xx answer")
    return exchange
