"""E14 and S6: registering and listing beneficiaries (seed phase 7, BEN-1 to BEN-7)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from finhub_reference.auth import (Principal, config_of, current_principal, require_active, require_readable,
                                   store_of, wallet_for)
from finhub_reference.bodies import FieldReader, read_json
from finhub_reference.envelope import ApiError, compact, field_error, ok
from finhub_reference.iban import BIC_PATTERN, ISO_4217, iban_problem
from finhub_reference.routing import SafeRoute
from finhub_reference.store import Beneficiary
from finhub_reference.timeutil import iso

router = APIRouter(route_class=SafeRoute, tags=["beneficiaries"])

PARTY_TYPES = ("INDIVIDUAL_CUSTOMER", "BUSINESS_CUSTOMER")
NETWORKS = ("SEPA", "SWIFT")
_OPTIONAL_TEXT = ("bankName", "shortName", "email", "phoneNumber", "purposeCode", "bankAddress", "addressLine1",
                  "addressLine2", "city", "stateProvince", "postalCode")


def beneficiary_payload(b: Beneficiary) -> dict[str, Any]:
    """BEN-1: ``beneficiaryId``, ``id`` and ``assetId`` are equal."""
    d = b.details
    return compact({
        "beneficiaryId": b.id, "id": b.id, "assetId": b.id, "accountId": b.wallet_id, "partyType": b.party_type,
        "type": b.party_type, "beneficiaryName": b.display_name, "name": b.display_name,
        "firstName": d.get("firstName"), "lastName": d.get("lastName"), "companyName": d.get("companyName"),
        "iban": b.iban, "bic": d.get("bic"), "bicSwiftCode": d.get("bic"), "currency": d.get("currency"),
        "country": d.get("country"), "networkName": d.get("networkName"), "network": d.get("networkName"),
        **{key: d.get(key) for key in _OPTIONAL_TEXT},
        "pepCheckResult": "VERIFIED", "status": "ACTIVE", "createdAt": iso(b.created_at),
    })


@router.post("/api/v2.1/fintrans/{account_id}/beneficiaries")
async def add_beneficiary(account_id: str, request: Request,
                          principal: Principal = Depends(current_principal)) -> JSONResponse:
    """E14: register a payee on an ACTIVE wallet of the caller (BEN-1 to BEN-5, BEN-7, IBAN-1, WAL-3, SEC-4)."""
    config, store = config_of(request), store_of(request)
    foreign_ok = config.fault("foreign_writes_allowed")
    body = await read_json(request)
    with store.lock:
        require_active(wallet_for(store, principal, account_id, write=True, foreign_ok=foreign_ok))
    fields = FieldReader(body)
    party = fields.string("partyType", choices=PARTY_TYPES, upper=True, max_len=40) or "INDIVIDUAL_CUSTOMER"
    iban = fields.string("iban", required=True, max_len=64)
    first = fields.string("firstName", required=party == "INDIVIDUAL_CUSTOMER", max_len=100)
    last = fields.string("lastName", required=party == "INDIVIDUAL_CUSTOMER", max_len=100)
    company = fields.string("companyName", required=party == "BUSINESS_CUSTOMER", max_len=200)
    bic = fields.string("bicSwiftCode", max_len=64) or fields.string("bic", max_len=64)
    currency = fields.string("currency", max_len=16)
    country = fields.string("country", max_len=16)
    network = fields.string("networkName", choices=NETWORKS, upper=True, max_len=16)
    extras = {key: fields.string(key, max_len=500, non_empty=False) for key in _OPTIONAL_TEXT}
    fields.check()
    assert iban is not None
    problem = None if config.fault("invalid_beneficiary_iban_accepted") else iban_problem(iban)
    if problem:
        raise field_error("iban", "is not a valid IBAN", error=problem)
    if country is not None and country != iban[:2]:
        raise field_error("country", "does not match the IBAN's country", error="INVALID_IBAN_FORMAT")
    if bic is not None and not BIC_PATTERN.match(bic) and not config.fault("invalid_bic_accepted"):
        raise field_error("bicSwiftCode", "is not a valid BIC", error="INVALID_BIC")
    if currency is not None and currency not in ISO_4217 and not config.fault("invalid_currency_accepted"):
        raise field_error("currency", "is not an ISO 4217 currency code")
    with store.lock:
        wallet = wallet_for(store, principal, account_id, write=True, foreign_ok=foreign_ok)
        require_active(wallet)
        duplicate = next((b for b in store.wallet_beneficiaries(wallet.id) if b.iban == iban), None)
        if duplicate is not None and config.variant.duplicate_beneficiary_same_id:
            return ok(beneficiary_payload(duplicate), status=201)  # BEN-5 MAY: success with the same id
        if duplicate is not None and not config.fault("duplicate_beneficiary_accepted"):
            raise ApiError(409, "DUPLICATE_BENEFICIARY", "This IBAN is already a beneficiary of the account",
                           beneficiaryId=duplicate.id)
        details = compact({"firstName": first, "lastName": last, "companyName": company, "bic": bic,
                           "currency": currency or wallet.currency, "country": country or iban[:2],
                           "networkName": network or "SEPA", **extras})
        beneficiary = Beneficiary(id=store.new_id(), wallet_id=wallet.id, party_type=party, iban=iban,
                                  created_at=store.now(), details=details)
        store.beneficiaries[beneficiary.id] = beneficiary
        return ok(beneficiary_payload(beneficiary), status=201)


@router.get("/api/v2.1/fintrans/{account_id}/beneficiaries")
async def list_beneficiaries(account_id: str, request: Request,
                             principal: Principal = Depends(current_principal)) -> JSONResponse:
    """S6: the wallet's beneficiaries as a root array (BEN-6)."""
    store = store_of(request)
    with store.lock:
        wallet = wallet_for(store, principal, account_id, write=False)
        require_readable(store.config, wallet)
        return ok([beneficiary_payload(b) for b in store.wallet_beneficiaries(wallet.id)])
