"""E11 and S5: activation with its five prerequisites, and the readiness check (seed phase 5).

Both endpoints use :func:`readiness`, so S5's answer always agrees with E11 (ACT-9).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from finhub_reference.auth import Principal, config_of, current_principal, customer_for, require_admin, store_of
from finhub_reference.bodies import FieldReader, read_json
from finhub_reference.config import Config
from finhub_reference.envelope import ApiError, not_found, ok
from finhub_reference.money import formatted
from finhub_reference.routing import SafeRoute
from finhub_reference.store import CONSENT_TYPES, Customer, Store
from finhub_reference.timeutil import iso

router = APIRouter(route_class=SafeRoute, tags=["activation"])

_CONSENT_FAULTS = {
    "TERMS_AND_CONDITIONS": "activation_skips_terms_consent",
    "PRIVACY_POLICY": "activation_skips_privacy_consent",
    "DATA_PROCESSING": "activation_skips_data_processing_consent",
}


def readiness(store: Store, config: Config, customer: Customer) -> dict[str, Any]:
    """ACT-1 to ACT-4: verification approved at the level the risk requires, and the three consents."""
    latest = store.latest_verification(customer.id)
    approved = latest is not None and latest.status == "APPROVED"
    power_ok = approved and latest is not None and latest.level == "POWER_TENANT_VERIFIED"
    verification_ok = (power_ok if customer.high_risk else approved) or config.fault("activation_without_approval")
    accepted = store.consents.get(customer.id, {})
    missing = [t for t in CONSENT_TYPES if t not in accepted and not config.fault(_CONSENT_FAULTS[t])]
    return {
        "verificationOk": verification_ok,
        "consentOk": not missing,
        "missingConsents": missing,
        "powerTenantApprovalRequired": customer.high_risk,
        "powerTenantApprovalOk": power_ok if customer.high_risk else True,
        "verificationStatus": latest.status if latest else "NOT_STARTED",
        "verificationLevel": latest.level if latest and latest.level else None,
        "riskLevel": customer.risk,
        "isHighRisk": customer.high_risk,
    }


@router.post("/api/v2.1/customer/individual/{customer_id}/activation")
async def activate_customer(customer_id: str, request: Request,
                            principal: Principal = Depends(current_principal)) -> JSONResponse:
    """E11: activate, issue the IBAN and make the wallet ACTIVE (ACT-1 to ACT-8, SEC-5, SM-3, SM-5)."""
    config, store = config_of(request), store_of(request)
    if not (config.variant.customer_activates and principal.is_customer):  # SEC-5 MAY: its own, through customer_for
        require_admin(principal)
    body = await read_json(request, optional=True)
    fields = FieldReader(body)
    # ACT-8: any code is accepted; none is required unless the variant requires one (§8 #36)
    fields.string("code", required=config.variant.activation_code_required, max_len=200)
    user_ref = fields.string("userId", max_len=254)
    fields.string("activationReason", max_len=2000, non_empty=False)
    fields.string("activatedBy", max_len=254, non_empty=False)
    fields.check()
    with store.lock:
        customer = customer_for(store, principal, customer_id)
        if user_ref is not None and user_ref not in (customer.user_id, customer.email):
            raise ApiError(422, "VALIDATION_FAILED", "userId does not belong to the customer",
                           errors=[{"field": "userId", "message": "is not the customer's user"}])
        if customer.active and not config.fault("activation_repeatable"):
            raise ApiError(409, "ALREADY_ACTIVE", "The customer is already active")
        ready = readiness(store, config, customer)
        if not (ready["verificationOk"] and ready["consentOk"]):
            raise ApiError(422, "ACTIVATION_PREREQUISITES_NOT_MET", "Activation prerequisites not met", **ready)
        wallet = store.wallets[customer.wallet_id]
        wallet.iban, wallet.account_number = store.allocate_iban(corrupt=config.fault("iban_bad_checksum"),
                                                                 reuse=config.fault("iban_reused"))
        wallet.status = "ACTIVE"
        moment = store.now()
        customer.status, customer.activated_at = "CS_ACTIVE", moment
        user = store.users[customer.user_id]
        user.status, user.is_active = "ACTIVE", True
        return ok({
            "customerId": customer.id, "userId": customer.user_id, "activationStatus": "ACTIVATED",
            "customerStatus": customer.status, "status": "ACTIVATED", "activatedAt": iso(moment),
            "iban": wallet.iban, "bic": wallet.bic, "accountNumber": wallet.account_number,
            "walletId": wallet.id, "accountId": wallet.id,
            "wallet": {
                "walletId": wallet.id, "id": wallet.id, "iban": wallet.iban, "bic": wallet.bic,
                "currency": wallet.currency, "status": wallet.status, "balance": str(wallet.current),
                "reservedBalance": str(wallet.blocked),
                "asset": {"assetType": "CURRENCY", "currency": wallet.currency,
                          "current": f"{formatted(wallet.current)} {wallet.currency}",
                          "available": f"{formatted(wallet.available)} {wallet.currency}",
                          "blocked": f"{formatted(wallet.blocked)} {wallet.currency}"},
            },
        })


@router.get("/api/v2.1/customer/individual/{customer_id}/owner/{owner_tenant_id}/activation/check")
async def check_activation_readiness(customer_id: str, owner_tenant_id: str, request: Request,
                                     principal: Principal = Depends(current_principal)) -> JSONResponse:
    """S5: whether E11 would succeed now, as ``activationAllowed`` and ``canActivate`` (ACT-9, RISK-1)."""
    config, store = config_of(request), store_of(request)
    with store.lock:
        customer = customer_for(store, principal, customer_id)
        if not principal.tenant.matches_path(owner_tenant_id):
            raise not_found("Tenant")
        ready = readiness(store, config, customer)
        blocked_by_state = customer.active and not config.fault("activation_repeatable")
        allowed = ready["verificationOk"] and ready["consentOk"] and not blocked_by_state
        return ok({
            "customerId": customer.id, "activationAllowed": allowed, "canActivate": allowed,
            "alreadyActive": customer.active, **{k: v for k, v in ready.items() if v is not None},
            "ownerTenant": customer.tenant_id, "powerTenant": config.power_tenant.id,
        })
