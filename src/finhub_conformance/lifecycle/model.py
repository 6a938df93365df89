"""The lifecycle model: what the profile says one customer's state is, and where an order's expiry falls.

Pure data and arithmetic, no HTTP: :class:`Model` is what the machine predicts from, :data:`MILESTONES`
are the places a walk can take a customer to, and :func:`~finhub_conformance.expiry.validity_of` turns a
prepared order into the window in which it may expire (PAY-7), so the rules can tell a late refusal from a
wrong one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..journey import CONSENT_ORDER, Customer

FUNDED_ENOUGH = Decimal("300.00")

#: Where :meth:`LifecycleMachine.advance_to` takes a customer, mostly in the order of the seed's phases:
#: "rejected" is the verification's other end, "consented" gives the consents before any verification
#: step (they may come at any time before activation), "paid" is one transfer done and "expired" one
#: order left to expire (executed after expiry when the wait is allowed, PAY-7).
MILESTONES = ("registered", "initiated", "submitted", "rejected", "verified", "consented", "active", "funded",
              "ready to pay", "paid", "expired")


@dataclass
class Model:
    """What the profile says one customer's state is, and which reads the last step made due."""

    customer: Customer
    verification: str = "none"  # none, open, submitted, APPROVED, REJECTED
    consents: set[str] = field(default_factory=set)
    active: bool = False
    funded: Decimal = Decimal(0)
    spent: Decimal = Decimal(0)
    has_beneficiary: bool = False
    has_consent: bool = False
    pending: bool = False  # the deployment said a settlement is pending (SM-6)
    verification_due: bool = False  # a verification step ran: read E7
    money_due: bool = False  # a money step ran: read E12
    auto_approval_possible: bool = False  # a submit was accepted: E7 may say APPROVED (VER-9)
    learning: bool = False  # a step whose outcome the profile leaves open (§9): E7 says what happened
    expired: bool = False  # an order was left to expire

    @property
    def state(self) -> str:
        if self.active:
            return "active"
        return f"kyc:{self.verification}/consents:{len(self.consents)}"

    def reached(self, milestone: str) -> bool:
        """Whether the customer is at ``milestone`` (one of :data:`MILESTONES`) or beyond."""
        verified = self.active or self.verification == "APPROVED"
        submitted = verified or self.verification in ("submitted", "REJECTED")
        funded = self.active and self.funded >= FUNDED_ENOUGH
        ready = funded and self.has_beneficiary and self.has_consent
        return {"registered": True, "initiated": submitted or self.verification == "open", "submitted": submitted,
                "rejected": self.verification == "REJECTED", "verified": verified,
                "consented": self.active or len(self.consents) == len(CONSENT_ORDER), "active": self.active,
                "funded": funded, "ready to pay": ready, "paid": ready and self.spent > 0,
                "expired": self.expired}[milestone]

    def progress(self) -> tuple:
        """Everything a legal step can change: equal before and after means the step made no progress."""
        return (self.verification, len(self.consents), self.active, self.funded, self.spent,
                self.has_beneficiary, self.has_consent, self.expired)
