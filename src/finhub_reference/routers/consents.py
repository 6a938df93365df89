"""E8 to E10: accepting the three mandatory consents (seed phase 4)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from finhub_reference.auth import Principal, config_of, current_principal, customer_for, require_customer, store_of
from finhub_reference.bodies import FieldReader, read_json
from finhub_reference.envelope import ApiError, compact, not_found, ok
from finhub_reference.routing import SafeRoute
from finhub_reference.store import Consent
from finhub_reference.timeutil import iso

router = APIRouter(route_class=SafeRoute, tags=["consents"])

SEGMENTS = {"terms": "TERMS_AND_CONDITIONS", "privacy": "PRIVACY_POLICY", "data-processing": "DATA_PROCESSING"}
YEAR_S = 365 * 24 * 3600


def consent_payload(consent: Consent) -> dict:
    """CON-2: an ACCEPTED consent record."""
    return compact({
        "id": consent.id, "consentId": consent.id, "customerId": consent.customer_id, "tenantId": consent.tenant_id,
        "consentType": consent.consent_type, "status": "ACCEPTED", "isRequired": True, "isGranted": True,
        "version": consent.version, "grantedAt": iso(consent.granted_at), "acceptedAt": iso(consent.granted_at),
        "expiresAt": iso(consent.granted_at + YEAR_S), "ipAddress": consent.ip_address,
        "userAgent": consent.user_agent,
    })


def _require_earlier(accepted: dict[str, Consent], consent_type: str) -> None:
    """CON-6 MAY: terms, then privacy, then data-processing; a consent out of order gets 409."""
    order = list(SEGMENTS.values())
    missing = [t for t in order[:order.index(consent_type)] if t not in accepted]
    if missing:
        raise ApiError(409, "CONSENT_ORDER_VIOLATED", "Earlier consents must be accepted first",
                       missingConsents=missing)


@router.post("/api/v2.1/customer/individual/{customer_id}/consents/{segment}")
async def accept_consent(customer_id: str, segment: str, request: Request,
                         principal: Principal = Depends(current_principal)) -> JSONResponse:
    """E8-E10: accept terms, privacy or data-processing (CON-1 to CON-5); the order is the variant's (CON-6)."""
    config, store = config_of(request), store_of(request)
    with store.lock:
        customer_for(store, principal, customer_id)
    if not config.variant.admin_on_customer_steps:
        require_customer(principal)
    consent_type = SEGMENTS.get(segment)
    if consent_type is None:
        raise not_found("Consent type")
    body = await read_json(request)
    fields = FieldReader(body)
    accepted = body.get("accepted")
    if accepted is not True and not (accepted is False and config.fault("consent_false_accepted")):
        fields.fail("accepted", "must be true")
    version = fields.string("version", required=True, max_len=32)
    fields.check()
    with store.lock:
        customer = customer_for(store, principal, customer_id)
        existing = store.consents[customer.id].get(consent_type)
        if existing is not None and config.variant.consent_reaccept_conflict:
            raise ApiError(409, "CONSENT_ALREADY_ACCEPTED", "The consent is already accepted",
                           consentId=existing.id)
        if existing is not None:
            return ok(consent_payload(existing))  # CON-5: the same record
        if config.variant.consent_order:
            _require_earlier(store.consents[customer.id], consent_type)
        forwarded = request.headers.get("x-forwarded-for", "")
        consent = Consent(id=store.new_id(), customer_id=customer.id, tenant_id=customer.tenant_id,
                          consent_type=consent_type, version=version or "1.0", granted_at=store.now(),
                          ip_address=forwarded.split(",")[0].strip()[:64] or None,
                          user_agent=(request.headers.get("user-agent") or "")[:256] or None)
        store.consents[customer.id][consent_type] = consent
        return ok(consent_payload(consent))
