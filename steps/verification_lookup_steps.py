"""Steps about reading a verification: its owner, another customer or tenant, the tenant admin (phase 3: VER-4, VER-5).

A foreign read is refused under VER-4 with SEC-4 (same tenant) or TEN-2 (another tenant).
"""

from __future__ import annotations

from pytest_bdd import then, when

from finhub_conformance.checks import F, expect_refused, expect_success
from finhub_conformance.errors import NonConformance
from finhub_conformance.journey import status_of

from .kyc_support import advise_unless
from .parameter_types import step
from .support import pick_rule


@when(step("{name:Persona} looks up her verification"), target_fixture="lookup")
def looks_up_own(bank, cast, name):
    """E7 with the owner's token (VER-4)."""
    return bank.verification_status(cast[name])


@when(step("{name:Persona} looks up {owner:Persona}'s verification"), target_fixture="lookup")
def looks_up_foreign(bank, cast, name, owner):
    """E7 on another customer's verification, with the caller's own token and tenant header (VER-4, TEN-2)."""
    return bank.client.get_verification(cast[name].caller, cast[owner].verification_id)


@when(step("the tenant admin looks up {name:Persona}'s verification"), target_fixture="lookup")
def admin_looks_up(bank, cast, name):
    """E7 with the tenant admin's token (VER-5: SHOULD work)."""
    return bank.verification_status(cast[name], bank.admin(cast[name].tenant))


@then("the verification's status is shown to her")
def status_shown(lookup):
    """VER-4: E7 returns the status of the caller's own verification."""
    expect_success(lookup, "VER-4", "reading one's own verification")
    if not status_of(lookup):
        raise NonConformance("VER-4", "the verification has no status", received=lookup.describe(),
                             expected="a status")


@then("the lookup is refused as someone else's verification")
def lookup_foreign(lookup, scenario_rules):
    """VER-4 / SEC-4 / TEN-2: another customer's or another tenant's token gets F."""
    expect_refused(lookup, F, pick_rule(scenario_rules, "VER-4", "TEN-2", "SEC-4"),
                   "reading someone else's verification")


@then("the tenant admin should see its status")
def admin_should_see(lookup, advisories):
    """VER-5 (SHOULD): an admin token can read E7."""
    advise_unless(lookup.ok and bool(status_of(lookup)), advisories, "VER-5",
                  f"the tenant admin cannot read a verification ({lookup.status})")
