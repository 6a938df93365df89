"""Steps about the wallet: who reads it, its state, balances, limits and IBAN (phase 6: WAL, IBAN, SM-5)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest
from pytest_bdd import given, then, when

from finhub_conformance import bodies
from finhub_conformance.checks import F, N, Advisory, balances_of, expect_refused, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.exchange import Caller, Exchange
from finhub_conformance.iban import COUNTRY_LENGTHS, german_iban, iban_problems
from finhub_conformance.journey import Customer

from .money_support import limit_of, per_transaction_limit, tenant_b_persona, transfer_item
from .parameter_types import step
from .support import pick_rule


@dataclass(frozen=True)
class WalletUse:
    """Reads and writes attempted on one wallet."""

    reads: tuple[Exchange, ...]
    writes: tuple[Exchange, ...] = ()
    owner: Customer | None = None


def _reads(bank, caller: Caller, account_id: str) -> tuple[Exchange, ...]:
    """E12, E13 and S6 on ``account_id`` as ``caller``."""
    client = bank.client
    return (client.get_balance(caller, account_id), client.get_allowed_operations(caller, account_id),
            client.list_beneficiaries(caller, account_id))


@given(step("{name:Persona} is a logged-in customer of tenant B"))
def tenant_b_customer(bank, cast, name):
    """TEN-2/TEN-3 set-up: a registered, logged-in customer of tenant B (skipped without FINHUB_TENANT_B_*, §7.3)."""
    bank.onboard(tenant_b_persona(bank, cast, name), "logged in")


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
    """WAL-4, WAL-5, WAL-6, IBAN-1: E12 and E13 as the owner."""
    customer = cast[name]
    return WalletUse((bank.client.get_balance(customer.caller, customer.account_id),
                      bank.allowed_operations(customer)), owner=customer)


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


@then("her daily and monthly transfer limits should be shown as well")
def daily_monthly_limits(wallet_use, advisories):
    """WAL-5 (SHOULD): E13 also exposes the daily and monthly TRANSFER limits."""
    allowed = wallet_use.reads[1]
    for label, keys in (("daily", ("dailyLimit", "daily")), ("monthly", ("monthlyLimit", "monthly"))):
        if limit_of(allowed, *keys) is None:
            advisories.append(Advisory("WAL-5", f"the {label} TRANSFER limit is not shown ({'|'.join(keys)})"))


@then("her wallet should report that she holds a valid payment consent")
def reports_consent(wallet_use, advisories):
    """WAL-6 (SHOULD): after S7, E13 reports consentStatus.hasValidPaymentConsent: true."""
    allowed = expect_success(wallet_use.reads[1], "WAL-1", "the owner reading allowed operations")
    if allowed.get("consentStatus.hasValidPaymentConsent") is not True:
        advisories.append(Advisory("WAL-6", "allowed operations do not report consentStatus.hasValidPaymentConsent: "
                                            f"true after a payment consent was created "
                                            f"(got {allowed.get('consentStatus')!r})"))


def _wallet_ibans(wallet_use: WalletUse) -> list[str]:
    shown = [wallet_use.owner.iban] if wallet_use.owner and wallet_use.owner.iban else []
    balance = wallet_use.reads[0]
    if balance.ok and balance.get("iban") is not None:
        shown.append(balance.get("iban"))
    return shown


@then("every IBAN shown for her wallet passes the ISO 13616 checks")
def wallet_iban_valid(wallet_use):
    """IBAN-1: the activation's IBAN and E12's (when shown) have the shape, check digits 02-98 and mod-97 = 1."""
    for iban in _wallet_ibans(wallet_use):
        problems = iban_problems(iban)
        if problems:
            raise NonConformance("IBAN-1", "the wallet IBAN is not valid", received="; ".join(problems),
                                 expected="ISO 13616 shape, check digits 02-98, mod-97 = 1")


@then("its length should be the registry length for its country")
def wallet_iban_length(wallet_use, advisories):
    """IBAN-2 (SHOULD): the length matches the ISO 13616 registry length of its country (when known)."""
    for iban in _wallet_ibans(wallet_use):
        expected = COUNTRY_LENGTHS.get(iban[:2]) if isinstance(iban, str) else None
        if expected is not None and len(iban) != expected:
            advisories.append(Advisory("IBAN-2", f"the wallet IBAN has {len(iban)} characters; "
                                                 f"{iban[:2]} IBANs have {expected}"))


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


@then("her balances added up while the money was held and still add up after settlement")
def balances_add_up(bank, attempt, order):
    """WAL-2, observed explicitly while an order is reserved and after it settled (PAY-10)."""
    expect_success(attempt.exchange, "PAY-10", "executing a prepared transfer")
    settled = bank.wait_for_balance(attempt.customer, lambda b: b.current <= attempt.before.current - order.total)
    for moment, b in (("while the order was held", attempt.before), ("after settlement", settled)):
        if b.available != b.current - b.blocked or min(b.current, b.available, b.blocked) < 0:
            raise NonConformance("WAL-2", f"the balance invariant is broken {moment}", received=str(b),
                                 expected="available = current − blocked, all ≥ 0")
