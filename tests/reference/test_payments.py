"""Phases 6-7 of the reference: wallet, beneficiaries, payment consents, prepare/execute, top-up."""

from __future__ import annotations

import threading
import time

import pytest

from tests.reference.refkit import error, Ref, amount, de_iban


def test_wallet_before_activation_reads_inactive_and_refuses_writes(ref: Ref) -> None:
    alice = ref.new_customer()
    balance = ref.balance(alice)
    assert balance["status"] == "INACTIVE" and balance["currentBalance"] == "0"
    assert balance["currentBalanceFormatted"] == "0.00"
    operations = ref.operations(alice).json()["data"]["operations"]
    assert not next(op for op in operations if op["operationType"] == "TRANSFER")["enabled"]
    writes = [ref.add_beneficiary(alice), ref.prepare(alice, "1.00"), ref.payment_consent(alice),
              ref.execute(alice, "x"), ref.call("POST", f"/fintrans/{alice.wallet_id}/types/topup/prepare",
                                                alice.token, json={"amount": amount("1.00")})]
    for response in writes:
        assert response.status_code == 422 and error(response) == "ACCOUNT_NOT_ACTIVE"


def test_fresh_wallet_and_allowed_operations(ref: Ref) -> None:
    alice = ref.active_customer(funds=None)
    assert ref.cents(alice) == (0, 0, 0)
    ref.add_beneficiary(alice)
    data = ref.operations(alice, query="?includeBeneficiaries=true&includeConsents=true").json()["data"]
    transfer = next(op for op in data["operations"] if op["operationType"] == "TRANSFER")
    assert transfer["enabled"] is True and transfer["requiresConsent"] is True
    assert transfer["limits"] == {"minAmount": "0.01", "maxAmount": "5000.00", "dailyLimit": "10000.00",
                                  "monthlyLimit": "100000.00", "currency": "EUR"}
    assert data["consentStatus"]["hasValidPaymentConsent"] is False
    assert len(data["beneficiaries"]) == 1 and data["consents"] == []
    ref.consent_with_code(alice)
    assert ref.operations(alice).json()["data"]["consentStatus"]["hasValidPaymentConsent"] is True


def test_wallet_is_private(ref: Ref) -> None:
    alice, mallory = ref.active_customer(funds=None), ref.new_customer()
    for path in ("balance", "allowed-operations", "beneficiaries"):
        assert ref.call("GET", f"/fintrans/{alice.wallet_id}/{path}", mallory.token).status_code == 404
    bob = ref.new_customer(tenant=ref.config.tenant_b)
    response = ref.call("GET", f"/fintrans/{alice.wallet_id}/balance", bob.token, ref.config.tenant_b)
    assert response.status_code == 404
    assert ref.call("GET", f"/fintrans/{alice.wallet_id}/balance", ref.admin()).status_code == 200


def test_beneficiary_rules(ref: Ref) -> None:
    alice = ref.active_customer(funds=None)
    iban = de_iban(4242)
    created = ref.add_beneficiary(alice, iban=iban)
    data = created.json()["data"]
    assert created.status_code == 201 and data["beneficiaryId"] == data["id"] == data["assetId"]
    dup = ref.add_beneficiary(alice, iban=iban)
    assert dup.status_code == 409 and error(dup) == "DUPLICATE_BENEFICIARY"
    bad_checksum = iban[:2] + ("99" if iban[2:4] != "99" else "98") + iban[4:]
    cases = {
        "INVALID_IBAN_CHECKSUM": {"iban": bad_checksum},
        "INVALID_IBAN_FORMAT": {"iban": "DE8937040044053201300"},
        "INVALID_BIC": {"bicSwiftCode": "COBA-DE"},
        "VALIDATION_FAILED": {"currency": "XYZ"},
    }
    for code, body in cases.items():
        response = ref.add_beneficiary(alice, **body)
        assert response.status_code == 400 and error(response) == code, body
    assert ref.add_beneficiary(alice, iban=None).status_code == 400
    assert ref.add_beneficiary(alice, firstName=None).status_code == 400
    assert ref.add_beneficiary(alice, partyType="BUSINESS_CUSTOMER").status_code == 400
    assert ref.add_beneficiary(alice, partyType="BUSINESS_CUSTOMER", companyName="ACME GmbH").status_code == 201
    listing = ref.call("GET", f"/fintrans/{alice.wallet_id}/beneficiaries", alice.token).json()["data"]
    assert isinstance(listing, list) and [b["iban"] for b in listing].count(iban) == 1


