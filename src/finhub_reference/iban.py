"""IBAN validation and generation (IBAN-1 to IBAN-3, BEN-3), BIC (BEN-4) and ISO 4217 (BEN-7) checks."""

from __future__ import annotations

import re

IBAN_PATTERN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
BIC_PATTERN = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")

#: IBAN length per country, from the SWIFT IBAN registry (IBAN-2).
COUNTRY_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28,
    "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
    "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

#: Active ISO 4217 alphabetic codes (without XXX "no currency" and XTS "testing").
ISO_4217 = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD
CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD
KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR
NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN
SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG
XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL
""".split())


def _mod97(iban: str) -> int:
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97


def iban_problem(iban: str) -> str | None:
    """None for a valid IBAN, else ``INVALID_IBAN_FORMAT`` or ``INVALID_IBAN_CHECKSUM`` (IBAN-1, IBAN-2)."""
    if not IBAN_PATTERN.match(iban):
        return "INVALID_IBAN_FORMAT"
    if COUNTRY_LENGTHS.get(iban[:2]) != len(iban):
        return "INVALID_IBAN_FORMAT"
    if not 2 <= int(iban[2:4]) <= 98 or _mod97(iban) != 1:
        return "INVALID_IBAN_CHECKSUM"
    return None


def check_digits(country: str, bban: str) -> int:
    """The ISO 13616 check digits for ``country`` + ``bban``."""
    return 98 - _mod97(f"{country}00{bban}")


#: The bank code and account-number width of the IBANs the reference issues, per country (§8 #56).
ISSUERS: dict[str, tuple[str, int]] = {"LT": ("35000", 11), "NL": ("REFB", 10)}


def make_iban(country: str, account_number: int, corrupt: bool = False) -> str:
    """An IBAN of ``country`` (LT: 20 characters, NL: 18) for an account number; ``corrupt`` breaks its check
    digits."""
    bank_code, width = ISSUERS[country]
    bban = f"{bank_code}{account_number % 10**width:0{width}d}"
    digits = check_digits(country, bban)
    if corrupt:
        digits = 97 if digits == 98 else digits + 1
    return f"{country}{digits:02d}{bban}"
