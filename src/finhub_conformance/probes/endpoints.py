"""The table of endpoints the probes call (E1-E16, S1-S8), each with the body it canonically sends.

Each endpoint is a call aimed at one customer's real ids (see :mod:`.calls`), so that a refusal can
only come from the credentials or the input; ``role`` says whose token it canonically takes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from .. import bodies
from ..iban import german_iban
from ..journey import Bank, Customer

#: An optional endpoint answering one of these for a known resource is absent (S3, S5, S8, S9).
ABSENT = frozenset({404, 405, 501})

Body = Callable[[Bank, Customer, dict], dict]


@dataclass(frozen=True)
class Endpoint:
    """One endpoint as a call aimed at a customer's ids; ``role`` says whose token it canonically takes."""

    operation: str
    method: str
    path: str
    role: str  # "admin", "cust" or "none"
    body: Body | None = None
    schema: str | None = None
    optional: bool = False
    amount_key: str | None = None

    @property
    def code(self) -> str:
        """``E5``, ``S8`` …"""
        return self.operation.split()[0]


def _registration(bank: Bank, customer: Customer, ids: dict) -> dict:
    return bank.registration_body(bank.new_customer("Eve", tenant=customer.tenant))


def login_body(bank: Bank, customer: Customer, ids: dict) -> dict:
    t = customer.tenant
    return bodies.customer_login_body(customer.email, customer.password, t.key, t.secret, t.path_id)


def _admin_login(bank: Bank, customer: Customer, ids: dict) -> dict:
    t = customer.tenant
    return bodies.admin_login_body(f"nobody.{bank.run_id}", "Not-The-Passw0rd!", t.key, t.secret)


def _decision(bank: Bank, customer: Customer, ids: dict) -> dict:
    admin = customer.tenant.admin
    return bodies.decision_body(ids["verification"], ids["customer"], admin.user_id, admin.username)


def _activation(bank: Bank, customer: Customer, ids: dict) -> dict:
    return bodies.activation_body(ids["user"], customer.tenant.admin.user_id)


def _transfer(bank: Bank, customer: Customer, ids: dict) -> dict:
    return bodies.transfer_body(ids["account"], Decimal("1.00"), beneficiary_id=ids["beneficiary"],
                                iban=german_iban(), consent_id=customer.consent_id)


def _payment_consent(bank: Bank, customer: Customer, ids: dict) -> dict:
    return bodies.payment_consent_body(ids["beneficiary"], Decimal("10.00"))


def _topup(bank: Bank, customer: Customer, ids: dict) -> dict:
    return bodies.topup_body(ids["account"], Decimal("1.00"), german_iban())


_C = "/customer/individual/{customer}"
_F = "/fintrans/{account}"

#: Every endpoint of §5 and §6 the suite calls, in phase order. S9 (a PUT, refresh-token auth) is left out.
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("S1 admin log-in", "POST", "/admin/organization/{org}/users/{admin}/sessions", "none",
             _admin_login, "admin_session"),
    Endpoint("E1 hierarchy", "GET", "/customer/individual/categorization/hierarchy/{tenant}", "admin",
             schema="category_hierarchy"),
    Endpoint("E2 register", "POST", "/customer/individual/registration", "admin", _registration, "registration"),
    Endpoint("E3 log in", "POST", _C + "/users/{user}/sessions", "none", login_body, "customer_session"),
    Endpoint("E5 initiate verification", "POST", _C + "/verification/initiate", "cust",
             lambda b, c, i: {}, "verification_initiate"),
    Endpoint("E6 submit verification", "POST", _C + "/verification", "cust",
             lambda b, c, i: bodies.verification_body(f"P{uuid.uuid4().hex[:9].upper()}"), "verification_submit"),
    Endpoint("E7 verification status", "GET", "/verifications/{verification}", "cust", schema="verification"),
    Endpoint("S2 decide verification", "POST", "/verifications/{verification}/approve", "admin", _decision,
             "verification_decision"),
    Endpoint("S3 reject verification", "POST", "/verifications/{verification}/reject", "admin",
             lambda b, c, i: bodies.rejection_body(), "verification_decision", optional=True),
    *(Endpoint(f"E8-E10 consent {segment}", "POST", _C + f"/consents/{segment}", "cust",
               lambda b, c, i: bodies.consent_body(), "consent") for segment in ("terms", "privacy", "data-processing")),
    Endpoint("S5 activation check", "GET", _C + "/owner/{tenant}/activation/check", "admin",
             schema="activation_check", optional=True),
    Endpoint("E11 activate", "POST", _C + "/activation", "admin", _activation, "activation"),
    Endpoint("E12 balance", "GET", _F + "/balance", "cust", schema="balance"),
    Endpoint("E13 allowed operations", "GET", _F + "/allowed-operations", "cust", schema="allowed_operations"),
    Endpoint("E14 add beneficiary", "POST", _F + "/beneficiaries", "cust",
             lambda b, c, i: bodies.beneficiary_body(german_iban()), "beneficiary"),
    Endpoint("S6 list beneficiaries", "GET", _F + "/beneficiaries", "cust", schema="beneficiary_list"),
    Endpoint("S7 payment consent", "POST", _F + "/payment-consents/types/TRANSFER", "cust", _payment_consent,
             "payment_consent", amount_key="maxAmount"),
    Endpoint("E15 prepare transfer", "POST", _F + "/types/transfer/prepare", "cust", _transfer,
             "transfer_prepare", amount_key="amount"),
    Endpoint("E16 execute transfer", "POST", _F + "/types/transfer/execute", "cust",
             lambda b, c, i: bodies.execute_body(i["order"], consent_id=c.consent_id), "transfer_execute"),
    Endpoint("S8 prepare top-up", "POST", _F + "/types/topup/prepare", "cust", _topup, "topup_prepare",
             optional=True, amount_key="amount"),
    Endpoint("S8 execute top-up", "POST", _F + "/types/topup/execute", "cust",
             lambda b, c, i: bodies.execute_body(i["order"]), "topup_execute", optional=True),
    Endpoint("E4 log out", "DELETE", _C + "/users/{user}/sessions/{session}", "cust", schema="logout"),
)

#: SEC-3's scope: every endpoint but E3, S1 and S9 (E1 is dropped at run time when it is public).
AUTHENTICATED = tuple(e for e in ENDPOINTS if e.role != "none")


def endpoint(code: str) -> Endpoint:
    """The first endpoint of the table whose operation starts with ``code`` (``E12``, ``E8-E10``)."""
    return next(e for e in ENDPOINTS if e.code == code)