def test_payment_consent_issues_a_six_digit_code(ref: Ref) -> None:
    alice = ref.active_customer(funds=None)
    ref.add_beneficiary(alice)
    response = ref.payment_consent(alice)
    assert response.status_code == 201 and response.json()["data"]["status"] == "ACTIVE"
    _, code = ref.consent_with_code(alice)
    assert len(code) == 6 and code.isdigit()
    assert ref.payment_consent(alice, maxAmount={"value": "abc"}).status_code == 400
    assert ref.call("POST", f"/fintrans/{alice.wallet_id}/payment-consents/types/NOPE", alice.token,
                    json={}).status_code == 400


def test_prepare_needs_consent_and_registered_beneficiary(ref: Ref) -> None:
    alice = ref.active_customer()
    ref.add_beneficiary(alice)
    no_consent = ref.prepare(alice, "10.00")
    assert no_consent.status_code == 422 and error(no_consent) == "PAYMENT_CONSENT_REQUIRED"
    consent_id, _ = ref.consent_with_code(alice)
    stranger = ref.prepare(alice, "10.00", beneficiary_id="", consent_id=consent_id,
                           target={"iban": de_iban(777), "name": "X"})
    assert stranger.status_code == 422 and error(stranger) == "BENEFICIARY_NOT_FOUND"
    unknown = ref.prepare(alice, "10.00", beneficiary_id="nope", consent_id=consent_id)
    assert error(unknown) == "BENEFICIARY_NOT_FOUND"
    assert ref.cents(alice) == (100000, 100000, 0)


@pytest.mark.parametrize("change", [
    {"amount": amount("0.00")}, {"amount": {"value": "-5", "scale": 2, "currency": "EUR"}},
    {"amount": {"value": "ten", "scale": 2, "currency": "EUR"}}, {"amount": None}, {"currency": "USD"},
    {"amount": amount("1.00", "USD"), "currency": "USD"}, {"sourceAccount": {"walletId": "other"}},
    {"amount": {"value": "1" * 40, "scale": 2, "currency": "EUR"}}, {"amount": {"value": "1", "scale": 99}},
])
def test_prepare_input_validation(ref: Ref, change: dict) -> None:
    alice, consent_id, _ = ref.ready_to_pay()
    response = ref.prepare(alice, "10.00", consent_id=consent_id, **change)
    assert response.status_code == 400, response.text
    assert ref.cents(alice) == (100000, 100000, 0)


def test_insufficient_funds_and_limits(ref: Ref) -> None:
    alice, consent_id, _ = ref.ready_to_pay(funds="6000.00", max_major="9000.00")
    poor = ref.prepare(alice, "5999.00", consent_id=consent_id)
    assert poor.status_code == 422 and error(poor) in ("INSUFFICIENT_FUNDS", "LIMIT_EXCEEDED")
    over = ref.prepare(alice, "5000.01", consent_id=consent_id)
    assert over.status_code == 422 and over.json()["data"]["limitType"] == "PER_TRANSACTION"
    short = ref.prepare(alice, "4999.00", consent_id=consent_id)
    assert short.status_code == 200
    ref.fund(alice, "9000.00")
    second = ref.prepare(alice, "4999.00", consent_id=consent_id)
    assert second.status_code == 200
    daily = ref.prepare(alice, "100.00", consent_id=consent_id)
    assert daily.status_code == 422 and daily.json()["data"]["limitType"] == "DAILY"
    ten = ref.ready_to_pay(funds="3000.00")[0]
    consent, _ = ref.consent_with_code(ten)
    assert ref.prepare(ten, "2100.00", consent_id=consent).status_code == 200


def test_high_risk_limit(ref: Ref) -> None:
    hugo, consent_id, _ = ref.ready_to_pay(funds="3000.00", high_risk=True)
    over = ref.prepare(hugo, "2000.01", consent_id=consent_id)
    assert over.status_code == 422 and over.json()["data"]["limitType"] == "PER_TRANSACTION"
    assert ref.prepare(hugo, "2000.00", consent_id=consent_id).status_code == 200


