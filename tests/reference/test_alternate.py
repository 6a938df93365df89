"""The reference's alternate mode (``--variant alternate``): another accepted variant at every MAY point of §8.

Each test pins the alternate choice at one group of MAY points, at the API level, so that the full suite
run against this mode (tests/test_alternate_mode.py) really meets those variants.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import pytest

from finhub_reference.config import Tenant
from tests.reference.refkit import HIGH_RISK_PARAMS, PASSWORD, Customer, Ref, amount, de_iban

ZONE_LESS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")


class Clock:
    """A settable clock for order expiry and asynchronous settlement."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


class Alt(Ref):
    """Ref's verbs for the alternate mode: bare payloads (E-4), 201 on POST, no wallet id at registration."""

    def admin(self, tenant: Tenant | None = None) -> str:
        tenant = tenant or self.config.tenant_a
        if tenant.id not in self._admin_tokens:
            response = self.admin_login(tenant)
            assert response.status_code == 201, response.text
            self._admin_tokens[tenant.id] = response.json()["token"]
        return self._admin_tokens[tenant.id]

    def new_customer(self, tenant: Tenant | None = None, high_risk: bool = False, login: bool = True,
                     **kwargs: Any) -> Customer:
        if high_risk:
            kwargs.setdefault("category", "HIGH_RISK_INDIVIDUAL")
            kwargs.setdefault("params", HIGH_RISK_PARAMS)
        response = self.register(tenant, **kwargs)
        assert response.status_code == 201, response.text
        data = response.json()
        customer = Customer(tenant or self.config.tenant_a, data["id"], data["user"]["id"], data["person"]["email"],
                            kwargs.get("password", PASSWORD), "")
        if login:
            login_response = self.login_raw(customer)
            assert login_response.status_code == 201, login_response.text
            customer.token, customer.session_id = login_response.json()["token"], login_response.json()["sessionId"]
        return customer

    def onboarded(self, high_risk: bool = False) -> Customer:
        """Verified (auto-approved, or power-approved after the tenant step) with all three consents."""
        customer = self.new_customer(high_risk=high_risk)
        customer.verification_id = self.initiate(customer).json()["verificationId"]
        assert self.submit(customer).status_code == 201
        if high_risk:
            assert self.approve(customer.verification_id).status_code == 201
            assert self.approve(customer.verification_id, self.power(), self.config.power_tenant,
                                approvalLevel="POWER_TENANT_VERIFIED").status_code == 201
        for segment in ("terms", "privacy", "data-processing"):
            assert self.consent(customer, segment).status_code == 201
        return customer

    def activated(self, funds: str | None = "1000.00", clock: Clock | None = None) -> Customer:
        """Active, and funded by a top-up that settles asynchronously (moved past by ``clock``)."""
        customer = self.onboarded()
        data = self.activate(customer).json()
        customer.wallet_id, customer.iban = data["wallet"]["walletId"], data["iban"]
        if funds:
            self.top_up(customer, funds, clock)
        return customer

    def top_up(self, customer: Customer, major: str, clock: Clock | None) -> None:
        path = f"/fintrans/{customer.wallet_id}/types/topup"
        body = {"type": "TOPUP", "sourceAccount": {"iban": de_iban(999), "bic": "COBADEFFXXX", "name": "Alice"},
                "amount": amount(major), "currency": "EUR"}
        order_id = self.call("POST", f"{path}/prepare", customer.token, json=body).json()["preparedOrderId"]
        executed = self.call("POST", f"{path}/execute", customer.token, json={"preparedOrderId": order_id})
        assert executed.status_code == 201 and executed.json()["status"] == "processing", executed.text
        if clock:
            clock.now += 1

    def payload(self, response) -> Any:
        """The bare payload of a success."""
        assert response.status_code < 300, response.text
        return response.json()

    def balances(self, customer: Customer) -> tuple[float, float, float]:
        data = self.payload(self.call("GET", f"/fintrans/{customer.wallet_id}/balance", customer.token))
        return data["currentBalance"], data["availableBalance"], data["blockedBalance"]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def alt(clock: Clock) -> Alt:
    """A fresh deployment in the alternate mode, on a settable clock."""
    return Alt(overrides={"REF_VARIANT": "alternate", "REF_ORDER_TTL_S": "60"}, clock=clock)


def error(response) -> str:
    return response.json()["data"]["error"]


def test_bare_envelope_201_opaque_ids_and_zone_less_timestamps(alt: Alt) -> None:
    response = alt.register()
    assert response.status_code == 201
    data = response.json()
    assert "code" not in data and "data" not in data and data["customerType"] == "ct_person"
    assert data["customerStatus"] == "pending_verification" and "wallet" not in data
    for value in (data["id"], data["userId"]):
        with pytest.raises(ValueError):
            uuid.UUID(value)
    assert ZONE_LESS.match(data["createdAt"])


