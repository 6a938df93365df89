"""A small driver for the reference deployment's own tests (never imported by the suite, imports no suite code).

It talks to ``create_app`` through Starlette's TestClient and knows the reference's default credentials.
"""

from __future__ import annotations

import itertools
import uuid
import warnings
from dataclasses import dataclass, field
from typing import Any

with warnings.catch_warnings():  # starlette 1.x suggests httpx2 for its TestClient; httpx still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from finhub_reference import create_app, load_config
from finhub_reference.config import Config, Tenant

API = "/api/v2.1"
PASSWORD = "Kx9!mQ2#vR7$wT4@zP8%"
_counter = itertools.count(1)
HIGH_RISK_PARAMS = [
    {"name": "riskLevel", "value": "HIGH"}, {"name": "riskScore", "value": "85"}, {"name": "pep", "value": "true"},
    {"name": "pepCategory", "value": "DOMESTIC_PEP,RCA"}, {"name": "sanctionsCheck", "value": "ENHANCED"},
    {"name": "monitoring", "value": "DAILY"}, {"name": "edd", "value": "true"},
]


def amount(major: str, currency: str = "EUR") -> dict[str, Any]:
    """An AmountDto for a decimal string such as ``"12.34"``."""
    units, _, cents = major.partition(".")
    return {"value": str(int(units) * 100 + int((cents + "00")[:2])), "scale": 2, "currency": currency}


def de_iban(account: int) -> str:
    """A valid German IBAN with bank code 37040044."""
    bban = f"37040044{account:010d}"
    digits = "".join(str(int(ch, 36)) for ch in bban + "DE00")
    return f"DE{98 - int(digits) % 97:02d}{bban}"


@dataclass
class Customer:
    """A registered customer as the tests know it."""

    tenant: Tenant
    id: str
    user_id: str
    email: str
    password: str
    wallet_id: str
    token: str | None = None
    session_id: str | None = None
    refresh_token: str | None = None
    verification_id: str | None = None
    iban: str | None = None
    beneficiaries: list[str] = field(default_factory=list)


