"""Rules that bring customers into an example (phases 1-2) and act with another customer's token.

Every example starts with Alice taken to a random milestone, so random runs reach the late phases;
a second customer (Bob) and Mallory of tenant B exist to check that one customer's token never
reads another's wallet (SEC-4, TEN-2).
"""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from ..checks import F
from ..journey import CONSENT_ORDER, status_of
from .base import LifecycleBase, customers, expect
from .model import MILESTONES, Model


class CustomerRules(LifecycleBase):
    """Registration and log-in of Alice and Bob, and reads across customers and tenants."""

    # ------------------------------------------------------------------ phases 1-2

    @initialize(target=customers, milestone=st.sampled_from(MILESTONES), last_consent=st.sampled_from(CONSENT_ORDER))
    def a_customer_at(self, milestone: str, last_consent: str):
        """Alice, taken along the legal path to ``milestone``: every example starts somewhere in the lifecycle."""
        model = self.register_and_log_in()
        self._walk(model, milestone, last_consent)
        return model

    @precondition(lambda self: len(self.models) < 2)
    @rule(target=customers)
    def register_and_log_in(self):
        customer = self.bank.new_customer("Alice" if not self.models else "Bob")
        registration = self.bank.register_ok(customer).registration
        self.bank.log_in_ok(customer)
        self.ladders.observe("customer", customer.customer_id, status_of(registration, "customerStatus"), "E2")
        self.ladders.observe("wallet", customer.account_id, status_of(registration, "wallet.status"), "E2")
        model = Model(customer)
        self.models.append(model)
        self.coverage.record("new", "register+log in", True)
        return model

    # ------------------------------------------------------------------ other customers

    @precondition(lambda self: len(self.models) == 2 and all(m.customer.account_id for m in self.models))
    @rule()
    def read_foreign_wallet(self):
        alice, bob = self.models
        exchange = self.bank.client.get_balance(bob.customer.caller, alice.customer.account_id)
        self.coverage.record("two customers", "foreign balance read", False)
        expect(exchange, False, F, "SEC-4", "reading another customer's balance")

    @precondition(lambda self: self.bank.settings.tenant_b is not None
                  and any(m.customer.account_id for m in self.models))
    @rule(model=customers)
    def read_across_tenants(self, model: Model):
        """Mallory of tenant B, with B's header, reads the customer's wallet: F (TEN-2)."""
        if not model.customer.account_id:
            return
        if self.mallory is None:
            self.mallory = self.bank.new_customer("Mallory", tenant=self.bank.settings.tenant_b)
            self.bank.register_ok(self.mallory)
            self.bank.log_in_ok(self.mallory)
        exchange = self.bank.client.get_balance(self.mallory.caller, model.customer.account_id)
        self.coverage.record("other tenant", "foreign balance read", False)
        expect(exchange, False, F, "TEN-2", "tenant B reading a tenant-A wallet")