def test_stricter_password_policy_still_takes_the_suites_passwords(alt: Alt) -> None:
    assert error(alt.register(password="Ab1!cd2@Ef3")) == "WEAK_PASSWORD"  # 11 characters
    assert error(alt.register(password="Kx9!mQ2#vR7$wTT4@zP8")) == "WEAK_PASSWORD"  # a repeated character
    assert alt.register(password=PASSWORD).status_code == 201  # the shape of §7.4's happy-path password


def test_public_hierarchy_as_an_array_with_feature_rules_at_top_level(alt: Alt) -> None:
    tenant = alt.config.tenant_a
    response = alt.client.get(f"/api/v2.1/customer/individual/categorization/hierarchy/{tenant.path_id}",
                              headers={"X-Tenant-ID": tenant.id, "platform": "web"})
    data = alt.payload(response)
    high = next(c for c in data["categories"] if c["categoryId"] == "HIGH_RISK_INDIVIDUAL")
    assert high["features"] == [{"featureCode": "ENHANCED_AML_MONITORING", "featureName": "Enhanced AML Monitoring"}]
    assert "riskScore" in data["features"]["ENHANCED_AML_MONITORING"]["mandatoryKeys"]
    other = alt.config.tenant_b.path_id
    foreign = alt.client.get(f"/api/v2.1/customer/individual/categorization/hierarchy/{other}",
                             headers={"X-Tenant-ID": tenant.id, "platform": "web"})
    assert foreign.status_code == 403


def test_sessions_refuse_with_401_end_with_204_and_have_no_refresh(alt: Alt) -> None:
    alice = alt.new_customer()
    assert "refreshToken" not in alt.login_raw(alice).json()
    unknown = alt.call("POST", f"/customer/individual/{alice.id}/users/nobody/sessions",
                       json={"username": alice.email, "password": PASSWORD, "tenantKey": alice.tenant.key,
                             "tenantSecret": alice.tenant.secret})
    assert unknown.status_code == 401
    assert alt.login_raw(alice, tenantSecret="wrong").status_code == 401
    path = f"/customer/individual/{alice.id}/users/{alice.user_id}/sessions/{alice.session_id}"
    ended = alt.call("DELETE", path, alice.token)
    assert ended.status_code == 204 and ended.content == b""
    fresh = alt.login_raw(alice).json()["token"]
    assert alt.call("DELETE", path, fresh).status_code == 204  # an ended session deleted again
    assert alt.call("PUT", path, fresh, json={"refreshToken": "x"}).status_code == 501


def test_verification_same_id_implicit_initiation_and_auto_approval(alt: Alt) -> None:
    alice, bob = alt.new_customer(), alt.new_customer()
    assert alt.initiate(alice, alt.admin()).status_code == 403  # admin tokens refused on E5
    first = alt.payload(alt.initiate(alice))
    assert first["status"] == "initiated"
    assert alt.payload(alt.initiate(alice))["verificationId"] == first["verificationId"]
    submitted = alt.payload(alt.submit(bob))  # no E5 first: initiated implicitly, then auto-approved
    assert submitted["status"] == "approved" and submitted["level"] == "tenant_verified"


def test_high_risk_v2_tenant_step_first_and_rejection_only_through_reject(alt: Alt) -> None:
    hana = alt.new_customer(high_risk=True)
    vid = alt.payload(alt.initiate(hana))["verificationId"]
    assert alt.payload(alt.submit(hana))["status"] == "submitted"
    power = dict(token=alt.power(), tenant=alt.config.power_tenant, approvalLevel="POWER_TENANT_VERIFIED")
    assert alt.approve(vid, **power).status_code == 409  # the tenant step comes first
    step = alt.payload(alt.approve(vid))
    assert step["status"] == "pending_power_tenant_approval"
    assert alt.payload(alt.approve(vid))["status"] == "pending_power_tenant_approval"  # a repeat changes nothing
    assert alt.approve(vid, status="REJECTED").status_code == 400  # style A is not served
    assert alt.payload(alt.approve(vid, **power))["status"] == "approved"
    eve = alt.new_customer()
    eve_id = alt.payload(alt.initiate(eve))["verificationId"]
    rejected = alt.call("POST", f"/verifications/{eve_id}/reject", alt.admin(), json={"reason": "blurred"})
    assert alt.payload(rejected)["status"] == "rejected"
    assert alt.initiate(eve).status_code == 409  # no re-initiation after a rejection


def test_consent_order_and_repeat_conflict(alt: Alt) -> None:
    alice = alt.new_customer()
    assert alt.consent(alice, "privacy").status_code == 409
    assert alt.consent(alice, "terms", token=alt.admin()).status_code == 403
    assert alt.payload(alt.consent(alice, "terms"))["status"] == "accepted"
    assert alt.consent(alice, "terms").status_code == 409


