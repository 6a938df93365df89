"""Phases 1-5 of the reference: registration, categorization, sessions, verification, consents, activation."""

from __future__ import annotations

import time

import jwt
import pytest

from tests.reference.refkit import error, HIGH_RISK_PARAMS, PASSWORD, Ref


def test_happy_path_through_all_seven_phases(ref: Ref) -> None:
    alice, consent_id, code = ref.ready_to_pay(funds="500.00")
    assert ref.cents(alice) == (50000, 50000, 0)
    order = ref.prepare(alice, "100.00", consent_id=consent_id)
    assert order.status_code == 200 and order.json()["data"]["status"] == "READY"
    assert ref.cents(alice) == (50000, 50000 - 10150, 10150)
    done = ref.execute(alice, order.json()["data"]["preparedOrderId"], code, consent_id)
    assert done.status_code == 200 and done.json()["data"]["status"] == "COMPLETED"
    assert ref.cents(alice) == (50000 - 10150, 50000 - 10150, 0)


def test_registration_payload(ref: Ref) -> None:
    response = ref.register()
    body = response.json()
    assert response.status_code == 200 and body["code"] == 200 and body["message"] == "Success"
    assert body["redirectUrl"]
    data = body["data"]
    assert data["id"] == data["customerId"] and data["user"]["id"] == data["userId"]
    assert data["customerType"] == "CT_PERSON" and data["customerStatus"] == "CS_REGISTRATION_COMPLETED"
    assert data["user"]["status"] == "PENDING_ACTIVATION" and data["user"]["isActive"] is False
    assert data["wallet"]["status"] == "INACTIVE"
    assert PASSWORD not in response.text and "hash" not in response.text.lower()


@pytest.mark.parametrize("password", ["Ab1!xyz", "kx9!mq2#vr7$wt4@zp8%", "KX9!MQ2#VR7$WT4@ZP8%",
                                      "Kx!mQ#vR$wT@zP%aBcDe", "Kx9mQ2vR7wT4zP8aBcDe"])
def test_weak_passwords_are_refused(ref: Ref, password: str) -> None:
    response = ref.register(password=password)
    assert response.status_code == 400 and error(response) == "WEAK_PASSWORD"


def test_seed_minimum_password_is_accepted(ref: Ref) -> None:
    assert ref.register(password="Ab1!defg").status_code == 200


def test_confirmation_mismatch_names_matching_password(ref: Ref) -> None:
    body = ref.registration_body()
    body["matchingPassword"] = PASSWORD + "x"
    response = ref.call("POST", "/customer/individual/registration", ref.admin(), json=body)
    assert response.status_code == 400 and error(response) == "VALIDATION_FAILED"
    assert response.json()["data"]["errors"][0]["field"] == "matchingPassword"


@pytest.mark.parametrize("field", ["firstName", "lastName", "email", "password", "matchingPassword"])
def test_required_fields(ref: Ref, field: str) -> None:
    body = ref.registration_body()
    body[field] = ""
    response = ref.call("POST", "/customer/individual/registration", ref.admin(), json=body)
    assert response.status_code == 400 and error(response) == "VALIDATION_FAILED"


def test_bad_email_and_duplicates(ref: Ref) -> None:
    assert error(ref.register(email="not-an-email")) == "VALIDATION_FAILED"
    first = ref.register(email="dup@example.com")
    assert first.status_code == 200
    again = ref.register(email="DUP@example.com")
    assert again.status_code == 409 and error(again) == "DUPLICATE_EMAIL"
    assert ref.register(email="dup@example.com", tenant=ref.config.tenant_b).status_code == 200


def test_customer_token_cannot_register(ref: Ref) -> None:
    alice = ref.new_customer()
    response = ref.register(token=alice.token)
    assert response.status_code == 403 and error(response) == "FORBIDDEN"
    assert ref.call("POST", "/customer/individual/registration", json={}).status_code == 401


