"""Steps about activation readiness and the wallet before activation (phase 5: ACT-9, SM-5)."""

from __future__ import annotations

import pytest
from pytest_bdd import then, when

from finhub_conformance.checks import N, expect_refused, expect_success
from finhub_conformance.errors import NonConformance

from .kyc_support import ABSENT, advise_unless, readiness_flag
from .parameter_types import step


@when(step("the tenant admin asks whether {name:Persona} can be activated"), target_fixture="readiness")
def asks_readiness(bank, cast, name):
    """S5 with the tenant admin's token."""
    return bank.activation_check(cast[name])


@then(step("the readiness check agrees with what activating {name:Persona} then does"))
def readiness_agrees_with_activation(bank, cast, name, readiness, advisories):
    """ACT-9: "allowed" means E11 succeeds, "not allowed" means it is refused; S5 absent → advisory, skipped."""
    if readiness.status in ABSENT:
        advise_unless(False, advisories, "ACT-9", f"the activation readiness check (S5) is absent ({readiness.status})")
        pytest.skip(f"the activation readiness check (S5) is absent ({readiness.status}): ACT-9 is advisory (§7.3)")
    expect_success(readiness, "ACT-9", "the activation readiness check for an existing customer")
    allowed = readiness_flag(readiness)
    if allowed is None:
        raise NonConformance("ACT-9", "the readiness check gives no verdict", received=readiness.describe(),
                             expected="activationAllowed|canActivate: bool")
    activation = bank.activate(cast[name])
    if allowed != activation.ok:
        raise NonConformance("ACT-9", "the readiness check disagrees with the activation",
                             received=f"allowed={allowed}, activation {activation.describe()}",
                             expected="the same verdict from both")


@when(step("{name:Persona} looks at her wallet before activation"), target_fixture="early_wallet")
def looks_before_activation(bank, cast, name):
    """E12 on the default wallet, when the deployment exposes its id before activation (REG-7)."""
    customer = cast[name]
    if customer.account_id is None:
        pytest.skip("the deployment exposes no wallet id before activation (REG-7): SM-5 cannot be observed early")
    return bank.client.get_balance(customer.caller, customer.account_id)


@then(step("{name:Persona}'s wallet does not show as active yet"))
def not_active_yet(early_wallet):
    """SM-5: before activation the wallet status is not ACTIVE (a read MAY also get N, WAL-3)."""
    if not early_wallet.ok:
        expect_refused(early_wallet, N, "SM-5", "reading a wallet that is not active")
        return
    status = early_wallet.get("status")
    if isinstance(status, str) and status.upper() == "ACTIVE":
        raise NonConformance("SM-5", "the wallet is ACTIVE before activation", received=early_wallet.describe(),
                             expected="a status other than ACTIVE")
