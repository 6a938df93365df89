"""Self-tests for the payload schemas in ``schemas/`` (profile §0.4, §1, §5, §6).

Plain pytest with no project imports: the registry is built here with ``referencing``
and nothing is ever fetched over the network; every sample is also checked with ``jsonschema-rs``
(the suite's engine), which must agree. Every schema must be a valid Draft 2020-12
schema whose ``$ref``s all resolve. It must accept the reference payload and the other
conforming variants the profile allows (the MAY points of §8), and reject a payload that
lacks a MUST key or breaks a MUST value.
"""

import base64
import json
import re
from pathlib import Path

import jsonschema_rs
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
BASE = "https://schemas.finhub-b2c-conformance.test/"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

EXPECTED_FILES = {
    "common.json", "envelope.json", "error.json",
    "category_hierarchy.json", "registration.json", "customer_session.json", "logout.json",
    "verification_initiate.json", "verification_submit.json", "verification.json",
    "consent.json", "activation.json", "balance.json", "allowed_operations.json",
    "beneficiary.json", "beneficiary_list.json", "transfer_prepare.json", "transfer_execute.json",
    "admin_session.json", "verification_decision.json", "activation_check.json",
    "payment_consent.json", "topup_prepare.json", "topup_execute.json", "session_refresh.json",
}
SCHEMA_FILES = sorted(p.name for p in SCHEMA_DIR.glob("*.json"))


def _load(name):
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def _build_registry():
    resources = []
    for name in SCHEMA_FILES:
        contents = _load(name)
        resources.append((contents["$id"], Resource.from_contents(contents, default_specification=DRAFT202012)))
    return Registry().with_resources(resources).crawl()


REGISTRY = _build_registry()


def _validator(uri):
    schema = {"$ref": uri} if "#" in uri else REGISTRY.contents(uri)
    return Draft202012Validator(schema, registry=REGISTRY, format_checker=Draft202012Validator.FORMAT_CHECKER)


#: The suite validates with jsonschema-rs (speed); this pure-Python validator is the oracle it must agree
#: with on every sample of this file (a differential check of the two engines).
RUST_REGISTRY = jsonschema_rs.Registry([(_load(name)["$id"], _load(name)) for name in SCHEMA_FILES])


def _rust_is_valid(uri, instance):
    schema = {"$schema": DRAFT, "$ref": uri} if "#" in uri else REGISTRY.contents(uri)
    return jsonschema_rs.validator_for(schema, registry=RUST_REGISTRY).is_valid(instance)


def _errors(uri, instance):
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _validator(uri).iter_errors(instance)]
    assert _rust_is_valid(uri, instance) == (not errors), f"jsonschema-rs disagrees on {uri}: {errors}"
    return errors


def payload_of(body):
    """GEN-4: the payload is ``data`` if the top level has a ``data`` key, else the whole object."""
    return body["data"] if isinstance(body, dict) and "data" in body else body


def _b64(obj):
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


JWT = f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}.{_b64({'sub': 'u1', 'exp': 4102444800})}.c2lnbmF0dXJl"
UUID = "3f2c1a9e-8b7d-4c6e-9f1a-2b3c4d5e6f70"
UUID2 = "0b7e4d2c-1a3f-4e5d-8c9b-7a6f5e4d3c2b"
IBAN_LT = "LT613500048962615846"
IBAN_DE = "DE89370400440532013000"
TS = "2026-01-14T11:00:00.000Z"
TS_NAIVE = "2026-01-14T10:03:42.197811165"


# --------------------------------------------------------------------------- structure


def test_expected_files_present():
    assert set(SCHEMA_FILES) == EXPECTED_FILES


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_schema_header(name):
    contents = _load(name)
    assert contents["$schema"] == DRAFT
    assert contents["$id"] == BASE + name


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_check_schema(name):
    Draft202012Validator.check_schema(_load(name))


def _walk(node, path=()):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, path + (i,))


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_every_ref_resolves(name):
    contents = _load(name)
    resolver = REGISTRY.resolver(base_uri=contents["$id"])
    refs = [(p, n["$ref"]) for p, n in _walk(contents) if isinstance(n.get("$ref"), str)]
    for path, ref in refs:
        try:
            resolver.lookup(ref)
        except Unresolvable as exc:  # pragma: no cover - failure path
            pytest.fail(f"{name} {'/'.join(map(str, path))}: {ref!r} does not resolve ({exc})")


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_tolerant_by_construction(name):
    """Objects stay open, no `format: date-time` (it demands an offset), portable regexes."""
    for path, node in _walk(_load(name)):
        where = f"{name} {'/'.join(map(str, path))}"
        assert node.get("additionalProperties") is not False, where
        assert node.get("unevaluatedProperties") is not False, where
        assert node.get("format") not in ("date-time", "date", "time"), where
        if isinstance(node.get("pattern"), str):
            re.compile(node["pattern"])
            assert "(?i" not in node["pattern"] and "\\d" not in node["pattern"], where


# --------------------------------------------------------------------------- common $defs


def _def(name):
    return f"{BASE}common.json#/$defs/{name}"


AMOUNT_VALID = [
    pytest.param(5000.0, id="number-major"),
    pytest.param(0, id="number-zero"),
    pytest.param("500000", id="digit-string-minor"),
    pytest.param("5000.00", id="decimal-string"),
    pytest.param("0.00 EUR", id="decimal-string-currency"),
    pytest.param("500000 EUR", id="digit-string-currency"),
    pytest.param({"value": "1234", "scale": 2, "currency": "EUR"}, id="object-value-scale"),
    pytest.param({"value": 1234, "scale": 2}, id="object-numeric-value-scale"),
    pytest.param({"value": "5000000", "valueFormatted": "50000.00", "currency": "EUR"}, id="object-valueFormatted"),
    pytest.param({"valueFormatted": "0.00"}, id="object-only-valueFormatted"),
    pytest.param({"value": "100.00", "currency": "EUR"}, id="object-value-decimal"),
    pytest.param({"value": 100}, id="object-value-number"),
    pytest.param({"amount": "12.00", "currency": "EUR"}, id="object-amount"),
    pytest.param({"amount": 12}, id="object-amount-number"),
]
AMOUNT_INVALID = [
    pytest.param("5,000.00", id="thousands-separator"),
    pytest.param("12.34EUR", id="currency-without-space"),
    pytest.param("-150", id="negative-minor-digits"),
    pytest.param("abc", id="text"),
    pytest.param("", id="empty"),
    pytest.param(True, id="bool"),
    pytest.param(None, id="null"),
    pytest.param([1], id="array"),
    pytest.param({"value": "x", "scale": 2}, id="scale-with-bad-value"),
    pytest.param({"scale": 2, "valueFormatted": "1.00"}, id="scale-without-value"),
    pytest.param({"valueFormatted": "1,00"}, id="bad-valueFormatted"),
    pytest.param({"currency": "EUR"}, id="object-without-value"),
    pytest.param({"value": {"value": 1}}, id="nested-object-value"),
]


