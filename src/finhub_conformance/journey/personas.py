"""What the suite knows about a customer: the persona, its beneficiaries and its prepared orders.

Plain records that :class:`~finhub_conformance.journey.Bank` fills in as the customer moves through the
phases; they hold no behaviour beyond naming the customer's own caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..exchange import Caller, Exchange
from ..settings import TenantConfig

PHASES = ("registered", "logged in", "verified", "consented", "active", "funded")


@dataclass
class Beneficiary:
    """A registered beneficiary."""

    beneficiary_id: str
    iban: str
    name: str = "Erika Mustermann"


@dataclass
class Order:
    """A prepared transfer order as the suite knows it."""

    prepared_order_id: str
    amount: Decimal
    total: Decimal
    valid_until: str | None
    consent_id: str | None
    exchange: Exchange = field(repr=False)


@dataclass
class Customer:
    """A persona: what the suite knows about one customer (ids, credentials, session, wallet)."""

    name: str
    tenant: TenantConfig
    email: str
    password: str = field(repr=False)
    first_name: str
    last_name: str
    category: str | None = None
    customer_id: str | None = None
    user_id: str | None = None
    account_id: str | None = None
    token: str | None = field(default=None, repr=False)
    session_id: str | None = None
    refresh_token: str | None = field(default=None, repr=False)
    verification_id: str | None = None
    iban: str | None = None
    beneficiaries: list[Beneficiary] = field(default_factory=list)
    consent_id: str | None = None
    consents: set[str] = field(default_factory=set)  # the consent segments the deployment accepted
    authentication_code: str | None = field(default=None, repr=False)
    registration: Exchange | None = field(default=None, repr=False)

    @property
    def caller(self) -> Caller:
        """This customer's cust token with its tenant header and session id."""
        return Caller(self.name, self.token, self.tenant.header_id, self.session_id)
