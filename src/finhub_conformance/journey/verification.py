"""Phase 3 of the journey: identity verification (E5-E7) and its decision (S2-S4, VER-9 and RISK-2 aware)."""

from __future__ import annotations

from typing import Any

from .. import bodies
from ..checks import B
from ..errors import NonConformance, SetupFailure
from ..exchange import Caller, Exchange
from .answers import setup_step, status_of, text_of
from .personas import Customer
from .registration import RegistrationPhases


class VerificationPhase(RegistrationPhases):
    """Opening, submitting, reading and deciding a customer's verification."""

    def initiate(self, customer: Customer, caller: Caller | None = None) -> Exchange:
        """E5: open a verification and remember its id."""
        exchange = self.client.initiate_verification(caller or customer.caller, customer.customer_id)
        if exchange.ok:
            customer.verification_id = text_of(exchange.get("verificationId", "id")) or customer.verification_id
        return exchange

    def submit(self, customer: Customer, body: dict[str, Any] | None = None, caller: Caller | None = None) -> Exchange:
        """E6: submit a passport for the open verification."""
        body = body or bodies.verification_body(f"P{self.run_id[:6].upper()}{next(self._serial):05d}")
        exchange = self.client.submit_verification(caller or customer.caller, customer.customer_id, body)
        if exchange.ok and not customer.verification_id:
            customer.verification_id = text_of(exchange.get("verificationId", "id"))
        return exchange

    def verification_status(self, customer: Customer, caller: Caller | None = None) -> Exchange:
        """E7: read the customer's verification."""
        return self.client.get_verification(caller or customer.caller, customer.verification_id)

    def submit_documents_ok(self, customer: Customer) -> Customer:
        """Initiate and submit as setup steps."""
        setup_step(self.initiate(customer), "VER-2", f"initiating {customer.name}'s verification")
        if not customer.verification_id:
            raise NonConformance("VER-2", "initiation returns no verification id",
                                 expected="verificationId|id in the E5 payload")
        setup_step(self.submit(customer), "VER-3", f"submitting {customer.name}'s passport")
        return customer

    def decide(self, customer: Customer, caller: Caller, status: str = "APPROVED", power: bool = False) -> Exchange:
        """S2: approve or (style A) reject the customer's verification as ``caller``."""
        approver = self.settings.power if power and self.settings.power else customer.tenant.admin
        body = bodies.decision_body(customer.verification_id, customer.customer_id, approver.user_id,
                                    approver.username, status=status, power=power)
        return self.client.decide_verification(caller, customer.verification_id, body)

    def approve_ok(self, customer: Customer) -> Customer:
        """Approve at the level the customer's risk needs (VER-9 aware) as a setup step."""
        if status_of(self.verification_status(customer)) == "APPROVED":
            return customer  # auto-approved at submit (VER-9)
        if self.is_high_risk(customer):
            setup_step(self.power_approve(customer), "RISK-2", "power-tenant approval")
        else:
            setup_step(self.decide(customer, self.admin(customer.tenant)), "VER-5", "tenant-admin approval")
        state = status_of(setup_step(self.verification_status(customer), "VER-4", "reading the verification"))
        if state != "APPROVED":
            raise SetupFailure("RISK-2" if self.is_high_risk(customer) else "VER-5",
                               "a sufficient approval does not make the verification APPROVED",
                               received=f"status {state}", expected="APPROVED")
        return customer

    def power_approve(self, customer: Customer) -> Exchange:
        """S4 steps 2-3: the power tenant's S2; when it is refused with B because the tenant step is missing
        (RISK-2 MAY), the tenant admin's S2 (V1 or V2 alike) comes first and the power S2 is sent again."""
        direct = self.decide(customer, self.power(), power=True)
        if direct.status in B:
            self.decide(customer, self.admin(customer.tenant))
            direct = self.decide(customer, self.power(), power=True)
        return direct

    def reject(self, customer: Customer, caller: Caller | None = None) -> Exchange:
        """Reject per FINHUB_REJECT_STYLE: style A (S2 ``REJECTED``), then style B (S3) in ``auto``."""
        caller = caller or (self.power() if self.is_high_risk(customer) else self.admin(customer.tenant))
        style = self.settings.reject_style
        exchange = None
        if style in ("auto", "status"):
            exchange = self.decide(customer, caller, status="REJECTED", power=self.is_high_risk(customer))
            if style == "status" or status_of(self.verification_status(customer)) == "REJECTED":
                return exchange
        return self.client.reject_verification(caller, customer.verification_id, bodies.rejection_body())

    def is_high_risk(self, customer: Customer) -> bool:
        """True when the customer was registered in the configured high-risk category."""
        return customer.category == self.settings.high_risk_category
