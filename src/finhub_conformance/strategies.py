"""Hypothesis strategies for the profile's inputs (passwords: REG-3, REG-4; hostile bodies: SEC-2) and the
suite's Hypothesis profiles."""

from __future__ import annotations

import string
from typing import Any

from hypothesis import strategies as st
from hypothesis.control import current_build_context, currently_in_test_context

__all__ = ["CLAUSES", "password_breaking", "passwords_breaking_one_clause", "unusual_valid_passwords",
           "hostile_values", "hostile_bodies", "ORDER_EXPIRY_WAIT_S", "register_profiles", "order_expiry_wait_s",
           "in_discarded_example"]

def in_discarded_example() -> bool:
    """True inside a Hypothesis example that is not the final (shrunk) one: its exchanges are not evidence."""
    return currently_in_test_context() and not current_build_context().is_final


_UPPER, _LOWER, _DIGITS = string.ascii_uppercase, string.ascii_lowercase, string.digits
#: Specials per REG-3: printable ASCII that is neither a letter, a digit nor a space.
_SPECIALS = "".join(c for c in string.punctuation)
_CLASSES = {"upper": _UPPER, "lower": _LOWER, "digit": _DIGITS, "special": _SPECIALS}

#: The clauses of the seed's password policy, each broken on its own.
CLAUSES = ("too short", "no upper-case letter", "no lower-case letter", "no digit", "no special character")
_DROPS = {"no upper-case letter": "upper", "no lower-case letter": "lower", "no digit": "digit",
          "no special character": "special"}


@st.composite
def password_breaking(draw, clause: str) -> str:
    """A password that breaks exactly ``clause`` of REG-3 and meets every other clause (ASCII only)."""
    if clause == "too short":
        required = [draw(st.sampled_from(pool)) for pool in _CLASSES.values()]
        extra = draw(st.lists(st.sampled_from(_UPPER + _LOWER + _DIGITS + _SPECIALS), max_size=3))
        return "".join(draw(st.permutations(required + extra)))
    missing = _DROPS[clause]
    pools = {name: pool for name, pool in _CLASSES.items() if name != missing}
    required = [draw(st.sampled_from(pool)) for pool in pools.values()]
    alphabet = "".join(pools.values())
    filler = draw(st.lists(st.sampled_from(alphabet), min_size=max(0, 8 - len(required)), max_size=40))
    return "".join(draw(st.permutations(required + filler)))


def passwords_breaking_one_clause() -> st.SearchStrategy[tuple[str, str]]:
    """(clause, password) pairs covering every clause."""
    return st.sampled_from(CLAUSES).flatmap(lambda clause: password_breaking(clause).map(lambda p: (clause, p)))


@st.composite
def unusual_valid_passwords(draw) -> str:
    """Seed-compliant passwords that look unusual: unicode letters, long, or made mostly of specials."""
    core = [draw(st.sampled_from(pool)) for pool in _CLASSES.values()]
    kind = draw(st.sampled_from(["unicode", "long", "specials"]))
    if kind == "unicode":
        extra = draw(st.text(st.characters(categories=["Lu", "Ll", "Lo"]), min_size=4, max_size=20))
    elif kind == "long":
        extra = draw(st.text(st.sampled_from(_UPPER + _LOWER + _DIGITS + _SPECIALS), min_size=100, max_size=200))
    else:
        extra = draw(st.text(st.sampled_from(_SPECIALS), min_size=8, max_size=30))
    return "".join(draw(st.permutations(core + list(extra))))


def hostile_values() -> st.SearchStrategy[Any]:
    """Values of the wrong type or absurd size for any field (SEC-2)."""
    return st.one_of(
        st.none(), st.booleans(), st.integers(min_value=-(2**63), max_value=2**63),
        st.floats(allow_nan=False), st.text(max_size=20), st.just("x" * 10_000),
        st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
        st.just({"value": "9" * 40, "scale": 2, "currency": "EUR"}),
        st.just({"value": "100", "scale": -30, "currency": "EUR"}),
        st.just({"value": "1e309", "scale": 400, "currency": "???"}),
        st.sampled_from(["NOT_AN_ENUM", "", " ", "\u0000", "😀" * 50]))


def hostile_bodies(valid: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Mutations of a valid body: a field replaced, removed or added, or a body that is not an object."""
    keys = sorted(valid)
    added = st.tuples(st.text(min_size=1, max_size=30), hostile_values()).map(lambda kv: {**valid, kv[0]: kv[1]})
    not_object = st.one_of(st.lists(st.integers(), max_size=3), st.text(max_size=10), st.integers(), st.none())
    if not keys:  # an empty valid body (E5): only extra fields and non-objects can be hostile
        return st.one_of(added, not_object)
    replaced = st.tuples(st.sampled_from(keys), hostile_values()).map(lambda kv: {**valid, kv[0]: kv[1]})
    removed = st.sampled_from(keys).map(lambda k: {key: v for key, v in valid.items() if key != k})
    return st.one_of(replaced, removed, added, not_object)


#: How long the lifecycle machine may wait for a prepared order to expire (PAY-7), per profile. A wait
#: lasts the order's whole lifetime (6 s with the embedded reference's 5 s TTL), one example in eleven
#: walks to "expired", and every replay of a failing example that does waits again: only the nightly
#: profile waits; elsewhere the PAY-7 scenario covers expiry and the machine leaves such orders open.
ORDER_EXPIRY_WAIT_S = {"ci": 0.0, "dev": 0.0, "thorough": 10.0}


def register_profiles(database_dir) -> None:
    """Hypothesis profiles, registered in one place: ``ci`` (bounded, deterministic), ``dev`` and
    ``thorough`` (for a nightly run against staging). HTTP makes deadlines meaningless: none.

    No profile runs the ``explain`` phase: it replays the shrunk example once per choice with line
    tracing on, which over HTTP cost the lifecycle machine minutes per failure for a note about
    which source lines only failing runs reached.
    """
    from hypothesis import HealthCheck, Phase, settings
    from hypothesis.database import DirectoryBasedExampleDatabase

    slow = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]
    phases = [phase for phase in Phase if phase is not Phase.explain]
    database = DirectoryBasedExampleDatabase(str(database_dir / "examples"))
    settings.register_profile("ci", max_examples=15, stateful_step_count=25, deadline=None, derandomize=True,
                              database=None, print_blob=True, suppress_health_check=slow, phases=phases)
    settings.register_profile("dev", max_examples=25, stateful_step_count=30, deadline=None, database=database,
                              suppress_health_check=slow, phases=phases)
    settings.register_profile("thorough", max_examples=300, stateful_step_count=40, deadline=None,
                              database=database, suppress_health_check=slow, phases=phases)


def order_expiry_wait_s(profile: str) -> float:
    """:data:`ORDER_EXPIRY_WAIT_S` of ``profile``, also for the ``NAME-EXAMPLES`` variants the harness derives."""
    return ORDER_EXPIRY_WAIT_S.get(profile.split("-")[0], 0.0)