@pytest.mark.parametrize("amount", AMOUNT_VALID)
def test_amount_accepts_every_amt2_encoding(amount):
    assert _errors(_def("Amount"), amount) == []


@pytest.mark.parametrize("amount", AMOUNT_INVALID)
def test_amount_rejects_undecodable(amount):
    assert _errors(_def("Amount"), amount)


@pytest.mark.parametrize("ts", [
    TS, TS_NAIVE, "2026-01-14T10:03:42", "2026-01-14T10:03:42+02:00", "2026-01-14T10:03:42+0200",
    "2026-01-14T10:03:42-05", "2026-01-14T10:03", "2026-01-14t10:03:42z", "2026-01-14 10:03:42",
    "2026-01-14T10:03:42,5Z", "20260114T100342Z", "20260114T100342.123",
])
def test_timestamp_accepts_iso8601_variants(ts):
    assert _errors(_def("Timestamp"), ts) == []


@pytest.mark.parametrize("ts", [
    "yesterday", "2026-01-14", "14/01/2026 10:00", 1700000000, "2026-13-01T00:00:00Z",
    "2026-01-14T10:03:42 UTC", "",
])
def test_timestamp_rejects_non_iso(ts):
    assert _errors(_def("Timestamp"), ts)


@pytest.mark.parametrize("value,ok", [
    ("2000-02-29", True), ("2000-2-29", False), ("29.02.2000", False),
])
def test_date(value, ok):
    assert (_errors(_def("Date"), value) == []) is ok


@pytest.mark.parametrize("value,ok", [
    (IBAN_LT, True), (IBAN_DE, True), ("FR7630006000011234567890189", True),
    ("LT61 3500 0489 6261 5846", False), ("lt613500048962615846", False), ("LT6135000489", False),
    ("L1613500048962615846", False), ("", False),
])
def test_iban_shape(value, ok):
    assert (_errors(_def("Iban"), value) == []) is ok


@pytest.mark.parametrize("value,ok", [
    (JWT, True), ("aGVhZA.cGF5bG9hZA.", True), ("aGVhZA.cGF5bG9hZA", False),
    ("a+b.c.d", False), ("a.b.c.d", False), ("", False),
])
def test_jwt_shape(value, ok):
    assert (_errors(_def("Jwt"), value) == []) is ok


@pytest.mark.parametrize("value,ok", [
    ("3f2c1a9e-8b7d-4c6e-9f1a-2b3c4d5e6f70", True), ("cust-123", True), ("6r1k1hw6npq", True),
    ("", False), (123, False), (None, False),
])
def test_id_is_any_nonempty_string(value, ok):
    assert (_errors(_def("Id"), value) == []) is ok


@pytest.mark.parametrize("value,ok", [
    ({"value": "1234", "scale": 2, "currency": "EUR"}, True),
    ({"value": "1234", "currency": "EUR"}, True),
    ({"value": 12.34, "scale": 2, "currency": "EUR"}, False),
    ({"value": "12.34", "scale": 2, "currency": "EUR"}, False),
    ({"value": "1234", "scale": 2}, False),
])
def test_amount_dto_request_form(value, ok):
    assert (_errors(_def("AmountDto"), value) == []) is ok


# --------------------------------------------------------------------------- envelope and error bodies


@pytest.mark.parametrize("body", [
    pytest.param({"code": 200, "message": "Success", "data": {"id": UUID}}, id="E-1"),
    pytest.param({"code": 200, "message": "ok", "redirectUrl": "/auth/activate-account", "data": {}}, id="E-1-extra-keys"),
    pytest.param({"success": True, "data": {"consentId": "cons_12345"}}, id="E-2"),
    pytest.param({"success": True, "code": 200, "timestamp": TS, "message": "m", "data": {}}, id="E-2-with-code"),
    pytest.param({"data": {"preparedOrderId": "p1"}}, id="E-3"),
    pytest.param({"data": [{"beneficiaryId": "b1", "iban": IBAN_DE}]}, id="E-3-array-data"),
    pytest.param({"tenantId": UUID, "categories": {}}, id="E-4-bare"),
    pytest.param({}, id="empty-object"),
])
def test_envelope_accepts(body):
    assert _errors(BASE + "envelope.json", body) == []


@pytest.mark.parametrize("body", [
    pytest.param({"success": False, "data": {}}, id="success-false"),
    pytest.param({"success": "true", "data": {}}, id="success-string"),
    pytest.param({"code": "200", "data": {}}, id="code-string"),
    pytest.param([{"id": 1}], id="array-body"),
    pytest.param("ok", id="string-body"),
])
def test_envelope_rejects(body):
    assert _errors(BASE + "envelope.json", body)


