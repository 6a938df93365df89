"""SEC-1 detection: an answer passed on its text alone (no walk) is one the walk finds nothing in."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from finhub_conformance import secret_leaks
from finhub_conformance.redaction import SecretFinder
from finhub_conformance.secret_leaks import leaked_secrets

#: The run's secrets: plain, escaped in JSON text (quote, backslash, control character), non-ASCII, short.
SECRETS = ["Tenant-Secret-9", "Sup3r!Pw#2024xy", 'Qu0te"Pass!', "Back\\slash9!", "Tab\tbed9!Pw", "Ünïcode9!Pw",
           "Ab1!"]
#: Enough long values that the finder indexes them instead of testing each one (its other mode).
BIG_FINDER = SecretFinder(SECRETS + [f"Filler-Value-{n:03d}-xyz" for n in range(30)])
SECRET_NAMED_KEYS = ["password", "PassWord", "passwd", "userPasswordHash", "tenantSecret", "SECRET_KEY", "hash",
                     "pinHASH", "Salt", "salty", "hashed", "paſſword", "requiresPasswordChange", 'pass"word',
                     "sécret", "İsalt"]


def jwt(claims: Any) -> str:
    """An unsigned-looking JWT carrying ``claims``."""
    def segment(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")
    return f"{segment({'alg': 'HS256'})}.{segment(claims)}.c2ln"


_plain = st.text(st.one_of(st.sampled_from(list('aZ9.-_"\\\n :/ſİKé')), st.characters()), max_size=10)
_values = st.deferred(lambda: st.recursive(_scalars, _containers, max_leaves=12))
_strings = st.one_of(
    _plain,
    st.tuples(_plain, st.sampled_from(SECRETS), _plain).map("".join),  # a secret inside a string
    st.sampled_from(SECRETS).map(lambda s: s[:-1]),  # a near miss
    st.builds(jwt, _values),  # a JWT, whose claims are searched too
    st.sampled_from(["a.b.c", "1.12.0", "x..y", "www.example.com"]),  # shaped like one, or nearly
)
_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), _strings)


def _containers(children):
    keys = st.one_of(_plain, st.sampled_from(SECRET_NAMED_KEYS), st.sampled_from(SECRETS))
    return st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4))


_TEXT_STYLES = [{}, {"ensure_ascii": False}, {"ensure_ascii": False, "separators": (",", ":")},
                {"ensure_ascii": False, "indent": 2}]


@settings(max_examples=300, database=None, deadline=None)
@given(body=_values, style=st.sampled_from(_TEXT_STYLES))
def test_with_its_text_an_answer_has_exactly_the_findings_of_the_walk(body, style):
    """Every dict and list inside the answer is an answer too: a finding elsewhere makes the walk run anyway,
    so the text is tested where a lone finding is all it could hide."""
    parts = [body]
    while parts:
        part = parts.pop()
        parts += part.values() if isinstance(part, dict) else part if isinstance(part, list) else []
        if not isinstance(part, (dict, list)):
            continue
        text = json.dumps(part, **style)
        received = json.loads(text)
        for finder in (SECRETS, BIG_FINDER):
            assert leaked_secrets(received, finder, text) == leaked_secrets(received, finder)


@pytest.mark.parametrize("answer", [
    {"password": "x"}, {"paſſword": "x"}, {"userPasswordHash": "x"}, {"Salt": "x"},
    {"note": "pw Sup3r!Pw#2024xy"}, {"note": 'say Qu0te"Pass!'}, {"token": jwt({"pw": "Tenant-Secret-9"})},
], ids=lambda answer: next(iter(answer)))
def test_each_kind_of_finding_is_found_with_the_text(answer):
    text = json.dumps(answer, ensure_ascii=False)
    assert leaked_secrets(json.loads(text), SECRETS, text)


def test_a_clean_answer_is_passed_on_its_text_without_a_walk(monkeypatch):
    monkeypatch.setattr(secret_leaks, "_walk", lambda *a, **k: pytest.fail("walked a clean answer"))
    answer = {"customerId": "c-1", "status": "ACTIVE", "email": "b2c.1@example.com", "amount": "500.00",
              "createdAt": "2026-11-26T02:00:00.123Z", "items": [{"type": "terms", "version": "1.0"}]}
    assert leaked_secrets(answer, BIG_FINDER, json.dumps(answer)) == []
