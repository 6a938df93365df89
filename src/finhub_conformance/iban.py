"""IBAN checks (IBAN-1, IBAN-2) and fresh beneficiary IBANs for the suite to send."""

from __future__ import annotations

import re
import secrets

__all__ = ["iban_problems", "is_valid_iban", "german_iban", "with_bad_checksum", "COUNTRY_LENGTHS"]

_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")

#: ISO 13616 registry lengths for the countries a European deployment is likely to use (IBAN-2).
COUNTRY_LENGTHS = {
    "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "ES": 24,
    "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21,
    "LT": 20, "LU": 20, "LV": 21, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24,
    "SI": 19, "SK": 24,
}


def _mod97(iban: str) -> int:
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97


def iban_problems(iban: object) -> list[str]:
    """What makes ``iban`` fail IBAN-1 (shape, check digits 02-98, mod-97); empty when valid."""
    if not isinstance(iban, str):
        return [f"not a string: {iban!r}"]
    if not _SHAPE.match(iban):
        return [f"{iban!r} does not match ^[A-Z]{{2}}[0-9]{{2}}[A-Z0-9]{{11,30}}$"]
    problems = []
    if not 2 <= int(iban[2:4]) <= 98:
        problems.append(f"check digits {iban[2:4]} are outside 02-98")
    if _mod97(iban) != 1:
        problems.append("ISO 13616 mod-97 remainder is not 1")
    return problems


def is_valid_iban(iban: object) -> bool:
    """True when ``iban`` passes IBAN-1."""
    return not iban_problems(iban)


def _with_check_digits(country: str, bban: str) -> str:
    check = 98 - _mod97(f"{country}00{bban}")
    return f"{country}{check:02d}{bban}"


def german_iban(bank_code: str = "37040044") -> str:
    """A fresh, valid DE IBAN (22 characters) with the given bank code, as profile E14 prescribes."""
    account = f"{secrets.randbelow(10**10):010d}"
    return _with_check_digits("DE", bank_code + account)


def with_bad_checksum(iban: str) -> str:
    """The same IBAN with its check digits changed so that mod-97 fails (for BEN-3)."""
    digits = int(iban[2:4])
    wrong = 2 + (digits - 2 + 1) % 97
    return f"{iban[:2]}{wrong:02d}{iban[4:]}"
