"""E5, E6, E7, S2 and S3: the KYC verification state machine and risk-based approval (seed phase 3).

IN_PROGRESS (initiate) -> PENDING (submit) -> APPROVED or REJECTED, both final. High-risk customers are
approved only by a power-tenant admin (RISK-1, RISK-2); that approval is the one cross-tenant action
(TEN-6). The variant's choices (status names, re-initiation, implicit initiation, auto-approval, rejection
style, V1 or V2, the tenant step) are consulted where each applies (§8 #22 to #31).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from finhub_reference.auth import Principal, config_of, current_principal, customer_for, require_customer, store_of
from finhub_reference.bodies import FieldReader, read_json
from finhub_reference.config import Config
from finhub_reference.envelope import ApiError, compact, field_error, not_found, ok
from finhub_reference.routing import SafeRoute
from finhub_reference.store import Customer, Store, Verification
from finhub_reference.timeutil import iso, parse_date, today_utc

router = APIRouter(route_class=SafeRoute, tags=["verification"])

VERIFICATION_TYPES = ("IDENTITY", "STANDARD", "ENHANCED", "SIMPLIFIED")
DOCUMENT_TYPES = ("PASSPORT", "ID_CARD", "GOVERNMENT_ID", "NATIONAL_ID", "DRIVERS_LICENSE")
PENDING_POWER = "PENDING_POWER_TENANT_APPROVAL"  # RISK-1 V2: the tenant step done, the power step open


def verification_payload(v: Verification, customer: Customer) -> dict[str, Any]:
    """A verification as E5, E6, E7 and S2 show it; ``level`` appears once it is approved."""
    documents = ["GOVERNMENT_ID", "PROOF_OF_ADDRESS"]
    types = ["IDENTITY_VERIFICATION", "DOCUMENT_VERIFICATION"]
    if customer.high_risk:
        documents += ["SOURCE_OF_FUNDS", "PEP_DECLARATION"]
        types += ["ENHANCED_DUE_DILIGENCE", "SANCTIONS_CHECK"]
    return compact({
        "verificationId": v.id, "id": v.id, "customerId": v.customer_id, "tenantId": v.tenant_id,
        "type": "IDENTITY_VERIFICATION", "verificationType": v.verification_type, "status": v.status,
        "level": v.level, "requiredApprovalLevel": v.required_level,
        "verificationLevel": "ENHANCED" if customer.high_risk else "STANDARD",
        "riskLevel": customer.risk, "requiredDocuments": documents, "verificationTypes": types,
        "documents": [dict(d) for d in v.documents] or None, "verified": v.status == "APPROVED",
        "startedAt": iso(v.started_at), "submittedAt": iso(v.submitted_at) if v.submitted_at else None,
        "approvedAt": iso(v.decided_at) if v.decided_at and v.status == "APPROVED" else None,
        "rejectedAt": iso(v.decided_at) if v.decided_at and v.status == "REJECTED" else None,
        "approvedBy": v.decided_by if v.status == "APPROVED" else None,
        "rejectionReason": v.rejection_reason, "comment": v.comment,
    })


@router.post("/api/v2.1/customer/individual/{customer_id}/verification/initiate")
async def initiate_verification(customer_id: str, request: Request,
                                principal: Principal = Depends(current_principal)) -> JSONResponse:
    """E5: open a verification (VER-1, VER-2, VER-8, SM-1); re-initiating after a rejection is allowed."""
    config, store = config_of(request), store_of(request)
    await read_json(request, optional=True)
    with store.lock:
        customer = customer_for(store, principal, customer_id)
        _customer_step(config, principal)
        if customer.active:
            raise ApiError(409, "ALREADY_ACTIVE", "The customer is already active")
        latest = store.latest_verification(customer.id)
        if latest is not None and not latest.decided:
            if config.variant.initiate_while_open == "same":
                return ok(verification_payload(latest, customer))  # VER-8 MAY: success with the same id
            raise ApiError(409, "VERIFICATION_ALREADY_OPEN", "A verification is already open",
                           verificationId=latest.id)
        if latest is not None and latest.status == "APPROVED" and not config.fault("reinitiate_after_approval"):
            raise ApiError(409, "VERIFICATION_ALREADY_DECIDED", "The customer is already verified",
                           verificationId=latest.id)
        if latest is not None and latest.status == "REJECTED" and not config.variant.reinitiate_after_rejection:
            raise ApiError(409, "VERIFICATION_ALREADY_DECIDED", "The verification was rejected",
                           verificationId=latest.id)
        verification = _open(store, config, customer)
        return ok(verification_payload(verification, customer))


def _customer_step(config: Config, principal: Principal) -> None:
    """VER-1 MAY (§8 #22): a variant may refuse admin tokens on E5 and E6."""
    if not config.variant.admin_on_customer_steps:
        require_customer(principal)


def _open(store: Store, config: Config, customer: Customer) -> Verification:
    """A new verification in the variant's initial status (SM-4)."""
    verification = Verification(id=store.new_id(), customer_id=customer.id, tenant_id=customer.tenant_id,
                                required_level=customer.required_level, started_at=store.now(),
                                status=config.variant.status_names["initiated"])
    store.add_verification(verification)
    return verification


@router.post("/api/v2.1/customer/individual/{customer_id}/verification")
async def submit_verification(customer_id: str, request: Request,
                              principal: Principal = Depends(current_principal)) -> JSONResponse:
    """E6: submit identity documents, IN_PROGRESS -> PENDING (VER-3, VER-9, VER-10, SM-4)."""
    config, store = config_of(request), store_of(request)
    body = await read_json(request)
    with store.lock:
        customer_for(store, principal, customer_id)
        _customer_step(config, principal)
    fields = FieldReader(body)
    verification_type = fields.string("verificationType", choices=VERIFICATION_TYPES, upper=True, max_len=40)
    fields.obj("verificationData", required=True)
    document_type = fields.string("verificationData.documentType", required=True, choices=DOCUMENT_TYPES,
                                  upper=True, max_len=40)
    fields.string("verificationData.documentNumber", required=True, max_len=64)
    fields.string("verificationData.issuingCountry", max_len=64)
    issued = fields.string("verificationData.issueDate", max_len=10)
    expires = fields.string("verificationData.expiryDate", max_len=10)
    fields.check()
    if issued is not None and parse_date(issued) is None:
        raise field_error("verificationData.issueDate", "must be a date in YYYY-MM-DD form")
    if expires is not None:
        expiry = parse_date(expires)
        if expiry is None:
            raise field_error("verificationData.expiryDate", "must be a date in YYYY-MM-DD form")
        if expiry <= today_utc():
            raise field_error("verificationData.expiryDate", "the document has expired", error="DOCUMENT_EXPIRED")
    with store.lock:
        customer = customer_for(store, principal, customer_id)
        latest = store.latest_verification(customer.id)
        if latest is None and config.variant.implicit_initiation:
            latest = _open(store, config, customer)  # VER-10 MAY: submit initiates
        if latest is None:
            raise ApiError(409, "VERIFICATION_NOT_INITIATED", "Initiate a verification first")
        if latest.decided:
            raise ApiError(409, "VERIFICATION_ALREADY_DECIDED", "The verification is already decided",
                           verificationId=latest.id, status=latest.status)
        latest.status = config.variant.status_names["submitted"]
        latest.submitted_at = store.now()
        latest.verification_type = verification_type or "IDENTITY"
        latest.documents = [{"documentType": document_type, "status": "RECEIVED"}]
        if config.variant.auto_approve_standard and not customer.high_risk:  # VER-9: standard risk only
            latest.status, latest.level = "APPROVED", "TENANT_VERIFIED"
            latest.decided_at, latest.decided_by = latest.submitted_at, "AUTO_APPROVAL"
        return ok(verification_payload(latest, customer))


def _visible_verification(store: Store, config: Config, principal: Principal, verification_id: str) -> Verification:
    """VER-4, SEC-4: the caller's own (customer), its tenant's (admin) or any (power admin); else 404."""
    verification = store.verifications.get(verification_id)
    if verification is None:
        raise not_found("Verification")
    if principal.power:
        return verification
    if verification.tenant_id != principal.tenant.id:
        raise not_found("Verification")
    if principal.is_customer and verification.customer_id != principal.customer_id:
        raise not_found("Verification")
    return verification


@router.get("/api/v2.1/verifications/{verification_id}")
async def get_verification(verification_id: str, request: Request,
                           principal: Principal = Depends(current_principal)) -> JSONResponse:
    """E7: read a verification's status (VER-4, VER-5, RISK-2)."""
    config, store = config_of(request), store_of(request)
    with store.lock:
        verification = _visible_verification(store, config, principal, verification_id)
        return ok(verification_payload(verification, store.customers[verification.customer_id]))


def _decide(request: Request, principal: Principal, verification_id: str, status: str,
            body: dict[str, Any], fields: FieldReader, *, by_status: bool = False) -> JSONResponse:
    """S2/S3: approve or reject (VER-5, VER-6, VER-7, VER-11, RISK-1 to RISK-3, TEN-6).

    ``by_status``: a rejection asked for through S2's ``status`` (style A), which a variant may not serve.
    """
    config, store = config_of(request), store_of(request)
    if not principal.is_admin and not config.fault("customer_can_approve"):
        raise ApiError(403, "FORBIDDEN", "Only administrators can decide verifications")
    with store.lock:
        verification = _visible_verification(store, config, principal, verification_id)
    if status == "REJECTED" and by_status and not config.variant.rejection_by_status:
        raise field_error("status", "rejections go through /reject")  # VER-11 style B only: a 4xx, never approval
    body_id = fields.string("verificationId", max_len=100)
    fields.string("comment", max_len=2000, non_empty=False)
    fields.string("approvalLevel", choices=("TENANT_VERIFIED", "POWER_TENANT_VERIFIED"), upper=True, max_len=40)
    reason = fields.string("rejectionReason", max_len=2000, non_empty=False) or \
        fields.string("reason", max_len=2000, non_empty=False)
    approver = fields.string("approvedBy", max_len=254)
    fields.check()
    if body_id is not None and body_id != verification_id:
        raise field_error("verificationId", "does not match the path")
    with store.lock:
        customer = store.customers[verification.customer_id]
        if verification.decided and not config.fault("verification_redecided"):
            raise ApiError(409, "VERIFICATION_ALREADY_DECIDED", "The verification is already decided",
                           status=verification.status)
        if status == "APPROVED":
            power_needed = customer.high_risk and not principal.power
            if power_needed and config.variant.tenant_on_high_risk == "V2" \
                    and not config.fault("tenant_admin_approves_high_risk"):
                return ok(verification_payload(_tenant_step(verification, principal), customer))
            if principal.power and customer.high_risk and config.variant.power_needs_tenant_step \
                    and verification.status != PENDING_POWER:
                raise ApiError(409, "TENANT_APPROVAL_REQUIRED", "The tenant admin's approval comes first",
                               status=verification.status)
            if power_needed and not config.fault("tenant_admin_approves_high_risk"):
                raise ApiError(403, "POWER_TENANT_APPROVAL_REQUIRED",
                               "High-risk customers need power-tenant approval", requiredApprovalLevel=
                               "POWER_TENANT_VERIFIED", powerTenantApprovalRequired=True)
            verification.level = "POWER_TENANT_VERIFIED" if principal.power or power_needed else "TENANT_VERIFIED"
            verification.rejection_reason = None
        else:
            verification.level = None
            verification.rejection_reason = reason or "Rejected"
        verification.status = status
        verification.decided_at = store.now()
        verification.decided_by = approver or principal.session.user_id
        verification.comment = body.get("comment") if isinstance(body.get("comment"), str) else None
        return ok(verification_payload(verification, customer))


def _tenant_step(verification: Verification, principal: Principal) -> Verification:
    """RISK-1 V2: a tenant admin's approval of a high-risk verification leaves it open, awaiting the power
    tenant (a repeated one changes nothing); it never makes the customer activatable."""
    if verification.status != PENDING_POWER:
        verification.status, verification.level = PENDING_POWER, "TENANT_VERIFIED"
        verification.decided_by = principal.session.user_id
    return verification


@router.post("/api/v2.1/verifications/{verification_id}/approve")
async def approve_verification(verification_id: str, request: Request,
                               principal: Principal = Depends(current_principal)) -> JSONResponse:
    """S2: approve, or reject with ``status:"REJECTED"`` (rejection style A)."""
    body = await read_json(request, optional=True)
    fields = FieldReader(body)
    status = fields.string("status", choices=("APPROVED", "REJECTED"), upper=True, max_len=20) or "APPROVED"
    if fields.errors:
        fields.check()
    return _decide(request, principal, verification_id, status, body, fields, by_status=True)


@router.post("/api/v2.1/verifications/{verification_id}/reject")
async def reject_verification(verification_id: str, request: Request,
                              principal: Principal = Depends(current_principal)) -> JSONResponse:
    """S3: rejection style B, an alias of S2 with ``status:"REJECTED"`` (VER-11)."""
    body = await read_json(request, optional=True)
    return _decide(request, principal, verification_id, "REJECTED", body, FieldReader(body))
