"""S7, E15 and E16: payment consents, transfer prepare (with reservation R1) and execute (seed phase 7).

Prepare refuses, in this order: bad input (400, PAY-11), an unregistered beneficiary (PAY-3), a missing
payment consent (PAY-2), a limit (PAY-9), insufficient available funds (PAY-8); it then reserves the total
in ``blocked``. Execute moves the money once, synchronously.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime, timezone
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from finhub_reference import orders
from finhub_reference.auth import Principal, config_of, current_principal, require_active, store_of, wallet_for
from finhub_reference.bodies import FieldReader, lookup, read_json
from finhub_reference.config import Config
from finhub_reference.envelope import ApiError, compact, field_error, ok
from finhub_reference.money import amount_dto, formatted, parse_amount, require_positive
from finhub_reference.routing import SafeRoute
from finhub_reference.security import sign
from finhub_reference.store import Beneficiary, PaymentConsent, Store, Wallet
from finhub_reference.timeutil import iso, parse_ts

router = APIRouter(route_class=SafeRoute, tags=["payments"])

OPERATION_TYPES = ("TRANSFER", "TOPUP", "EXTERNAL", "INTERNAL", "EXCHANGE", "WITHDRAW", "PAYMENT")
TRANSFER_TYPES = ("EXTERNAL", "INTERNAL", "TRANSFER")
DAY_S = 24 * 3600
SKEW_S = 60
#: How long the ``concurrent_double_execute_moves_money_twice`` fault yields between its check and the execute.
RACE_WINDOW_S = 0.2


def consent_payload(consent: PaymentConsent, moment: float) -> dict[str, Any]:
    """A payment consent, without its magic link."""
    return compact({
        "consentId": consent.id, "id": consent.id, "operationType": consent.operation_type,
        "paymentType": consent.operation_type, "status": consent.status if consent.valid_at(moment) else "EXPIRED",
        "walletId": consent.wallet_id, "accountId": consent.wallet_id, "title": consent.title,
        "description": consent.description,
        "maxAmount": amount_dto(consent.max_amount, consent.currency) if consent.max_amount is not None else None,
        "allowedBeneficiaries": list(consent.allowed_beneficiaries) if consent.allowed_beneficiaries is not None
        else None,
        "validFrom": iso(consent.valid_from), "validUntil": iso(consent.valid_until),
        "createdAt": iso(consent.created_at),
    })


@router.post("/api/v2.1/fintrans/{account_id}/payment-consents/types/{operation_type}")
async def create_payment_consent(account_id: str, operation_type: str, request: Request,
                                 principal: Principal = Depends(current_principal)) -> JSONResponse:
    """S7: an ACTIVE payment consent whose magic link carries the authentication code (PAY-2, PAY-13, WAL-6)."""
    config, store = config_of(request), store_of(request)
    body = await read_json(request)
    with store.lock:
        wallet = wallet_for(store, principal, account_id, write=True)
        require_active(wallet)
    op = operation_type.upper()
    if op not in OPERATION_TYPES:
        raise field_error("operationType", f"must be one of {list(OPERATION_TYPES)}")
    fields = FieldReader(body)
    title = fields.string("title", max_len=200, non_empty=False)
    description = fields.string("description", max_len=1000, non_empty=False)
    fields.string("paymentType", max_len=40)
    fields.check()
    max_amount = None
    if body.get("maxAmount") is not None:
        max_amount, currency = parse_amount(body["maxAmount"], "maxAmount", default_currency=wallet.currency)
        require_positive(max_amount, "maxAmount")
        if currency != wallet.currency:
            raise field_error("maxAmount.currency", f"the account holds {wallet.currency}")
    moment = store.now()
    valid_from, valid_until = moment, moment + DAY_S
    for key in ("validFrom", "validUntil"):
        if body.get(key) is not None:
            parsed = parse_ts(body[key])
            if parsed is None:
                raise field_error(key, "must be an ISO-8601 timestamp")
            if key == "validFrom":
                valid_from = min(parsed, moment) if parsed <= moment + SKEW_S else parsed
            else:
                valid_until = parsed
    if valid_until <= valid_from or valid_until <= moment:
        raise field_error("validUntil", "must be in the future and after validFrom")
    allowed = body.get("allowedBeneficiaries")
    if allowed is not None and (not isinstance(allowed, list) or len(allowed) > 100
                                or not all(isinstance(x, str) and len(x) <= 100 for x in allowed)):
        raise field_error("allowedBeneficiaries", "must be an array of beneficiary ids")
    with store.lock:
        wallet = wallet_for(store, principal, account_id, write=True)
        require_active(wallet)
        for ref in allowed or ():
            known = store.beneficiaries.get(ref)
            if known is None or known.wallet_id != wallet.id:
                raise ApiError(422, "BENEFICIARY_NOT_FOUND", f"Beneficiary {ref} is not registered on the account")
        consent = PaymentConsent(
            id=store.new_id(), wallet_id=wallet.id, operation_type=op, code=f"{secrets.randbelow(10**6):06d}",
            valid_from=valid_from, valid_until=valid_until, created_at=moment, max_amount=max_amount,
            currency=wallet.currency, allowed_beneficiaries=tuple(allowed) if allowed is not None else None,
            title=title, description=description)
        store.payment_consents[consent.id] = consent
    magic = sign(config.jwt_secret, {"typ": "PAYMENT_CONSENT", "consentId": consent.id, "accountId": wallet.id,
                                     "answer": consent.code, "iat": int(moment), "exp": int(valid_until)})
    return ok({**consent_payload(consent, moment), **config.variant.code_delivery(magic, consent.code),
               "message": "Payment consent created successfully"}, status=201)


def _beneficiary(store: Store, config: Config, wallet: Wallet, body: dict[str, Any]) -> Beneficiary | None:
    """PAY-3: the registered beneficiary the order pays, by ``beneficiaryId`` or else by target IBAN."""
    ref = body.get("beneficiaryId")
    if ref is not None and not isinstance(ref, str):
        raise field_error("beneficiaryId", "must be a string")
    target_iban = lookup(body, "target.iban")
    if not isinstance(target_iban, str):
        target_iban = lookup(body, "targetAccount.iban")
    target_iban = target_iban if isinstance(target_iban, str) else None
    found = None
    if ref is not None:
        candidate = store.beneficiaries.get(ref)
        if candidate is not None and candidate.wallet_id == wallet.id:
            found = candidate
    elif target_iban is not None:
        found = next((b for b in store.wallet_beneficiaries(wallet.id) if b.iban == target_iban), None)
    if found is not None and target_iban is not None and target_iban != found.iban:
        found = None
    if found is None:
        if config.fault("unregistered_beneficiary_accepted") and target_iban is not None:
            return None
        raise ApiError(422, "BENEFICIARY_NOT_FOUND", "The target is not a registered beneficiary of the account")
    return found


def _consent(store: Store, wallet: Wallet, body: dict[str, Any], amount: int,
             beneficiary: Beneficiary | None) -> PaymentConsent:
    """PAY-2 and PAY-14: a valid TRANSFER consent of the account that covers this transfer."""
    moment = store.now()
    ref = lookup(body, "consent.consentReference")
    if not isinstance(ref, str):
        ref = body.get("consentId") if isinstance(body.get("consentId"), str) else None
    candidates = [c for c in store.wallet_consents(wallet.id)
                  if c.operation_type == "TRANSFER" and c.valid_at(moment) and (ref is None or c.id == ref)]
    if not candidates:
        raise ApiError(422, "PAYMENT_CONSENT_REQUIRED", "A valid payment consent is required for transfers")

    def covers(c: PaymentConsent) -> bool:
        within = c.max_amount is None or amount <= c.max_amount
        # beneficiary is None only under the unregistered_beneficiary_accepted fault: no check at all then
        allowed = c.allowed_beneficiaries is None or beneficiary is None or beneficiary.id in c.allowed_beneficiaries
        return within and allowed

    covering = [c for c in candidates if covers(c)]
    if not covering:
        raise ApiError(422, "PAYMENT_CONSENT_REQUIRED", "The transfer is outside the payment consent's scope",
                       consentId=candidates[0].id)
    return covering[-1]


def _consent_at_prepare(store: Store, config: Config, wallet: Wallet, body: dict[str, Any], amount: int,
                        beneficiary: Beneficiary | None) -> PaymentConsent | None:
    """PAY-2 at E15. Under fault ``payment_consent_not_required`` a transfer with no covering consent is prepared
    anyway (None), yet one that has a consent keeps it, so that E16 still checks its code: PAY-2 alone breaks."""
    try:
        return _consent(store, wallet, body, amount, beneficiary)
    except ApiError:
        if config.fault("payment_consent_not_required"):
            return None
        raise


def _check_limits(store: Store, config: Config, wallet: Wallet, amount: int) -> None:
    """PAY-9, RISK-4: per-transaction, daily and monthly (UTC calendar) limits by risk class."""
    customer = store.customers[wallet.customer_id]
    limits = config.high_risk_limits if customer.high_risk else config.standard_limits
    now = datetime.fromtimestamp(store.now(), tz=timezone.utc)
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    month_start = day_start.replace(day=1)
    checks = (("PER_TRANSACTION", 0, limits.per_transaction),
              ("DAILY", store.transfer_volume(wallet.id, day_start.timestamp()), limits.daily),
              ("MONTHLY", store.transfer_volume(wallet.id, month_start.timestamp()), limits.monthly))
    for limit_type, used, limit in checks:
        if used + amount > limit:
            raise ApiError(422, "LIMIT_EXCEEDED", f"The {limit_type.lower().replace('_', '-')} limit is exceeded",
                           limitType=limit_type, limit=formatted(limit), used=formatted(used),
                           requested=formatted(amount), currency=wallet.currency)


@router.post("/api/v2.1/fintrans/{account_id}/types/transfer/prepare")
async def prepare_transfer(account_id: str, request: Request,
                           principal: Principal = Depends(current_principal)) -> JSONResponse:
    """E15: validate, check beneficiary, consent, limits and funds, then reserve the total (PAY-1 to PAY-3, PAY-5,
    PAY-6, PAY-8, PAY-9, PAY-11, PAY-12)."""
    config, store = config_of(request), store_of(request)
    body = await read_json(request)
    with store.lock:
        wallet = wallet_for(store, principal, account_id, write=True)
        require_active(wallet)
    amount = orders.order_amount(body, wallet, account_id, allow_zero=config.fault("non_positive_amount_accepted"))
    fields = FieldReader(body)
    fields.string("type", choices=TRANSFER_TYPES, upper=True, max_len=40)
    fields.check()
    with store.lock:
        wallet = wallet_for(store, principal, account_id, write=True)
        require_active(wallet)
        beneficiary = _beneficiary(store, config, wallet, body)
        consent = None
        if not config.variant.consent_checked_at_execute:
            consent = _consent_at_prepare(store, config, wallet, body, amount, beneficiary)
        if not config.fault("transfer_limit_ignored"):
            _check_limits(store, config, wallet, amount)
        total = amount + config.transfer_processing_fee + config.transfer_network_fee
        reserved = total if config.variant.reservation == "R1" else 0  # PAY-6 R2: funds re-checked at E16
        if reserved and total > wallet.available and not config.fault("insufficient_funds_accepted"):
            if config.fault("refused_prepare_reserves"):
                wallet.blocked += wallet.available
            raise ApiError(422, "INSUFFICIENT_FUNDS", "Insufficient available funds",
                           availableBalance=formatted(wallet.available), requiredAmount=formatted(total),
                           currency=wallet.currency)
        order = orders.new_order(store, config, wallet, "TRANSFER", amount, config.transfer_processing_fee,
                                 config.transfer_network_fee, reserved=reserved,
                                 beneficiary_id=beneficiary.id if beneficiary else None,
                                 consent_id=consent.id if consent else None,
                                 description=body.get("description") if isinstance(body.get("description"), str)
                                 else None)
        wallet.blocked += reserved
        return ok(orders.prepared_payload(order, consent_required=consent is not None))


@router.post("/api/v2.1/fintrans/{account_id}/types/transfer/execute")
async def execute_transfer(account_id: str, request: Request,
                           principal: Principal = Depends(current_principal)) -> JSONResponse:
    """E16: execute a prepared transfer at most once, synchronously (PAY-4, PAY-7, PAY-10, PAY-12, PAY-13)."""
    config, store = config_of(request), store_of(request)
    body = await read_json(request)
    order_id = orders.prepared_order_id(body)
    racy = config.fault("concurrent_double_execute_moves_money_twice")
    if racy:
        await _check_then_yield(store, principal, account_id, order_id)
    with store.lock:
        wallet = wallet_for(store, principal, account_id, write=True)
        require_active(wallet)
        consent_id = _consent_at_execute(store, config, wallet, body)
        return ok(orders.execute(store, config, wallet, body, "TRANSFER", status_checked=racy, consent_id=consent_id))


def _consent_at_execute(store: Store, config: Config, wallet: Wallet, body: dict[str, Any]) -> str | None:
    """PAY-2 MAY (§8 #46): a variant checks the payment consent at E16 (the one named there, else any that covers
    the order); None when the variant checks it at E15 or the order cannot be executed anyway."""
    order = store.orders.get(str(body.get("preparedOrderId")))
    if (not config.variant.consent_checked_at_execute or order is None or order.wallet_id != wallet.id
            or order.kind != "TRANSFER" or order.status != "READY"):
        return None
    named = lookup(body, "consentConfirmation.consentId") or body.get("consentId")
    beneficiary = store.beneficiaries.get(order.beneficiary_id) if order.beneficiary_id else None
    return _consent(store, wallet, {"consentId": named} if isinstance(named, str) else {}, order.amount,
                    beneficiary).id


async def _check_then_yield(store: Store, principal: Principal, account_id: str, order_id: str) -> None:
    """Fault ``concurrent_double_execute_moves_money_twice``: PAY-4's "already executed?" check apart from the
    money movement, with a yield between them, so that only executes sent at the same moment slip through."""
    with store.lock:
        wallet = wallet_for(store, principal, account_id, write=True)
        order = store.orders.get(order_id)
        if order is not None and order.wallet_id == wallet.id and order.status == "EXECUTED":
            raise ApiError(409, "ORDER_ALREADY_EXECUTED", "The prepared order has already been executed")
    await asyncio.sleep(RACE_WINDOW_S)
