"""Steps about the categorization hierarchy and categorized registration (phase 1: CAT-1 to CAT-5)."""

from __future__ import annotations

from pytest_bdd import then, when

from finhub_conformance.checks import V, expect_refused, expect_success
from finhub_conformance.errors import NonConformance

from .identity_support import categorization_problems, parametrized_category, registration_in
from .parameter_types import step
from .support import pick_rule, register_again

#: CAT-2: the statuses an unknown category may get (E2 error table).
UNKNOWN_CATEGORY = frozenset({400, 403, 404, 422})


@when("the tenant admin reads the categorization hierarchy of tenant A", target_fixture="outcome")
def admin_reads_hierarchy(bank):
    """CAT-1: E1 with the tenant admin's token and tenant A's path id."""
    return bank.client.get_hierarchy(bank.admin(), bank.settings.tenant.path_id)


@then("every category in it has an id and a name, and every feature a code")
def hierarchy_is_well_formed(outcome):
    """CAT-1: categories as a map or an array, each with id and name; features with a code."""
    expect_success(outcome, "CAT-1", "reading the categorization hierarchy")
    problems = categorization_problems(outcome.payload)
    if problems:
        raise NonConformance("CAT-1", "the categorization hierarchy is not in the profile's shape",
                             received="; ".join(problems[:5]),
                             expected="categories (map or array) with categoryId and categoryName; "
                                      "features with featureCode")


@when(step("the tenant admin registers {name:Persona} in a category the tenant does not offer"),
      target_fixture="outcome")
def admin_registers_in_unknown_category(bank, cast, name, run_id):
    """CAT-2: E2 naming a category id that is not in the tenant's hierarchy."""
    customer = cast[name]
    unknown = f"NO_SUCH_CATEGORY_{run_id.upper()}"
    return bank.register(customer, registration_in(customer, {"id": unknown, "name": "Unknown category",
                                                              "relations": []}))


@then("the registration is refused because the category is unknown")
def refused_as_unknown_category(outcome):
    """CAT-2: 400, 403, 404 or 422 for a category outside the hierarchy."""
    expect_refused(outcome, UNKNOWN_CATEGORY, "CAT-2", "a registration in an unknown category")


@when(step("the tenant admin registers {name:Persona} in a parametrized category, "
           "leaving out one mandatory key at a time"), target_fixture="attempts")
def admin_registers_without_mandatory_keys(bank, cast, name):
    """CAT-3: one E2 per mandatory key, each with exactly that key left out of the parametrization."""
    customer = cast[name]
    category = parametrized_category(bank)
    customer.category = category.category_id
    keys = dict.fromkeys(k for f in category.features for k in f.mandatory_keys)
    return [(f"without {key}", bank.register(customer, registration_in(
        customer, category.registration_category(omit_key=key)))) for key in keys]


@when(step("the tenant admin registers {name:Persona} in a parametrized category, "
           "with one value outside its allowed values at a time"), target_fixture="attempts")
def admin_registers_with_disallowed_values(bank, cast, name):
    """CAT-4: one E2 per constrained mandatory key, each with only that value outside ``allowedValues``."""
    customer = cast[name]
    category = parametrized_category(bank, needs_allowed_values=True)
    customer.category = category.category_id
    keys = dict.fromkeys(key for _, key in category.constrained_keys())
    return [(f"{key} outside its allowed values", bank.register(customer, registration_in(
        customer, category.registration_category(bad_value_for=key)))) for key in keys]


@then("each of those registrations is refused as invalid input")
def each_refused_as_invalid(attempts, scenario_rules):
    """CAT-3 / CAT-4: status set V for every incomplete or out-of-range parametrization."""
    rule = pick_rule(scenario_rules, "CAT-3", "CAT-4")
    for what, exchange in attempts:
        expect_refused(exchange, V, rule, f"a registration with its parametrization {what}")


@then(step("{name:Persona} can still be registered in that category with its full parametrization"))
def registrable_with_full_parametrization(bank, cast, name):
    """CAT-5 / GEN-8: the refused attempts left nothing, and the complete parametrization is accepted."""
    register_again(bank, cast[name], leftover_rule="GEN-8", rule="CAT-5",
                   what=f"registering {name} with a complete, valid parametrization")
