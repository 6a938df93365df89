"""The lifecycle state machine: it finds seeded faults, prints a short replayable sequence, passes a clean target.

The machine runs in-process under the suite's ``ci`` profile (more examples, so that a change to the
machine cannot make a derandomized run miss a fault by luck) against reference deployments started
with ``serve --fault``; the pure parts (status ladders, expiry windows, milestones) are tested on
their own.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator

import httpx
import pytest
from hypothesis import settings

from finhub_conformance.checks import CheckContext, run_checks
from finhub_conformance.client import FinHubClient
from finhub_conformance.errors import NonConformance
from finhub_conformance.exchange import Exchange
from finhub_conformance.journey import Bank, Customer
from finhub_conformance.lifecycle import MILESTONES, Coverage, Ladders, Model, play, validity_of
from finhub_conformance.redaction import Redactor
from finhub_conformance.schemas import load as load_schemas
from finhub_conformance.settings import load_settings
from finhub_conformance.strategies import register_profiles
from tests.support.targets import ROOT, reference

#: Invariant lines Hypothesis prints between steps; not steps of the sequence.
_INVARIANTS = ("state.verification_never_moves_backwards()", "state.money_is_conserved()")


@dataclass
class Played:
    """One run of the machine: what it raised (None when the target agreed) and what it covered."""

    failure: BaseException | None
    coverage: Coverage
    seconds: float

    @property
    def steps(self) -> list[str]:
        """The steps of the printed minimal sequence (without the machine's creation, invariants, teardown)."""
        lines = [line.strip() for note in getattr(self.failure, "__notes__", []) for line in note.splitlines()]
        return [line for line in lines if "state." in line and line not in _INVARIANTS
                and line != "state.teardown()"]

    @property
    def notes(self) -> str:
        return "\n".join(getattr(self.failure, "__notes__", []))


@contextmanager
def _bank(*faults: str) -> Iterator[Bank]:
    """A Bank against a reference started with ``faults``, with the suite's checks on every exchange."""
    with reference(*faults) as env:
        target = load_settings({}, environ=env)
        redactor = Redactor(target.secrets())
        context = CheckContext(schemas=load_schemas(str(ROOT / "schemas")), sensitive=lambda: redactor.finder("sensitive"),
                               advise=lambda advisory: None)
        with httpx.Client(base_url=target.base_url, timeout=30, trust_env=False) as http:
            client = FinHubClient(http, run_id="lc", forwarded_for=target.forwarded_for,
                                  observers=[lambda exchange: run_checks(exchange, context)])
            yield Bank(client, target, redactor, f"lc{int(time.time() * 1000)}")


@pytest.fixture(scope="module")
def ci(tmp_path_factory) -> settings:
    """The suite's ``ci`` profile with 40 examples."""
    register_profiles(tmp_path_factory.mktemp("hypothesis"))
    return settings(settings.get_profile("ci"), max_examples=40)


def _play(ci: settings, *faults: str) -> Played:
    coverage = Coverage()
    started = time.monotonic()
    with _bank(*faults) as bank:
        try:
            play(bank, coverage, ci)
        except Exception as failure:  # the machine's verdict, examined by the tests
            return Played(failure, coverage, time.monotonic() - started)
    return Played(None, coverage, time.monotonic() - started)


def test_a_clean_reference_agrees_with_the_model_on_legal_and_illegal_transitions(ci):
    played = _play(ci)
    assert played.failure is None, played.failure
    kinds = {kind for (_, _, kind) in played.coverage.pairs}
    assert kinds == {"legal", "illegal"}
    assert played.coverage.examples >= ci.max_examples
    operations = {operation for (_, operation, _) in played.coverage.pairs}
    assert {"activate", "transfer", "execute twice", "foreign balance read"} <= operations


@pytest.mark.parametrize(("fault", "rule", "shown"), [
    ("activation_skips_privacy_consent", "ACT-3", "last_consent='privacy'"),
    ("double_execute_moves_money_twice", "PAY-4", "milestone='paid'"),
])
def test_the_machine_finds_a_seeded_fault_and_prints_a_short_sequence(ci, fault, rule, shown):
    played = _play(ci, fault)
    assert isinstance(played.failure, NonConformance), played.failure
    assert played.failure.rule == rule
    assert 1 <= len(played.steps) <= 4, played.notes  # swarm testing can leave a no-op step or two
    assert "a_customer_at(" in played.steps[0]
    assert shown in " ".join(played.steps), played.notes
    assert "The HTTP calls of that sequence:" in played.notes
    assert "E11 activate" in played.notes


def _exchange(status: int, body: dict) -> Exchange:
    return Exchange(operation="E15 prepare transfer", method="POST", path="/x", status=status,
                    request_body=None, body={"data": body}, text="")


def test_ladders_refuse_backward_movement_and_a_changed_decision():
    ladders = Ladders()
    ladders.observe("wallet", "w1", "inactive", "E2")
    ladders.observe("wallet", "w1", "ACTIVE", "E11")
    with pytest.raises(NonConformance) as backwards:
        ladders.observe("wallet", "w1", "INACTIVE", "E12")
    assert backwards.value.rule == "SM-2"
    ladders.observe("verification", "v1", "APPROVED", "S2")
    with pytest.raises(NonConformance) as changed:
        ladders.observe("verification", "v1", "REJECTED", "E7")
    assert changed.value.rule == "SM-4"


def test_ladders_ignore_unknown_names_missing_ids_and_other_objects():
    ladders = Ladders()
    ladders.observe("order", "o1", "COMPLETED", "E16")
    ladders.observe("order", "o2", "READY", "E15")  # another order
    ladders.observe("order", "o1", "SETTLED_SOMEHOW", "E16")  # not on the ladder: left to the schemas
    ladders.observe("order", None, "READY", "E16")
    ladders.observe("order", "o1", "EXECUTED", "E16 replay")  # the same rung
    assert ladders.seen == {("order", "o1"): "COMPLETED", ("order", "o2"): "READY"}


def test_an_orders_expiry_window_comes_from_its_lifetime_on_the_deployments_clock():
    prepared = _exchange(200, {"createdAt": "2030-01-01T10:00:00Z", "validUntil": "2030-01-01T10:00:05Z"})
    validity = validity_of(prepared, sent=100.0, received=100.2)
    assert (validity.valid_before, validity.expired_after) == (104.0, 106.2)  # ±1 s for whole-second stamps


def test_without_created_at_the_expiry_window_allows_the_clock_skew():
    prepared = _exchange(200, {"validUntil": "2000-01-01T00:00:00"})  # zone-less, long past
    validity = validity_of(prepared, sent=0.0, received=time.monotonic())
    assert validity.may_have_expired()
    assert validity.expired_after - validity.valid_before == pytest.approx(120.0)
    assert validity_of(_exchange(200, {}), 0.0, 0.0) is None


def test_milestones_follow_the_seeds_phases():
    model = Model(Customer("Alice", tenant=None, email="a@example.com", password="x", first_name="Alice",
                           last_name="Conformance"))
    assert [m for m in MILESTONES if model.reached(m)] == ["registered"]
    model.verification, model.consents = "APPROVED", {"terms", "privacy", "data-processing"}
    assert model.reached("consented") and not model.reached("active")
    model.active, model.funded, model.has_beneficiary, model.has_consent = True, Decimal("500"), True, True
    assert model.reached("ready to pay") and not model.reached("paid") and not model.reached("rejected")
