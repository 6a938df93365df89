"""Rules of phase 6 on the wallet: topping up, adding a beneficiary, and money being conserved (FUND, PAY-10).

The money invariant reads E12 only after a money step, and waits only for a settlement the
deployment said is pending (SM-6).
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis.stateful import invariant, precondition, rule

from .. import bodies
from ..checks import B, F, N, balances_of
from ..errors import NonConformance
from ..iban import german_iban
from ..journey import PENDING, fee_of, status_of
from .base import LifecycleBase, customers, expect
from .model import Model

_TOP_UP = Decimal("500.00")


class WalletRules(LifecycleBase):
    """Funding the wallet and adding a beneficiary, active or not, and current = top-ups − transfers."""

    @precondition(lambda self: any(m.customer.account_id for m in self.models))
    @rule(model=customers)
    def top_up(self, model: Model):
        customer = model.customer
        if not customer.account_id or self.bank.settings.funding != "topup":
            return
        prepared = self.bank.client.prepare_topup(customer.caller, customer.account_id,
                                                  bodies.topup_body(customer.account_id, _TOP_UP, german_iban()))
        self.coverage.record(model.state, "top up", model.active)
        if not model.active:
            expect(prepared, False, N, "WAL-3", "topping up a wallet that is not active")
            return
        expect(prepared, True, B, "FUND-1", "preparing a top-up")
        executed = self.bank.client.execute_topup(customer.caller, customer.account_id,
                                                  bodies.execute_body(prepared.get("preparedOrderId")))
        expect(executed, True, B, "FUND-1", "executing a top-up")
        model.funded += _TOP_UP - fee_of(prepared)
        model.pending |= status_of(executed) in PENDING  # SM-6: the money invariant awaits settlement
        model.money_due = True

    @precondition(lambda self: any(m.customer.account_id for m in self.models))
    @rule(model=customers)
    def add_beneficiary(self, model: Model):
        if not model.customer.account_id:
            return
        exchange = self.bank.add_beneficiary(model.customer)
        self.coverage.record(model.state, "add beneficiary", model.active)
        expect(exchange, model.active, N, "WAL-3" if not model.active else "BEN-1", "adding a beneficiary")
        model.has_beneficiary |= exchange.ok

    @precondition(lambda self: any(m.money_due for m in self.models))
    @invariant()
    def money_is_conserved(self):
        """PAY-10, FUND-1, SM-5: after a money step, current = top-ups − executed totals, and an active
        wallet stays ACTIVE."""
        for model in self.models:
            self._observe_money(model)

    def _observe_money(self, model: Model) -> None:
        if not model.money_due or not model.active:
            return
        model.money_due = False
        customer = model.customer
        expected = model.funded - model.spent
        exchange = self.bank.client.get_balance(customer.caller, customer.account_id)
        expect(exchange, True, F, "WAL-1", "reading one's own balance")
        self.ladders.observe("wallet", customer.account_id, status_of(exchange), "E12")
        observed = balances_of(exchange)
        if observed.current != expected and model.pending:  # SM-6: wait only for a settlement said pending
            observed = self.bank.wait_for_balance(customer, lambda b: b.current == expected)
        model.pending = False
        if observed.current != expected:
            raise NonConformance("PAY-10", "money is not conserved", received=f"current {observed.current}",
                                 expected=f"top-ups {model.funded} − executed totals {model.spent} = {expected}")
