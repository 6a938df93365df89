"""Phase 7 of the journey: transfers (E15, E16), and :class:`Bank`, the full set of domain operations.

Each phase class adds its operations on top of the earlier phases it relies on (core → registration →
verification → activation → funding); :class:`Bank` adds the transfers and is the one the steps use.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import bodies
from ..amounts import AmountDecodeError, decode_value
from ..errors import NonConformance
from ..exchange import Caller, Exchange
from .answers import setup_step, text_of, total_of
from .funding import FundingPhase
from .personas import Beneficiary, Customer, Order


class Bank(FundingPhase):
    """Domain operations against one deployment, shared by every step of a scenario."""

    def prepare_transfer(self, customer: Customer, amount: Decimal, beneficiary: Beneficiary | None = None, *,
                         iban: str | None = None, with_consent: bool = True,
                         body_overrides: dict[str, Any] | None = None, caller: Caller | None = None,
                         account_id: str | None = None) -> Exchange:
        """E15: prepare a transfer to ``beneficiary`` (or to a bare ``iban`` for PAY-3)."""
        account = account_id or customer.account_id
        body = bodies.transfer_body(account, amount,
                                    beneficiary_id=beneficiary.beneficiary_id if beneficiary else None,
                                    iban=beneficiary.iban if beneficiary else iban,
                                    name=beneficiary.name if beneficiary else "Unregistered Payee",
                                    consent_id=customer.consent_id if with_consent else None)
        body.update(body_overrides or {})
        return self.client.prepare_transfer(caller or customer.caller, account, body)

    def order_of(self, prepared: Exchange, amount: Decimal, consent_id: str | None) -> Order:
        """PAY-5: read the order id, validity and total of a successful prepare."""
        order_id = text_of(prepared.get("preparedOrderId"))
        valid_until = prepared.get("validUntil")
        total = total_of(prepared, amount)
        if not order_id or total is None or total < amount:
            raise NonConformance("PAY-5", "the prepared order lacks an id or a total ≥ the amount",
                                 received=f"preparedOrderId={order_id!r}, total={total}",
                                 expected=f"an id and a total ≥ {amount}")
        echoed = prepared.get("amount", "summary.amount")
        if echoed is not None:
            try:
                if decode_value(echoed) != amount:
                    raise NonConformance("AMT-3", "prepare does not echo the requested amount",
                                         received=str(decode_value(echoed)), expected=str(amount))
            except AmountDecodeError as exc:
                raise NonConformance("AMT-2", "the prepared amount cannot be decoded", received=str(exc)) from None
        return Order(order_id, amount, total, valid_until if isinstance(valid_until, str) else None,
                     consent_id, prepared)

    def prepare_transfer_ok(self, customer: Customer, amount: Decimal, beneficiary: Beneficiary) -> Order:
        """Prepare a transfer as a setup step."""
        prepared = setup_step(self.prepare_transfer(customer, amount, beneficiary), "PAY-5", "preparing a transfer")
        return self.order_of(prepared, amount, customer.consent_id)

    def execute(self, customer: Customer, order: Order, *, code: str | None = None,
                caller: Caller | None = None, account_id: str | None = None) -> Exchange:
        """E16: execute ``order`` with the consent's authentication code (or ``code``)."""
        body = bodies.execute_body(order.prepared_order_id, consent_id=order.consent_id,
                                   authentication_code=code if code is not None else customer.authentication_code)
        return self.client.execute_transfer(caller or customer.caller, account_id or customer.account_id, body)

    def ready_to_pay(self, customer: Customer, funds: Decimal = Decimal("500.00"),
                     consent: bool = True) -> Beneficiary:
        """An active, funded customer with a beneficiary and (optionally) a payment consent."""
        if not customer.account_id or not customer.iban:
            self.onboard(customer, "active")
        self.fund(customer, funds)
        beneficiary = self.add_beneficiary_ok(customer)
        if consent:
            self.payment_consent_ok(customer, beneficiary, max(funds, Decimal("1000.00")))
        return beneficiary