@pytest.mark.parametrize("body", [
    pytest.param({"code": 400, "message": "Request validation failed",
                  "data": {"error": "VALIDATION_FAILED",
                           "errors": [{"field": "matchingPassword", "message": "must match"}]}}, id="reference"),
    pytest.param({"code": 400, "message": "m", "data": {"error": "Error type", "details": "d", "field": "f",
                                                         "suggestions": ["s"]}}, id="docs-detail"),
    pytest.param({"code": 401, "message": "Authentication failed",
                  "data": {"success": False, "errorType": "AUTHENTICATION", "attempts": 3}}, id="session-error"),
    pytest.param({"detail": [{"loc": ["body", "email"], "msg": "field required"}]}, id="fastapi-default"),
    pytest.param({"code": 404, "message": "Not found", "data": None}, id="null-data"),
    pytest.param({}, id="empty-object"),
])
def test_error_body_accepts(body):
    assert _errors(BASE + "error.json", body) == []


@pytest.mark.parametrize("body", [
    pytest.param({"message": 42}, id="message-not-string"),
    pytest.param({"data": {"error": {"code": "X"}}}, id="error-not-string"),
    pytest.param({"data": {"errors": {"field": "email"}}}, id="errors-not-array"),
    pytest.param({"data": {"errors": [{"field": 1, "message": "m"}]}}, id="errors-field-not-string"),
    pytest.param(["VALIDATION_FAILED"], id="array-body"),
])
def test_error_body_rejects(body):
    assert _errors(BASE + "error.json", body)


# --------------------------------------------------------------------------- payload cases
# Each entry: (schema, case id, payload, accepted?). "ref" cases copy the reference payload
# (profile "Reference payload" notes, digest §4); "alt" cases are other conforming variants;
# "bad" cases miss a MUST key or break a MUST value.

HIGH_RISK_FEATURE = {
    "databaseId": UUID2, "featureCode": "ENHANCED_AML_MONITORING", "featureName": "Enhanced AML Monitoring",
    "mandatoryKeys": ["riskLevel", "riskScore", "pep", "sanctionsCheck", "monitoring", "edd"],
    "allowedValues": {"riskLevel": ["LOW", "MEDIUM", "HIGH", "CRITICAL"], "riskScore": ["0-100"],
                      "pep": ["true", "false"], "pepCategory": ["DOMESTIC_PEP", "FOREIGN_PEP", "RCA", "HIO"],
                      "sanctionsCheck": ["STANDARD", "ENHANCED", "REAL_TIME"],
                      "monitoring": ["WEEKLY", "DAILY", "REAL_TIME"], "edd": ["true", "false"]},
    "multiValueKeys": ["pepCategory"],
}
HIERARCHY_REF = {
    "tenantId": UUID, "tenantName": "Finsei Ltd", "complianceLevel": "ENHANCED",
    "categories": {
        "HIGH_RISK_INDIVIDUAL": {"databaseId": UUID, "categoryId": "HIGH_RISK_INDIVIDUAL",
                                 "categoryName": "High Risk Individual Customer", "description": "d",
                                 "availableFeatures": [HIGH_RISK_FEATURE]},
        "STANDARD_INDIVIDUAL": {"databaseId": UUID2, "categoryId": "STANDARD_INDIVIDUAL",
                                "categoryName": "Standard Individual Customer", "availableFeatures": []},
        "LOW_RISK_INDIVIDUAL": {"categoryId": "LOW_RISK_INDIVIDUAL", "categoryName": "Low Risk Individual"},
    },
    "features": {"ENHANCED_AML_MONITORING": {"databaseId": UUID2, "featureCode": "ENHANCED_AML_MONITORING",
                                             "featureName": "Enhanced AML Monitoring", "description": "d"}},
}
REGISTRATION_REF = {
    "id": UUID, "userId": UUID2, "tenantId": UUID, "customerType": "CT_PERSON",
    "customerStatus": "CS_REGISTRATION_COMPLETED", "individual": True, "organization": False,
    "person": {"id": UUID, "firstName": "Ada", "lastName": "Lovelace", "email": "a@example.com"},
    "user": {"id": UUID2, "username": "a@example.com", "status": "PENDING_ACTIVATION", "isActive": False},
    "categorization": {"id": "STANDARD_INDIVIDUAL", "name": "Standard Individual Customer"},
    "wallet": {"walletId": "w-1", "status": "INACTIVE"},
}
SESSION_REF = {
    "success": True, "sessionId": UUID, "token": JWT, "tokenType": "Bearer", "expiresIn": 3600,
    "expiresAt": TS, "refreshToken": "r-1", "userId": UUID2, "customerId": UUID, "roles": ["USER"],
    "tenantId": UUID, "message": "Session created successfully", "errorType": "NONE",
    "sessionMetadata": {"clientIp": "192.168.1.100", "createdAt": TS},
}
CONSENT_REF = {
    "id": UUID, "customerId": UUID2, "tenantId": UUID, "consentType": "TERMS_AND_CONDITIONS",
    "status": "ACCEPTED", "isRequired": True, "isGranted": True, "version": "1.0", "grantedAt": TS,
    "expiresAt": "2027-01-14T11:00:00.000Z", "ipAddress": "127.0.0.1", "userAgent": "finhub-b2c-conformance/1",
}
ACTIVATION_REF = {
    "customerId": UUID, "activationStatus": "ACTIVATED", "customerStatus": "CS_ACTIVE", "activatedAt": TS,
    "iban": IBAN_LT,
    "wallet": {"walletId": "w-1", "id": "w-1", "iban": IBAN_LT, "currency": "EUR", "balance": "0",
               "reservedBalance": "0", "status": "ACTIVE",
               "asset": {"assetType": "CURRENCY", "currency": "EUR", "current": "0.00 EUR",
                         "available": "0.00 EUR", "blocked": "0.00 EUR"}},
}
BALANCE_REF = {
    "walletId": "w-1", "iban": IBAN_LT, "currency": "EUR", "status": "ACTIVE",
    "currentBalance": "500000", "currentBalanceFormatted": "5000.00",
    "availableBalance": "450000", "availableBalanceFormatted": "4500.00",
    "blockedBalance": "50000", "blockedBalanceFormatted": "500.00",
    "lastTransaction": TS, "balanceHistory": [{"date": "2026-01-14", "balance": "5000.00"}],
}
LIMITS_REF = {"minAmount": "1.00", "maxAmount": "5000.00", "dailyLimit": "10000.00",
              "monthlyLimit": "100000.00", "currency": "EUR"}
