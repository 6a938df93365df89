"""Money: AmountDto requests (AMT-1) and the AMT-2 decoding ladder for responses."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

__all__ = ["Money", "amount_dto", "decode_amount", "AmountDecodeError"]

Money = Decimal
_CURRENCY_SUFFIX = re.compile(r"\s+[A-Za-z]{3}$")


class AmountDecodeError(ValueError):
    """A response amount that no rung of the AMT-2 ladder can decode."""


def amount_dto(value: Decimal, currency: str = "EUR", scale: int = 2) -> dict[str, Any]:
    """The AMT-1 request form: EUR 12.34 is ``{"value": "1234", "scale": 2, "currency": "EUR"}``."""
    minor = (Decimal(value) * (Decimal(10) ** scale)).to_integral_value()
    return {"value": str(int(minor)), "scale": scale, "currency": currency}


def decode_amount(container: Mapping[str, Any] | None, key: str) -> Decimal:
    """Decode ``container[key]`` in major units with the AMT-2 ladder (first rung that applies).

    Rung 1 is a sibling ``<key>Formatted``; the others look at the value itself.
    """
    if container is not None and isinstance(container.get(f"{key}Formatted"), str):
        return _decimal_major(container[f"{key}Formatted"])
    if container is None or key not in container:
        raise AmountDecodeError(f"no amount under {key!r}")
    return decode_value(container[key])


def decode_value(value: Any) -> Decimal:
    """Decode one amount value (rungs 2 to 6 of the AMT-2 ladder)."""
    if isinstance(value, Mapping):
        if "scale" in value and "value" in value:
            try:
                return Decimal(str(value["value"])) * (Decimal(10) ** -int(value["scale"]))
            except (InvalidOperation, ValueError, TypeError):
                raise AmountDecodeError(f"bad value/scale amount {value!r}") from None
        if isinstance(value.get("valueFormatted"), str):
            return _decimal_major(value["valueFormatted"])
        for inner in ("value", "amount"):
            if inner in value:
                return decode_value(value[inner])
        raise AmountDecodeError(f"amount object without value: {value!r}")
    if isinstance(value, bool):
        raise AmountDecodeError(f"boolean is not an amount: {value!r}")
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    if isinstance(value, str):
        text = _CURRENCY_SUFFIX.sub("", value.strip())
        if "." in text:
            return _decimal_major(text)
        if re.fullmatch(r"-?\d+", text):
            return Decimal(text) / 100
        raise AmountDecodeError(f"string amount is neither major nor minor units: {value!r}")
    raise AmountDecodeError(f"not an amount: {value!r}")


def _decimal_major(text: str) -> Decimal:
    text = _CURRENCY_SUFFIX.sub("", text.strip()).replace(",", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise AmountDecodeError(f"not a decimal amount: {text!r}") from None
