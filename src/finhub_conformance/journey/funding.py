"""Phase 6 of the journey: the wallet, its beneficiaries and payment consents, and funding it.

Balances (E12, E13), beneficiaries (E14), payment consents (S7) and funding (S8 top-up or a hook,
FUND-1/FUND-2), with the settlement poll that funding and the lifecycle model wait on.
"""

from __future__ import annotations

import shlex
import subprocess
import time
from decimal import Decimal
from typing import Any

from .. import bodies
from ..checks import Balances, balances_of
from ..errors import NonConformance, SetupFailure, TargetError
from ..exchange import Caller, Exchange
from ..iban import german_iban
from .activation import ActivationPhases
from .answers import authentication_code, fee_of, setup_step, text_of
from .personas import Beneficiary, Customer


class FundingUnavailable(Exception):
    """FUND-2: the deployment offers no funding method; scenarios needing money are skipped."""


class FundingPhase(ActivationPhases):
    """Reading and funding an active customer's wallet and readying what a transfer needs."""

    def balances(self, customer: Customer, caller: Caller | None = None) -> Balances:
        """E12 as a setup read: the three balances (WAL-2 is checked on every read)."""
        exchange = setup_step(self.client.get_balance(caller or customer.caller, customer.account_id), "WAL-1",
                          "reading the balance")
        return balances_of(exchange)

    def allowed_operations(self, customer: Customer) -> Exchange:
        """E13 with both include flags."""
        return self.client.get_allowed_operations(customer.caller, customer.account_id)

    def add_beneficiary(self, customer: Customer, body: dict[str, Any] | None = None,
                        caller: Caller | None = None) -> Exchange:
        """E14: add a beneficiary (a fresh DE IBAN unless a body is given) and remember it."""
        body = body if body is not None else bodies.beneficiary_body(german_iban())
        exchange = self.client.add_beneficiary(caller or customer.caller, customer.account_id, body)
        beneficiary_id = text_of(exchange.get("beneficiaryId", "assetId", "id")) if exchange.ok else None
        if beneficiary_id:
            name = f"{body.get('firstName', '')} {body.get('lastName', '')}".strip() or "Erika Mustermann"
            customer.beneficiaries.append(Beneficiary(beneficiary_id, body.get("iban", ""), name))
        return exchange

    def add_beneficiary_ok(self, customer: Customer) -> Beneficiary:
        """Add a beneficiary as a setup step."""
        exchange = setup_step(self.add_beneficiary(customer), "BEN-1", "adding a beneficiary")
        if not customer.beneficiaries:
            raise NonConformance("BEN-1", "adding a beneficiary returns no beneficiary id",
                                 received=exchange.describe(), expected="beneficiaryId|assetId|id")
        return customer.beneficiaries[-1]

    def create_payment_consent(self, customer: Customer, beneficiary: Beneficiary,
                               max_amount: Decimal = Decimal("1000.00")) -> Exchange:
        """S7: a TRANSFER consent for ``beneficiary``; remembers the consent id and code (A-1/A-2/A-3)."""
        exchange = self.client.create_payment_consent(customer.caller, customer.account_id,
                                                      bodies.payment_consent_body(beneficiary.beneficiary_id,
                                                                                  max_amount))
        if exchange.ok:
            customer.consent_id = text_of(exchange.get("consentId", "id"))
            customer.authentication_code = authentication_code(exchange)
            self.redactor.add_token(exchange.get("magicLinkToken"))
        return exchange

    def payment_consent_ok(self, customer: Customer, beneficiary: Beneficiary,
                           max_amount: Decimal = Decimal("1000.00")) -> str:
        """Create a payment consent as a setup step."""
        exchange = setup_step(self.create_payment_consent(customer, beneficiary, max_amount), "PAY-2",
                          "creating a payment consent")
        if not customer.consent_id:
            raise SetupFailure("PAY-2", "the payment consent has no id", received=exchange.describe(),
                               expected="consentId|id")
        return customer.consent_id

    def fund(self, customer: Customer, amount: Decimal) -> None:
        """Fund the wallet by the configured method (S8 top-up or hook); FUND-2 means skip."""
        if self.settings.funding == "none":
            raise FundingUnavailable("FINHUB_FUNDING=none")
        before = self.balances(customer)
        if self.settings.funding == "hook":
            self._fund_by_hook(customer, amount)
            fee = Decimal(0)
        else:
            prepared = self.client.prepare_topup(customer.caller, customer.account_id,
                                                 bodies.topup_body(customer.account_id, amount, german_iban()))
            if prepared.status in (404, 405, 501):
                raise FundingUnavailable(f"top-up prepare answered {prepared.status} (FUND-2)")
            setup_step(prepared, "FUND-1", "preparing a top-up")
            fee = fee_of(prepared)
            order_id = text_of(prepared.get("preparedOrderId"))
            setup_step(self.client.execute_topup(customer.caller, customer.account_id,
                                              bodies.execute_body(order_id)), "FUND-1", "executing a top-up")
        expected = amount - fee
        after = self.wait_for_balance(customer, lambda b: b.current >= before.current + expected)
        if after.current != before.current + expected or after.available != before.available + expected:
            raise NonConformance("FUND-1", "funding did not raise current and available by the amount less fees",
                                 received=f"current {before.current}→{after.current}, available "
                                          f"{before.available}→{after.available}",
                                 expected=f"both +{expected}")

    def _fund_by_hook(self, customer: Customer, amount: Decimal) -> None:
        template = self.settings.funding_hook or ""
        command = template.format(accountId=customer.account_id, amountMinor=int(amount * 100), currency="EUR")
        result = subprocess.run(shlex.split(command), capture_output=True, timeout=120)
        if result.returncode != 0:
            raise TargetError(f"the funding hook exited {result.returncode}")

    def wait_for_balance(self, customer: Customer, done, timeout: float | None = None) -> Balances:
        """Poll E12 until ``done(balances)`` or the settle timeout; return the last observation.

        The pause doubles from 50 ms to at most 1 s: a settlement that takes a fraction of a second is
        seen almost at once, and a slow one is not polled more than once a second.
        """
        deadline = time.monotonic() + (timeout if timeout is not None else self.settings.settle_timeout_s)
        pause = 0.05
        while True:
            observed = self.balances(customer)
            if done(observed) or time.monotonic() >= deadline:
                return observed
            self.client.wait_on_target(min(pause, max(deadline - time.monotonic(), 0.0)))
            pause = min(pause * 2, 1.0)