def test_activation_needs_a_code_refuses_with_409_and_422_and_reports_can_activate(alt: Alt) -> None:
    alice = alt.new_customer()
    alt.submit(alice)
    assert alt.activate(alice).status_code == 409  # no consents yet
    check = alt.payload(alt.check(alice))
    assert check["canActivate"] is False and "activationAllowed" not in check
    for segment in ("terms", "privacy", "data-processing"):
        alt.consent(alice, segment)
    assert alt.activate(alice, code=None).status_code == 400
    activated = alt.payload(alt.activate(alice, token=alice.token))  # a customer may activate herself
    assert activated["iban"].startswith("NL") and len(activated["iban"]) == 18
    assert alt.activate(alice).status_code == 422


def test_wallet_reads_are_refused_before_activation_and_foreign_wallets_get_403(alt: Alt, clock: Clock) -> None:
    alice = alt.onboarded()
    wallet_id = alt.activate(alice).json()["wallet"]["walletId"]
    bob = alt.onboarded()
    bob_wallet = alt.app.state.store.customers[bob.id].wallet_id  # not exposed before activation
    assert alt.call("GET", f"/fintrans/{bob_wallet}/balance", bob.token).status_code == 409
    assert alt.call("GET", f"/fintrans/{wallet_id}/balance", bob.token).status_code == 403
    alice.wallet_id = wallet_id
    alt.top_up(alice, "10.00", clock)
    assert alt.balances(alice) == (9.75, 9.75, 0)  # a 0.25 top-up fee, settled


def test_limits_at_top_level_as_numbers_and_throttling(alt: Alt) -> None:
    alice = alt.activated(funds=None)
    statuses = [alt.operations(alice).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    throttled = alt.operations(alice)
    data = alt.payload(throttled)
    assert data["transactionLimits"]["perTransactionLimit"] == 3000
    transfer = next(op for op in data["operations"] if op["operationType"] == "transfer")
    assert "limits" not in transfer


def test_beneficiaries_by_asset_id_duplicates_and_wrapped_list(alt: Alt) -> None:
    alice = alt.activated(funds=None)
    iban = de_iban(4242)
    first = alt.add_beneficiary(alice, iban=iban)
    assert first.status_code == 200 and set(first.json()) & {"beneficiaryId", "id", "assetId"} == {"assetId"}
    again = alt.payload(alt.add_beneficiary(alice, iban=iban))
    assert again["assetId"] == first.json()["assetId"]
    listed = alt.payload(alt.call("GET", f"/fintrans/{alice.wallet_id}/beneficiaries", alice.token))
    assert [b["assetId"] for b in listed["beneficiaries"]] == [again["assetId"]]


def test_transfer_r2_consent_at_execute_async_settlement_and_replay(alt: Alt, clock: Clock) -> None:
    alice = alt.activated(clock=clock)
    beneficiary = alt.payload(alt.add_beneficiary(alice))["assetId"]
    prepared = alt.payload(alt.prepare(alice, "100.00", beneficiary))  # no payment consent yet: checked at E16
    assert prepared["totalAmount"] == 100.75 and alt.balances(alice) == (999.75, 999.75, 0)  # R2
    order = prepared["preparedOrderId"]
    assert error(alt.execute(alice, order)) == "PAYMENT_CONSENT_REQUIRED"
    consent = alt.payload(alt.payment_consent(alice, allowedBeneficiaries=[beneficiary]))
    assert "magicLinkToken" not in consent
    code, consent_id = consent["authenticationCode"], consent["consentId"]
    assert alt.execute(alice, order, code="000000" if code != "000000" else "111111",
                       consent_id=consent_id).status_code == 403
    executed = alt.execute(alice, order, code=code, consent_id=consent_id)
    assert executed.status_code == 201 and executed.json()["status"] == "processing"
    assert alt.balances(alice) == (999.75, 899.0, 100.75)  # a hold while settlement is pending
    clock.now += 1
    assert alt.balances(alice) == (899.0, 899.0, 0)
    replay = alt.payload(alt.execute(alice, order, code=code, consent_id=consent_id))
    assert replay["transactionId"] == executed.json()["transactionId"] and replay["status"] == "completed"
    assert alt.balances(alice) == (899.0, 899.0, 0)


def test_funds_are_checked_at_execute_and_expired_orders_get_410(alt: Alt, clock: Clock) -> None:
    alice = alt.activated(funds="100.00", clock=clock)
    beneficiary = alt.payload(alt.add_beneficiary(alice))["assetId"]
    consent = alt.payload(alt.payment_consent(alice, allowedBeneficiaries=[beneficiary]))
    code, consent_id = consent["authenticationCode"], consent["consentId"]
    big = alt.payload(alt.prepare(alice, "500.00", beneficiary, consent_id))["preparedOrderId"]
    assert error(alt.execute(alice, big, code=code, consent_id=consent_id)) == "INSUFFICIENT_FUNDS"
    small = alt.payload(alt.prepare(alice, "10.00", beneficiary, consent_id))["preparedOrderId"]
    clock.now += 61
    expired = alt.execute(alice, small, code=code, consent_id=consent_id)
    assert expired.status_code == 410 and error(expired) == "ORDER_EXPIRED"