def test_hierarchy_and_categories(ref: Ref) -> None:
    tenant = ref.config.tenant_a
    response = ref.call("GET", f"/customer/individual/categorization/hierarchy/{tenant.path_id}", ref.admin())
    categories = response.json()["data"]["categories"]
    assert set(categories) == {"STANDARD_INDIVIDUAL", "LOW_RISK_INDIVIDUAL", "HIGH_RISK_INDIVIDUAL"}
    feature = categories["HIGH_RISK_INDIVIDUAL"]["availableFeatures"][0]
    assert feature["featureCode"] == "ENHANCED_AML_MONITORING" and "0-100" in feature["allowedValues"]["riskScore"]
    other = ref.config.tenant_b.path_id
    assert ref.call("GET", f"/customer/individual/categorization/hierarchy/{other}", ref.admin()).status_code == 404
    by_db_id = categories["STANDARD_INDIVIDUAL"]["databaseId"]
    assert ref.register(category=by_db_id).status_code == 200
    assert ref.register(category="STANDARD_INDIVIDUAL").status_code == 200
    unknown = ref.register(category="NOPE")
    assert unknown.status_code == 400 and error(unknown) == "CATEGORY_NOT_FOUND"


def test_parametrization_rules(ref: Ref) -> None:
    missing = ref.register(category="HIGH_RISK_INDIVIDUAL", params=HIGH_RISK_PARAMS[1:])
    assert error(missing) == "CATEGORIZATION_INVALID" and missing.json()["data"]["missingKeys"] == ["riskLevel"]
    for name, value in (("riskScore", "101"), ("riskLevel", "EXTREME"), ("riskLevel", "HIGH,LOW")):
        params = [p for p in HIGH_RISK_PARAMS if p["name"] != name] + [{"name": name, "value": value}]
        response = ref.register(category="HIGH_RISK_INDIVIDUAL", params=params)
        assert error(response) == "CATEGORIZATION_INVALID" and name in response.json()["data"]["invalidValues"]
    edge = [p for p in HIGH_RISK_PARAMS if p["name"] != "riskScore"] + [{"name": "riskScore", "value": "100"}]
    assert ref.register(category="HIGH_RISK_INDIVIDUAL", params=edge).status_code == 200


def test_login_token_and_claims(ref: Ref) -> None:
    alice = ref.new_customer()
    claims = jwt.decode(alice.token, options={"verify_signature": False})
    assert jwt.get_unverified_header(alice.token)["alg"] == "HS256"
    assert claims["userType"] == "CONSUMER" and claims["roles"] == ["USER"]
    assert claims["customerId"] == alice.id and claims["userId"] == alice.user_id
    assert claims["exp"] - claims["iat"] == 3600


def test_login_errors(ref: Ref) -> None:
    alice, bob = ref.new_customer(), ref.new_customer()
    wrong = ref.login_raw(alice, password="Wrong-Passw0rd!")
    assert wrong.status_code == 401 and error(wrong) == "INVALID_CREDENTIALS" and "token" not in wrong.text
    alice_on_bob = ref.call("POST", f"/customer/individual/{bob.id}/users/{bob.user_id}/sessions",
                            json={"username": alice.email, "password": alice.password,
                                  "tenantKey": alice.tenant.key, "tenantSecret": alice.tenant.secret})
    assert alice_on_bob.status_code == 401
    unknown = ref.call("POST", f"/customer/individual/{alice.id}/users/nope/sessions",
                       json={"username": alice.email, "password": alice.password,
                             "tenantKey": alice.tenant.key, "tenantSecret": alice.tenant.secret})
    assert unknown.status_code == 404 and error(unknown) == "USER_NOT_FOUND"
    bad_tenant = ref.login_raw(alice, tenantSecret="nope")
    assert bad_tenant.status_code == 403 and error(bad_tenant) == "INVALID_TENANT_CREDENTIALS"
    other_tenant = ref.login_raw(alice, tenant=ref.config.tenant_b)
    assert other_tenant.status_code == 403 and error(other_tenant) == "TENANT_MISMATCH"


