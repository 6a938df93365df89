"""Steps about beneficiaries: registering, validating and listing them (BEN-1 to BEN-7, GEN-8)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Callable

from pytest_bdd import then, when

from finhub_conformance import bodies
from finhub_conformance.checks import F, V, Advisory, expect_refused, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.exchange import Exchange
from finhub_conformance.iban import german_iban, with_bad_checksum
from finhub_conformance.journey import Customer

from .money_support import iban_for, listed_ibans
from .parameter_types import step
from .support import pick_rule


@dataclass(frozen=True)
class BeneficiaryAttempt:
    """An E14 on ``owner``'s wallet, with the IBANs S6 listed just before it."""

    owner: Customer
    exchange: Exchange
    listed_before: tuple[str, ...]
    iban: Any = None
    earlier_id: str | None = None


def _iban_with_check_digits_00() -> str:
    """A DE IBAN that passes mod-97 but whose check digits 00 are outside 02-98 (IBAN-1)."""
    while True:
        iban = german_iban()
        if iban[2:4] == "97":  # 00 ≡ 97 (mod 97): same remainder, forbidden digits
            return f"{iban[:2]}00{iban[4:]}"


def _without(*keys: str) -> Callable[[dict], dict]:
    return lambda body: {k: v for k, v in body.items() if k not in keys}


def _with(**changes: Any) -> Callable[[dict], dict]:
    return lambda body: {**body, **{k: (v() if callable(v) else v) for k, v in changes.items()}}


#: Each defect of the Examples tables, as a change to a valid E14 body.
DEFECTS: dict[str, Callable[[dict], dict]] = {
    "no IBAN": _without("iban"),
    "an individual without a first name": _without("firstName"),
    "an individual without a last name": _without("lastName"),
    "a business without a company name": _with(partyType="BUSINESS_CUSTOMER"),
    "an IBAN with a wrong checksum": _with(iban=lambda: with_bad_checksum(german_iban())),
    "an IBAN with check digits 00": _with(iban=_iban_with_check_digits_00),
    "an IBAN that is too short": _with(iban="DE89370400440"),
    "an IBAN that does not start with a country": _with(iban=lambda: "12" + german_iban()[2:]),
    "a BIC of nine characters": _with(bicSwiftCode="COBADEFFX"),
    "a BIC with a digit in its bank code": _with(bicSwiftCode="C0BADEFFXXX"),
    "the currency XYZ": _with(currency="XYZ"),
    "a German IBAN one character short": _with(iban=lambda: iban_for("DE", f"{secrets.randbelow(10**17):017d}")),
    "a French IBAN for a beneficiary in Germany":
        _with(iban=lambda: iban_for("FR", f"{secrets.randbelow(10**23):023d}"), country="DE"),
}


def _attempt(bank, owner: Customer, body: dict, caller=None, earlier_id: str | None = None) -> BeneficiaryAttempt:
    before = expect_success(bank.client.list_beneficiaries(owner.caller, owner.account_id), "BEN-6",
                            "the owner listing her beneficiaries")
    exchange = bank.add_beneficiary(owner, body, caller=caller)
    return BeneficiaryAttempt(owner, exchange, tuple(listed_ibans(before)), body.get("iban"), earlier_id)


@when(step("{name:Persona} registers a beneficiary"), target_fixture="outcome")
def registers_beneficiary(bank, cast, name):
    """BEN-1: E14 with a fresh DE IBAN."""
    return bank.add_beneficiary(cast[name])


@when(step("{name:Persona} registers a beneficiary with {defect}"), target_fixture="beneficiary_attempt")
def registers_bad_beneficiary(bank, cast, name, defect):
    """E14 with one defect of the BEN-2, BEN-3, BEN-4 or BEN-7 tables."""
    return _attempt(bank, cast[name], DEFECTS[defect](bodies.beneficiary_body(german_iban())))


@when(step("{name:Persona} tries to register a beneficiary on {owner:Persona}'s wallet"),
      target_fixture="beneficiary_attempt")
def registers_on_foreign_wallet(bank, cast, name, owner):
    """E14 on another customer's wallet (BEN-1: the owner's token only)."""
    return _attempt(bank, cast[owner], bodies.beneficiary_body(german_iban()), caller=cast[name].caller)


@when(step("{name:Persona} registers that beneficiary's IBAN again"), target_fixture="beneficiary_attempt")
def registers_duplicate(bank, cast, name, beneficiary):
    """E14 with an IBAN already registered on the wallet (BEN-5)."""
    return _attempt(bank, cast[name], bodies.beneficiary_body(beneficiary.iban), earlier_id=beneficiary.beneficiary_id)


