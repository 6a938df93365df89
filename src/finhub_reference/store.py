"""The in-memory state of a deployment: one store behind one ``threading.Lock``.

Handlers take ``store.lock`` for the whole of an operation, so that every check and the change it guards
happen atomically (PAY-4: an order is executed at most once even under concurrent calls) and a refused
request changes nothing (GEN-8). The records below are plain mutable dataclasses owned by the store.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from finhub_reference import iban as ibans
from finhub_reference.config import Config

CONSENT_TYPES = ("TERMS_AND_CONDITIONS", "PRIVACY_POLICY", "DATA_PROCESSING")


def new_id() -> str:
    """A fresh UUID v4 string (GEN-10)."""
    return str(uuid.uuid4())


@dataclass
class User:
    """A customer's login: the password is held only as a hash."""

    id: str
    customer_id: str
    tenant_id: str
    username: str
    password_hash: str
    status: str = "PENDING_ACTIVATION"
    is_active: bool = False
    failed_attempts: int = 0
    locked_until: float = 0.0


@dataclass
class Customer:
    """A registered individual; ``risk`` is LOW, MEDIUM or HIGH (uncategorized customers are MEDIUM)."""

    id: str
    tenant_id: str
    user_id: str
    person_id: str
    wallet_id: str
    first_name: str
    last_name: str
    email: str
    created_at: float
    category_id: str | None = None
    category_name: str | None = None
    risk: str = "MEDIUM"
    status: str = "CS_REGISTRATION_COMPLETED"
    activated_at: float | None = None
    profile: dict[str, Any] = field(default_factory=dict)

    @property
    def high_risk(self) -> bool:
        """RISK-1: high-risk customers need power-tenant approval."""
        return self.risk == "HIGH"

    @property
    def required_level(self) -> str:
        """The approval level activation requires (ACT-1)."""
        return "POWER_TENANT_VERIFIED" if self.high_risk else "TENANT_VERIFIED"

    @property
    def active(self) -> bool:
        """Whether the customer has been activated."""
        return self.status == "CS_ACTIVE"


@dataclass
class Session:
    """A login session; revoking it makes every token that names it a 401 (SES-6)."""

    id: str
    tenant_id: str
    kind: str  # CUSTOMER or ADMIN
    user_id: str
    owner_id: str  # customer id, or the admin's organization id
    roles: tuple[str, ...]
    refresh_token: str
    created_at: float
    revoked: bool = False

    @property
    def power(self) -> bool:
        """Whether this is a power-tenant admin session (S4)."""
        return "POWER_TENANT" in self.roles


@dataclass
class Verification:
    """One KYC verification: IN_PROGRESS -> PENDING -> APPROVED or REJECTED (SM-4)."""

    id: str
    customer_id: str
    tenant_id: str
    required_level: str
    started_at: float
    status: str = "IN_PROGRESS"
    level: str | None = None
    verification_type: str | None = None
    documents: list[dict[str, Any]] = field(default_factory=list)
    submitted_at: float | None = None
    decided_at: float | None = None
    decided_by: str | None = None
    rejection_reason: str | None = None
    comment: str | None = None

    @property
    def decided(self) -> bool:
        """APPROVED and REJECTED are terminal."""
        return self.status in ("APPROVED", "REJECTED")


@dataclass
class Consent:
    """An accepted consent of one of the three mandatory types."""

    id: str
    customer_id: str
    tenant_id: str
    consent_type: str
    version: str
    granted_at: float
    ip_address: str | None
    user_agent: str | None


@dataclass
class Wallet:
    """The customer's default EUR wallet; balances in cents, ``available = current - blocked`` (WAL-2)."""

    id: str
    customer_id: str
    tenant_id: str
    currency: str = "EUR"
    status: str = "INACTIVE"
    iban: str | None = None
    bic: str = "SONCLT21"
    account_number: str | None = None
    current: int = 0
    blocked: int = 0
    last_transaction_at: float | None = None

    @property
    def available(self) -> int:
        """Spendable funds."""
        return self.current - self.blocked

    @property
    def active(self) -> bool:
        """Whether fintrans writes are allowed (WAL-3)."""
        return self.status == "ACTIVE"


@dataclass
class Beneficiary:
    """A registered payee of one wallet (BEN-1)."""

    id: str
    wallet_id: str
    party_type: str
    iban: str
    created_at: float
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def display_name(self) -> str:
        """The company name or the person's full name."""
        if self.party_type == "BUSINESS_CUSTOMER":
            return self.details.get("companyName") or ""
        return " ".join(filter(None, (self.details.get("firstName"), self.details.get("lastName"))))


@dataclass
class PaymentConsent:
    """An S7 payment consent; ``code`` is the authentication code carried in its magic link (PAY-13)."""

    id: str
    wallet_id: str
    operation_type: str
    code: str
    valid_from: float
    valid_until: float
    created_at: float
    max_amount: int | None = None
    currency: str = "EUR"
    allowed_beneficiaries: tuple[str, ...] | None = None
    title: str | None = None
    description: str | None = None
    status: str = "ACTIVE"

    def valid_at(self, moment: float) -> bool:
        """ACTIVE and inside its validity window."""
        return self.status == "ACTIVE" and self.valid_from <= moment < self.valid_until