class Ref:
    """Domain verbs over a TestClient; every method returns the raw response unless it says otherwise."""

    def __init__(self, config: Config | None = None, **overrides: Any) -> None:
        self.config = config or load_config(environ={}, overrides=overrides.pop("overrides", None),
                                            faults=overrides.pop("faults", ()))
        self.app = create_app(self.config, **overrides)
        self.client = TestClient(self.app, raise_server_exceptions=True)
        self._admin_tokens: dict[str, str] = {}

    # plumbing ------------------------------------------------------------------------------------------------
    def headers(self, token: str | None = None, tenant: Tenant | str | None = None,
                fintrans: bool = True) -> dict[str, str]:
        """The suite's standard header set (§1.1)."""
        tenant_id = tenant if isinstance(tenant, str) else (tenant or self.config.tenant_a).id
        headers = {"X-Tenant-ID": tenant_id, "X-Forwarded-For": "127.0.0.1", "User-Agent": "refkit/1",
                   "platform": "web"}
        if fintrans:
            headers.update({"X-Forwarded-From": "b2c-conformance", "deviceId": "conformance-test"})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def call(self, method: str, path: str, token: str | None = None, tenant: Tenant | str | None = None,
             json: Any = None, **kwargs: Any):
        """One request with the standard headers."""
        headers = self.headers(token, tenant)
        headers.update(kwargs.pop("headers", {}))
        return self.client.request(method, API + path, headers=headers, json=json, **kwargs)

    # sessions ------------------------------------------------------------------------------------------------
    def admin_login(self, tenant: Tenant | None = None, **body: Any):
        """S1 for a tenant's admin."""
        tenant = tenant or self.config.tenant_a
        admin = tenant.admin
        payload = {"username": admin.username, "password": admin.password, "tenantKey": tenant.key,
                   "tenantSecret": tenant.secret, **body}
        return self.call("POST", f"/admin/organization/{admin.org_id}/users/{admin.user_id}/sessions",
                         tenant=tenant, json=payload)

    def admin(self, tenant: Tenant | None = None) -> str:
        """A cached admin token."""
        tenant = tenant or self.config.tenant_a
        if tenant.id not in self._admin_tokens:
            response = self.admin_login(tenant)
            assert response.status_code == 200, response.text
            self._admin_tokens[tenant.id] = response.json()["data"]["token"]
        return self._admin_tokens[tenant.id]

    def power(self) -> str:
        """A power-tenant admin token."""
        return self.admin(self.config.power_tenant)

    # onboarding ------------------------------------------------------------------------------------------------
    def registration_body(self, email: str | None = None, password: str = PASSWORD, category: str | None = None,
                          params: list[dict[str, str]] | None = None, tenant: Tenant | None = None,
                          **extra: Any) -> dict[str, Any]:
        """A union registration body (E2)."""
        tenant = tenant or self.config.tenant_a
        email = email or f"b2c.ref.{next(_counter)}.{uuid.uuid4().hex[:6]}@example.com"
        body: dict[str, Any] = {
            "firstName": "Alice", "lastName": "Example", "email": email, "password": password,
            "matchingPassword": password, "phone": "+37060012345", "roleIds": ["ACCOUNT_OWNER", "USER"],
            "dateOfBirth": "1990-05-17", "gender": "FEMALE", "nationality": "LT", "tenantId": tenant.path_id,
            "individualCustomer": {"tenantId": tenant.path_id, "customerName": "Alice Example",
                                   "firstName": "Alice", "lastName": "Example", "email": email},
        }
        if category:
            body["customerCategory"] = {"id": category, "name": category}
            body["individualCustomer"]["categorization"] = {
                "id": category, "name": category,
                "categoryFeatureRelations": [] if params is None else [
                    {"feature": {"id": "ENHANCED_AML_MONITORING", "code": "ENHANCED_AML_MONITORING"},
                     "enabled": True, "parametrization": params}],
            }
        body.update(extra)
        return body

    def register(self, tenant: Tenant | None = None, token: str | None = None, **kwargs: Any):
        """E2."""
        tenant = tenant or self.config.tenant_a
        return self.call("POST", "/customer/individual/registration", token or self.admin(tenant), tenant,
                         json=self.registration_body(tenant=tenant, **kwargs))

    def new_customer(self, tenant: Tenant | None = None, high_risk: bool = False, login: bool = True,
                     **kwargs: Any) -> Customer:
        """A registered (and by default logged-in) customer."""
        tenant = tenant or self.config.tenant_a
        if high_risk:
            kwargs.setdefault("category", "HIGH_RISK_INDIVIDUAL")
            kwargs.setdefault("params", HIGH_RISK_PARAMS)
        response = self.register(tenant, **kwargs)
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        body_password = kwargs.get("password", PASSWORD)
        customer = Customer(tenant, data["id"], data["user"]["id"], data["person"]["email"], body_password,
                            data["wallet"]["walletId"])
        if login:
            self.log_in(customer)
        return customer

    def login_raw(self, customer: Customer, password: str | None = None, tenant: Tenant | None = None, **body: Any):
        """E3."""
        tenant = tenant or customer.tenant
        payload = {"username": customer.email, "password": customer.password if password is None else password,
                   "tenantKey": tenant.key, "tenantSecret": tenant.secret, "credentialType": "PASSWORD", **body}
        return self.call("POST", f"/customer/individual/{customer.id}/users/{customer.user_id}/sessions",
                         tenant=tenant, json=payload)

    def log_in(self, customer: Customer) -> str:
        """E3, storing the token on the customer."""
        response = self.login_raw(customer)
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        customer.token, customer.session_id, customer.refresh_token = data["token"], data["sessionId"], \
            data["refreshToken"]
        return customer.token

    def initiate(self, customer: Customer, token: str | None = None):
        """E5."""
        return self.call("POST", f"/customer/individual/{customer.id}/verification/initiate",
                         token or customer.token, customer.tenant, json={})

    def submit(self, customer: Customer, token: str | None = None, **data: Any):
        """E6."""
        verification_data = {"documentType": "PASSPORT", "documentNumber": "AB1234567", "issuingCountry": "LT",
                             "issueDate": "2020-01-15", "expiryDate": "2035-01-14",
                             "documentFrontImage": "data:image/jpeg;base64,AAAA", "selfieImage":
                             "data:image/jpeg;base64,AAAA", **data}
        return self.call("POST", f"/customer/individual/{customer.id}/verification", token or customer.token,
                         customer.tenant, json={"verificationType": "IDENTITY", "verificationData": verification_data})

    def approve(self, verification_id: str, token: str | None = None, tenant: Tenant | None = None,
                status: str = "APPROVED", **extra: Any):
        """S2."""
        tenant = tenant or self.config.tenant_a
        body = {"verificationId": verification_id, "status": status, "verificationType": "IDENTITY_VERIFICATION",
                "comment": "ok", "rejectionReason": "bad documents" if status == "REJECTED" else None, **extra}
        return self.call("POST", f"/verifications/{verification_id}/approve", token or self.admin(tenant), tenant,
                         json={k: v for k, v in body.items() if v is not None})

    def verification(self, verification_id: str, token: str, tenant: Tenant | None = None):
        """E7."""
        return self.call("GET", f"/verifications/{verification_id}", token, tenant)

    def verify(self, customer: Customer) -> None:
        """E5, E6 and the right approval for the customer's risk."""
        response = self.initiate(customer)
        assert response.status_code == 200, response.text
        customer.verification_id = response.json()["data"]["verificationId"]
        assert self.submit(customer).status_code == 200
        high = response.json()["data"]["requiredApprovalLevel"] == "POWER_TENANT_VERIFIED"
        if high:
            response = self.approve(customer.verification_id, self.power(), self.config.power_tenant,
                                    approvalLevel="POWER_TENANT_VERIFIED")
        else:
            response = self.approve(customer.verification_id, tenant=customer.tenant)
        assert response.status_code == 200, response.text

    def consent(self, customer: Customer, segment: str, token: str | None = None, **body: Any):
        """E8-E10."""
        payload = {"accepted": True, "version": "1.0", "acceptanceTimestamp": "2026-01-01T00:00:00.000Z",
                   "acceptedAt": "2026-01-01T00:00:00.000Z", **body}
        return self.call("POST", f"/customer/individual/{customer.id}/consents/{segment}", token or customer.token,
                         customer.tenant, json=payload)

    def accept_all(self, customer: Customer, segments=("terms", "privacy", "data-processing")) -> None:
        """All three consents."""
        for segment in segments:
            response = self.consent(customer, segment)
            assert response.status_code == 200, response.text

    def activate(self, customer: Customer, token: str | None = None, **body: Any):
        """E11."""
        payload = {"code": "ACTIVATION_CODE_1", "userId": customer.user_id, "activationReason": "kyc done",
                   "activatedBy": customer.tenant.admin.user_id, **body}
        return self.call("POST", f"/customer/individual/{customer.id}/activation",
                         token or self.admin(customer.tenant), customer.tenant, json=payload)

    def check(self, customer: Customer, token: str | None = None):
        """S5."""
        return self.call("GET", f"/customer/individual/{customer.id}/owner/{customer.tenant.path_id}/activation/check",
                         token or self.admin(customer.tenant), customer.tenant)

    def active_customer(self, high_risk: bool = False, funds: str | None = "1000.00",
                        tenant: Tenant | None = None) -> Customer:
        """A customer through phases 1-5 (plus a top-up when ``funds``)."""
        customer = self.new_customer(tenant=tenant, high_risk=high_risk)
        self.verify(customer)
        self.accept_all(customer)
        response = self.activate(customer)
        assert response.status_code == 200, response.text
        customer.iban = response.json()["data"]["iban"]
        if funds:
            self.fund(customer, funds)
        return customer

    # wallet and payments ------------------------------------------------------------------------------------------
    def balance(self, customer: Customer, token: str | None = None) -> dict[str, Any]:
        """E12 payload, asserting 200."""
        response = self.call("GET", f"/fintrans/{customer.wallet_id}/balance", token or customer.token,
                             customer.tenant)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    def cents(self, customer: Customer) -> tuple[int, int, int]:
        """(current, available, blocked) in cents."""
        data = self.balance(customer)
        return int(data["currentBalance"]), int(data["availableBalance"]), int(data["blockedBalance"])

    def operations(self, customer: Customer, token: str | None = None, query: str = ""):
        """E13."""
        return self.call("GET", f"/fintrans/{customer.wallet_id}/allowed-operations{query}", token or customer.token,
                         customer.tenant)

    def fund(self, customer: Customer, major: str) -> None:
        """S8 prepare + execute."""
        path = f"/fintrans/{customer.wallet_id}/types/topup"
        body = {"type": "TOPUP", "sourceAccount": {"iban": de_iban(999), "bic": "COBADEFFXXX", "name": "Alice"},
                "target": {"name": "Alice", "accountId": customer.wallet_id},
                "targetAccount": {"walletId": customer.wallet_id}, "amount": amount(major), "currency": "EUR",
                "description": "top-up", "reference": "TOPUP-1"}
        response = self.call("POST", f"{path}/prepare", customer.token, customer.tenant, json=body)
        assert response.status_code == 200, response.text
        order_id = response.json()["data"]["preparedOrderId"]
        response = self.call("POST", f"{path}/execute", customer.token, customer.tenant,
                             json={"preparedOrderId": order_id,
                                   "consentConfirmation": {"confirmed": True, "confirmationMethod": "EXPLICIT"}})
        assert response.status_code == 200, response.text

    def add_beneficiary(self, customer: Customer, **body: Any):
        """E14; remembers the id on success."""
        payload = {"partyType": "INDIVIDUAL_CUSTOMER", "firstName": "Bob", "lastName": "Payee",
                   "iban": de_iban(next(_counter)), "bicSwiftCode": "COBADEFFXXX", "currency": "EUR",
                   "country": "DE", "networkName": "SEPA", "bankName": "Commerzbank", "shortName": "", **body}
        response = self.call("POST", f"/fintrans/{customer.wallet_id}/beneficiaries", customer.token, customer.tenant,
                             json=payload)
        if response.status_code == 201:
            customer.beneficiaries.append(response.json()["data"]["beneficiaryId"])
        return response

    def payment_consent(self, customer: Customer, max_major: str = "10000.00", **body: Any):
        """S7."""
        payload = {"paymentType": "TRANSFER", "title": "c", "description": "c", "maxAmount": amount(max_major),
                   "allowedBeneficiaries": customer.beneficiaries[-1:], **body}
        return self.call("POST", f"/fintrans/{customer.wallet_id}/payment-consents/types/TRANSFER", customer.token,
                         customer.tenant, json=payload)

    def consent_with_code(self, customer: Customer, **body: Any) -> tuple[str, str]:
        """S7, returning (consentId, authentication code)."""
        import jwt
        response = self.payment_consent(customer, **body)
        assert response.status_code == 201, response.text
        data = response.json()["data"]
        return data["consentId"], jwt.decode(data["magicLinkToken"], options={"verify_signature": False})["answer"]

    def prepare(self, customer: Customer, major: str, beneficiary_id: str | None = None,
                consent_id: str | None = None, token: str | None = None, account: str | None = None, **body: Any):
        """E15."""
        account = account or customer.wallet_id
        beneficiary_id = beneficiary_id if beneficiary_id is not None else (customer.beneficiaries or [None])[-1]
        payload: dict[str, Any] = {"amount": amount(major), "currency": "EUR", "sourceAccount": {"walletId": account},
                                   "type": "EXTERNAL", "description": "rent", "beneficiaryId": beneficiary_id,
                                   "reference": "REF-1"}
        if consent_id:
            payload["consent"] = {"consentReference": consent_id}
        payload.update(body)
        return self.call("POST", f"/fintrans/{account}/types/transfer/prepare", token or customer.token,
                         customer.tenant, json={k: v for k, v in payload.items() if v is not None})

    def execute(self, customer: Customer, order_id: str, code: str | None = None, consent_id: str | None = None,
                token: str | None = None, account: str | None = None, **body: Any):
        """E16."""
        account = account or customer.wallet_id
        payload: dict[str, Any] = {"preparedOrderId": order_id, **body}
        if code is not None:
            payload["authenticationCode"] = code
        if consent_id:
            payload["consentConfirmation"] = {"consentId": consent_id, "confirmed": True, "channel": "WEB",
                                              "signature": "conformance"}
        return self.call("POST", f"/fintrans/{account}/types/transfer/execute", token or customer.token,
                         customer.tenant, json=payload)

    def ready_to_pay(self, funds: str = "1000.00", high_risk: bool = False,
                     max_major: str = "10000.00") -> tuple[Customer, str, str]:
        """An active, funded customer with a beneficiary and a consent: (customer, consentId, code)."""
        customer = self.active_customer(high_risk=high_risk, funds=funds)
        assert self.add_beneficiary(customer).status_code == 201
        consent_id, code = self.consent_with_code(customer, max_major=max_major)
        return customer, consent_id, code


def error(response) -> str:
    """``data.error`` of an error response."""
    return response.json()["data"]["error"]
