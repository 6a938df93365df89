"""Passwords per profile §7.4: a strong happy-path password per customer, and REG-3 negatives."""

from __future__ import annotations

import secrets
import string

__all__ = ["strong_password", "weak_passwords", "SPECIALS", "is_seed_compliant"]

SPECIALS = "!@#$%*"
_UPPER = string.ascii_uppercase
_LOWER = string.ascii_lowercase
_DIGITS = string.digits


def _ok(candidate: str, avoid: tuple[str, ...]) -> bool:
    for a, b in zip(candidate, candidate[1:]):
        if a == b:
            return False
    for a, b, c in zip(candidate, candidate[1:], candidate[2:]):
        if a.isalnum() and b.isalnum() and c.isalnum():
            step1, step2 = ord(b) - ord(a), ord(c) - ord(b)
            if step1 == step2 and step1 in (1, -1):
                return False
    lowered = candidate.lower()
    for word in avoid:
        w = word.lower()
        if any(w[i:i + 3] in lowered for i in range(max(0, len(w) - 2))):
            return False
    return True


def strong_password(*avoid: str, length: int = 20) -> str:
    """A fresh password meeting any plausible stricter policy (profile §7.4).

    20 ASCII characters; at least 3 each of upper, lower, digit and specials from ``!@#$%*``; no
    whitespace, no repeated neighbours, no ascending/descending run of 3, and no 3-character
    substring of any string in ``avoid`` (email, first and last name).
    """
    rng = secrets.SystemRandom()
    while True:
        chars = ([rng.choice(_UPPER) for _ in range(4)] + [rng.choice(_LOWER) for _ in range(4)]
                 + [rng.choice(_DIGITS) for _ in range(4)] + [rng.choice(SPECIALS) for _ in range(4)])
        pool = _UPPER + _LOWER + _DIGITS + SPECIALS
        chars += [rng.choice(pool) for _ in range(length - len(chars))]
        rng.shuffle(chars)
        candidate = "".join(chars)
        if _ok(candidate, avoid):
            return candidate


def is_seed_compliant(password: str) -> bool:
    """True when ``password`` meets the seed's minimum policy (REG-3), ASCII classes only."""
    return (len(password) >= 8 and any(c in _UPPER for c in password) and any(c in _LOWER for c in password)
            and any(c in _DIGITS for c in password)
            and any(c in string.punctuation for c in password))


def weak_passwords() -> dict[str, str]:
    """One password per REG-3 clause, each breaking exactly that clause (profile §7.4)."""
    base = strong_password()
    short = "Ab3!" + "".join(secrets.choice("xyz") for _ in range(3))
    drop = lambda pool, filler: "".join(filler if c in pool else c for c in base)  # noqa: E731
    cases = {
        "too short": short[:7],
        "no upper-case letter": drop(_UPPER, "k"),
        "no lower-case letter": drop(_LOWER, "K"),
        "no digit": drop(_DIGITS, "q"),
        "no special character": drop(SPECIALS, "7"),
    }
    return cases
