"""Steps about who may use a wallet, and from when: its owner, others, the tenant admin, and nobody before
activation (phase 6: WAL-1, WAL-3, SM-5)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from pytest_bdd import then, when

from finhub_conformance import bodies
from finhub_conformance.checks import F, N, balances_of, expect_refused, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.exchange import Caller, Exchange
from finhub_conformance.iban import german_iban

from .money_support import WalletUse, transfer_item
from .parameter_types import step
from .support import pick_rule


def _reads(bank, caller: Caller, account_id: str) -> tuple[Exchange, ...]:
    """E12, E13 and S6 on ``account_id`` as ``caller``."""
    client = bank.client
    return (client.get_balance(caller, account_id), client.get_allowed_operations(caller, account_id),
            client.list_beneficiaries(caller, account_id))


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


@when(step("{name:Persona} reads her balance, her allowed operations and her beneficiaries"),
      target_fixture="wallet_use")
def reads_own_wallet(bank, cast, name):
    """WAL-1: E12, E13 and S6 with the owner's token."""
    customer = cast[name]
    return WalletUse(_reads(bank, customer.caller, customer.account_id), owner=customer)


@then("all three are shown to her")
def all_three_shown(wallet_use):
    """WAL-1: the owner's cust token is accepted on E12, E13 and S6."""
    for read in wallet_use.reads:
        expect_success(read, "WAL-1", f"the owner's {read.operation}")


@when(step("{name:Persona} tries to read {owner:Persona}'s balance, allowed operations and beneficiaries"),
      target_fixture="wallet_use")
def reads_foreign_wallet(bank, cast, name, owner):
    """E12, E13 and S6 on another customer's wallet (WAL-1, SEC-4, TEN-2)."""
    return WalletUse(_reads(bank, cast[name].caller, cast[owner].account_id), owner=cast[owner])


@then("each read is refused as touching a wallet that is not his")
@then("each read is refused as touching a wallet that is not hers")
def foreign_reads_refused(wallet_use, scenario_rules):
    """WAL-1 with SEC-4 (same tenant) or TEN-2 (another tenant): every read gets F."""
    rule = pick_rule(scenario_rules, "SEC-4", "TEN-2", "WAL-1")
    for read in wallet_use.reads:
        expect_refused(read, F, rule, f"{read.operation} on another customer's wallet")


@when(step("the tenant admin reads {name:Persona}'s balance"), target_fixture="wallet_use")
def admin_reads_balance(bank, cast, name):
    """WAL-1: E12 with the tenant admin's token (MAY be accepted), then with the owner's."""
    customer = cast[name]
    return WalletUse((bank.client.get_balance(bank.admin(customer.tenant), customer.account_id),
                      bank.client.get_balance(customer.caller, customer.account_id)), owner=customer)


@then(step("the tenant admin is either shown {name:Persona}'s own balances or refused"))
def admin_read_judged(wallet_use, name):
    """WAL-1 (MAY): an admin read is refused (4xx), or shows the same balances the owner sees."""
    admin, owner = wallet_use.reads
    expect_success(owner, "WAL-1", f"{name} reading her own balance")
    if admin.ok and balances_of(admin) != balances_of(owner):
        raise NonConformance("WAL-1", "the admin is shown balances that differ from the owner's",
                             received=str(balances_of(admin)), expected=str(balances_of(owner)))
    if not admin.ok and not 400 <= admin.status < 500:
        raise NonConformance("WAL-1", "an admin read was neither served nor refused", received=admin.describe())
