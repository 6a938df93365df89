"""Typed step parameters, in one place: personas, money, consent segments (house style 8)."""

from __future__ import annotations

from decimal import Decimal

import parse
from pytest_bdd import parsers

__all__ = ["step", "PERSONA", "MONEY", "CONSENT"]


@parse.with_pattern(r"[A-Z][a-z]+")
def PERSONA(text: str) -> str:
    """A persona's name: Alice, Bob, Hana, Mallory …"""
    return text


@parse.with_pattern(r"\d+(?:\.\d{1,2})?")
def MONEY(text: str) -> Decimal:
    """An amount in EUR, as a Decimal (never a float)."""
    return Decimal(text)


@parse.with_pattern(r"terms|privacy|data-processing")
def CONSENT(text: str) -> str:
    """A consent's path segment."""
    return text


_TYPES = {"Persona": PERSONA, "Money": MONEY, "Consent": CONSENT}


def step(text: str) -> parsers.parse:
    """A ``parsers.parse`` pattern that knows the suite's parameter types."""
    return parsers.parse(text, extra_types=_TYPES)
