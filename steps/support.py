"""Helpers shared by the step modules (step modules never import each other)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterable, Iterator

import pytest

from finhub_conformance.journey import Bank, Customer, FundingUnavailable
from finhub_conformance.settings import TenantConfig

__all__ = ["persona", "high_risk_persona", "second_tenant", "pick_rule", "funded", "skipped_without_funding",
           "register_again"]


def persona(bank: Bank, cast: dict, name: str, category: str | None = None) -> Customer:
    """The persona ``name`` of this scenario, introduced on first mention."""
    if name not in cast:
        cast[name] = bank.new_customer(name, category=category)
    return cast[name]


def high_risk_persona(bank: Bank, cast: dict, name: str) -> Customer:
    """A persona in the high-risk category; skipped (§7.3) without a power tenant or that category."""
    if bank.settings.power is None:
        pytest.skip("no power tenant configured (FINHUB_POWER_*): RISK-1 and RISK-2 need one (§7.3)")
    category = bank.settings.high_risk_category
    if bank.category(category) is None:
        pytest.skip(f"the high-risk category {category!r} is not in the hierarchy (§7.3)")
    return persona(bank, cast, name, category=category)


def second_tenant(bank: Bank) -> TenantConfig:
    """Tenant B's settings; skipped (§7.3) when no second tenant is configured."""
    if bank.settings.tenant_b is None:
        pytest.skip("no second tenant configured (FINHUB_TENANT_B_*): TEN-2 to TEN-5 need one (§7.3)")
    return bank.settings.tenant_b


def pick_rule(scenario_rules: Iterable[str], *candidates: str) -> str:
    """The first of ``candidates`` the scenario is tagged with (else the first candidate)."""
    tagged = set(scenario_rules)
    return next((c for c in candidates if c in tagged), candidates[0])


@contextmanager
def skipped_without_funding() -> Iterator[None]:
    """Skip the scenario when what runs inside finds the deployment has no funding method (FUND-2, §7.3)."""
    try:
        yield
    except FundingUnavailable as exc:
        pytest.skip(f"no funding method: {exc} (FUND-2, §7.3)")


def funded(bank: Bank, customer: Customer, amount) -> None:
    """Fund the wallet, skipping the scenario when the deployment has no funding method (FUND-2)."""
    with skipped_without_funding():
        bank.fund(customer, amount)


def register_again(bank: Bank, customer: Customer, *, leftover_rule: str, rule: str, what: str):
    """GEN-8 read-back after a refused registration: the email is still free, so it registers now.

    A 409 means the refused attempt left a customer behind (``leftover_rule``); any other refusal of
    this valid registration breaks ``rule``.
    """
    from finhub_conformance.checks import expect_success
    from finhub_conformance.errors import NonConformance

    exchange = bank.register(customer)
    if exchange.status == 409:
        raise NonConformance(leftover_rule, "a refused registration left a customer behind",
                             received=exchange.describe(), expected="the email still free")
    return expect_success(exchange, rule, what)
