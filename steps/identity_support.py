"""Helpers for the registration, categorization and session steps (phases 1 and 2).

Not a step module: the step modules of these phases import it, and never each other.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any

import pytest

from finhub_conformance import bodies
from finhub_conformance.categorization import Category
from finhub_conformance.errors import NonConformance
from finhub_conformance.exchange import Caller, Exchange
from finhub_conformance.journey import Bank, Customer

__all__ = ["REQUIRED_FIELDS", "ABSENT_S9", "without_field", "malformed_email", "registration_in",
           "categorization_problems", "parametrized_category", "forged", "jwt_parts", "no_token",
           "session_still_open", "refresh", "registration_credentials", "wrong_secret", "claim_problems"]

#: REG-2: the domain names of the required E2 fields, with where each one sits in the union body.
REQUIRED_FIELDS = {
    "first name": ("firstName", "individualCustomer.firstName"),
    "last name": ("lastName", "individualCustomer.lastName"),
    "email address": ("email", "individualCustomer.email"),
    "password": ("password",),
    "password confirmation": ("matchingPassword",),
}

#: S9 answers to a valid call that mean the optional endpoint is absent (§6 S9, §7.3).
ABSENT_S9 = {404, 405, 501}


def without_field(body: dict[str, Any], field: str, gap: str) -> dict[str, Any]:
    """REG-2: ``body`` with every occurrence of the required ``field`` left out or left empty."""
    if field not in REQUIRED_FIELDS or gap not in ("left out", "left empty"):
        raise ValueError(f"unknown required field or gap: {field!r} {gap!r}")
    for path in REQUIRED_FIELDS[field]:
        *parents, leaf = path.split(".")
        node = body
        for part in parents:
            node = node.get(part, {})
        if gap == "left out":
            node.pop(leaf, None)
        else:
            node[leaf] = ""
    return body


def malformed_email(email: str, malformation: str) -> str:
    """REG-5: ``email`` broken in one of the ways the feature names."""
    local, domain = email.split("@", 1)
    variants = {
        "has no at sign": f"{local}.{domain}",
        "has nothing before the at sign": f"@{domain}",
        "has nothing after the at sign": f"{local}@",
        "has two at signs": f"{local}@@{domain}",
        "contains a space": f"{local[:3]} {local[3:]}@{domain}",
    }
    if malformation not in variants:
        raise ValueError(f"unknown email malformation {malformation!r}")
    return variants[malformation]


def registration_in(customer: Customer, category: dict[str, Any]) -> dict[str, Any]:
    """An E2 body for ``customer`` naming ``category`` ({id, name, relations}) in both union places."""
    return bodies.registration_body(first_name=customer.first_name, last_name=customer.last_name,
                                    email=customer.email, password=customer.password,
                                    tenant_path_id=customer.tenant.path_id, category=category)


def parametrized_category(bank: Bank, *, needs_allowed_values: bool = False) -> Category:
    """CAT-3/CAT-4: the high-risk category if it has mandatory keys, else the first one that has.

    Skipped per §7.3 when no category of the hierarchy has a feature with ``mandatoryKeys`` (and, for
    CAT-4, when no mandatory key is restricted by ``allowedValues``: there is then nothing to check).
    """
    categories = bank.hierarchy()
    preferred = categories.get(bank.settings.high_risk_category)
    candidates = ([preferred] if preferred else []) + [c for c in categories.values() if c is not preferred]
    for category in candidates:
        if any(f.mandatory_keys for f in category.features) and (
                not needs_allowed_values or category.constrained_keys()):
            return category
    if needs_allowed_values:
        pytest.skip("no mandatory parametrization key of the hierarchy has allowedValues: CAT-4 has nothing "
                    "to check (§7.3)")
    pytest.skip("no category of the hierarchy has a feature with mandatoryKeys: CAT-3 and CAT-4 are skipped "
                "(§7.3)")


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def categorization_problems(payload: Any) -> list[str]:
    """CAT-1: what is wrong with the shape of an E1 payload (empty when it conforms)."""
    if not isinstance(payload, dict):
        return ["the payload is not an object"]
    raw = payload.get("categories")
    if isinstance(raw, dict):
        entries = list(raw.items())
    elif isinstance(raw, list):
        entries = [(None, item) for item in raw]
    else:
        return ["categories is neither a map nor an array"]
    top = payload.get("features") if isinstance(payload.get("features"), dict) else {}
    problems = []
    for key, item in entries:
        where = f"category {key or '#'}"
        if not isinstance(item, dict):
            problems.append(f"{where} is not an object")
            continue
        category_id = item.get("categoryId") or key
        if not isinstance(category_id, str) or not category_id:
            problems.append(f"{where} has no categoryId")
        if not isinstance(item.get("categoryName"), str):
            problems.append(f"{where} has no categoryName string")
        features = item.get("availableFeatures", item.get("features")) or []
        if not isinstance(features, list):
            problems.append(f"{where}: its features are not an array")
            continue
        for feature in features:
            code = feature.get("featureCode") if isinstance(feature, dict) else None
            if not isinstance(code, str) or not code:
                problems.append(f"{where}: a feature has no featureCode")
                continue
            shared = top.get(code) if isinstance(top.get(code), dict) else {}
            keys = feature.get("mandatoryKeys", shared.get("mandatoryKeys"))
            allowed = feature.get("allowedValues", shared.get("allowedValues"))
            if keys is not None and not _is_str_list(keys):
                problems.append(f"{where}: mandatoryKeys of {code} is not an array of strings")
            if allowed is not None and not isinstance(allowed, dict):
                problems.append(f"{where}: allowedValues of {code} is not an object")
    return problems


def forged(token: str) -> str:
    """The token with its signature altered (first signature character changed): a bad token."""
    head, payload, signature = (token.split(".") + ["", ""])[:3]
    first = signature[:1] or "A"
    return f"{head}.{payload}.{'B' if first == 'A' else 'A'}{signature[1:]}"


def registration_credentials(bank: Bank, kind: str) -> Caller:
    """REG-1: a caller that presents ``kind`` instead of the tenant admin's token."""
    admin = bank.admin()
    tokens = {"no credentials at all": None, "a malformed token": "x",
              "a token whose signature was tampered with": forged(admin.token or "")}
    if kind not in tokens:
        raise ValueError(f"unknown credentials {kind!r}")
    return admin.with_token(tokens[kind])


