"""Unit tests of the driver's pure parts: amounts, IBANs, passwords, settings, redaction, checks."""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from finhub_conformance.amounts import AmountDecodeError, amount_dto, decode_amount, decode_value
from finhub_conformance.categorization import invalid_value, parse_hierarchy, valid_value
from finhub_conformance.checks import (Advisory, CheckContext, leaked_secrets, run_checks, expect_refused,
                                       expect_success)
from finhub_conformance.errors import ConfigurationError, NonConformance
from finhub_conformance.exchange import Exchange, payload_of
from finhub_conformance.iban import german_iban, iban_problems, is_valid_iban, with_bad_checksum
from finhub_conformance.passwords import SPECIALS, is_seed_compliant, strong_password, weak_passwords
from finhub_conformance.redaction import MASK, Redactor, SecretFinder
from finhub_conformance.settings import load_settings, parse_env_file

REMOTE = {"FINHUB_BASE_URL": "https://staging.example.test/", "FINHUB_TENANT_ID": "t-a", "FINHUB_TENANT_KEY": "k",
          "FINHUB_TENANT_SECRET": "tenant-secret-1", "FINHUB_ADMIN_ORG_ID": "o", "FINHUB_ADMIN_USER_ID": "u",
          "FINHUB_ADMIN_USERNAME": "admin", "FINHUB_ADMIN_PASSWORD": "admin-pass-1", "FINHUB_TARGET_KIND": "staging"}


# ---------------------------------------------------------------- AMT-1 / AMT-2

def test_amount_dto_uses_minor_units_as_string():
    assert amount_dto(Decimal("12.34")) == {"value": "1234", "scale": 2, "currency": "EUR"}


@pytest.mark.parametrize("container, key, expected", [
    ({"currentBalance": "500000", "currentBalanceFormatted": "5000.00"}, "currentBalance", "5000.00"),
    ({"b": {"value": "1234", "scale": 2, "currency": "EUR"}}, "b", "12.34"),
    ({"b": {"valueFormatted": "7.50"}}, "b", "7.50"),
    ({"b": {"amount": 3.5}}, "b", "3.5"),
    ({"b": 12.5}, "b", "12.5"),
    ({"b": "0.00 EUR"}, "b", "0.00"),
    ({"b": "500000"}, "b", "5000.00"),
])
def test_decoding_ladder_covers_all_six_encodings(container, key, expected):
    assert decode_amount(container, key) == Decimal(expected)


@pytest.mark.parametrize("bad", [True, None, "abc", {"currency": "EUR"}, [1]])
def test_undecodable_amounts_raise(bad):
    with pytest.raises(AmountDecodeError):
        decode_value(bad)


# ---------------------------------------------------------------- IBAN-1

def test_generated_german_ibans_are_valid_and_fresh():
    ibans = {german_iban() for _ in range(50)}
    assert len(ibans) == 50
    assert all(is_valid_iban(i) and len(i) == 22 and i[4:12] == "37040044" for i in ibans)


def test_known_iban_and_broken_variants():
    assert is_valid_iban("DE89370400440532013000")
    assert iban_problems(with_bad_checksum("DE89370400440532013000"))
    assert iban_problems("DE89 3704 0044 0532 0130 00")
    assert iban_problems(42)


# ---------------------------------------------------------------- REG-3 passwords (§7.4)

def test_strong_passwords_meet_the_suite_obligations():
    for _ in range(200):
        password = strong_password("b2c.run.1@example.com", "Alice", "Conformance")
        assert len(password) == 20 and password.isascii() and " " not in password
        assert sum(c.isupper() for c in password) >= 3 and sum(c.islower() for c in password) >= 3
        assert sum(c.isdigit() for c in password) >= 3 and sum(c in SPECIALS for c in password) >= 3
        assert all(a != b for a, b in zip(password, password[1:]))
        assert "ali" not in password.lower() and "con" not in password.lower()


