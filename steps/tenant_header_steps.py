"""Steps about the tenant a request names, which must be the caller's own (TEN-1, with GEN-8 read-backs)."""

from __future__ import annotations

import uuid

from pytest_bdd import then, when

from finhub_conformance import bodies, probes
from finhub_conformance.checks import T, expect_refused, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.iban import german_iban

from .parameter_types import step
from .support import pick_rule, register_again, second_tenant


def _other_tenant_header(bank, other: str) -> str:
    return second_tenant(bank).header_id if other == "tenant B" else f"unknown-tenant-{uuid.uuid4().hex[:12]}"


@when(step("{name:Persona} uses her wallet while naming {other} as her tenant"), target_fixture="probe")
def wallet_with_other_tenant(bank, cast, name, other):
    """TEN-1: E12 and E14 with the customer's token but another X-Tenant-ID."""
    customer, iban = cast[name], german_iban()
    caller = customer.caller.with_tenant_header(_other_tenant_header(bank, other))
    return probes.Probe([bank.client.get_balance(caller, customer.account_id),
                     bank.add_beneficiary(customer, bodies.beneficiary_body(iban), caller=caller)], iban)


@when(step("{name:Persona} uses her wallet without naming her tenant"), target_fixture="probe")
def wallet_without_tenant(bank, cast, name):
    """TEN-1: E12 and E14 with no X-Tenant-ID; a 5xx here breaks TEN-1 rather than only SEC-2."""
    customer, iban = cast[name], german_iban()
    with probes.reported_as("TEN-1"):
        attempts = [probes.send(bank, probes.endpoint(code), customer, customer.caller, body=body,
                                drop_headers=("X-Tenant-ID",))
                    for code, body in (("E12", None), ("E14", bodies.beneficiary_body(iban)))]
    return probes.Probe(attempts, iban)


@when(step("the tenant admin registers {name:Persona} while naming {other} as the tenant"), target_fixture="probe")
def register_with_other_tenant(bank, cast, name, other):
    """TEN-1: E2 with tenant A's admin token but another X-Tenant-ID."""
    caller = bank.admin().with_tenant_header(_other_tenant_header(bank, other))
    return probes.Probe([bank.register(cast[name], caller=caller)])


@then("every request is refused as a tenant mismatch")
def refused_as_mismatch(probe):
    """TEN-1: status set T."""
    for exchange in probe.exchanges:
        expect_refused(exchange, T, "TEN-1", f"{exchange.operation} naming a tenant other than the token's")


@then("every request is refused for the missing tenant")
def refused_for_missing_tenant(probe):
    """TEN-1: a missing X-Tenant-ID gets 400, 401 or 403."""
    for exchange in probe.exchanges:
        expect_refused(exchange, {400, 401, 403}, "TEN-1", f"{exchange.operation} without X-Tenant-ID")


@then(step("{name:Persona}'s beneficiaries are unchanged"))
def beneficiaries_unchanged(bank, cast, name, probe, scenario_rules):
    """TEN-1 / GEN-3 / GEN-8: a refused beneficiary is not on the owner's list."""
    if any(e.ok and e.operation.startswith("E14") for e in probe.exchanges):
        return  # the deployment did not require what was left out (GEN-3): the beneficiary is rightly there
    listed = probes.send(bank, probes.endpoint("S6"), cast[name], cast[name].caller)
    expect_success(listed, "WAL-1", f"{name} listing her beneficiaries")
    if probe.iban in listed.text:
        raise NonConformance(pick_rule(scenario_rules, "TEN-1", "GEN-8"), "a refused request added a beneficiary",
                             received=listed.describe(), expected=f"{probe.iban} not listed")


@then(step("nothing was registered for {name:Persona}"))
def nothing_registered(bank, cast, name):
    """TEN-1 / GEN-8: the refused registration left the email free."""
    register_again(bank, cast[name], leftover_rule="TEN-1", rule="REG-6",
                   what=f"registering {name} with the right tenant")
