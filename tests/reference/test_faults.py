"""Every registered fault breaks exactly its rule: the probe sees the rule broken with the fault and intact
without it, and the happy path still completes with the fault enabled."""

from __future__ import annotations

import base64
import dataclasses
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import pytest

from tests.reference.refkit import API, HIGH_RISK_PARAMS, PASSWORD, Ref, de_iban

from finhub_reference.faults import FAULTS

Probe = Callable[[Ref], bool]


def _mod97_ok(iban: str) -> bool:
    return int("".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])) % 97 == 1


def _logout_then_use(ref: Ref) -> bool:
    alice = ref.new_customer()
    path = f"/customer/individual/{alice.id}/users/{alice.user_id}/sessions/{alice.session_id}"
    assert ref.call("DELETE", path, alice.token).status_code == 200
    return ref.initiate(alice).status_code == 200


def _foreign_logout(ref: Ref) -> bool:
    alice, mallory = ref.new_customer(), ref.new_customer()
    path = f"/customer/individual/{alice.id}/users/{alice.user_id}/sessions/{alice.session_id}"
    ref.call("DELETE", path, mallory.token)
    return ref.initiate(alice).status_code == 401


def _tenant_approves_high_risk(ref: Ref) -> bool:
    hugo = ref.new_customer(high_risk=True)
    vid = ref.initiate(hugo).json()["data"]["verificationId"]
    ref.submit(hugo)
    ref.accept_all(hugo)
    ref.approve(vid)
    return ref.activate(hugo).status_code == 200


def _approved(ref: Ref):
    alice = ref.new_customer()
    ref.verify(alice)
    return alice


def _activation_without(segment: str | None) -> Probe:
    def probe(ref: Ref) -> bool:
        alice = ref.new_customer()
        if segment is not None:
            ref.verify(alice)
        ref.accept_all(alice, [s for s in ("terms", "privacy", "data-processing") if s != segment])
        return ref.activate(alice).status_code == 200
    return probe


def _available_ignores_blocked(ref: Ref) -> bool:
    alice, consent_id, _ = ref.ready_to_pay()
    ref.prepare(alice, "10.00", consent_id=consent_id)
    current, available, blocked = ref.cents(alice)
    return blocked > 0 and available != current - blocked


def _double_execute(ref: Ref) -> bool:
    alice, consent_id, code = ref.ready_to_pay()
    order_id = ref.prepare(alice, "10.00", consent_id=consent_id).json()["data"]["preparedOrderId"]
    ref.execute(alice, order_id, code, consent_id)
    ref.execute(alice, order_id, code, consent_id)
    return ref.cents(alice)[0] < 100000 - 1150


def _concurrent_double_execute(ref: Ref) -> bool:
    alice, consent_id, code = ref.ready_to_pay()
    order_id = ref.prepare(alice, "10.00", consent_id=consent_id).json()["data"]["preparedOrderId"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda _: ref.execute(alice, order_id, code, consent_id), range(2)))
    assert ref.execute(alice, order_id, code, consent_id).status_code == 409  # sequential: refused either way
    return ref.cents(alice)[0] < 100000 - 1150


def _fee_above_total(ref: Ref) -> bool:
    alice, consent_id, code = ref.ready_to_pay()
    order = ref.prepare(alice, "10.00", consent_id=consent_id).json()["data"]
    ref.execute(alice, order["preparedOrderId"], code, consent_id)
    return ref.cents(alice)[0] < 100000 - int(order["totalAmount"]["value"])


def _foreign_write(ref: Ref) -> bool:
    alice, mallory = ref.active_customer(funds=None), ref.active_customer(funds=None)
    assert ref.call("GET", f"/fintrans/{alice.wallet_id}/balance", mallory.token).status_code == 404  # reads refused
    return ref.add_beneficiary(dataclasses.replace(alice, token=mallory.token)).status_code == 201


def _other_users_credentials(ref: Ref) -> bool:
    alice, bob = ref.new_customer(login=False), ref.new_customer(login=False)
    return ref.login_raw(bob, password=alice.password, username=alice.email).status_code == 200


def _reservation_kept(ref: Ref) -> bool:
    alice, consent_id, code = ref.ready_to_pay()
    order_id = ref.prepare(alice, "10.00", consent_id=consent_id).json()["data"]["preparedOrderId"]
    ref.execute(alice, order_id, code, consent_id)
    return ref.cents(alice)[2] > 0


def _expired_executes(ref: Ref) -> bool:
    now = [time.time()]
    ref = Ref(config=ref.config, clock=lambda: now[0])
    alice, consent_id, code = ref.ready_to_pay()
    order_id = ref.prepare(alice, "10.00", consent_id=consent_id).json()["data"]["preparedOrderId"]
    now[0] += ref.config.order_ttl_s + 1
    return ref.execute(alice, order_id, code, consent_id).status_code == 200


