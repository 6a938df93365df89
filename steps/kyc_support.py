"""Helpers shared by the KYC step modules: verification, decisions, consents, activation, readiness.

Not a step module (step modules never import each other); it holds the small records that travel
between steps as fixtures, and the reads several steps need (profile §4.3, §4.4, S5).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from finhub_conformance import bodies
from finhub_conformance.checks import Advisory, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.exchange import Caller, Exchange
from finhub_conformance.journey import Bank, Customer, status_of

__all__ = ["ABSENT", "ACTIVE_CUSTOMER", "OPEN_STATUSES", "SUBMITTED_STATUSES", "Decision", "Attempt",
           "Activation", "verification_state", "recorded_decision", "skip_if_auto_approved", "readiness_flag",
           "readiness_agrees", "activate_with_code", "record_id", "advise_unless"]

#: An optional endpoint (S3, S5) that is absent answers one of these for a known resource.
ABSENT = frozenset({404, 405, 501})
#: SM-3: the customer statuses that denote activity.
ACTIVE_CUSTOMER = frozenset({"CS_ACTIVE", "ACTIVE", "ACTIVATED"})
#: SM-4 (SHOULD): the status names after initiate, and after submit.
OPEN_STATUSES = frozenset({"INITIATED", "IN_PROGRESS", "PENDING", "PENDING_DOCUMENTS"})
SUBMITTED_STATUSES = OPEN_STATUSES | {"PENDING_APPROVAL", "SUBMITTED", "UNDER_REVIEW"}


@dataclass(frozen=True)
class Decision:
    """A decision attempt (S2, and S3 where sent), with the verification status just before it."""

    exchange: Exchange
    status_before: str | None
    others: tuple[Exchange, ...] = ()


@dataclass(frozen=True)
class Attempt:
    """An E5 or E6 attempt, with the verification id and status the customer had before it."""

    exchange: Exchange
    verification_id: str | None
    status_before: str | None


@dataclass(frozen=True)
class Activation:
    """An activation attempt, with the readiness check (S5) asked just before it."""

    exchange: Exchange
    readiness: Exchange
    account_before: str | None = None
    iban_before: str | None = None
    customer: Customer | None = None


def verification_state(bank: Bank, customer: Customer, rule: str = "VER-4",
                       verification_id: str | None = None, caller: Caller | None = None) -> str | None:
    """E7 as a read-back: the upper-cased status of the customer's (or the given) verification."""
    exchange = bank.client.get_verification(caller or customer.caller, verification_id or customer.verification_id)
    return status_of(expect_success(exchange, rule, "reading the verification back"))


def recorded_decision(bank: Bank, customer: Customer, caller: Caller, status: str = "APPROVED") -> Decision:
    """S2 as ``caller``, with the verification status just before it (a refused decision must keep it)."""
    before = status_of(bank.verification_status(customer))
    return Decision(bank.decide(customer, caller, status=status), before)


def skip_if_auto_approved(state: str | None, what: str) -> None:
    """VER-9: with auto-approval a standard verification is decided at submit; skip what that makes moot."""
    if state == "APPROVED":
        pytest.skip(f"the verification was auto-approved at submit (VER-9): {what}")


def readiness_flag(check: Exchange) -> bool | None:
    """S5's ``activationAllowed|canActivate`` (first present), when it is a boolean."""
    flag = check.get("activationAllowed", "canActivate")
    return flag if isinstance(flag, bool) else None


def readiness_agrees(activation: Activation) -> None:
    """ACT-9: where S5 exists, "allowed" means E11 succeeds and "not allowed" means it is refused."""
    check = activation.readiness
    if check.status in ABSENT:
        return
    expect_success(check, "ACT-9", "the activation readiness check")
    allowed = readiness_flag(check)
    if allowed is not None and allowed != activation.exchange.ok:
        raise NonConformance("ACT-9", "the readiness check disagrees with the activation",
                             received=f"allowed={allowed}, activation {activation.exchange.describe()}",
                             expected="the same verdict from both")


def activate_with_code(bank: Bank, customer: Customer, code: str) -> Exchange:
    """E11 by the tenant admin with ``code`` as the activation code; remembers the wallet (ACT-6)."""
    body = bodies.activation_body(customer.user_id, customer.tenant.admin.user_id)
    body["code"] = code
    exchange = bank.client.activate(bank.admin(customer.tenant), customer.customer_id, body)
    if exchange.ok:
        account = exchange.get("wallet.walletId", "wallet.id", "walletId", "accountId")
        iban = exchange.get("iban", "wallet.iban")
        customer.account_id = str(account) if account else customer.account_id
        customer.iban = str(iban) if isinstance(iban, str) and iban else customer.iban
    return exchange


def record_id(exchange: Exchange) -> str | None:
    """A consent record's id (``id|consentId``), when the payload carries one."""
    value = exchange.get("id", "consentId")
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None


def advise_unless(ok: bool, advisories: list, rule: str, message: str) -> None:
    """Record a SHOULD miss (profile §0.1): reported, never failed."""
    if not ok:
        advisories.append(Advisory(rule, message))
