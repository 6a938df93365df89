"""Property-based steps: Hypothesis generates the inputs and the operation sequences (SM-1, SM-2)."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_bdd import given as bdd_given, then, when

from finhub_conformance.checks import V, expect_refused
from finhub_conformance.lifecycle import Coverage, play
from finhub_conformance import probes
from finhub_conformance.strategies import (hostile_bodies, order_expiry_wait_s, passwords_breaking_one_clause,
                                          unusual_valid_passwords)

from .harness import REPORT_DIR
from .parameter_types import step
from .support import register_again


class Trials(list):
    """Generated examples and the status each got; its repr (an Allure step parameter) shows no values,
    since generated passwords are secrets of the run."""

    def __repr__(self) -> str:
        return f"Trials({len(self)} examples)"


@bdd_given("the lifecycle model of the profile", target_fixture="coverage")
def lifecycle_model():
    """An empty transition-coverage record for the model."""
    return Coverage()


@when("random sequences of operations are played against the deployment", target_fixture="played")
def play_random_sequences(bank, coverage):
    """Run the RuleBasedStateMachine under the active Hypothesis profile; a failure carries the minimal
    call sequence (Hypothesis's notes on the exception), shrunk under every profile."""
    wait = min(order_expiry_wait_s(settings.get_current_profile_name()), bank.settings.max_expiry_wait_s)
    play(bank, coverage, settings(), expiry_wait_s=wait)
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
    folder = request.config.stash.get(REPORT_DIR, None)
    if folder is not None:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        (folder / f"transition-coverage-{worker}.json").write_text(json.dumps(
            {"examples": played.examples, "operations": sum(played.pairs.values()),
             "distinct_transitions": len(played.pairs), "legal": legal, "illegal": len(played.pairs) - legal,
             "pairs": [{"state": st_, "operation": op, "kind": kind, "count": n}
                       for (st_, op, kind), n in sorted(played.pairs.items())]}, indent=2), encoding="utf-8")


@when("the tenant admin tries to register customers with generated passwords that each break one clause",
      target_fixture="password_trials")
def generated_weak_passwords(bank):
    """Hypothesis draws (clause, password) pairs; each registration attempt must be refused (REG-3)."""
    trials = Trials()

    @given(case=passwords_breaking_one_clause())
    def weak_password_is_refused(case):
        clause, password = case  # a test input whose value is the evidence: shown, not masked
        customer = bank.new_customer("Pat")
        exchange = bank.register(customer, bank.registration_body(customer, password=password,
                                                                  matchingPassword=password))
        trials.append((clause, password, exchange.status))
        expect_refused(exchange, V, "REG-3", f"a password with {clause} ({password!r})")
        _email_still_free(bank, customer)

    with bank.client.broken_target_prevails():
        weak_password_is_refused()
    return trials


@when("the tenant admin tries to register customers whose confirmation differs from the password",
      target_fixture="password_trials")
def generated_mismatches(bank):
    """Hypothesis draws a strong password and a different confirmation; each must be refused (REG-4)."""
    trials = Trials()

    @given(suffix=st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=3))
    def mismatch_is_refused(suffix):
        customer = bank.new_customer("Pat")
        confirmation = customer.password + suffix
        exchange = bank.register(customer, bank.registration_body(customer, matchingPassword=confirmation))
        trials.append(("confirmation differs", suffix, exchange.status))
        expect_refused(exchange, V, "REG-4", "a confirmation that differs from the password")
        _email_still_free(bank, customer)

    with bank.client.broken_target_prevails():
        mismatch_is_refused()
    return trials


@when("the tenant admin registers customers with unusual but valid passwords", target_fixture="password_trials")
def generated_unusual_passwords(bank):
    """Unicode letters, very long and all-special passwords: accepted, or refused as V by a stricter policy."""
    trials = Trials()

    @given(password=unusual_valid_passwords())
    def unusual_password_is_handled(password):
        # A throw-away customer's password that Hypothesis must be able to print as the counterexample.
        customer = bank.new_customer("Pat")
        exchange = bank.register(customer, bank.registration_body(customer, password=password,
                                                                  matchingPassword=password))
        trials.append(("unusual", password, exchange.status))
        if not exchange.ok:  # REG-3 allows a stricter policy; SEC-2 (no 5xx) is checked on every exchange
            expect_refused(exchange, V, "REG-3", "an unusual password refused other than as invalid input")

    with bank.client.broken_target_prevails():
        unusual_password_is_handled()
    return trials


def _email_still_free(bank, customer) -> None:
    """GEN-8: a refused registration created nothing, so the same email registers with a strong password."""
    register_again(bank, customer, leftover_rule="GEN-8", rule="REG-6", what="registering with a strong password")


@then("every one of them is refused and none of them creates a customer")
@then("none of them breaks the deployment")
def trials_done(password_trials, request):
    """The properties held for every generated example (failures were raised with the shrunk example)."""
    if not password_trials:
        pytest.fail("Hypothesis generated no example")
    request.node.user_properties.append(("examples", str(len(password_trials))))


@when(step("Hypothesis derives hostile bodies for every endpoint from its valid body"),
      target_fixture="password_trials")
def fuzz_every_post_endpoint(bank, cast):
    """SEC-2: wrong types, missing/extra fields, huge strings, absurd amounts, non-objects - never a 5xx.

    Every exchange runs the automatic checks, so a 5xx raises SEC-2 inside Hypothesis, which then
    shrinks the body to a minimal one. S1 is left out: hostile admin log-ins could lock a real admin.
    """
    customer = next(iter(cast.values()))
    trials = Trials()
    targets = [e for e in probes.ENDPOINTS if e.method == "POST" and e.body is not None and e.code != "S1"]

    @given(data=st.data())
    def hostile_body_is_handled(data):
        endpoint = data.draw(st.sampled_from(targets), label="endpoint")
        ids = probes.ids_of(customer)
        body = data.draw(hostile_bodies(endpoint.body(bank, customer, ids)), label="body")
        exchange = probes.send(bank, endpoint, customer, probes.caller_for(bank, customer, endpoint.role), ids,
                               body=body)
        trials.append((endpoint.code, "", exchange.status))

    with bank.client.broken_target_prevails():
        hostile_body_is_handled()
    return trials