def _wrong_code(ref: Ref) -> bool:
    alice, consent_id, code = ref.ready_to_pay()
    order_id = ref.prepare(alice, "10.00", consent_id=consent_id).json()["data"]["preparedOrderId"]
    return ref.execute(alice, order_id, "000000" if code != "000000" else "111111", consent_id).status_code == 200


def _alg_none(ref: Ref) -> bool:
    alice = ref.new_customer()
    payload = alice.token.split(".")[1]
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=").decode()
    return ref.initiate(alice, token=f"{header}.{payload}.").status_code == 200


def _no_consent_prepare(ref: Ref) -> bool:
    alice = ref.active_customer()
    ref.add_beneficiary(alice)
    return ref.prepare(alice, "10.00").status_code == 200


def _unregistered(ref: Ref) -> bool:
    alice, consent_id, _ = ref.ready_to_pay()
    target = {"iban": de_iban(31337), "name": "Stranger"}
    return ref.prepare(alice, "10.00", beneficiary_id="", consent_id=consent_id, target=target).status_code == 200


def _refused_reserves(ref: Ref) -> bool:
    alice, consent_id, _ = ref.ready_to_pay(funds="100.00")
    assert ref.prepare(alice, "99.00", consent_id=consent_id).status_code == 422
    return ref.cents(alice)[2] > 0


def _missing_tenant_header(ref: Ref) -> bool:
    return ref.client.post(f"{API}/customer/individual/registration", json={}).status_code >= 500


def _malformed_json(ref: Ref) -> bool:
    response = ref.client.post(f"{API}/customer/individual/registration", content=b"{",
                               headers={**ref.headers(ref.admin()), "Content-Type": "application/json"})
    return response.status_code >= 500


def _consent_false(ref: Ref) -> bool:
    alice = ref.new_customer()
    return ref.consent(alice, "terms", accepted=False).status_code == 200


PROBES: dict[str, Probe] = {
    "password_without_digit_accepted": lambda ref: ref.register(password="Kx!mQ#vR$wT@zP%aBcDe").status_code == 200,
    "short_password_accepted": lambda ref: ref.register(password="Kx!9mQa").status_code == 200,
    "password_without_upper_accepted": lambda ref: ref.register(password="kx!9mq#vr$wt@zp%abcde").status_code == 200,
    "password_without_lower_accepted": lambda ref: ref.register(password="KX!9MQ#VR$WT@ZP%ABCDE").status_code == 200,
    "password_without_special_accepted": lambda ref: ref.register(password="Kx9mQ7vRw2TzP4aBcDe").status_code == 200,
    "malformed_email_accepted": lambda ref: ref.register(email="not-an-email").status_code == 200,
    "weak_password_confirmation_ignored":
        lambda ref: ref.register(matchingPassword=PASSWORD + "x").status_code == 200,
    "duplicate_email_accepted":
        lambda ref: [ref.register(email="same@example.com").status_code for _ in range(2)] == [200, 200],
    "unknown_category_accepted": lambda ref: ref.register(category="NOPE").status_code == 200,
    "mandatory_keys_not_checked":
        lambda ref: ref.register(category="HIGH_RISK_INDIVIDUAL", params=HIGH_RISK_PARAMS[1:]).status_code == 200,
    "allowed_values_not_checked": lambda ref: ref.register(
        category="HIGH_RISK_INDIVIDUAL",
        params=HIGH_RISK_PARAMS[:1] + [{"name": "riskScore", "value": "101"}] + HIGH_RISK_PARAMS[2:]
    ).status_code == 200,
    "logout_does_not_revoke": _logout_then_use,
    "wrong_password_accepted":
        lambda ref: ref.login_raw(ref.new_customer(login=False), password="Wrong-Passw0rd!").status_code == 200,
    "other_users_credentials_accepted": _other_users_credentials,
    "tenant_credentials_ignored":
        lambda ref: ref.login_raw(ref.new_customer(login=False), tenantSecret="nope").status_code == 200,
    "foreign_logout_allowed": _foreign_logout,
    "tenant_admin_approves_high_risk": _tenant_approves_high_risk,
    "customer_can_approve": lambda ref: (lambda a: (ref.approve(ref.initiate(a).json()["data"]["verificationId"],
                                                                a.token).status_code == 200))(ref.new_customer()),
    "verification_redecided": lambda ref: ref.approve(_approved(ref).verification_id,
                                                      status="REJECTED").status_code == 200,
    "reinitiate_after_approval": lambda ref: ref.initiate(_approved(ref)).status_code == 200,
    "consent_false_accepted": _consent_false,
    "activation_skips_terms_consent": _activation_without("terms"),
    "activation_skips_privacy_consent": _activation_without("privacy"),
    "activation_skips_data_processing_consent": _activation_without("data-processing"),
    "activation_without_approval": _activation_without(None),
    "activation_repeatable": lambda ref: ref.activate(ref.active_customer(funds=None)).status_code == 200,
    "wallet_active_before_activation": lambda ref: ref.balance(ref.new_customer())["status"] == "ACTIVE",
    "available_ignores_blocked": _available_ignores_blocked,
    "iban_bad_checksum": lambda ref: not _mod97_ok(ref.active_customer(funds=None).iban),
    "iban_reused": lambda ref: ref.active_customer(funds=None).iban == ref.active_customer(funds=None).iban,
    "invalid_bic_accepted":
        lambda ref: ref.add_beneficiary(ref.active_customer(funds=None), bicSwiftCode="COBA-DE").status_code == 201,
    "invalid_beneficiary_iban_accepted":
        lambda ref: ref.add_beneficiary(ref.active_customer(funds=None), iban="DE00370400440532013000").status_code
        == 201,
    "invalid_currency_accepted":
        lambda ref: ref.add_beneficiary(ref.active_customer(funds=None), currency="XYZ").status_code == 201,
    "duplicate_beneficiary_accepted": lambda ref: (lambda a: [ref.add_beneficiary(a, iban=de_iban(1)).status_code
                                                              for _ in range(2)] == [201, 201])(
        ref.active_customer(funds=None)),
    "payment_consent_not_required": _no_consent_prepare,
    "unregistered_beneficiary_accepted": _unregistered,
    "double_execute_moves_money_twice": _double_execute,
    "concurrent_double_execute_moves_money_twice": _concurrent_double_execute,
    "fee_above_prepared_total": _fee_above_total,
    "expired_order_executes": _expired_executes,
    "insufficient_funds_accepted": lambda ref: (lambda t: ref.prepare(t[0], "150.00", consent_id=t[1]).status_code
                                               == 200)(ref.ready_to_pay(funds="100.00")),
    "reservation_never_released": _reservation_kept,
    "transfer_limit_ignored": lambda ref: (lambda t: ref.prepare(t[0], "5000.01", consent_id=t[1]).status_code
                                          == 200)(ref.ready_to_pay(funds="6000.00")),
    "non_positive_amount_accepted": lambda ref: (lambda t: ref.prepare(t[0], "0.00", consent_id=t[1]).status_code
                                                 == 200)(ref.ready_to_pay()),
    "wrong_authentication_code_accepted": _wrong_code,
    "tenant_header_not_checked": lambda ref: (lambda a: ref.call("GET", f"/fintrans/{a.wallet_id}/balance", a.token,
                                                                 ref.config.tenant_b).status_code == 200)(
        ref.new_customer()),
    "foreign_wallet_readable": lambda ref: (lambda a, m: ref.call("GET", f"/fintrans/{a.wallet_id}/balance",
                                                                  m.token).status_code == 200)(
        ref.new_customer(), ref.new_customer()),
    "foreign_writes_allowed": _foreign_write,
    "alg_none_token_accepted": _alg_none,
    "password_hash_exposed": lambda ref: "passwordHash" in ref.register().text,
    "malformed_json_500": _malformed_json,
    "missing_tenant_header_500": _missing_tenant_header,
    "refused_prepare_reserves": _refused_reserves,
}

