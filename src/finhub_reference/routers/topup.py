"""S8: funding a wallet by top-up, fee 0 by default and no consent needed (FUND-1, FUND-3)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from finhub_reference import orders
from finhub_reference.auth import Principal, config_of, current_principal, require_active, store_of, wallet_for
from finhub_reference.bodies import FieldReader, lookup, read_json
from finhub_reference.envelope import ApiError, field_error, ok
from finhub_reference.iban import iban_problem
from finhub_reference.money import formatted
from finhub_reference.routing import SafeRoute

router = APIRouter(route_class=SafeRoute, tags=["topup"])


@router.post("/api/v2.1/fintrans/{account_id}/types/topup/prepare")
async def prepare_topup(account_id: str, request: Request,
                        principal: Principal = Depends(current_principal)) -> JSONResponse:
    """S8 prepare: a READY top-up order from a valid external IBAN into this account (FUND-1, PAY-11, WAL-3)."""
    config, store = config_of(request), store_of(request)
    body = await read_json(request)
    with store.lock:
        wallet = wallet_for(store, principal, account_id, write=True)
        require_active(wallet)
    amount = orders.order_amount(body, wallet, account_id)
    fields = FieldReader(body)
    fields.string("type", choices=("TOPUP",), upper=True, max_len=40)
    source_iban = fields.string("sourceAccount.iban", max_len=64)
    fields.check()
    if source_iban is not None:
        problem = iban_problem(source_iban)
        if problem:
            raise field_error("sourceAccount.iban", "is not a valid IBAN", error=problem)
    for path in ("target.accountId", "targetAccount.walletId"):
        ref = lookup(body, path)
        if ref is not None and ref != account_id:
            raise field_error(path, "must be the account in the path")
    if amount > config.topup_max:
        raise ApiError(422, "LIMIT_EXCEEDED", "The top-up limit is exceeded", limitType="PER_TRANSACTION",
                       limit=formatted(config.topup_max), requested=formatted(amount), currency=wallet.currency)
    if amount <= config.topup_fee:
        raise field_error("amount.value", "must exceed the top-up fee")
    with store.lock:
        wallet = wallet_for(store, principal, account_id, write=True)
        require_active(wallet)
        order = orders.new_order(store, config, wallet, "TOPUP", amount, config.topup_fee, 0)
        return ok(orders.prepared_payload(order, consent_required=False))


@router.post("/api/v2.1/fintrans/{account_id}/types/topup/execute")
async def execute_topup(account_id: str, request: Request,
                        principal: Principal = Depends(current_principal)) -> JSONResponse:
    """S8 execute: credit the amount less the fee to current and available, once (FUND-1, PAY-4, PAY-7)."""
    config, store = config_of(request), store_of(request)
    body = await read_json(request)
    orders.prepared_order_id(body)
    with store.lock:
        wallet = wallet_for(store, principal, account_id, write=True)
        require_active(wallet)
        return ok(orders.execute(store, config, wallet, body, "TOPUP"))
