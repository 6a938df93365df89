"""Steps about amounts: minor units without a scale, every amount readable, a total that adds up (AMT-1 to AMT-3)."""

from __future__ import annotations

from pytest_bdd import then, when

from finhub_conformance.amounts import AmountDecodeError, decode_amount, decode_value
from finhub_conformance.checks import expect_success
from finhub_conformance.errors import NonConformance

from .money_support import Attempt, fee_of
from .parameter_types import step


@when(step("{name:Persona} prepares a transfer of {amount:Money} EUR written without a scale to that beneficiary"),
      target_fixture="attempt")
def prepares_without_scale(bank, cast, name, amount, beneficiary):
    """AMT-1: an AmountDto without ``scale`` means scale 2."""
    customer = cast[name]
    minor = str(int(amount * 100))
    before = bank.balances(customer)
    prepared = bank.prepare_transfer(customer, amount, beneficiary,
                                     body_overrides={"amount": {"value": minor, "currency": "EUR"}})
    return Attempt(customer, prepared, before, amount=amount)


@then("every amount of the order and of her balances can be read")
def amounts_readable(bank, attempt):
    """AMT-2: the order's amount, fees and total, and the three balances decode with the ladder."""
    expect_success(attempt.exchange, "PAY-5", "preparing a consented transfer")
    balance = expect_success(bank.client.get_balance(attempt.customer.caller, attempt.customer.account_id),
                             "WAL-1", "the owner reading her balance")
    try:
        for key in ("amount", "summary.amount", "totalAmount", "summary.totalAmount"):
            if attempt.exchange.get(key) is not None:
                decode_value(attempt.exchange.get(key))
        fee_of(attempt.exchange)
        for key in ("currentBalance", "availableBalance", "blockedBalance"):
            decode_amount(balance.payload, key)
    except AmountDecodeError as exc:
        raise NonConformance("AMT-2", "an amount cannot be decoded", received=str(exc),
                             expected="one of the AMT-2 encodings") from None


@then("the order's total is its amount plus its non-negative fees")
def total_adds_up(bank, attempt):
    """AMT-3: the amount is echoed; fees ≥ 0; where both appear, totalAmount = amount + total fee."""
    order = bank.order_of(attempt.exchange, attempt.amount, None)
    fee = fee_of(attempt.exchange)
    if fee is not None and fee < 0:
        raise NonConformance("AMT-3", "the order carries a negative fee", received=str(fee), expected="≥ 0")
    shown = attempt.exchange.get("totalAmount", "summary.totalAmount")
    if shown is not None and fee is not None and order.total != attempt.amount + fee:
        raise NonConformance("AMT-3", "the total is not the amount plus the fees",
                             received=f"total {order.total}", expected=f"{attempt.amount} + {fee}")
