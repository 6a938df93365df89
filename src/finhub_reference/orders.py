"""Prepared orders shared by transfers (E15, E16) and top-ups (S8): input checks, payloads, execution.

Execution runs entirely under the store lock: the status check and the money movement are one step, so
an order is executed at most once however many calls race (PAY-4). Settlement is synchronous.
"""

from __future__ import annotations

from typing import Any

from finhub_reference.bodies import lookup
from finhub_reference.config import Config
from finhub_reference.envelope import ApiError, field_error
from finhub_reference.money import amount_dto, formatted, parse_amount, require_positive
from finhub_reference.store import Order, Store, Transaction, Wallet
from finhub_reference.timeutil import iso

#: What the ``fee_above_prepared_total`` fault takes on top of the total shown at prepare (cents).
HIDDEN_FEE = 100


def order_amount(body: dict[str, Any], wallet: Wallet, account_id: str, *, allow_zero: bool = False) -> int:
    """PAY-11: a positive AmountDto in the wallet's currency, consistent with ``currency`` and the source."""
    if body.get("amount") is None:
        raise field_error("amount", "is required")
    currency_field = body.get("currency")
    if currency_field is not None and not isinstance(currency_field, str):
        raise field_error("currency", "must be a currency code")
    cents, currency = parse_amount(body["amount"], "amount", default_currency=currency_field or wallet.currency)
    if not (allow_zero and cents == 0):
        require_positive(cents, "amount")
    if currency_field is not None and currency_field != currency:
        raise field_error("currency", "does not match amount.currency")
    if currency != wallet.currency:
        raise field_error("amount.currency", f"the account holds {wallet.currency}")
    source = body.get("sourceAccount")
    if source is not None:
        if not isinstance(source, dict):
            raise field_error("sourceAccount", "must be an object")
        wallet_ref = source.get("walletId")
        if wallet_ref is not None and wallet_ref != account_id:
            raise field_error("sourceAccount.walletId", "must be the account in the path")
    for key in ("description", "reference"):
        value = body.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > (140 if key == "reference" else 500)):
            raise field_error(key, "must be a string of at most 140 characters" if key == "reference"
                              else "must be a string of at most 500 characters")
    return cents


def fees_payload(order: Order) -> dict[str, Any]:
    """The fee breakdown as AmountDtos."""
    return {"processingFee": amount_dto(order.fee_processing, order.currency),
            "networkFee": amount_dto(order.fee_network, order.currency),
            "totalFee": amount_dto(order.fee, order.currency), "currency": order.currency}


def prepared_payload(order: Order, *, consent_required: bool) -> dict[str, Any]:
    """PAY-5: ``preparedOrderId``, ``validUntil``, amount, fees and ``totalAmount`` (AMT-3)."""
    return {
        "preparedOrderId": order.id, "status": order.status, "operationType": order.kind,
        "accountId": order.wallet_id, "amount": amount_dto(order.amount, order.currency), "currency": order.currency,
        "fees": fees_payload(order), "totalAmount": amount_dto(order.total, order.currency),
        "validUntil": iso(order.valid_until), "createdAt": iso(order.created_at),
        "beneficiaryId": order.beneficiary_id, "requiresConfirmation": True,
        "consentValidation": {"required": consent_required, "valid": True, "beneficiaryAllowed": True,
                              "consentId": order.consent_id},
        "summary": {"amount": amount_dto(order.amount, order.currency),
                    "fees": amount_dto(order.fee, order.currency),
                    "totalAmount": amount_dto(order.total, order.currency)},
    }


def _snapshot(wallet: Wallet) -> dict[str, str]:
    return {"current": formatted(wallet.current), "available": formatted(wallet.available),
            "blocked": formatted(wallet.blocked), "currency": wallet.currency}


def prepared_order_id(body: dict[str, Any]) -> str:
    """E16/S8: the required ``preparedOrderId``."""
    value = body.get("preparedOrderId")
    if not isinstance(value, str) or not value.strip() or len(value) > 100:
        raise field_error("preparedOrderId", "is required")
    return value


def supplied_code(body: dict[str, Any]) -> str | None:
    """PAY-13: the authentication code, from ``authenticationCode``, ``otp`` or ``confirmationCode``."""
    for key in ("authenticationCode", "otp", "confirmationCode"):
        value = body.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:06d}" if 0 <= value < 10**6 else str(value)
        if isinstance(value, str) and value:
            return value
    return None