def test_lockout_after_five_failures(ref: Ref) -> None:
    alice = ref.new_customer(login=False)
    for attempt in range(1, 5):
        assert ref.login_raw(alice, password="Wrong-Passw0rd!").json()["data"]["attempts"] == attempt
    locked = ref.login_raw(alice, password="Wrong-Passw0rd!")
    assert locked.status_code == 401 and error(locked) == "ACCOUNT_LOCKED"
    correct = ref.login_raw(alice)
    data = correct.json()["data"]
    assert correct.status_code == 401 and data["error"] == "ACCOUNT_LOCKED"
    assert data["attempts"] == 5 and data["maxAttempts"] == 5 and data["lockoutTime"]


def test_lockout_expires(ref: Ref) -> None:
    now = [time.time()]
    ref = Ref(clock=lambda: now[0])
    alice = ref.new_customer(login=False)
    for _ in range(5):
        ref.login_raw(alice, password="Wrong-Passw0rd!")
    assert ref.login_raw(alice).status_code == 401
    now[0] += 1801
    assert ref.login_raw(alice).status_code == 200


def test_logout_revokes_and_refresh(ref: Ref) -> None:
    alice = ref.new_customer()
    path = f"/customer/individual/{alice.id}/users/{alice.user_id}/sessions/{alice.session_id}"
    refreshed = ref.call("PUT", path, alice.token, json={"refreshToken": alice.refresh_token})
    assert refreshed.status_code == 200
    new_token = refreshed.json()["data"]["token"]
    assert ref.call("PUT", path, alice.token, json={"refreshToken": "wrong"}).status_code == 401
    assert ref.initiate(alice).status_code == 200  # the old token stays valid
    mallory = ref.new_customer()
    assert ref.call("DELETE", path, mallory.token).status_code == 404
    assert ref.call("DELETE", path, alice.token).status_code == 200
    for token in (alice.token, new_token):
        response = ref.call("GET", f"/verifications/{'x'}", token)
        assert response.status_code == 401 and error(response) == "UNAUTHORIZED"
    fresh = ref.log_in(alice)
    assert ref.call("DELETE", path, fresh).status_code == 404
    second_refresh = refreshed.json()["data"]["refreshToken"]
    assert ref.call("PUT", path, fresh, json={"refreshToken": second_refresh}).status_code == 401


def test_verification_state_machine(ref: Ref) -> None:
    alice = ref.new_customer()
    early = ref.submit(alice)
    assert early.status_code == 409 and error(early) == "VERIFICATION_NOT_INITIATED"
    started = ref.initiate(alice).json()["data"]
    assert started["status"] == "IN_PROGRESS" and started["requiredDocuments"]
    assert error(ref.initiate(alice)) == "VERIFICATION_ALREADY_OPEN"
    assert error(ref.submit(alice, documentType="SELFIE")) == "VALIDATION_FAILED"
    assert error(ref.submit(alice, expiryDate="2001-01-01")) == "DOCUMENT_EXPIRED"
    assert ref.submit(alice).json()["data"]["status"] == "PENDING"
    vid = started["verificationId"]
    assert ref.approve(vid, alice.token).status_code == 403
    assert ref.approve(vid, status="MAYBE").status_code == 400
    approved = ref.approve(vid)
    assert approved.status_code == 200
    seen = ref.verification(vid, alice.token).json()["data"]
    assert seen["status"] == "APPROVED" and seen["level"] == "TENANT_VERIFIED"
    assert error(ref.approve(vid, status="REJECTED")) == "VERIFICATION_ALREADY_DECIDED"
    assert error(ref.initiate(alice)) == "VERIFICATION_ALREADY_DECIDED"
    assert ref.verification(vid, ref.new_customer().token).status_code == 404
    b_admin = ref.admin(ref.config.tenant_b)
    assert ref.verification(vid, b_admin, ref.config.tenant_b).status_code == 404


def test_rejection_styles_and_reinitiation(ref: Ref) -> None:
    alice = ref.new_customer()
    first = ref.initiate(alice).json()["data"]["verificationId"]
    ref.submit(alice)
    assert ref.approve(first, status="REJECTED").status_code == 200
    assert ref.verification(first, alice.token).json()["data"]["status"] == "REJECTED"
    assert ref.activate(alice).status_code == 422
    second = ref.initiate(alice).json()["data"]["verificationId"]
    assert second != first
    rejected = ref.call("POST", f"/verifications/{second}/reject", ref.admin(), json={"reason": "blurry"})
    assert rejected.status_code == 200 and ref.verification(second, alice.token).json()["data"]["status"] == "REJECTED"


