"""Steps about the wallet and beneficiaries (phase 6: WAL, BEN, SM-5)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest
from pytest_bdd import then, when

from finhub_conformance import bodies
from finhub_conformance.amounts import AmountDecodeError, decode_amount
from finhub_conformance.checks import N, balances_of, expect_refused, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.exchange import Exchange
from finhub_conformance.iban import german_iban

from .parameter_types import step


@dataclass(frozen=True)
class WalletUse:
    """Reads and writes attempted on one wallet."""

    reads: tuple[Exchange, ...]
    writes: tuple[Exchange, ...]


def transfer_item(allowed: Exchange) -> dict | None:
    """The TRANSFER item of E13's operations (``operationType|type``, case-insensitive)."""
    for item in allowed.get("operations", default=[]) or []:
        if isinstance(item, dict):
            kind = item.get("operationType", item.get("type"))
            if isinstance(kind, str) and kind.upper() == "TRANSFER":
                return item
    return None


def per_transaction_limit(allowed: Exchange) -> Decimal | None:
    """WAL-5: the TRANSFER per-transaction maximum from the first present location and key."""
    item = transfer_item(allowed) or {}
    for limits in (item.get("limits"), allowed.get("limits"), allowed.get("transactionLimits")):
        if isinstance(limits, dict):
            for key in ("maxAmount", "perTransaction", "perTransactionLimit"):
                if key in limits:
                    try:
                        return decode_amount(limits, key)
                    except AmountDecodeError:
                        return None
            return None
    return None


@when(step("{name:Persona} tries to use her wallet before activation"), target_fixture="wallet_use")
def use_inactive_wallet(bank, cast, name):
    """Every fintrans read and write on a wallet that is not active yet (WAL-3)."""
    customer = cast[name]
    if not customer.account_id:
        pytest.skip("the deployment exposes no wallet id before activation (REG-7): WAL-3 pre-activation "
                    "checks do not apply")
    caller, account, client = customer.caller, customer.account_id, bank.client
    reads = (client.get_balance(caller, account), client.get_allowed_operations(caller, account),
             client.list_beneficiaries(caller, account))
    fake_id = str(uuid.uuid4())
    writes = (
        client.add_beneficiary(caller, account, bodies.beneficiary_body(german_iban())),
        client.create_payment_consent(caller, account, bodies.payment_consent_body(fake_id, Decimal("100"))),
        client.prepare_transfer(caller, account, bodies.transfer_body(account, Decimal("10.00"),
                                beneficiary_id=fake_id, iban=german_iban())),
        client.execute_transfer(caller, account, bodies.execute_body(fake_id)),
        client.prepare_topup(caller, account, bodies.topup_body(account, Decimal("10.00"), german_iban())),
    )
    return WalletUse(reads, writes)


@then("every wallet operation is refused because the wallet is not active")
def writes_refused(wallet_use):
    """WAL-3: fintrans writes get N.

    S7, E15 and E16 necessarily name ids that cannot exist before activation (a beneficiary, an
    order); the profile lets those be refused with 400 too (E16 "unknown order", PAY-3), so a
    deployment that looks at the id first is not failed for it.
    """
    for write in wallet_use.writes:
        names_fake_id = write.operation.startswith(("S7", "E15", "E16"))
        expect_refused(write, N | {400} if names_fake_id else N, "WAL-3",
                       f"{write.operation} on a wallet that is not active")


@then(step("{name:Persona}'s wallet is not shown as active or able to transfer"))
def reads_not_active(wallet_use):
    """WAL-3 / SM-5: reads may succeed but never show ACTIVE or TRANSFER enabled."""
    for read in wallet_use.reads:
        if not read.ok:
            expect_refused(read, N, "WAL-3", f"{read.operation} on a wallet that is not active")
            continue
        status = read.get("status") if isinstance(read.payload, dict) else None
        if isinstance(status, str) and status.upper() == "ACTIVE":
            raise NonConformance("WAL-3", "a wallet is shown ACTIVE before activation", received=read.describe())
        if read.operation.startswith("E13"):
            item = transfer_item(read)
            if item is not None and item.get("enabled") is True:
                raise NonConformance("WAL-3", "TRANSFER is enabled on a wallet that is not active",
                                     received=read.describe())


@when(step("{name:Persona} looks at her wallet"), target_fixture="wallet_use")
def looks_at_wallet(bank, cast, name):
    """E12 and E13 on the fresh wallet."""
    customer = cast[name]
    return WalletUse((bank.client.get_balance(customer.caller, customer.account_id),
                      bank.allowed_operations(customer)), ())


@then("all her balances are zero")
def balances_zero(wallet_use):
    """WAL-4: current, available and blocked are 0 right after activation."""
    balance = expect_success(wallet_use.reads[0], "WAL-1", "the owner reading her balance")
    observed = balances_of(balance)
    if (observed.current, observed.available, observed.blocked) != (0, 0, 0):
        raise NonConformance("WAL-4", "a fresh wallet is not empty", received=str(observed), expected="all 0")


@then("transfers are enabled with a per-transaction limit")
def transfer_enabled(wallet_use):
    """WAL-4 (TRANSFER enabled) and WAL-5 (its per-transaction maximum is shown)."""
    allowed = expect_success(wallet_use.reads[1], "WAL-1", "the owner reading allowed operations")
    item = transfer_item(allowed)
    if item is None or item.get("enabled") is not True:
        raise NonConformance("WAL-4", "TRANSFER is not enabled on a fresh active wallet",
                             received=repr(item), expected="a TRANSFER item with enabled: true")
    if per_transaction_limit(allowed) is None:
        raise NonConformance("WAL-5", "the TRANSFER per-transaction limit is not shown",
                             expected="maxAmount|perTransaction|perTransactionLimit under operations[TRANSFER]"
                                      ".limits, limits or transactionLimits")


@when(step("{name:Persona} registers a beneficiary"), target_fixture="outcome")
def registers_beneficiary(bank, cast, name):
    """E14 with a fresh DE IBAN."""
    return bank.add_beneficiary(cast[name])


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
    items = listing.payload if isinstance(listing.payload, list) else listing.get("beneficiaries", default=[])
    ibans = [i.get("iban") for i in items if isinstance(i, dict)]
    if ibans.count(added.iban) != 1:
        raise NonConformance("BEN-6", "the added beneficiary is not listed exactly once",
                             received=f"{ibans.count(added.iban)} entries with its IBAN", expected="1")