def jwt_parts(token: str) -> tuple[dict, dict]:
    """The decoded JSON header and payload of a compact JWS (ValueError when it is not one)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("not three segments")

    def decode(segment: str) -> dict:
        value = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
        if not isinstance(value, dict):
            raise ValueError("a segment is not a JSON object")
        return value

    return decode(parts[0]), decode(parts[1])


def no_token(exchange: Exchange, rule: str) -> None:
    """A refused log-in carries no token (SES-3, SES-4, SES-5)."""
    if exchange.get("token"):
        raise NonConformance(rule, "a refused log-in still carries a token", received=exchange.describe(),
                             expected="no token")


def session_still_open(bank: Bank, customer: Customer, token: str | None = None) -> Exchange:
    """Proves a session usable by ending it with its own token (E4); returns the exchange."""
    caller = customer.caller if token is None else customer.caller.with_token(token)
    return bank.log_out(customer, caller=caller)


def refresh(bank: Bank, customer: Customer, refresh_token: str | None = None,
            caller: Caller | None = None) -> Exchange:
    """S9 for ``customer``'s session; skipped (§7.3) when E3 gave no refreshToken."""
    if not customer.refresh_token:
        pytest.skip("the log-in returned no refreshToken: SES-9 is skipped (§7.3)")
    return bank.client.refresh_session(caller or customer.caller, customer.customer_id, customer.user_id,
                                       customer.session_id,
                                       customer.refresh_token if refresh_token is None else refresh_token)


def wrong_secret() -> str:
    """A credential value that no deployment issued."""
    return f"wrong-{secrets.token_hex(12)}"


def claim_problems(claims: dict) -> list[str]:
    """SES-1 (SHOULD): the documented claims, ``exp`` in the future, a CONSUMER with the USER role."""
    problems = []
    missing = [c for c in ("tenantId", "customerId", "userId", "exp") if c not in claims]
    if missing:
        problems.append(f"the token lacks the claims {', '.join(missing)}")
    exp = claims.get("exp")
    if isinstance(exp, (int, float)) and not isinstance(exp, bool) and exp <= time.time():
        problems.append("the token's exp is not in the future")
    if str(claims.get("userType", "")).upper() != "CONSUMER":
        problems.append(f"the token's userType is {claims.get('userType')!r}, not CONSUMER")
    roles = claims.get("roles")
    if not isinstance(roles, list) or "USER" not in [str(r).upper() for r in roles]:
        problems.append(f"the token's roles are {roles!r}, not [\"USER\"]")
    return problems
