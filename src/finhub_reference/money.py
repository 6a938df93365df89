"""Amounts: AmountDto parsing for requests (AMT-1) and the response encodings of AMT-2.

Internally every amount is an integer number of cents. Requests carry AmountDto
``{"value":"<integer string>","scale":2,"currency":"EUR"}`` (a missing scale means 2); balances are answered
as minor-unit strings with ``*Formatted`` siblings, order amounts as AmountDto.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from finhub_reference.envelope import ApiError, field_error

_INTEGER = re.compile(r"^[+-]?[0-9]{1,30}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_SCALE = 18


def parse_amount(raw: Any, field: str, default_currency: str | None = None) -> tuple[int, str]:
    """``(cents, currency)`` from an AmountDto; a 400 for anything else (PAY-11, SEC-2)."""
    if not isinstance(raw, dict):
        raise field_error(field, "must be an AmountDto object {value, scale, currency}")
    value = raw.get("value")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise field_error(f"{field}.value", "must be an integer string")
    text = str(value).strip()
    if not _INTEGER.match(text):
        raise field_error(f"{field}.value", "must be an integer string of at most 30 digits")
    scale = raw.get("scale", 2)
    if scale is None:
        scale = 2
    if isinstance(scale, bool) or not isinstance(scale, int) or not 0 <= scale <= MAX_SCALE:
        raise field_error(f"{field}.scale", f"must be an integer between 0 and {MAX_SCALE}")
    currency = raw.get("currency", default_currency)
    if currency is None:
        currency = default_currency
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise field_error(f"{field}.currency", "must be a three-letter currency code")
    try:
        cents = Decimal(text).scaleb(2 - scale)
    except InvalidOperation:
        raise field_error(f"{field}.value", "is not a number") from None
    if cents != cents.to_integral_value():
        raise field_error(f"{field}.value", "has more than 2 decimal places")
    return int(cents), currency


def formatted(cents: int) -> str:
    """Major units with two decimals: ``123456`` -> ``"1234.56"``."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def amount_dto(cents: int, currency: str) -> dict[str, Any]:
    """An AmountDto with scale 2 (AMT-2 rule 2), plus its formatted value for readers."""
    return {"value": str(cents), "scale": 2, "currency": currency, "valueFormatted": formatted(cents)}


def require_positive(cents: int, field: str) -> None:
    """PAY-11: an amount must be greater than zero."""
    if cents <= 0:
        raise ApiError(400, "VALIDATION_FAILED", "Amount must be greater than zero",
                       errors=[{"field": f"{field}.value", "message": "must be greater than zero"}])