def test_execute_errors(ref: Ref) -> None:
    alice, consent_id, code = ref.ready_to_pay()
    order_id = ref.prepare(alice, "10.00", consent_id=consent_id).json()["data"]["preparedOrderId"]
    wrong = ref.execute(alice, order_id, "000000" if code != "000000" else "111111", consent_id)
    assert wrong.status_code == 403 and error(wrong) == "INVALID_AUTHENTICATION_CODE"
    assert ref.execute(alice, order_id, None, consent_id).status_code == 403
    assert error(ref.execute(alice, "missing", code, consent_id)) == "ORDER_NOT_FOUND"
    assert ref.call("POST", f"/fintrans/{alice.wallet_id}/types/transfer/execute", alice.token,
                    json={}).status_code == 400
    bob, _, _ = ref.ready_to_pay()
    assert ref.execute(bob, order_id, code, consent_id).status_code == 404
    assert ref.execute(alice, order_id, code, consent_id, token=bob.token).status_code == 404
    assert ref.cents(alice) == (100000, 100000 - 1150, 1150)
    assert ref.execute(alice, order_id, code, consent_id).status_code == 200
    again = ref.execute(alice, order_id, code, consent_id)
    assert again.status_code == 409 and error(again) == "ORDER_ALREADY_EXECUTED"
    assert ref.cents(alice) == (100000 - 1150, 100000 - 1150, 0)


def test_concurrent_double_execute_moves_money_once(ref: Ref) -> None:
    alice, consent_id, code = ref.ready_to_pay()
    order_id = ref.prepare(alice, "100.00", consent_id=consent_id).json()["data"]["preparedOrderId"]
    barrier, statuses = threading.Barrier(8), []

    def run() -> None:
        barrier.wait()
        statuses.append(ref.execute(alice, order_id, code, consent_id).status_code)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [409] * 7
    assert ref.cents(alice) == (100000 - 10150, 100000 - 10150, 0)


def test_two_orders_of_seventy_percent(ref: Ref) -> None:
    alice, consent_id, _ = ref.ready_to_pay(funds="1000.00")
    assert ref.prepare(alice, "700.00", consent_id=consent_id).status_code == 200
    assert error(ref.prepare(alice, "700.00", consent_id=consent_id)) == "INSUFFICIENT_FUNDS"


def test_expired_order_is_refused_and_released() -> None:
    ref = Ref(overrides={"REF_ORDER_TTL_S": "1"})
    alice, consent_id, code = ref.ready_to_pay()
    prepared = ref.prepare(alice, "100.00", consent_id=consent_id).json()["data"]
    assert ref.cents(alice)[2] == 10150
    time.sleep(1.1)
    assert ref.cents(alice) == (100000, 100000, 0)
    expired = ref.execute(alice, prepared["preparedOrderId"], code, consent_id)
    assert expired.status_code == 422 and error(expired) == "ORDER_EXPIRED"
    assert ref.cents(alice) == (100000, 100000, 0)


def test_topup_needs_no_consent_and_has_no_fee(ref: Ref) -> None:
    alice = ref.active_customer(funds=None)
    ref.fund(alice, "250.75")
    assert ref.cents(alice) == (25075, 25075, 0)
    path = f"/fintrans/{alice.wallet_id}/types/topup/prepare"
    bad_iban = ref.call("POST", path, alice.token, json={"amount": amount("1.00"), "sourceAccount": {"iban": "XX00"}})
    assert bad_iban.status_code == 400
    prepared = ref.call("POST", path, alice.token, json={"amount": amount("5.00")}).json()["data"]
    assert prepared["fees"]["totalFee"]["value"] == "0"
    execute = f"/fintrans/{alice.wallet_id}/types/topup/execute"
    assert ref.call("POST", execute, alice.token, json={"preparedOrderId": prepared["preparedOrderId"]}).status_code == 200
    assert ref.call("POST", execute, alice.token, json={"preparedOrderId": prepared["preparedOrderId"]}).status_code == 409


def test_foreign_account_writes_are_404(ref: Ref) -> None:
    alice = ref.active_customer()
    mallory = ref.active_customer()
    assert ref.prepare(alice, "1.00", token=mallory.token).status_code == 404
    bob = ref.new_customer(tenant=ref.config.tenant_b)
    response = ref.call("POST", f"/fintrans/{alice.wallet_id}/beneficiaries", bob.token, ref.config.tenant_b,
                        json={"iban": de_iban(5)})
    assert response.status_code == 404