ALLOWED_REF = {
    "accountId": "w-1",
    "operations": [
        {"operationType": "TRANSFER", "allowedNetworks": ["SEPA", "SWIFT"], "requiresConsent": True,
         "requiresApproval": False, "enabled": True, "limits": LIMITS_REF},
        {"operationType": "PAYMENT", "allowedNetworks": ["SEPA"], "requiresConsent": True, "enabled": True},
        {"operationType": "TOPUP", "allowedNetworks": ["SEPA"], "requiresConsent": False, "enabled": True},
    ],
    "consentStatus": {"hasValidPaymentConsent": False, "hasRecurringPaymentConsent": False,
                      "hasPreApprovalConsent": False},
}
BENEFICIARY_REF = {
    "beneficiaryId": UUID, "id": UUID, "assetId": UUID, "accountId": "w-1", "partyType": "INDIVIDUAL_CUSTOMER",
    "type": "INDIVIDUAL_CUSTOMER", "beneficiaryName": "Jane Smith", "name": "Jane Smith", "iban": IBAN_DE,
    "bic": "COBADEFFXXX", "currency": "EUR", "country": "DE", "networkName": "SEPA",
    "pepCheckResult": "VERIFIED", "status": "ACTIVE", "createdAt": TS,
}
PREPARE_REF = {
    "preparedOrderId": UUID, "status": "READY", "operationType": "TRANSFER",
    "amount": {"value": "10000", "scale": 2, "currency": "EUR"},
    "fees": {"processingFee": {"value": "100", "scale": 2, "currency": "EUR"},
             "networkFee": {"value": "50", "scale": 2, "currency": "EUR"},
             "totalFee": {"value": "150", "scale": 2, "currency": "EUR"}},
    "totalAmount": {"value": "10150", "scale": 2, "currency": "EUR"}, "validUntil": TS,
    "consentValidation": {"required": True, "valid": True, "beneficiaryAllowed": True},
}
EXECUTE_REF = {
    "executionId": UUID, "orderId": UUID2, "preparedOrderId": UUID2, "transactionId": "txn-1",
    "status": "COMPLETED", "executedAt": TS, "amount": {"value": "10000", "scale": 2, "currency": "EUR"},
    "fees": {"value": "150", "scale": 2, "currency": "EUR"},
    "totalAmount": {"value": "10150", "scale": 2, "currency": "EUR"},
    "balances": {"before": {"available": "1000.00", "current": "1000.00"},
                 "after": {"available": "898.50", "current": "898.50"}},
}
TOPUP_PREPARE_REF = {
    "preparedOrderId": "prep-1", "operationType": "TOPUP", "status": "READY",
    "amount": {"value": "500000", "scale": 2, "currency": "EUR"},
    "fees": {"totalFee": {"value": "0", "scale": 2, "currency": "EUR"}},
    "totalAmount": {"value": "500000", "scale": 2, "currency": "EUR"}, "validUntil": TS,
}


def _without(payload, *keys):
    return {k: v for k, v in payload.items() if k not in keys}


def _with(payload, **changes):
    return {**payload, **changes}


