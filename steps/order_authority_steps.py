"""Steps about executions refused for who asks and with which code: someone else's wallet or order, a wrong
authentication code (PAY-12, PAY-13, with GEN-8). An expired order is in ``order_expiry_steps``."""

from __future__ import annotations

import pytest
from pytest_bdd import then, when

from finhub_conformance.checks import F, expect_refused

from .money_support import Attempt, check_nothing_moved, wrong_code
from .parameter_types import step
from .support import pick_rule


@when(step("{name:Persona} tries to prepare a transfer of {amount:Money} EUR from {owner:Persona}'s wallet "
           "to her beneficiary"), target_fixture="attempt")
def prepares_on_foreign_wallet(bank, cast, name, amount, owner, beneficiary):
    """E15 on another customer's account, naming her beneficiary and consent (PAY-12)."""
    victim = cast[owner]
    before = bank.balances(victim)
    return Attempt(victim, bank.prepare_transfer(victim, amount, beneficiary, caller=cast[name].caller), before)


@when(step("{name:Persona} tries to execute {owner:Persona}'s prepared transfer on her wallet"),
      target_fixture="attempt")
def executes_on_foreign_wallet(bank, cast, name, owner, order):
    """E16 on another customer's account, even with her authentication code (PAY-12)."""
    victim = cast[owner]
    before = bank.balances(victim)
    return Attempt(victim, bank.execute(victim, order, caller=cast[name].caller), before)


@when(step("{name:Persona} tries to execute {owner:Persona}'s prepared transfer through his own wallet"),
      target_fixture="attempt")
def executes_through_own_wallet(bank, cast, name, owner, order):
    """E16 on the caller's own account for an order prepared on another account (PAY-12)."""
    victim, caller = cast[owner], cast[name]
    before = bank.balances(victim)
    return Attempt(victim, bank.execute(victim, order, caller=caller.caller, account_id=caller.account_id), before)


@then(step("{name:Persona} is refused as touching a wallet that is not his"))
@then(step("{name:Persona} is refused as touching a wallet that is not hers"))
def refused_as_foreign(attempt, scenario_rules, name):
    """PAY-12 (with SEC-4 or TEN-3): F."""
    rule = pick_rule(scenario_rules, "PAY-12", "SEC-4", "TEN-3")
    expect_refused(attempt.exchange, F, rule, f"{name} moving money on another customer's wallet")


@then(step("{name:Persona} is refused as naming an order that is not his"))
def refused_as_foreign_order(attempt, name):
    """PAY-12: F, 400 or 422 for an order prepared on another account."""
    expect_refused(attempt.exchange, F | {400, 422}, "PAY-12", f"{name} executing an order of another account")


@when(step("{name:Persona} executes the prepared transfer with a wrong authentication code"),
      target_fixture="attempt")
def executes_with_wrong_code(bank, cast, name, order):
    """E16 with a code that is not the consent's (PAY-13); skipped when no code is issued (A-3, §7.3)."""
    customer = cast[name]
    if not customer.authentication_code:
        pytest.skip("the payment consent issued no authentication code (A-3): PAY-13 does not apply (§7.3)")
    before = bank.balances(customer)
    return Attempt(customer, bank.execute(customer, order, code=wrong_code(customer.authentication_code)), before)


@then("the execution is refused and no money has moved")
def wrong_code_refused(bank, attempt, scenario_rules):
    """PAY-13: 400, 401, 403 or 422, and nothing moves (GEN-8)."""
    expect_refused(attempt.exchange, {400, 401, 403, 422}, "PAY-13", "executing with a wrong authentication code")
    check_nothing_moved(attempt, bank.balances(attempt.customer), scenario_rules)
