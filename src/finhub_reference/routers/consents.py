"""E8 to E10: accepting the three mandatory consents (seed phase 4)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from finhub_reference.auth import Principal, config_of, current_principal, customer_for, store_of
from finhub_reference.bodies import FieldReader, read_json
from finhub_reference.envelope import compact, not_found, ok
from finhub_reference.routing import SafeRoute
from finhub_reference.store import Consent, new_id
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


@router.post("/api/v2.1/customer/individual/{customer_id}/consents/{segment}")
async def accept_consent(customer_id: str, segment: str, request: Request,
                         principal: Principal = Depends(current_principal)) -> JSONResponse:
    """E8-E10: accept terms, privacy or data-processing (CON-1 to CON-5); no order is enforced (CON-6)."""
    config, store = config_of(request), store_of(request)
    with store.lock:
        customer_for(store, principal, customer_id)
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
        if existing is not None:
            return ok(consent_payload(existing))  # CON-5: the same record
        forwarded = request.headers.get("x-forwarded-for", "")
        consent = Consent(id=new_id(), customer_id=customer.id, tenant_id=customer.tenant_id,
                          consent_type=consent_type, version=version or "1.0", granted_at=store.now(),
                          ip_address=forwarded.split(",")[0].strip()[:64] or None,
                          user_agent=(request.headers.get("user-agent") or "")[:256] or None)
        store.consents[customer.id][consent_type] = consent
        return ok(consent_payload(consent))