CASES = [
    # E1 ---------------------------------------------------------------------------------------
    ("category_hierarchy.json", "ref-flow-map", HIERARCHY_REF, True),
    ("category_hierarchy.json", "alt-array-with-features-key", {
        "categories": [{"categoryId": "c-1", "categoryName": "Standard",
                        "features": [{"featureCode": "F1", "mandatoryKeys": ["a"], "allowedValues": {"a": ["x"]}}]}],
    }, True),
    ("category_hierarchy.json", "alt-map-keyed-no-categoryId-top-level-feature-keys", {
        "tenantId": UUID, "complianceLevel": "NON_REGULATED",
        "categories": {"INDIVIDUAL_BASIC": {"databaseId": UUID, "categoryName": "Basic", "availableFeatures": []}},
        "features": {"CUSTOMER_PROFILE": {"featureCode": "CUSTOMER_PROFILE", "mandatoryKeys": ["k"],
                                          "allowedValues": {"k": ["v"]}}},
    }, True),
    ("category_hierarchy.json", "bad-no-categories", _without(HIERARCHY_REF, "categories"), False),
    ("category_hierarchy.json", "bad-map-entry-without-categoryName",
     {"categories": {"X": {"categoryId": "X"}}}, False),
    ("category_hierarchy.json", "bad-array-item-without-categoryId",
     {"categories": [{"categoryName": "Standard"}]}, False),
    ("category_hierarchy.json", "bad-feature-without-featureCode",
     {"categories": {"X": {"categoryName": "X", "availableFeatures": [{"featureName": "n"}]}}}, False),
    ("category_hierarchy.json", "bad-mandatoryKeys-not-array",
     {"categories": {"X": {"categoryName": "X", "availableFeatures": [{"featureCode": "F", "mandatoryKeys": "a"}]}}},
     False),
    ("category_hierarchy.json", "bad-categories-string", {"categories": "STANDARD_INDIVIDUAL"}, False),
    # E2 ---------------------------------------------------------------------------------------
    ("registration.json", "ref", REGISTRATION_REF, True),
    ("registration.json", "alt-latest-userId-and-empty-user", {
        "id": UUID, "userId": UUID2, "personId": "p-1", "user": {}, "status": "PENDING_VERIFICATION"}, True),
    ("registration.json", "alt-customerId-user-id-lowercase", {
        "customerId": "cust-1", "user": {"id": "user-1", "status": "pending_activation", "isActive": False},
        "customerStatus": "pending_verification", "walletId": "w-9"}, True),
    ("registration.json", "alt-no-wallet-exposed", _without(REGISTRATION_REF, "wallet"), True),
    ("registration.json", "bad-no-customer-id", _without(REGISTRATION_REF, "id"), False),
    ("registration.json", "bad-no-user-id", _without(_with(REGISTRATION_REF, user={"status": "PENDING_ACTIVATION"}),
                                                      "userId"), False),
    ("registration.json", "bad-empty-customer-id", _with(REGISTRATION_REF, id=""), False),
    ("registration.json", "bad-active-customer-status", _with(REGISTRATION_REF, customerStatus="cs_active"), False),
    ("registration.json", "bad-active-wallet", _with(REGISTRATION_REF, wallet={"walletId": "w", "status": "Active"}),
     False),
    # E3 ---------------------------------------------------------------------------------------
    ("customer_session.json", "ref-union", SESSION_REF, True),
    ("customer_session.json", "alt-sandbox-zoneless-expiry", {
        "sessionId": UUID, "userId": "6r1k1hw6npq", "token": JWT, "refreshToken": "r",
        "expiresAt": TS_NAIVE, "success": True, "message": "Session created successfully", "errorType": "NONE"}, True),
    ("customer_session.json", "alt-minimal", {"token": JWT, "sessionId": "sess-1"}, True),
    ("customer_session.json", "bad-no-token", _without(SESSION_REF, "token"), False),
    ("customer_session.json", "bad-no-sessionId", _without(SESSION_REF, "sessionId"), False),
    ("customer_session.json", "bad-token-not-jwt", _with(SESSION_REF, token="opaque-token"), False),
    ("customer_session.json", "bad-expiresIn-string", _with(SESSION_REF, expiresIn="3600"), False),
    # E4 ---------------------------------------------------------------------------------------
    ("logout.json", "ref", {"sessionId": UUID, "success": True}, True),
    ("logout.json", "alt-empty-object", {}, True),
    ("logout.json", "alt-null-data", None, True),
    ("logout.json", "bad-string", "ok", False),
    # E5 ---------------------------------------------------------------------------------------
    ("verification_initiate.json", "ref-flow", {
        "verificationId": UUID, "customerId": UUID2, "status": "IN_PROGRESS", "level": "STANDARD",
        "requiredApprovalLevel": "TENANT_VERIFIED", "requiredDocuments": ["GOVERNMENT_ID", "PROOF_OF_ADDRESS"],
        "verificationTypes": ["IDENTITY_VERIFICATION"], "startedAt": TS}, True),
    ("verification_initiate.json", "alt-id-lowercase-initiated", {
        "id": "ver_12345", "status": "initiated", "requiredDocuments": ["GOVERNMENT_ID"], "createdAt": TS}, True),
    ("verification_initiate.json", "alt-null-verificationId-then-id", {
        "verificationId": None, "id": "v-1", "status": "Pending_Documents"}, True),
    ("verification_initiate.json", "bad-no-status", {"verificationId": UUID}, False),
    ("verification_initiate.json", "bad-no-id", {"status": "IN_PROGRESS"}, False),
    ("verification_initiate.json", "bad-terminal-approved", {"verificationId": UUID, "status": "APPROVED"}, False),
    ("verification_initiate.json", "bad-terminal-rejected", {"verificationId": UUID, "status": "rejected"}, False),
    ("verification_initiate.json", "bad-numeric-first-id", {"verificationId": 7, "id": "v", "status": "PENDING"},
     False),
    ("verification_initiate.json", "bad-requiredDocuments-string",
     {"verificationId": UUID, "status": "PENDING", "requiredDocuments": "GOVERNMENT_ID"}, False),
    # E6 ---------------------------------------------------------------------------------------
    ("verification_submit.json", "ref", {
        "verificationId": UUID, "customerId": UUID2, "status": "PENDING", "submittedAt": TS}, True),
    ("verification_submit.json", "alt-id-pending-approval",
     {"id": "verif-1", "status": "PENDING_APPROVAL", "documents": [{"documentType": "PASSPORT"}]}, True),
    ("verification_submit.json", "alt-auto-approved-lowercase", {"status": "approved"}, True),
    ("verification_submit.json", "bad-no-status", {"verificationId": UUID}, False),
    ("verification_submit.json", "bad-rejected", {"verificationId": UUID, "status": "REJECTED"}, False),
    # E7 ---------------------------------------------------------------------------------------
    ("verification.json", "ref", {
        "verificationId": UUID, "customerId": UUID2, "type": "IDENTITY_VERIFICATION", "status": "APPROVED",
        "level": "TENANT_VERIFIED", "requiredApprovalLevel": "TENANT_VERIFIED",
        "requiredDocuments": ["GOVERNMENT_ID"], "verified": True, "startedAt": TS, "approvedBy": "admin",
        "approvedAt": TS, "rejectionReason": None}, True),
    ("verification.json", "alt-id-lowercase-zoneless", {
        "id": "verif-1", "status": "rejected", "level": "power_tenant_verified", "approvedAt": TS_NAIVE,
        "rejectionReason": "blurred"}, True),
    ("verification.json", "bad-no-status", {"verificationId": UUID, "level": "TENANT_VERIFIED"}, False),
    ("verification.json", "bad-approvedAt-not-iso", {"status": "APPROVED", "approvedAt": "yesterday"}, False),
    # E8-E10 -----------------------------------------------------------------------------------
    ("consent.json", "ref", CONSENT_REF, True),
    ("consent.json", "alt-runner-lowercase", {
        "id": "consent-cust-1", "consentType": "TERMS_AND_CONDITIONS", "isRequired": True, "isGranted": True,
        "version": "1.0", "status": "accepted"}, True),
    ("consent.json", "alt-consentId-type-key", {
        "consentId": "cons_12345", "type": "TERMS", "status": "Accepted", "acceptedAt": TS_NAIVE}, True),
    ("consent.json", "bad-pending", _with(CONSENT_REF, status="PENDING"), False),
    ("consent.json", "bad-no-status", _without(CONSENT_REF, "status"), False),
    # E11 --------------------------------------------------------------------------------------
    ("activation.json", "ref", ACTIVATION_REF, True),
    ("activation.json", "alt-latest-lowercase", {
        "iban": "LT121000011101001000", "accountNumber": "ACC1",
        "wallet": {"walletId": "w-2", "id": "w-2", "currency": "EUR", "balance": "0.00", "status": "active"},
        "status": "ACTIVATED", "activatedAt": TS_NAIVE}, True),
    ("activation.json", "alt-runner-empty", {}, True),
    ("activation.json", "alt-flow-ids-flat", {"activationStatus": "ACTIVATED", "customerId": UUID,
                                              "accountId": "acc-1", "customerStatus": "activated"}, True),
    ("activation.json", "bad-customer-not-active", _with(ACTIVATION_REF, customerStatus="CS_REGISTRATION_COMPLETED"),
     False),
    ("activation.json", "bad-wallet-inactive",
     _with(ACTIVATION_REF, wallet={**ACTIVATION_REF["wallet"], "status": "INACTIVE"}), False),
    ("activation.json", "bad-iban-with-spaces", _with(ACTIVATION_REF, iban="LT61 3500 0489 6261 5846"), False),
    ("activation.json", "bad-wallet-iban-when-no-top-iban",
     {"wallet": {"walletId": "w", "iban": "not-an-iban"}}, False),
    ("activation.json", "bad-empty-wallet-id", {"wallet": {"walletId": ""}, "iban": IBAN_LT}, False),
    # E12 --------------------------------------------------------------------------------------
    ("balance.json", "ref-minor-strings-with-formatted", BALANCE_REF, True),
    ("balance.json", "alt-numbers", {"currentBalance": 5000.0, "availableBalance": 4500, "blockedBalance": 500.0},
     True),
    ("balance.json", "alt-decimal-strings-with-currency", {
        "currentBalance": "0.00 EUR", "availableBalance": "0.00 EUR", "blockedBalance": "0.00 EUR",
        "status": "inactive"}, True),
    ("balance.json", "alt-objects", {
        "currentBalance": {"value": "500000", "scale": 2, "currency": "EUR"},
        "availableBalance": {"value": "450000", "valueFormatted": "4500.00"},
        "blockedBalance": {"amount": "500.00", "currency": "EUR"}}, True),
    ("balance.json", "alt-formatted-sibling-wins", {
        "currentBalance": {"minor": 1}, "currentBalanceFormatted": "0.01",
        "availableBalance": "1", "blockedBalance": "0"}, True),
    ("balance.json", "bad-no-blockedBalance", _without(BALANCE_REF, "blockedBalance", "blockedBalanceFormatted"),
     False),
    ("balance.json", "bad-undecodable-balance", {
        "currentBalance": "5,000.00", "availableBalance": "0", "blockedBalance": "0"}, False),
    ("balance.json", "bad-undecodable-formatted", _with(BALANCE_REF, currentBalanceFormatted="5.000,00"), False),
    ("balance.json", "bad-iban", _with(BALANCE_REF, iban="FR76-1234"), False),
    # E13 --------------------------------------------------------------------------------------
    ("allowed_operations.json", "ref-flow-with-limits", ALLOWED_REF, True),
    ("allowed_operations.json", "alt-latest-type-lowercase", {
        "operations": [
            {"type": "transfer", "enabled": True, "limits": {"minAmount": "1.00", "maxAmount": "10000.00",
                                                             "dailyLimit": "20000.00", "monthlyLimit": "50000.00"},
             "consentRequired": True, "activeConsents": 2},
            {"type": "withdraw", "enabled": False}, {"type": "topup", "enabled": True}],
        "beneficiaries": {"total": 5, "active": 4, "currencies": ["EUR"]},
        "account": {"balances": {"available": "1"}, "currency": "EUR", "status": "ACTIVE"}}, True),
    ("allowed_operations.json", "alt-top-level-limits-numbers", {
        "operations": [{"operationType": "Transfer", "enabled": False}],
        "limits": {"perTransaction": 5000, "daily": 10000, "monthly": 100000}}, True),
    ("allowed_operations.json", "alt-transactionLimits-objects", {
        "operations": [{"operationType": "TRANSFER", "enabled": True}],
        "transactionLimits": {"perTransactionLimit": {"value": "500000", "scale": 2, "currency": "EUR"}}}, True),
    ("allowed_operations.json", "alt-other-op-limits-untyped", {
        "operations": [{"operationType": "TRANSFER", "enabled": True, "limits": {"maxAmount": "5000.00"}},
                       {"operationType": "WITHDRAW", "enabled": False, "limits": [{"kind": "daily"}]}],
        "limits": [{"kind": "unrelated"}]}, True),
    ("allowed_operations.json", "bad-no-operations", _without(ALLOWED_REF, "operations"), False),
    ("allowed_operations.json", "bad-runner-accounts-only", {
        "sessionId": UUID, "accounts": [{"id": UUID, "type": "CONSUMER_WALLET", "iban": IBAN_LT}]}, False),
    ("allowed_operations.json", "bad-no-transfer-item",
     {"operations": [{"operationType": "PAYMENT", "enabled": True}]}, False),
    ("allowed_operations.json", "bad-transfer-only-in-unread-type",
     {"operations": [{"operationType": "PAYMENT", "type": "TRANSFER", "enabled": True}]}, False),
    ("allowed_operations.json", "bad-enabled-string",
     {"operations": [{"operationType": "TRANSFER", "enabled": "true"}]}, False),
    ("allowed_operations.json", "bad-item-without-type",
     {"operations": [{"operationType": "TRANSFER", "enabled": True}, {"enabled": True}]}, False),
    ("allowed_operations.json", "bad-transfer-limit-undecodable",
     {"operations": [{"operationType": "TRANSFER", "enabled": True, "limits": {"maxAmount": "lots"}}]}, False),
    # E14 --------------------------------------------------------------------------------------
    ("beneficiary.json", "ref-all-three-ids", BENEFICIARY_REF, True),
    ("beneficiary.json", "alt-runner-id-assetId", {
        "id": UUID, "name": "", "iban": IBAN_DE, "type": "INDIVIDUAL_CUSTOMER", "status": "ACTIVE",
        "currency": "EUR", "country": "", "shortName": "", "networkName": "SEPA", "assetId": UUID2}, True),
    ("beneficiary.json", "alt-flow-lowercase-status", {
        "beneficiaryId": "benef-1", "iban": IBAN_DE, "status": "active", "pepCheckResult": "PENDING"}, True),
    ("beneficiary.json", "bad-no-iban", _without(BENEFICIARY_REF, "iban"), False),
    ("beneficiary.json", "bad-no-id", _without(BENEFICIARY_REF, "beneficiaryId", "id", "assetId"), False),
    ("beneficiary.json", "bad-all-ids-null", _with(BENEFICIARY_REF, beneficiaryId=None, id=None, assetId=None), False),
    ("beneficiary.json", "bad-empty-beneficiaryId", _with(BENEFICIARY_REF, beneficiaryId=""), False),
    # S6 ---------------------------------------------------------------------------------------
    ("beneficiary_list.json", "ref-root-array", [
        {"beneficiaryId": UUID, "beneficiaryName": "Jane Smith", "iban": IBAN_DE, "network": "SEPA",
         "status": "active", "lastUsed": None}], True),
    ("beneficiary_list.json", "alt-under-beneficiaries", {"beneficiaries": [
        {"beneficiaryId": UUID, "name": "Jane", "type": "INDIVIDUAL", "paymentMethod": "SEPA", "iban": IBAN_DE,
         "bic": "COBADEFFXXX", "status": "ACTIVE", "createdAt": TS}, {"assetId": "a-2", "iban": IBAN_LT}]}, True),
    ("beneficiary_list.json", "alt-empty", [], True),
    ("beneficiary_list.json", "bad-item-without-iban", [{"beneficiaryId": UUID}], False),
    ("beneficiary_list.json", "bad-item-without-id", {"beneficiaries": [{"iban": IBAN_DE}]}, False),
    ("beneficiary_list.json", "bad-other-key", {"items": [{"beneficiaryId": UUID, "iban": IBAN_DE}]}, False),
    ("beneficiary_list.json", "bad-beneficiaries-summary", {"beneficiaries": {"total": 1}}, False),
    # E15 --------------------------------------------------------------------------------------
    ("transfer_prepare.json", "ref", PREPARE_REF, True),
    ("transfer_prepare.json", "alt-latest-decimal-strings-zoneless", {
        "preparedOrderId": "prep_order_1", "validUntil": TS_NAIVE, "totalAmount": "101.50",
        "fees": {"processingFee": "1.00", "networkFee": "0.50", "totalFee": "1.50"},
        "consentValidation": {"required": True, "valid": True, "beneficiaryAllowed": True}}, True),
    ("transfer_prepare.json", "alt-summary-numbers-prepared-lowercase", {
        "preparedOrderId": "p", "validUntil": "2026-01-14T11:00:00+02:00", "status": "prepared",
        "summary": {"amount": 100, "currency": "EUR", "totalAmount": 101.5, "fees": 1.5}}, True),
    ("transfer_prepare.json", "alt-fees-as-amount-object", {
        "preparedOrderId": "p", "validUntil": TS, "amount": {"value": "5000000", "valueFormatted": "50000.00"},
        "fees": {"value": "0", "valueFormatted": "0.00", "currency": "EUR"},
        "totalAmount": {"value": "5000000", "valueFormatted": "50000.00"}}, True),
    ("transfer_prepare.json", "bad-runner-no-validUntil", {"preparedOrderId": UUID, "status": "READY"}, False),
    ("transfer_prepare.json", "bad-no-preparedOrderId", _without(PREPARE_REF, "preparedOrderId"), False),
    ("transfer_prepare.json", "bad-validUntil-not-iso", _with(PREPARE_REF, validUntil="in 15 minutes"), False),
    ("transfer_prepare.json", "bad-status-not-prepared", _with(PREPARE_REF, status="EXECUTED"), False),
    ("transfer_prepare.json", "bad-undecodable-total", _with(PREPARE_REF, totalAmount="1,015.00"), False),
    ("transfer_prepare.json", "bad-undecodable-fee", _with(PREPARE_REF, fees={"totalFee": "free"}), False),
    # E16 --------------------------------------------------------------------------------------
    ("transfer_execute.json", "ref", EXECUTE_REF, True),
    ("transfer_execute.json", "alt-runner-orderId-lowercase", {
        "orderId": UUID, "status": "completed", "transactionId": "txn_abc123"}, True),
    ("transfer_execute.json", "alt-executionId-only-async", {"executionId": "exec-1", "status": "Processing"}, True),
    ("transfer_execute.json", "alt-latest-amount-decimal", {
        "transactionId": "txn_1", "orderId": "ord_1", "status": "PENDING", "executedAt": TS_NAIVE,
        "amount": {"value": "100.00", "currency": "EUR"}, "fees": {"total": "1.50"}}, True),
    ("transfer_execute.json", "bad-no-status", _without(EXECUTE_REF, "status"), False),
    ("transfer_execute.json", "bad-unknown-status", _with(EXECUTE_REF, status="FAILED"), False),
    ("transfer_execute.json", "bad-no-execution-id", _without(EXECUTE_REF, "executionId", "orderId", "transactionId"),
     False),
    ("transfer_execute.json", "bad-empty-transactionId", _with(EXECUTE_REF, transactionId=""), False),
    # S1 ---------------------------------------------------------------------------------------
    ("admin_session.json", "ref", {"token": JWT, "sessionId": UUID, "expiresAt": TS, "refreshToken": "r"}, True),
    ("admin_session.json", "alt-opaque-token", {"token": "opaque-admin-token"}, True),
    ("admin_session.json", "bad-no-token", {"sessionId": UUID}, False),
    ("admin_session.json", "bad-empty-token", {"token": ""}, False),
    # S2 / S3 ----------------------------------------------------------------------------------
    ("verification_decision.json", "ref", {
        "level": "TENANT_VERIFIED", "approvedBy": "E2E_TEST_ADMIN", "approvedAt": TS, "verificationId": UUID,
        "status": "APPROVED"}, True),
    ("verification_decision.json", "alt-rejected-lowercase", {"verificationId": "v", "status": "rejected"}, True),
    ("verification_decision.json", "alt-empty", {}, True),
    ("verification_decision.json", "bad-approvedAt-not-iso", {"status": "APPROVED", "approvedAt": "now"}, False),
    ("verification_decision.json", "bad-not-object", ["APPROVED"], False),
    # S5 ---------------------------------------------------------------------------------------
    ("activation_check.json", "ref-ready-both-flags", {
        "activationAllowed": True, "canActivate": True, "consentOk": True, "verificationOk": True,
        "powerTenantApprovalOk": True, "powerTenantApprovalRequired": False, "riskLevel": "LOW",
        "isHighRisk": False, "customerId": UUID, "powerTenant": UUID2, "ownerTenant": UUID}, True),
    ("activation_check.json", "alt-not-ready-activationAllowed", {
        "activationAllowed": False, "consentOk": False, "verificationOk": True, "riskLevel": "LOW",
        "missingConsents": ["PRIVACY_POLICY", "DATA_PROCESSING"]}, True),
    ("activation_check.json", "alt-canActivate-only", {
        "canActivate": False, "verificationOk": False, "consentOk": True, "missingConsents": [],
        "verificationStatus": "PENDING", "verificationLevel": "TENANT_VERIFIED"}, True),
    ("activation_check.json", "bad-no-flag", {"verificationOk": True, "consentOk": True}, False),
    ("activation_check.json", "bad-flag-string", {"activationAllowed": "true"}, False),
    ("activation_check.json", "bad-flag-null", {"activationAllowed": None}, False),
    # S7 ---------------------------------------------------------------------------------------
    ("payment_consent.json", "ref-a1-magic-link", {
        "consentId": UUID, "id": UUID, "operationType": "TRANSFER", "status": "ACTIVE", "walletId": "w-1",
        "accountId": "w-1", "message": "created", "magicLinkToken": JWT}, True),
    ("payment_consent.json", "alt-a2-id-lowercase", {"id": "consent-1", "status": "active",
                                                      "authenticationCode": "768807"}, True),
    ("payment_consent.json", "alt-a3-neither", {"consentId": "c-1", "paymentType": "TRANSFER"}, True),
    ("payment_consent.json", "bad-no-id", {"status": "ACTIVE", "magicLinkToken": JWT}, False),
    ("payment_consent.json", "bad-magic-link-not-jwt", {"consentId": "c", "magicLinkToken": "768807"}, False),
    # S8 ---------------------------------------------------------------------------------------
    ("topup_prepare.json", "ref", TOPUP_PREPARE_REF, True),
    ("topup_prepare.json", "alt-b2b-valueFormatted-prepared", {
        "preparedOrderId": "prep-1", "operationType": "TOPUP", "status": "PREPARED",
        "amount": {"value": "5000000", "valueFormatted": "50000.00", "currency": "EUR"},
        "fees": {"value": "0", "valueFormatted": "0.00", "currency": "EUR"},
        "totalAmount": {"value": "5000000", "valueFormatted": "50000.00", "currency": "EUR"},
        "estimatedExecutionTime": "instant", "validUntil": TS_NAIVE}, True),
    ("topup_prepare.json", "bad-no-validUntil", _without(TOPUP_PREPARE_REF, "validUntil"), False),
    ("topup_prepare.json", "bad-no-preparedOrderId", _without(TOPUP_PREPARE_REF, "preparedOrderId"), False),
    ("topup_execute.json", "ref", {"executionId": UUID, "orderId": UUID2, "transactionId": "t",
                                   "status": "COMPLETED", "executedAt": TS}, True),
    ("topup_execute.json", "alt-b2b-executing", {"executionId": "exec-1", "orderId": "order-1",
                                                 "status": "EXECUTING"}, True),
    ("topup_execute.json", "bad-no-status", {"executionId": "exec-1"}, False),
    ("topup_execute.json", "bad-no-id", {"status": "COMPLETED"}, False),
    # S9 ---------------------------------------------------------------------------------------
    ("session_refresh.json", "ref-rotated", {"token": JWT, "refreshToken": "r-2", "sessionId": UUID}, True),
    ("session_refresh.json", "alt-token-only", {"token": JWT}, True),
    ("session_refresh.json", "bad-no-token", {"refreshToken": "r-2"}, False),
]