@dataclass
class Order:
    """A prepared order: READY -> EXECUTED, or READY -> EXPIRED once ``valid_until`` passes (SM-6)."""

    id: str
    wallet_id: str
    kind: str  # TRANSFER or TOPUP
    amount: int
    fee_processing: int
    fee_network: int
    currency: str
    created_at: float
    valid_until: float
    reserved: int = 0
    status: str = "READY"
    settle_at: float | None = None  # an executed order awaiting asynchronous settlement (SM-6)
    beneficiary_id: str | None = None
    consent_id: str | None = None
    description: str | None = None
    executions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def fee(self) -> int:
        """The total fee."""
        return self.fee_processing + self.fee_network

    @property
    def total(self) -> int:
        """AMT-3: amount plus fee."""
        return self.amount + self.fee


@dataclass
class Transaction:
    """A settled money movement; ``amount`` is the principal, ``total`` what moved on the wallet."""

    id: str
    wallet_id: str
    order_id: str
    kind: str
    amount: int
    total: int
    at: float


class Store:
    """All state of one deployment; callers hold ``lock`` around every read-check-write sequence."""

    def __init__(self, config: Config, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.clock = clock
        self.lock = threading.Lock()
        self.customers: dict[str, Customer] = {}
        self.users: dict[str, User] = {}
        self.sessions: dict[str, Session] = {}
        self.verifications: dict[str, Verification] = {}
        self.verifications_by_customer: dict[str, list[str]] = {}
        self.consents: dict[str, dict[str, Consent]] = {}
        self.wallets: dict[str, Wallet] = {}
        self.beneficiaries: dict[str, Beneficiary] = {}
        self.payment_consents: dict[str, PaymentConsent] = {}
        self.orders: dict[str, Order] = {}
        self.transactions: list[Transaction] = []
        self._ibans: set[str] = set()

    def now(self) -> float:
        """The store's clock."""
        return self.clock()

    def new_id(self) -> str:
        """A fresh id in the variant's format (GEN-10)."""
        return self.config.variant.new_id()

    # customers -------------------------------------------------------------------------------------------
    def email_taken(self, tenant_id: str, email: str) -> bool:
        """REG-5: emails are unique per tenant, case-insensitively."""
        folded = email.casefold()
        return any(c.tenant_id == tenant_id and c.email.casefold() == folded for c in self.customers.values())

    def add_customer(self, customer: Customer, user: User, wallet: Wallet) -> None:
        """Register a customer with its user and its INACTIVE default wallet (REG-7)."""
        self.customers[customer.id] = customer
        self.users[user.id] = user
        self.wallets[wallet.id] = wallet
        self.consents[customer.id] = {}
        self.verifications_by_customer[customer.id] = []

    # verifications ---------------------------------------------------------------------------------------
    def latest_verification(self, customer_id: str) -> Verification | None:
        """The customer's most recent verification."""
        ids = self.verifications_by_customer.get(customer_id) or []
        return self.verifications[ids[-1]] if ids else None

    def add_verification(self, verification: Verification) -> None:
        """Record a newly initiated verification."""
        self.verifications[verification.id] = verification
        self.verifications_by_customer.setdefault(verification.customer_id, []).append(verification.id)

    # wallets ---------------------------------------------------------------------------------------------
    def allocate_iban(self, *, corrupt: bool = False, reuse: bool = False) -> tuple[str, str]:
        """A fresh, unique, checksum-valid IBAN of the variant's country and its account number (IBAN-1, IBAN-3)."""
        while True:
            number = 10_000_000_000 + secrets.randbelow(89_999_999_999)
            if reuse:
                number = 10_000_000_001
            iban = ibans.make_iban(self.config.variant.iban_country, number, corrupt=corrupt)
            if reuse or iban not in self._ibans:
                self._ibans.add(iban)
                return iban, f"{number:011d}"

    def sweep_expired(self, wallet: Wallet) -> None:
        """Expire READY orders whose ``valid_until`` has passed and release their reservation (PAY-7)."""
        if self.config.fault("expired_order_executes"):
            return
        moment = self.now()
        for order in self.orders.values():
            if order.wallet_id == wallet.id and order.status == "READY" and moment >= order.valid_until:
                order.status = "EXPIRED"
                wallet.blocked -= order.reserved
                order.reserved = 0

    def settle_due(self, wallet: Wallet) -> None:
        """SM-6 MAY: settle executed orders whose asynchronous settlement is due (PAY-10, FUND-1)."""
        moment = self.now()
        for order in self.orders.values():
            if order.wallet_id != wallet.id or order.settle_at is None or moment < order.settle_at:
                continue
            if order.kind == "TRANSFER":
                wallet.blocked -= order.reserved
                wallet.current -= order.total
            else:
                wallet.current += order.amount - order.fee
            order.reserved, order.settle_at = 0, None
            for execution in order.executions:
                execution["status"] = "COMPLETED"

    def transfer_volume(self, wallet_id: str, since: float) -> int:
        """Transfer principal settled since ``since`` plus principal still reserved by READY orders."""
        settled = sum(t.amount for t in self.transactions
                      if t.wallet_id == wallet_id and t.kind == "TRANSFER" and t.at >= since)
        pending = sum(o.amount for o in self.orders.values()
                      if o.wallet_id == wallet_id and o.kind == "TRANSFER" and o.status == "READY")
        return settled + pending

    def wallet_beneficiaries(self, wallet_id: str) -> list[Beneficiary]:
        """A wallet's beneficiaries in creation order (S6)."""
        return [b for b in self.beneficiaries.values() if b.wallet_id == wallet_id]

    def wallet_consents(self, wallet_id: str) -> list[PaymentConsent]:
        """A wallet's payment consents in creation order."""
        return [c for c in self.payment_consents.values() if c.wallet_id == wallet_id]