def execute(store: Store, config: Config, wallet: Wallet, body: dict[str, Any], kind: str, *,
            status_checked: bool = False, consent_id: str | None = None) -> dict[str, Any]:
    """Execute a READY order of ``wallet`` (PAY-4, PAY-7, PAY-10, PAY-12, PAY-13, FUND-1); lock held.

    ``consent_id`` names the payment consent found at execute when the variant checks it there (PAY-2).
    Under a variant with asynchronous settlement the answer is PROCESSING and :meth:`Store.settle_due` moves
    the money later; under R2 the funds are re-checked here (PAY-6, PAY-8).

    ``status_checked``: the caller refused an executed order itself, before taking the lock (only under the
    ``concurrent_double_execute_moves_money_twice`` fault), so an order executed since then is executed again.
    """
    order_id = prepared_order_id(body)
    order = store.orders.get(order_id)
    if order is None or order.wallet_id != wallet.id or order.kind != kind:
        raise ApiError(404, "ORDER_NOT_FOUND", "Prepared order not found")
    replaying = order.status == "EXECUTED" and (status_checked or config.fault("double_execute_moves_money_twice"))
    if order.status == "EXECUTED" and not replaying:
        if config.variant.replay_double_execute and order.executions:
            return order.executions[0]  # PAY-4 MAY: a replay of the first result, nothing moves again
        raise ApiError(409, "ORDER_ALREADY_EXECUTED", "The prepared order has already been executed")
    if order.status == "EXPIRED":
        raise ApiError(422, "ORDER_EXPIRED", "The prepared order has expired", validUntil=iso(order.valid_until))
    moment = store.now()
    consent_id = order.consent_id or consent_id
    if consent_id is not None:
        consent = store.payment_consents[consent_id]
        named = lookup(body, "consentConfirmation.consentId") or body.get("consentId")
        code_ok = supplied_code(body) == consent.code and named in (None, consent.id)
        if not code_ok and not config.fault("wrong_authentication_code_accepted"):
            raise ApiError(403, "INVALID_AUTHENTICATION_CODE", "The authentication code is not valid")
        if not consent.valid_at(moment):
            raise ApiError(422, "PAYMENT_CONSENT_REQUIRED", "The payment consent is no longer valid")
    if kind == "TRANSFER" and config.variant.reservation == "R2" and not replaying \
            and order.total - order.reserved > wallet.available:
        raise ApiError(422, "INSUFFICIENT_FUNDS", "Insufficient available funds",
                       availableBalance=formatted(wallet.available), requiredAmount=formatted(order.total),
                       currency=wallet.currency)
    before = _snapshot(wallet)
    if config.variant.settlement_delay_s and not replaying:  # SM-6 MAY: Store.settle_due moves the money
        if kind == "TRANSFER":
            wallet.blocked += order.total - order.reserved  # PAY-6 R2: a hold while settlement is pending
            order.reserved = order.total
        order.settle_at = moment + config.variant.settlement_delay_s
    elif kind == "TRANSFER":
        if replaying:
            if wallet.available < order.total:
                raise ApiError(422, "INSUFFICIENT_FUNDS", "Insufficient available funds")
        elif not config.fault("reservation_never_released"):
            wallet.blocked -= order.reserved
            order.reserved = 0
        wallet.current -= order.total + (HIDDEN_FEE if config.fault("fee_above_prepared_total") else 0)
    else:
        wallet.current += order.amount - order.fee
    order.status = "EXECUTED"
    wallet.last_transaction_at = moment
    transaction = Transaction(id=store.new_id(), wallet_id=wallet.id, order_id=order.id, kind=kind,
                              amount=order.amount, total=order.total, at=moment)
    store.transactions.append(transaction)
    execution = {
        "executionId": store.new_id(), "orderId": order.id, "preparedOrderId": order.id,
        "transactionId": transaction.id, "status": "PROCESSING" if order.settle_at else "COMPLETED",
        "operationType": kind, "executedAt": iso(moment), "amount": amount_dto(order.amount, order.currency),
        "fees": fees_payload(order), "totalAmount": amount_dto(order.total, order.currency),
        **({} if order.settle_at else {"balances": {"before": before, "after": _snapshot(wallet)}}),
    }
    order.executions.append(execution)
    return execution


def new_order(store: Store, config: Config, wallet: Wallet, kind: str, amount: int, fee_processing: int,
              fee_network: int, **extra: Any) -> Order:
    """A READY order valid for the configured TTL (PAY-7)."""
    moment = store.now()
    order = Order(id=store.new_id(), wallet_id=wallet.id, kind=kind, amount=amount,
                  fee_processing=fee_processing, fee_network=fee_network, currency=wallet.currency, created_at=moment,
                  valid_until=moment + config.order_ttl_s, **extra)
    store.orders[order.id] = order
    return order
