"""E12 and E13: balance and allowed operations, readable before activation (seed phase 6, WAL-1 to WAL-6)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from finhub_reference.auth import Principal, config_of, current_principal, require_readable, store_of, wallet_for
from finhub_reference.config import Config
from finhub_reference.envelope import compact, ok
from finhub_reference.money import formatted
from finhub_reference.routers.beneficiaries import beneficiary_payload
from finhub_reference.routers.payments import consent_payload
from finhub_reference.routing import SafeRoute
from finhub_reference.store import Store, Wallet
from finhub_reference.timeutil import iso

router = APIRouter(route_class=SafeRoute, tags=["wallet"])


def shown_status(config: Config, wallet: Wallet) -> str:
    """The wallet status as reads report it (SM-5, WAL-3)."""
    return "ACTIVE" if config.fault("wallet_active_before_activation") else wallet.status


def balance_payload(config: Config, wallet: Wallet) -> dict[str, Any]:
    """Minor-unit strings with ``*Formatted`` siblings; ``available = current - blocked`` (WAL-2)."""
    available = wallet.current if config.fault("available_ignores_blocked") else wallet.available
    return compact({
        "walletId": wallet.id, "accountId": wallet.id, "iban": wallet.iban, "currency": wallet.currency,
        "status": shown_status(config, wallet),
        "currentBalance": str(wallet.current), "currentBalanceFormatted": formatted(wallet.current),
        "availableBalance": str(available), "availableBalanceFormatted": formatted(available),
        "blockedBalance": str(wallet.blocked), "blockedBalanceFormatted": formatted(wallet.blocked),
        "lastTransaction": iso(wallet.last_transaction_at) if wallet.last_transaction_at else None,
    })


def _flag(request: Request, name: str) -> bool:
    return (request.query_params.get(name) or "").strip().lower() == "true"


def _operations(config: Config, store: Store, wallet: Wallet) -> list[dict[str, Any]]:
    """TRANSFER and TOPUP with their limits as decimal strings (WAL-4, WAL-5)."""
    customer = store.customers[wallet.customer_id]
    limits = config.high_risk_limits if customer.high_risk else config.standard_limits
    moment = store.now()
    active_consents = sum(1 for c in store.wallet_consents(wallet.id)
                          if c.operation_type == "TRANSFER" and c.valid_at(moment))
    return [
        {"operationType": "TRANSFER", "type": "TRANSFER", "enabled": wallet.active, "requiresConsent": True,
         "requiresApproval": False, "allowedNetworks": ["SEPA", "SWIFT"], "activeConsents": active_consents,
         "limits": {"minAmount": formatted(limits.minimum), "maxAmount": formatted(limits.per_transaction),
                    "dailyLimit": formatted(limits.daily), "monthlyLimit": formatted(limits.monthly),
                    "currency": wallet.currency}},
        {"operationType": "TOPUP", "type": "TOPUP", "enabled": wallet.active, "requiresConsent": False,
         "requiresApproval": False, "allowedNetworks": ["SEPA"],
         "limits": {"minAmount": formatted(1), "maxAmount": formatted(config.topup_max),
                    "currency": wallet.currency}},
    ]


@router.get("/api/v2.1/fintrans/{account_id}/balance")
async def get_balance(account_id: str, request: Request,
                      principal: Principal = Depends(current_principal)) -> JSONResponse:
    """E12: the wallet's balances (WAL-1, WAL-2, WAL-3, SEC-4)."""
    config, store = config_of(request), store_of(request)
    with store.lock:
        wallet = wallet_for(store, principal, account_id, write=False)
        require_readable(config, wallet)
        return ok(balance_payload(config, wallet))


@router.get("/api/v2.1/fintrans/{account_id}/allowed-operations")
async def get_allowed_operations(account_id: str, request: Request,
                                 principal: Principal = Depends(current_principal)) -> JSONResponse:
    """E13: operations, limits and consent status; TRANSFER is enabled only on an ACTIVE wallet (WAL-3 to WAL-6)."""
    config, store = config_of(request), store_of(request)
    with store.lock:
        wallet = wallet_for(store, principal, account_id, write=False)
        require_readable(config, wallet)
        moment = store.now()
        consents = store.wallet_consents(wallet.id)
        data: dict[str, Any] = {
            "accountId": wallet.id, "walletId": wallet.id, "accountStatus": shown_status(config, wallet),
            "currency": wallet.currency, "operations": _operations(config, store, wallet),
            "consentStatus": {
                "hasValidPaymentConsent": any(c.operation_type == "TRANSFER" and c.valid_at(moment)
                                              for c in consents),
                "hasRecurringPaymentConsent": False, "hasPreApprovalConsent": False,
            },
        }
        if _flag(request, "includeBeneficiaries"):
            data["beneficiaries"] = [beneficiary_payload(b) for b in store.wallet_beneficiaries(wallet.id)]
        if _flag(request, "includeConsents"):
            data["consents"] = [consent_payload(c, moment) for c in consents]
        return ok(data)