def test_weak_passwords_break_exactly_one_clause():
    cases = weak_passwords()
    assert len(cases["too short"]) == 7 and is_seed_compliant(cases["too short"] + "x") is True
    for name, password in cases.items():
        assert not is_seed_compliant(password), name
    assert not any(c.isupper() for c in cases["no upper-case letter"])
    assert not any(c.isdigit() for c in cases["no digit"])


# ---------------------------------------------------------------- settings (§7.2)

def test_no_base_url_means_the_embedded_reference():
    assert load_settings(environ={}).embedded


def test_a_remote_target_must_be_declared_a_test_environment():
    with pytest.raises(ConfigurationError, match="FINHUB_TARGET_KIND"):
        load_settings(environ={k: v for k, v in REMOTE.items() if k != "FINHUB_TARGET_KIND"})
    with pytest.raises(ConfigurationError, match="production"):
        load_settings(environ={**REMOTE, "FINHUB_TARGET_KIND": "production"})


def test_politeness_limit_is_read_and_validated():
    assert load_settings(environ={**REMOTE, "FINHUB_MAX_RPS": "5"}).max_rps == 5.0
    with pytest.raises(ConfigurationError):
        load_settings(environ={**REMOTE, "FINHUB_MAX_RPS": "-1"})


def test_remote_target_needs_every_required_variable():
    with pytest.raises(ConfigurationError) as err:
        load_settings(environ={"FINHUB_BASE_URL": "https://x.test"})
    assert "FINHUB_TENANT_SECRET" in str(err.value) and "FINHUB_ADMIN_PASSWORD" in str(err.value)


def test_precedence_cli_over_environment_over_env_file(tmp_path):
    env_file = tmp_path / "staging.env"
    env_file.write_text("# staging\nexport FINHUB_EMAIL_DOMAIN='file.test'\nFINHUB_LOCKOUT_THRESHOLD=7\n"
                        + "\n".join(f"{k}={v}" for k, v in REMOTE.items()))
    settings = load_settings({"FINHUB_BASE_URL": "https://cli.test"}, env_file=env_file,
                             environ={"FINHUB_EMAIL_DOMAIN": "env.test"})
    assert settings.base_url == "https://cli.test"
    assert settings.email_domain == "env.test"
    assert settings.lockout_threshold == 7
    assert settings.tenant.path_id == "t-a"


def test_secrets_are_hidden_from_repr_and_listed_for_redaction():
    settings = load_settings(environ=REMOTE)
    assert "tenant-secret-1" not in repr(settings) and "admin-pass-1" not in repr(settings)
    assert {"tenant-secret-1", "admin-pass-1"} <= set(settings.secrets())


@pytest.mark.parametrize("key, value", [("FINHUB_FUNDING", "cash"), ("FINHUB_HTTP_TIMEOUT_S", "soon"),
                                        ("FINHUB_BASE_URL", "ftp://x"), ("FINHUB_VERIFY_TLS", "maybe"),
                                        ("FINHUB_RUN_BUDGET_S", "0")])
def test_malformed_settings_are_configuration_errors(key, value):
    with pytest.raises(ConfigurationError):
        load_settings(environ={**REMOTE, key: value})


def test_env_file_errors_name_the_line(tmp_path):
    bad = tmp_path / "bad.env"
    bad.write_text("FINHUB_BASE_URL=http://x\nthis is not a setting\n")
    with pytest.raises(ConfigurationError, match="bad.env:2"):
        parse_env_file(bad)
    with pytest.raises(ConfigurationError, match="cannot read"):
        parse_env_file(tmp_path / "missing.env")


# ---------------------------------------------------------------- redaction and SEC-1

def _jwt(claims: dict) -> str:
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")  # noqa: E731
    return f"{enc({'alg': 'HS256'})}.{enc(claims)}.c2ln"


