"""Steps about registrations that must be refused, and email uniqueness per tenant (phase 1: REG-2 to REG-5,
TEN-5, with GEN-8 read-backs)."""

from __future__ import annotations

import pytest
from pytest_bdd import then, when

from finhub_conformance.checks import Advisory, V, expect_refused, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.passwords import weak_passwords

from .identity_support import malformed_email, without_field
from .parameter_types import step
from .support import pick_rule, register_again

_WEAKNESS = {"too few characters": "too short", "no upper-case letter": "no upper-case letter",
             "no lower-case letter": "no lower-case letter", "no digit": "no digit",
             "no special character": "no special character"}


@when(step("the tenant admin registers {name:Persona} with a password that has {weakness}"),
      target_fixture="outcome")
def admin_registers_with_weak_password(bank, cast, name, weakness):
    """E2 with a password that breaks exactly one REG-3 clause."""
    password = weak_passwords()[_WEAKNESS[weakness]]  # test input, shown as evidence: not a secret
    return bank.register(cast[name], bank.registration_body(cast[name], password=password,
                                                            matchingPassword=password))


@when(step("the tenant admin registers {name:Persona} with a confirmation that differs from the password"),
      target_fixture="outcome")
def admin_registers_with_mismatch(bank, cast, name):
    """E2 whose matchingPassword differs from password (REG-4)."""
    customer = cast[name]
    return bank.register(customer, bank.registration_body(customer, matchingPassword=customer.password[::-1]))


@when(step("the tenant admin registers {name:Persona} with the {detail} left {gap}"), target_fixture="outcome")
def admin_registers_without_detail(bank, cast, name, detail, gap):
    """REG-2: E2 with one required field left out (or left empty) wherever the union body carries it."""
    customer = cast[name]
    return bank.register(customer, without_field(bank.registration_body(customer), detail, f"left {gap}"))


@when(step("the tenant admin registers {name:Persona} with an email address that {malformation}"),
      target_fixture="outcome")
def admin_registers_with_malformed_email(bank, cast, name, malformation):
    """REG-5: E2 whose email (top level and individualCustomer) is syntactically invalid."""
    customer = cast[name]
    body = bank.registration_body(customer)
    body["email"] = body["individualCustomer"]["email"] = malformed_email(customer.email, malformation)
    return bank.register(customer, body)


@when(step("the tenant admin registers someone else with {name:Persona}'s email address"), target_fixture="outcome")
def admin_registers_duplicate(bank, cast, name):
    """E2 for a new person reusing an existing email (REG-5)."""
    twin = bank.new_customer("Eve")
    twin.email = cast[name].email
    return bank.register(twin)


@when(step("the admin of tenant B registers {name:Persona} with {other:Persona}'s email address"),
      target_fixture="outcome")
def tenant_b_registers_same_email(bank, cast, name, other):
    """TEN-5: tenant B's admin registers a persona of tenant B reusing an email of tenant A."""
    if bank.settings.tenant_b is None:
        pytest.skip("no second tenant configured (FINHUB_TENANT_B_*): TEN-5 is skipped (§7.3)")
    customer = cast[name] = bank.new_customer(name, tenant=bank.settings.tenant_b)
    customer.email = cast[other].email
    return bank.register(customer)


@then(step("{name:Persona} is registered in tenant B as well"))
def registered_in_tenant_b(outcome, advisories, name):
    """TEN-5 (SHOULD): an email of tenant A can be registered in tenant B; a refusal is an advisory."""
    if not outcome.ok:
        advisories.append(Advisory("TEN-5", f"tenant B refused to register {name} with an email that exists "
                                            f"in tenant A ({outcome.describe()})"))
        return
    expect_success(outcome, "REG-6", f"registering {name} in tenant B")
    if not outcome.get("id", "customerId") or not outcome.get("user.id", "userId"):
        raise NonConformance("REG-6", "the registration does not identify the customer and the user",
                             received=outcome.describe(), expected="id|customerId and user.id|userId")


@then("the registration is refused as invalid input")
def refused_as_invalid(outcome, scenario_rules):
    """Status set V (REG-2, REG-3, REG-4, REG-5)."""
    expect_refused(outcome, V, pick_rule(scenario_rules, "REG-2", "REG-3", "REG-4", "REG-5"),
                   "an invalid registration")


@then("the registration is refused as a duplicate")
def refused_as_duplicate(outcome):
    """REG-5: 409 for a duplicate email within the tenant."""
    expect_refused(outcome, {409}, "REG-5", "a duplicate email registration")


@then(step("{name:Persona} can still be registered with a strong password"))
def still_registrable(bank, cast, name):
    """GEN-8: the refused attempt created nothing, so the same email registers now."""
    register_again(bank, cast[name], leftover_rule="GEN-8", rule="REG-6",
                   what=f"registering {name} with a strong password")
