"""Property-based steps: Hypothesis generates the inputs and the operation sequences (SM-1, SM-2)."""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test
from pytest_bdd import given, then, when

from finhub_conformance.lifecycle import Coverage, machine_for


@given("the lifecycle model of the profile", target_fixture="coverage")
def lifecycle_model():
    """An empty transition-coverage record for the model."""
    return Coverage()


@when("random sequences of operations are played against the deployment", target_fixture="played")
def play_random_sequences(bank, coverage):
    """Run the RuleBasedStateMachine under the active Hypothesis profile; failures carry the minimal sequence."""
    try:
        run_state_machine_as_test(machine_for(bank, coverage), settings=settings())
    except AssertionError:
        raise
    return coverage


@then("the deployment agrees with the model at every step")
def agrees_with_model(played, request):
    """The run found no disagreement; the transition coverage goes into the report."""
    if not played.pairs:
        pytest.fail("the state machine exercised no transition")
    try:
        import allure
        allure.attach("\n".join(played.lines()), name="transition coverage",
                      attachment_type=allure.attachment_type.TEXT)
    except ImportError:  # pragma: no cover
        pass
    legal = sum(1 for (_, _, kind) in played.pairs if kind == "legal")
    request.node.user_properties.append(("transitions", f"{len(played.pairs)} ({legal} legal)"))