def test_redactor_masks_passwords_tokens_and_secret_keys():
    redactor = Redactor(["Sup3r!Secret#Pw"])
    token = _jwt({"sub": "x"})
    redactor.add_token(token)
    text = redactor.json({"password": "whatever", "note": "pw Sup3r!Secret#Pw", "token": token,
                          "code": 200, "header": f"Bearer {token}"})
    assert "Sup3r!Secret#Pw" not in text and token not in text and "whatever" not in text
    assert '"code": 200' in text and MASK in text


def test_overlapping_secrets_are_masked_as_one_span_and_knowing_more_never_masks_less():
    known, learned_later = "password-123", "QZpassword-12"  # overlapping, neither inside the other
    text = "before QZpassword-123 after"
    assert Redactor([known]).text(text) == "before QZ*** after"
    assert Redactor([known, learned_later]).text(text) == "before *** after"  # no "QZ" or "3" left over


@pytest.mark.parametrize("secret", ['Qu0te"Pass!', "Back\\slash9!", "Tab\tbed9!Pw", "Ünïcode9!Pw"])
def test_redactor_masks_a_secret_that_json_escapes_or_keeps_as_is(secret):
    """Evidence is masked after JSON encoding: a password with a quote, a backslash or a control
    character stands escaped there, and must be masked all the same (non-ASCII stays as is)."""
    redactor = Redactor([secret])
    text = redactor.json({"note": f"echo {secret} echo", "list": [secret]})
    assert secret not in text and json.dumps(secret, ensure_ascii=False)[1:-1] not in text
    assert text.count(MASK) == 2


def test_sec1_finds_secrets_in_values_keys_and_decoded_jwts():
    assert leaked_secrets({"user": {"passwordHash": "abc"}}, []) == ["/user/passwordHash holds a string under a "
                                                                     "secret-named key"]
    assert leaked_secrets({"requiresPasswordChange": False}, []) == []
    assert leaked_secrets({"echo": "my Tenant-Secret-9"}, ["Tenant-Secret-9"])
    assert leaked_secrets({"token": _jwt({"tenantSecret": "x"})}, [])
    assert leaked_secrets({"token": _jwt({"tenantId": "t"})}, ["Tenant-Secret-9"]) == []


_SECRET_ALPHABET = st.sampled_from("abAB12!#")  # small: values overlap, share heads and nest in each other


@settings(max_examples=300, database=None, deadline=None)
@given(values=st.lists(st.text(_SECRET_ALPHABET, min_size=1, max_size=14), max_size=60),
       noise=st.lists(st.text(_SECRET_ALPHABET, max_size=6), max_size=6), data=st.data())
def test_secret_finder_finds_exactly_the_values_a_substring_test_finds(values, noise, data):
    """The one-pass index agrees with ``value in text`` for every value, in both of its modes."""
    planted = data.draw(st.lists(st.sampled_from(values), max_size=4)) if values else []
    text = "".join(a + b for a, b in zip(noise + [""] * 4, planted + [""] * 6))
    expected = {v for v in values if v in text}
    assert SecretFinder(values).found_in(text) == expected
    assert _AlwaysScanning(values).found_in(text) == expected


class _AlwaysScanning(SecretFinder):
    SCAN_FROM = 0  # the sampled scan even for a handful of values


def test_secret_finder_learns_values_added_after_it_was_built():
    finder = SecretFinder(f"pw-{n:04d}-Xx!" for n in range(100))  # over the direct-test threshold
    assert not finder.found_in("nothing here") and finder.found_in("a pw-0042-Xx! b") == {"pw-0042-Xx!"}
    finder.add("late-Secret-1")
    assert finder.found_in("x late-Secret-1 y") == {"late-Secret-1"}


# ---------------------------------------------------------------- checks

def _exchange(status=200, body=None, operation="E12 balance", method="GET", schema=None) -> Exchange:
    return Exchange(operation=operation, method=method, path="/x", status=status, request_body=None, body=body,
                    text=json.dumps(body) if body is not None else "", schema=schema)