@pytest.mark.parametrize(
    "schema,payload,accepted",
    [pytest.param(s, p, ok, id=f"{s[:-5]}-{cid}") for s, cid, p, ok in CASES],
)
def test_payload(schema, payload, accepted):
    errors = _errors(BASE + schema, payload)
    if accepted:
        assert errors == [], "conforming payload rejected:\n" + "\n".join(errors)
    else:
        assert errors, "non-conforming payload accepted"


PAYLOAD_SCHEMAS = sorted(EXPECTED_FILES - {"common.json", "envelope.json", "error.json"})


@pytest.mark.parametrize("name", PAYLOAD_SCHEMAS)
def test_every_payload_schema_has_ref_alt_and_bad_cases(name):
    kinds = {(cid.split("-")[0], ok) for s, cid, _, ok in CASES if s == name}
    assert ("ref", True) in kinds and ("alt", True) in kinds and ("bad", False) in kinds, kinds


@pytest.mark.parametrize("body,schema", [
    pytest.param({"code": 200, "message": "Success", "data": CONSENT_REF}, "consent.json", id="E-1-consent"),
    pytest.param({"success": True, "data": {"consentId": "cons_12345", "type": "TERMS", "status": "ACCEPTED"}},
                 "consent.json", id="E-2-consent"),
    pytest.param({"data": [{"beneficiaryId": "b", "iban": IBAN_DE}]}, "beneficiary_list.json", id="E-3-list"),
    pytest.param(HIERARCHY_REF, "category_hierarchy.json", id="E-4-bare-hierarchy"),
    pytest.param({"code": 200, "message": "m", "redirectUrl": "/auth/activate-account", "data": REGISTRATION_REF},
                 "registration.json", id="E-1-registration-redirectUrl"),
])
def test_decoded_envelope_and_payload(body, schema):
    assert _errors(BASE + "envelope.json", body) == []
    assert _errors(BASE + schema, payload_of(body)) == []
