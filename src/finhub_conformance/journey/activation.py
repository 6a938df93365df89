"""Phases 4 and 5 of the journey: consents (E8-E10), activation (E11, S5), the wallet, and ``onboard``.

``onboard`` lives here because activation is the last onboarding phase: it takes a persona through
every phase up to the one asked for.
"""

from __future__ import annotations

from typing import Any

from .. import bodies
from ..checks import B
from ..errors import NonConformance
from ..exchange import Caller, Exchange
from .answers import setup_step, text_of
from .personas import PHASES, Customer
from .verification import VerificationPhase

#: The consents in the profile's order; a deployment MAY enforce it (CON-6) and the suite always follows it.
CONSENT_ORDER = ("terms", "privacy", "data-processing")


class ActivationPhases(VerificationPhase):
    """Accepting the consents in the profile's order, activating the customer and obtaining its wallet."""

    def accept_consent(self, customer: Customer, segment: str, body: dict[str, Any] | None = None,
                       caller: Caller | None = None) -> Exchange:
        """E8-E10: accept one consent (``terms``, ``privacy`` or ``data-processing``) and remember success."""
        exchange = self.client.accept_consent(caller or customer.caller, customer.customer_id, segment,
                                              body if body is not None else bodies.consent_body())
        if exchange.ok:
            customer.consents.add(segment)
        return exchange

    def accept_consents_ok(self, customer: Customer, segments=CONSENT_ORDER) -> Customer:
        """Accept consents in the profile's order as setup steps (CON-6); accepted ones are not sent again,
        as a repeat MAY get 409 (CON-5)."""
        for segment in segments:
            if segment not in customer.consents:
                setup_step(self.accept_consent(customer, segment), "CON-1", f"accepting the {segment} consent")
        return customer

    def accept_earlier_consents(self, customer: Customer, segment: str) -> Customer:
        """The consents before ``segment`` in the profile's order, so that a deployment enforcing the order
        (CON-6 MAY) can accept ``segment`` next."""
        return self.accept_consents_ok(customer, CONSENT_ORDER[:CONSENT_ORDER.index(segment)])

    def accept_consents_except(self, customer: Customer, missing: str) -> Customer:
        """Every consent but ``missing``: those before it as setup steps; those after it may be refused with B
        by a deployment enforcing the order (CON-6 MAY), which leaves ``missing`` missing all the same."""
        position = CONSENT_ORDER.index(missing)
        self.accept_consents_ok(customer, CONSENT_ORDER[:position])
        for segment in CONSENT_ORDER[position + 1:]:
            exchange = self.accept_consent(customer, segment)
            if exchange.status not in B:
                setup_step(exchange, "CON-1", f"accepting the {segment} consent")
        return customer

    def activate(self, customer: Customer, caller: Caller | None = None) -> Exchange:
        """E11: activate the customer (by the tenant admin) and remember the wallet (ACT-6)."""
        admin = customer.tenant.admin
        exchange = self.client.activate(caller or self.admin(customer.tenant), customer.customer_id,
                                        bodies.activation_body(customer.user_id, admin.user_id))
        if exchange.ok:
            customer.account_id = text_of(exchange.get("wallet.walletId", "wallet.id", "walletId", "accountId")) \
                or customer.account_id
            customer.iban = text_of(exchange.get("iban", "wallet.iban")) or customer.iban
        return exchange

    def activation_check(self, customer: Customer, caller: Caller | None = None) -> Exchange:
        """S5: the readiness check for ``customer``."""
        return self.client.check_activation(caller or self.admin(customer.tenant), customer.customer_id,
                                            customer.tenant.path_id)

    def activate_ok(self, customer: Customer) -> Customer:
        """Activate as a setup step, then obtain the wallet (ACT-6)."""
        setup_step(self.activate(customer), "ACT-1", f"activating {customer.name}")
        return self.obtain_wallet(customer)

    def obtain_wallet(self, customer: Customer) -> Customer:
        """ACT-6: the suite must obtain the account id and IBAN; IBAN-3: no two wallets share one."""
        if customer.account_id and not customer.iban:
            balance = self.client.get_balance(customer.caller, customer.account_id)
            customer.iban = text_of(balance.get("iban")) if balance.ok else None
        if not customer.account_id or not customer.iban:
            raise NonConformance("ACT-6", "the account id or IBAN cannot be obtained after activation",
                                 received=f"account id {customer.account_id!r}, IBAN {customer.iban!r}",
                                 expected="both, from E11 (or E2 / E12) per the ACT-6 lookup order")
        with self._lock:
            owner = self.ibans.setdefault(customer.iban, customer.account_id)
        if owner != customer.account_id:
            raise NonConformance("IBAN-3", "two wallets share one IBAN", received=f"{customer.iban} on accounts "
                                 f"{owner} and {customer.account_id}", expected="unique IBANs")
        return customer

    def onboard(self, customer: Customer, up_to: str = "active") -> Customer:
        """Take a persona through the phases up to ``up_to`` (one of :data:`PHASES`)."""
        target = PHASES.index(up_to)
        self.register_ok(customer)
        if target >= 1:
            self.log_in_ok(customer)
        if target >= 2:
            self.submit_documents_ok(customer)
            self.approve_ok(customer)
        if target >= 3:
            self.accept_consents_ok(customer)
        if target >= 4:
            self.activate_ok(customer)
        return customer
