"""Request bodies in the profile's union shapes (GEN-7: every documented variant merged)."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from .amounts import amount_dto

__all__ = ["registration_body", "customer_login_body", "admin_login_body", "verification_body",
           "decision_body", "rejection_body", "consent_body", "activation_body", "beneficiary_body",
           "payment_consent_body", "transfer_body", "execute_body", "topup_body", "now_iso"]

CONSENT_SEGMENTS = {"terms": "TERMS_AND_CONDITIONS", "privacy": "PRIVACY_POLICY",
                    "data-processing": "DATA_PROCESSING"}


def now_iso(offset: timedelta = timedelta()) -> str:
    """A UTC timestamp with milliseconds and ``Z``."""
    return (datetime.now(timezone.utc) + offset).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def registration_body(*, first_name: str, last_name: str, email: str, password: str, tenant_path_id: str,
                      category: dict[str, Any] | None = None, matching_password: str | None = None,
                      phone: str = "+37060012345") -> dict[str, Any]:
    """E2: a registration with every S field, and the category when one is given (REG-8)."""
    individual: dict[str, Any] = {"tenantId": tenant_path_id, "customerName": f"{first_name} {last_name}",
                                  "firstName": first_name, "lastName": last_name, "email": email}
    body: dict[str, Any] = {
        "firstName": first_name, "lastName": last_name, "email": email, "password": password,
        "matchingPassword": password if matching_password is None else matching_password,
        "phone": phone, "roleIds": ["ACCOUNT_OWNER", "USER"], "dateOfBirth": "1990-04-15",
        "gender": "OTHER", "nationality": "LT", "tenantId": tenant_path_id, "individualCustomer": individual,
    }
    if category:
        body["customerCategory"] = {"id": category["id"], "name": category.get("name", category["id"])}
        individual["categorization"] = {
            "id": category["id"], "name": category.get("name", category["id"]),
            "categoryFeatureRelations": category.get("relations", []),
        }
    return body


def customer_login_body(email: str, password: str, tenant_key: str, tenant_secret: str,
                        tenant_path_id: str) -> dict[str, Any]:
    """E3: the union log-in body."""
    return {"username": email, "password": password, "tenantKey": tenant_key, "tenantSecret": tenant_secret,
            "credentialType": "PASSWORD", "value": email, "tenantId": tenant_path_id}


def admin_login_body(username: str, password: str, tenant_key: str, tenant_secret: str) -> dict[str, Any]:
    """S1: the admin log-in body."""
    return {"username": username, "password": password, "tenantKey": tenant_key, "tenantSecret": tenant_secret}


def verification_body(document_number: str, document_type: str = "PASSPORT",
                      verification_type: str = "IDENTITY") -> dict[str, Any]:
    """E6: a passport submission with a future expiry date."""
    today = date.today()
    image = "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U"
    return {"verificationType": verification_type, "verificationData": {
        "documentType": document_type, "documentNumber": document_number, "issuingCountry": "LT",
        "issueDate": (today - timedelta(days=400)).isoformat(),
        "expiryDate": (today + timedelta(days=3 * 365)).isoformat(),
        "documentFrontImage": image, "selfieImage": image}}


def decision_body(verification_id: str, customer_id: str, approver_id: str, approver_name: str,
                  status: str = "APPROVED", power: bool = False, reason: str | None = None) -> dict[str, Any]:
    """S2: approve (or reject, style A) a verification."""
    body = {"verificationId": verification_id, "status": status, "customerId": customer_id,
            "verificationType": "IDENTITY_VERIFICATION", "userId": approver_id, "approvedBy": approver_name,
            "comment": "conformance suite decision"}
    if status == "REJECTED":
        body["rejectionReason"] = reason or "document unreadable (conformance suite)"
    if power:
        body["approvalLevel"] = "POWER_TENANT_VERIFIED"
    return body


def rejection_body(reason: str = "document unreadable (conformance suite)") -> dict[str, Any]:
    """S3: reject a verification, style B."""
    return {"reason": reason, "rejectionReason": reason}


def consent_body(accepted: Any = True, version: str | None = "1.0") -> dict[str, Any]:
    """E8-E10: accept a consent (both timestamp spellings, same value)."""
    stamp = now_iso()
    body: dict[str, Any] = {"acceptanceTimestamp": stamp, "acceptedAt": stamp}
    if accepted is not None:
        body["accepted"] = accepted
    if version is not None:
        body["version"] = version
    return body


def activation_body(user_id: str, admin_user_id: str) -> dict[str, Any]:
    """E11: the union activation body; any non-empty code (ACT-8)."""
    return {"code": f"ACTIVATION_CODE_{int(time.time() * 1000)}", "userId": user_id,
            "activationReason": "KYC approved and consents accepted (conformance suite)",
            "activatedBy": admin_user_id}


def beneficiary_body(iban: str, first_name: str = "Erika", last_name: str = "Mustermann",
                     bic: str = "COBADEFFXXX", currency: str = "EUR") -> dict[str, Any]:
    """E14: an individual SEPA beneficiary at a German bank."""
    return {"partyType": "INDIVIDUAL_CUSTOMER", "firstName": first_name, "lastName": last_name,
            "iban": iban, "bicSwiftCode": bic, "currency": currency, "country": "DE", "networkName": "SEPA",
            "bankName": "Commerzbank", "shortName": ""}


def payment_consent_body(beneficiary_id: str, max_amount: Decimal) -> dict[str, Any]:
    """S7: a TRANSFER consent for one beneficiary, valid for 24 hours."""
    return {"paymentType": "TRANSFER", "title": "Conformance transfers",
            "description": "Payment consent created by the conformance suite",
            "maxAmount": amount_dto(max_amount), "allowedBeneficiaries": [beneficiary_id],
            "validFrom": now_iso(), "validUntil": now_iso(timedelta(hours=24))}


def transfer_body(account_id: str, amount: Decimal, *, beneficiary_id: str | None, iban: str | None,
                  name: str = "Erika Mustermann", consent_id: str | None = None,
                  currency: str = "EUR") -> dict[str, Any]:
    """E15: the union transfer-prepare body."""
    body: dict[str, Any] = {"amount": amount_dto(amount, currency), "currency": currency,
                            "sourceAccount": {"walletId": account_id}, "type": "EXTERNAL",
                            "description": "Conformance transfer", "reference": "B2C-CONFORMANCE"}
    if beneficiary_id is not None:
        body["beneficiaryId"] = beneficiary_id
    if iban is not None:
        body["target"] = {"iban": iban, "name": name}
        body["targetAccount"] = {"iban": iban, "beneficiaryName": name, "bic": "COBADEFFXXX"}
    if consent_id is not None:
        body["consent"] = {"consentReference": consent_id}
    return body


def execute_body(prepared_order_id: str | None, *, consent_id: str | None = None,
                 authentication_code: str | None = None) -> dict[str, Any]:
    """E16 (and S8 execute): execute a prepared order, confirming the consent when one exists."""
    body: dict[str, Any] = {}
    if prepared_order_id is not None:
        body["preparedOrderId"] = prepared_order_id
    if authentication_code is not None:
        body["authenticationCode"] = authentication_code
    if consent_id is not None:
        body["consentConfirmation"] = {"consentId": consent_id, "confirmed": True, "channel": "WEB",
                                       "signature": "conformance", "confirmationMethod": "EXPLICIT"}
    else:
        body["consentConfirmation"] = {"confirmed": True, "confirmationMethod": "EXPLICIT"}
    return body


def topup_body(account_id: str, amount: Decimal, source_iban: str, currency: str = "EUR") -> dict[str, Any]:
    """S8 prepare: fund the wallet from an external IBAN."""
    return {"type": "TOPUP", "sourceAccount": {"iban": source_iban, "bic": "COBADEFFXXX", "name": "Conformance Funding"},
            "target": {"name": "Wallet", "accountId": account_id}, "targetAccount": {"walletId": account_id},
            "amount": amount_dto(amount, currency), "currency": currency, "description": "Conformance top-up",
            "reference": "B2C-CONFORMANCE-TOPUP"}