def test_high_risk_needs_power_approval(ref: Ref) -> None:
    hugo = ref.new_customer(high_risk=True)
    vid = ref.initiate(hugo).json()["data"]["verificationId"]
    ref.submit(hugo)
    ref.accept_all(hugo)
    refused = ref.approve(vid)
    assert refused.status_code == 403 and error(refused) == "POWER_TENANT_APPROVAL_REQUIRED"
    assert ref.activate(hugo).json()["data"]["powerTenantApprovalRequired"] is True
    assert ref.check(hugo).json()["data"]["activationAllowed"] is False
    assert ref.approve(vid, ref.power(), ref.config.tenant_a).status_code == 403  # header must match the token
    power = ref.approve(vid, ref.power(), ref.config.power_tenant, approvalLevel="POWER_TENANT_VERIFIED")
    assert power.status_code == 200
    assert ref.verification(vid, hugo.token).json()["data"]["level"] == "POWER_TENANT_VERIFIED"
    check = ref.check(hugo).json()["data"]
    assert check["activationAllowed"] is True and check["canActivate"] is True
    assert ref.activate(hugo).status_code == 200


def test_consents(ref: Ref) -> None:
    alice = ref.new_customer()
    first = ref.consent(alice, "terms")
    assert first.status_code == 200 and first.json()["data"]["status"] == "ACCEPTED"
    assert first.json()["data"]["consentType"] == "TERMS_AND_CONDITIONS"
    assert ref.consent(alice, "terms").json()["data"]["id"] == first.json()["data"]["id"]
    assert ref.consent(alice, "marketing").status_code == 404
    assert error(ref.consent(alice, "privacy", accepted=False)) == "VALIDATION_FAILED"
    assert ref.consent(alice, "privacy", version=None).status_code == 400
    assert ref.consent(alice, "privacy", token=ref.admin()).status_code == 200
    assert ref.consent(alice, "terms", token=ref.new_customer().token).status_code == 404


@pytest.mark.parametrize("missing", ["verification", "terms", "privacy", "data-processing"])
def test_each_activation_prerequisite(ref: Ref, missing: str) -> None:
    alice = ref.new_customer()
    if missing != "verification":
        ref.verify(alice)
    ref.accept_all(alice, [s for s in ("terms", "privacy", "data-processing") if s != missing])
    refused = ref.activate(alice)
    data = refused.json()["data"]
    assert refused.status_code == 422 and data["error"] == "ACTIVATION_PREREQUISITES_NOT_MET"
    assert data["verificationOk"] is (missing != "verification")
    assert data["consentOk"] is (missing == "verification")
    assert ref.check(alice).json()["data"]["activationAllowed"] is False
    assert ref.balance(alice)["status"] == "INACTIVE"


def test_activation_result_and_repeat(ref: Ref) -> None:
    alice = ref.new_customer()
    ref.verify(alice)
    ref.accept_all(alice)
    assert ref.activate(alice, token=alice.token).status_code == 403
    assert ref.activate(alice, userId=ref.new_customer().user_id).status_code == 422
    done = ref.activate(alice)
    data = done.json()["data"]
    iban = data["iban"]
    assert done.status_code == 200 and data["wallet"]["walletId"] == alice.wallet_id
    assert data["activationStatus"] == "ACTIVATED" and data["customerStatus"] == "CS_ACTIVE"
    assert len(iban) == 20 and iban.startswith("LT")
    digits = "".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])
    assert int(digits) % 97 == 1
    again = ref.activate(alice)
    assert again.status_code == 409 and error(again) == "ALREADY_ACTIVE"
    assert ref.balance(alice)["iban"] == iban
    assert ref.check(alice).json()["data"]["activationAllowed"] is False


def test_ibans_are_unique(ref: Ref) -> None:
    ibans = {ref.active_customer(funds=None).iban for _ in range(5)}
    assert len(ibans) == 5
