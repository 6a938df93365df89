"""Rules of phase 7: payment consents, transfers, executing twice and after expiry (PAY-2 to PAY-9).

A transfer reads the balance, prepares, executes and executes again; its refusals are judged by
why the profile allows them, and an order's expiry window (:func:`~finhub_conformance.expiry.validity_of`) tells a
refusal as expired from a wrong one.
"""

from __future__ import annotations

import time
from decimal import Decimal

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from ..checks import B, Balances, same_execution
from ..errors import NonConformance
from ..exchange import Exchange
from ..journey import PENDING, Order, status_of
from .base import LifecycleBase, customers, expect
from ..expiry import Validity, validity_of
from .model import Model

#: E16 refusals of an order that has expired or was executed (PAY-4, PAY-7).
_EXECUTE_REFUSED = frozenset({400, 404, 409, 410, 422})
#: E16 refusals of a transfer without a payment consent (PAY-2), or without funds under R2 (PAY-8).
_UNCONSENTED_REFUSED = frozenset({400, 401, 403, 409, 422})


class PaymentRules(LifecycleBase):
    """Creating a payment consent and transferring with or without it; money never moves twice."""

    @precondition(lambda self: any(m.has_beneficiary for m in self.models))
    @rule(model=customers)
    def create_payment_consent(self, model: Model):
        if not model.has_beneficiary:
            return
        exchange = self.bank.create_payment_consent(model.customer, model.customer.beneficiaries[-1])
        self.coverage.record(model.state, "payment consent", True)
        expect(exchange, True, B, "PAY-2", "creating a payment consent")
        model.has_consent = True

    @precondition(lambda self: any(m.has_beneficiary for m in self.models))
    @rule(model=customers, amount=st.sampled_from([Decimal("10.00"), Decimal("120.00"), Decimal("900.00")]),
          with_consent=st.booleans())
    def transfer(self, model: Model, amount: Decimal, with_consent: bool):
        """Prepare and execute, then execute again; refusals leave the money where it was."""
        if not model.has_beneficiary:
            return
        consented = with_consent and model.has_consent
        self.coverage.record(model.state, "transfer" + ("" if consented else " w/o consent"), consented)
        prepared = self._prepare(model, amount, consented)
        if prepared is None:
            return
        order, validity, before = prepared
        executed = self.bank.execute(model.customer, order, code=None if consented else "")
        if not executed.ok:
            self._judge_refused_execute(executed, order, consented, validity, before)
            return
        if order.total > before.available:
            raise NonConformance("PAY-8", "an order above the available balance was executed",
                                 received=f"total {order.total}, available {before.available}")
        if not consented:
            raise NonConformance("PAY-2", "a transfer without a payment consent completed",
                                 received=executed.describe())
        self.ladders.observe("order", order.prepared_order_id, status_of(executed), "E16")
        model.spent += order.total
        model.pending |= status_of(executed) in PENDING
        self._execute_again(model, order, executed, before)

    def _prepare(self, model: Model, amount: Decimal, consented: bool):
        """E15 after a read of the balance: the order, its validity and that balance, or None when the
        deployment refused it as it may (PAY-2 at E15, PAY-8 under R1, PAY-9)."""
        customer = model.customer
        before = self.bank.balances(customer)
        sent = time.monotonic()
        prepared = self.bank.prepare_transfer(customer, amount, customer.beneficiaries[-1], with_consent=consented)
        received = time.monotonic()
        model.money_due = True
        if not prepared.ok:  # no consent (PAY-2 at E15), beyond the funds (PAY-8, R1) or a limit (PAY-9)
            expect(prepared, False, B, "PAY-8" if consented else "PAY-2", "a refused transfer prepare")
            return None
        order = self.bank.order_of(prepared, amount, customer.consent_id if consented else None)
        self.ladders.observe("order", order.prepared_order_id, status_of(prepared), "E15")
        if order.total > before.available and self.bank.balances(customer).blocked > before.blocked:
            raise NonConformance("PAY-8", "an order above the available balance was prepared",
                                 received=f"total {order.total}, available {before.available}")
        return order, validity_of(prepared, sent, received), before

    @staticmethod
    def _judge_refused_execute(executed: Exchange, order: Order, consented: bool, validity: Validity | None,
                               before: Balances) -> None:
        """A refused E16: without consent (PAY-2); beyond the funds (PAY-8 under R2) or a limit shown in E13
        (PAY-9), both B; as expired (PAY-7) only once the order may have expired on its own."""
        if not consented:
            expect(executed, False, _UNCONSENTED_REFUSED, "PAY-2", "executing a transfer without a consent")
        elif validity is None or validity.may_have_expired():
            expect(executed, False, B | _EXECUTE_REFUSED, "PAY-7", "executing an order that may have expired")
        else:
            expect(executed, False, B, "PAY-8" if order.total > before.available else "PAY-9",
                    "executing a consented order within its validity")

    def _execute_again(self, model: Model, order: Order, executed: Exchange, before: Balances) -> None:
        """PAY-4: a second E16 is refused or replays the first; money never moves twice."""
        customer = model.customer
        settled = self.bank.wait_for_balance(customer, lambda b: b.current <= before.current - order.total,
                                             None if model.pending else 0)
        again = self.bank.execute(customer, order)
        self.coverage.record(model.state, "execute twice", False)
        if self.bank.balances(customer).current < settled.current:
            raise NonConformance("PAY-4", "executing an order a second time moved money again",
                                 received=again.describe(), expected="current unchanged by the second execute")
        if not again.ok:
            expect(again, False, _EXECUTE_REFUSED, "PAY-4", "executing an order a second time")
        elif not same_execution(executed, again):
            raise NonConformance("PAY-4", "a second execute succeeded as a new execution", received=again.describe())
        else:
            self.ladders.observe("order", order.prepared_order_id, status_of(again), "E16 replay")

    def _let_an_order_expire(self, model: Model) -> None:
        """PAY-7: wait until a fresh order's validUntil has passed on the deployment's clock, then execute it:
        refused, nothing moves and its hold is released. Waits no longer than ``expiry_wait_s``: a wait lasts
        the order's whole lifetime, so it is the last step of a walk ("expired"), never a rule of its own."""
        model.expired = True
        prepared = self._prepare(model, Decimal("10.00"), True)
        if prepared is None:
            return
        order, validity, before = prepared
        wait = validity.expired_after - time.monotonic() if validity else None
        if wait is None or wait > self.expiry_wait_s:
            self.coverage.record(model.state, "order left to expire", True)
            return  # an open order changes nothing the model predicts: transfers read the balance first
        self.bank.client.wait_on_target(wait)
        executed = self.bank.execute(model.customer, order)
        self.coverage.record(model.state, "execute after expiry", False)
        expect(executed, False, _EXECUTE_REFUSED, "PAY-7", "executing an order after its validUntil")
        released = self.bank.wait_for_balance(model.customer, lambda b: b.available >= before.available)
        if released.available < before.available:
            raise NonConformance("PAY-7", "an expired order kept its hold",
                                 received=f"available {released.available}",
                                 expected=f"at least {before.available} (as before the prepare)")