REQUIRED = {"activation_skips_privacy_consent", "logout_does_not_revoke", "password_without_digit_accepted",
            "double_execute_moves_money_twice", "unregistered_beneficiary_accepted", "tenant_admin_approves_high_risk",
            "payment_consent_not_required", "wallet_active_before_activation", "iban_bad_checksum",
            "weak_password_confirmation_ignored"}


def test_every_fault_has_a_probe() -> None:
    assert set(PROBES) == set(FAULTS) and REQUIRED <= set(FAULTS)


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_breaks_its_rule(name: str) -> None:
    assert PROBES[name](Ref()) is False, "rule broken without the fault"
    assert PROBES[name](Ref(faults=[name])) is True, "fault has no effect"


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_happy_path_survives_fault(name: str) -> None:
    ref = Ref(faults=[name])
    alice, consent_id, code = ref.ready_to_pay()
    order = ref.prepare(alice, "100.00", consent_id=consent_id)
    assert order.status_code == 200, order.text
    done = ref.execute(alice, order.json()["data"]["preparedOrderId"], code, consent_id)
    assert done.status_code == 200 and done.json()["data"]["status"] == "COMPLETED"


def _env() -> dict[str, str]:
    """The environment for a subprocess that imports finhub_reference from this checkout."""
    import os

    import finhub_reference
    src = str(Path(finhub_reference.__file__).resolve().parent.parent)
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))}


def test_list_faults_format() -> None:
    out = subprocess.run([sys.executable, "-m", "finhub_reference", "serve", "--list-faults"], capture_output=True,
                         text=True, check=True, env=_env()).stdout
    rows = [line.split("\t") for line in out.strip().splitlines()]
    assert {row[0] for row in rows} == set(FAULTS) and all(len(row) == 3 and "-" in row[1] for row in rows)


def test_unknown_fault_exits_2() -> None:
    result = subprocess.run([sys.executable, "-m", "finhub_reference", "serve", "--fault", "nope"],
                            capture_output=True, text=True, env=_env())
    assert result.returncode == 2 and "nope" in result.stderr and result.stdout == ""