@then(step("the beneficiary appears in {name:Persona}'s list of beneficiaries"))
def beneficiary_listed(bank, cast, name, outcome):
    """BEN-1 (an id is returned) and BEN-6 (S6 lists it)."""
    customer = cast[name]
    expect_success(outcome, "BEN-1", "adding a beneficiary to an active wallet")
    if not customer.beneficiaries:
        raise NonConformance("BEN-1", "no beneficiary id returned", received=outcome.describe(),
                             expected="beneficiaryId|assetId|id")
    added = customer.beneficiaries[-1]
    listing = expect_success(bank.client.list_beneficiaries(customer.caller, customer.account_id), "BEN-6",
                             "listing beneficiaries")
    ibans = listed_ibans(listing)
    if ibans.count(added.iban) != 1:
        raise NonConformance("BEN-6", "the added beneficiary is not listed exactly once",
                             received=f"{ibans.count(added.iban)} entries with its IBAN", expected="1")


@then("the beneficiary is refused as invalid input")
def beneficiary_invalid(beneficiary_attempt, scenario_rules):
    """BEN-2, BEN-3, BEN-4, BEN-7: V."""
    rule = pick_rule(scenario_rules, "BEN-2", "BEN-3", "BEN-4", "BEN-7")
    expect_refused(beneficiary_attempt.exchange, V, rule, "registering a beneficiary with bad data")


@then("the beneficiary should be refused as invalid input")
def beneficiary_should_be_invalid(beneficiary_attempt, advisories):
    """BEN-3 (SHOULD): a wrong country length, or a prefix contradicting ``country``, gets V."""
    exchange = beneficiary_attempt.exchange
    if exchange.status not in V:
        advisories.append(Advisory("BEN-3", f"an IBAN wrong for its country was answered {exchange.status}, "
                                            "not 400 or 422"))


@then("the beneficiary is refused as touching a wallet that is not his")
def beneficiary_foreign(beneficiary_attempt, scenario_rules):
    """BEN-1 with SEC-4 (same tenant) or TEN-3 (another tenant): F."""
    rule = pick_rule(scenario_rules, "SEC-4", "TEN-3", "BEN-1")
    expect_refused(beneficiary_attempt.exchange, F, rule, "registering a beneficiary on another customer's wallet")


@then(step("{name:Persona}'s list of beneficiaries is unchanged"))
def list_unchanged(bank, cast, name, beneficiary_attempt):
    """GEN-8: a refused registration adds nothing to S6."""
    customer = cast[name]
    listing = expect_success(bank.client.list_beneficiaries(customer.caller, customer.account_id), "BEN-6",
                             "listing beneficiaries")
    if sorted(map(str, listed_ibans(listing))) != sorted(map(str, beneficiary_attempt.listed_before)):
        raise NonConformance("GEN-8", "a refused beneficiary registration changed the list",
                             received=repr(listed_ibans(listing)), expected=repr(list(beneficiary_attempt.listed_before)))


@then("the second registration is refused or returns the same beneficiary")
def duplicate_refused(beneficiary_attempt):
    """BEN-5: 400, 409 or 422, or success with the same id."""
    exchange = beneficiary_attempt.exchange
    if exchange.ok:
        again = exchange.get("beneficiaryId", "assetId", "id")
        if str(again) != str(beneficiary_attempt.earlier_id):
            raise NonConformance("BEN-5", "the same IBAN was registered again as a new beneficiary",
                                 received=f"id {again!r}", expected=f"a refusal, or id {beneficiary_attempt.earlier_id!r}")
        return
    expect_refused(exchange, {400, 409, 422}, "BEN-5", "registering an IBAN a second time")


@then("that IBAN is listed only once")
def listed_once(bank, beneficiary_attempt):
    """BEN-5 (S6 never lists the IBAN twice) and BEN-6 (it is listed)."""
    owner = beneficiary_attempt.owner
    listing = expect_success(bank.client.list_beneficiaries(owner.caller, owner.account_id), "BEN-6",
                             "listing beneficiaries")
    count = listed_ibans(listing).count(beneficiary_attempt.iban)
    if count != 1:
        raise NonConformance("BEN-5" if count > 1 else "BEN-6", "the IBAN is not listed exactly once",
                             received=f"{count} entries", expected="1")
