"""Steps about an active wallet: balances, limits, consent status and IBAN (phase 6: WAL-2, WAL-4 to WAL-6, IBAN).

Who may use a wallet, and from when, is in ``wallet_access_steps``.
"""

from __future__ import annotations

from pytest_bdd import then, when

from finhub_conformance.checks import Advisory, balances_of, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.iban import COUNTRY_LENGTHS, iban_problems

from .money_support import WalletUse, limit_of, per_transaction_limit, transfer_item
from .parameter_types import step


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


@then("her balances added up while the money was held and still add up after settlement")
def balances_add_up(bank, attempt, order):
    """WAL-2, observed explicitly while an order is reserved and after it settled (PAY-10)."""
    expect_success(attempt.exchange, "PAY-10", "executing a prepared transfer")
    settled = bank.wait_for_balance(attempt.customer, lambda b: b.current <= attempt.before.current - order.total)
    for moment, b in (("while the order was held", attempt.before), ("after settlement", settled)):
        if b.available != b.current - b.blocked or min(b.current, b.available, b.blocked) < 0:
            raise NonConformance("WAL-2", f"the balance invariant is broken {moment}", received=str(b),
                                 expected="available = current − blocked, all ≥ 0")
