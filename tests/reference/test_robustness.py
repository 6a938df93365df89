"""Headers, tenant isolation, token checks and bad input: never a 5xx, always the E-1 error shape."""

from __future__ import annotations

import base64
import json

import pytest

from tests.reference.refkit import API, Ref


@pytest.fixture(scope="module")
def world() -> tuple[Ref, object]:
    """One deployment with an active, funded customer (shared: these tests change nothing)."""
    ref = Ref()
    alice, _, _ = ref.ready_to_pay()
    return ref, alice


def test_missing_headers(world) -> None:
    ref, alice = world
    response = ref.client.get(f"{API}/fintrans/{alice.wallet_id}/balance",
                              headers={"Authorization": f"Bearer {alice.token}"})
    data = response.json()["data"]
    assert response.status_code == 400 and data["error"] == "MISSING_HEADERS"
    assert set(data["missingHeaders"]) == {"X-Tenant-ID", "X-Forwarded-From", "deviceId"}
    lower = {"authorization": f"Bearer {alice.token}", "x-tenant-id": alice.tenant.id,
             "x-forwarded-from": "t", "x-device-id": "d"}
    assert ref.client.get(f"{API}/fintrans/{alice.wallet_id}/balance", headers=lower).status_code == 200
    no_tenant = ref.client.post(f"{API}/customer/individual/registration", json={})
    assert no_tenant.status_code == 400 and no_tenant.json()["data"]["missingHeaders"] == ["X-Tenant-ID"]


def test_tenant_header_must_match_token(world) -> None:
    ref, alice = world
    for tenant in (ref.config.tenant_b.id, "00000000-0000-4000-8000-000000000000"):
        response = ref.call("GET", f"/fintrans/{alice.wallet_id}/balance", alice.token, tenant)
        assert response.status_code == 403 and response.json()["data"]["error"] == "TENANT_MISMATCH"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_bad_tokens_get_401(world) -> None:
    ref, alice = world
    header, payload, signature = alice.token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    tampered = f"{header}.{_b64({**claims, 'customerId': 'x'})}.{signature}"
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."
    paths = [("GET", f"/fintrans/{alice.wallet_id}/balance"), ("POST", "/customer/individual/registration"),
             ("GET", f"/customer/individual/categorization/hierarchy/{alice.tenant.path_id}"),
             ("POST", f"/verifications/{alice.verification_id}/approve")]
    for token in ("", "x", tampered, unsigned, alice.token + "x"):
        for method, path in paths:
            response = ref.call(method, path, token or None, json={}, headers={} if token else {})
            assert response.status_code == 401, (token, path)
            assert response.json()["data"]["error"] == "UNAUTHORIZED"


BAD_BODIES = [
    ("malformed", b'{"email": ', "application/json"),
    ("array", b"[1, 2, 3]", "application/json"),
    ("string", b'"hello"', "application/json"),
    ("null", b"null", "application/json"),
    ("wrong-type", json.dumps({"email": 5, "amount": "x", "accepted": "yes", "iban": [1],
                               "preparedOrderId": {"a": 1}, "username": 1, "password": None}).encode(),
     "application/json"),
    ("huge-string", json.dumps({k: "x" * 10_000 for k in ("firstName", "email", "password", "iban",
                                                          "username", "preparedOrderId", "version")}).encode(),
     "application/json"),
    ("one-mib", json.dumps({"padding": "y" * (1024 * 1024)}).encode(), "application/json"),
    ("deep", b"[" * 100_000 + b"]" * 100_000, "application/json"),
    ("huge-number", b'{"amount": {"value": ' + b"9" * 5000 + b', "scale": 2}}', "application/json"),
    ("extreme-scale", b'{"amount": {"value": "1", "scale": -999999999999}}', "application/json"),
    ("nan", b'{"amount": NaN}', "application/json"),
    ("text", b"firstName=a", "text/plain"),
    ("bad-utf8", b'{"a": "\xff\xfe"}', "application/json"),
]


OBJECT_BODIES = {"wrong-type", "huge-string", "one-mib", "huge-number", "extreme-scale"}  # GEN-7 may accept these


@pytest.mark.parametrize("name,raw,content_type", BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_bodies_never_5xx(world, name: str, raw: bytes, content_type: str) -> None:
    ref, alice = world
    cust, admin, power = alice.token, ref.admin(), ref.power()
    w, c, u = alice.wallet_id, alice.id, alice.user_id
    targets = [
        ("/customer/individual/registration", admin), (f"/customer/individual/{c}/users/{u}/sessions", None),
        (f"/customer/individual/{c}/verification/initiate", cust), (f"/customer/individual/{c}/verification", cust),
        (f"/customer/individual/{c}/consents/terms", cust), (f"/customer/individual/{c}/activation", admin),
        (f"/verifications/{alice.verification_id}/approve", admin), (f"/verifications/nope/reject", power),
        (f"/fintrans/{w}/beneficiaries", cust), (f"/fintrans/{w}/payment-consents/types/TRANSFER", cust),
        (f"/fintrans/{w}/types/transfer/prepare", cust), (f"/fintrans/{w}/types/transfer/execute", cust),
        (f"/fintrans/{w}/types/topup/prepare", cust), (f"/fintrans/{w}/types/topup/execute", cust),
        (f"/admin/organization/x/users/y/sessions", None),
    ]
    before = ref.cents(alice)
    for path, token in targets:
        headers = ref.headers(token, alice.tenant if token is not power else ref.config.power_tenant)
        headers["Content-Type"] = content_type
        response = ref.client.post(API + path, content=raw, headers=headers)
        assert response.status_code < 500, (path, response.status_code, response.text[:200])
        body = response.json()
        assert body["code"] == response.status_code
        if name not in OBJECT_BODIES:
            assert response.status_code >= 400 and body["data"]["error"], (path, response.text[:200])
        assert "Traceback" not in response.text and "File \"" not in response.text
    assert ref.cents(alice) == before


def test_unknown_routes_and_ids(world) -> None:
    ref, alice = world
    for path in ("/nope", "/fintrans/not-a-uuid/balance", "/verifications/%00", "/fintrans/x/types/withdraw/prepare"):
        response = ref.call("POST" if path.endswith("prepare") else "GET", path, alice.token)
        assert response.status_code == 404 and response.json()["data"]["error"] == "NOT_FOUND"
    wrong_method = ref.call("PATCH", "/customer/individual/registration", ref.admin())
    assert wrong_method.status_code == 405 and wrong_method.json()["code"] == 405


def test_secrets_never_returned(world) -> None:
    ref, alice = world
    texts = [ref.admin_login().text, ref.login_raw(alice).text, ref.register().text]
    for text in texts:
        for secret in (alice.tenant.secret, alice.tenant.admin.password, alice.password):
            assert secret not in text
