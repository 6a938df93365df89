"""Steps about limits by risk (RISK-4, a SHOULD: reported as an advisory, never a failure)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pytest_bdd import given, then, when

from finhub_conformance.checks import Advisory, expect_success
from finhub_conformance.errors import NonConformance

from .money_support import per_transaction_limit
from .parameter_types import step
from .support import high_risk_persona


@dataclass(frozen=True)
class LimitComparison:
    """The per-transaction limits E13 shows to two customers."""

    high_risk: Decimal | None
    standard: Decimal | None


@when(step("{high:Persona} and {standard:Persona} look at their transfer limits"), target_fixture="limits")
def compare_limits(bank, cast, high, standard):
    """E13 for both customers; WAL-5 makes the per-transaction maximum visible to each."""
    shown = []
    for name in (high, standard):
        allowed = expect_success(bank.allowed_operations(cast[name]), "WAL-1", f"{name} reading her operations")
        shown.append(per_transaction_limit(allowed))
    return LimitComparison(*shown)


@then(step("{high:Persona}'s per-transaction limit is no higher than {standard:Persona}'s"))
def high_risk_limit_not_higher(limits, advisories, high, standard):
    """RISK-4 (SHOULD): a high-risk customer's per-transaction limit ≤ a standard customer's."""
    if limits.high_risk is None or limits.standard is None:
        raise NonConformance("WAL-5", "a per-transaction limit is not shown",
                             received=f"{high}: {limits.high_risk}, {standard}: {limits.standard}")
    if limits.high_risk > limits.standard:
        advisories.append(Advisory("RISK-4", f"the high-risk limit {limits.high_risk} is above the standard "
                                             f"limit {limits.standard}"))


@given(step("{name:Persona} is an active high-risk customer"))
def active_high_risk_customer(bank, cast, name):
    """A customer of the high-risk category taken through phases 1 to 5 (power approval included)."""
    bank.onboard(high_risk_persona(bank, cast, name), "active")