def _context(found: list) -> CheckContext:
    return CheckContext(schemas=None, sensitive=lambda: ["Secret-Value-1"], advise=found.append)


def test_payload_is_data_when_present_else_the_body():
    assert payload_of({"code": 200, "data": {"a": 1}}) == {"a": 1}
    assert payload_of({"a": 1}) == {"a": 1}


def test_balance_invariant_check_fails_on_a_broken_invariant():
    good = {"currentBalance": "10000", "availableBalance": "9000", "blockedBalance": "1000"}
    run_checks(_exchange(body={"data": good}), _context([]))
    bad = dict(good, availableBalance="9500")
    with pytest.raises(NonConformance, match="WAL-2"):
        run_checks(_exchange(body={"data": bad}), _context([]))


def test_server_errors_202_and_false_success_are_non_conformant():
    with pytest.raises(NonConformance, match="SEC-2"):
        run_checks(_exchange(500, {"message": "boom"}), _context([]))
    with pytest.raises(NonConformance, match="GEN-5"):
        run_checks(_exchange(202, {}, operation="E2 register", method="POST"), _context([]))
    with pytest.raises(NonConformance, match="GEN-4"):
        run_checks(_exchange(200, {"success": False, "data": {}}, operation="E7 x"), _context([]))


def test_should_misses_are_advisories_not_failures():
    found: list[Advisory] = []
    run_checks(_exchange(409, {"detail": "dup"}, operation="E2 register", method="POST"), _context(found))
    run_checks(_exchange(200, {"code": 201, "data": {}}, operation="E7 x"), _context(found))
    assert {a.rule for a in found} == {"GEN-6", "GEN-4"}


def test_status_set_assertions_name_the_rule():
    with pytest.raises(NonConformance, match=r"\[REG-3\].*accepted"):
        expect_refused(_exchange(200, {}), {400, 422}, "REG-3", "a weak password")
    expect_refused(_exchange(422, {}), {400, 422}, "REG-3", "a weak password")
    with pytest.raises(NonConformance, match=r"\[ACT-1\]"):
        expect_success(_exchange(422, {}), "ACT-1", "activation")


# ---------------------------------------------------------------- CAT-1

def test_hierarchy_as_map_with_top_level_features_and_as_array():
    as_map = {"categories": {"HIGH": {"categoryName": "High", "availableFeatures": [{"featureCode": "AML"}]}},
              "features": {"AML": {"mandatoryKeys": ["score", "pep"], "allowedValues": {"score": "0-100",
                                                                                         "pep": ["true", "false"]}}}}
    category = parse_hierarchy(as_map)["HIGH"]
    assert category.features[0].mandatory_keys == ("score", "pep")
    relation = category.registration_category()["relations"][0]
    assert relation["parametrization"] == [{"name": "score", "value": "0"}, {"name": "pep", "value": "true"}]
    as_array = {"categories": [{"categoryId": "STD", "categoryName": "Standard"}]}
    assert parse_hierarchy(as_array)["STD"].name == "Standard"
    assert valid_value(["A", "B"]) == "A" and invalid_value("0-100") == "1100"


def test_a_secret_planted_in_a_response_is_masked_in_the_evidence_and_a_leak_is_found(tmp_path):
    from finhub_conformance.redaction import evidence_text, scan_for_secrets

    password = strong_password()
    redactor = Redactor([password])
    token = _jwt({"sub": "alice"})
    redactor.add_token(token)
    planted = _exchange(200, {"data": {"echo": f"your password is {password}", "token": token}})
    evidence = evidence_text(planted, redactor)
    assert password not in evidence and token not in evidence and MASK in evidence
    (tmp_path / "clean-result.json").write_text(evidence)
    assert scan_for_secrets(tmp_path, redactor) == []
    (tmp_path / "leaky-attachment.txt").write_text(f"debug: {password}")
    assert scan_for_secrets(tmp_path, redactor) == [str(tmp_path / "leaky-attachment.txt")]
