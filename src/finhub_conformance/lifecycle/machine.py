"""The lifecycle machine assembled from its rule groups, and how a run of it is played and reported.

:class:`LifecycleMachine` is the one class Hypothesis runs: the rule groups it inherits are split by
phase only to keep each readable, and Hypothesis collects rules by name, so the split changes neither
the rules drawn nor the minimal sequences printed.
"""

from __future__ import annotations

from hypothesis import settings as Settings
from hypothesis.stateful import run_state_machine_as_test

from ..exchange import Exchange
from ..journey import Bank
from ..strategies import in_discarded_example
from .activation import ActivationRules
from .coverage import Coverage
from .customers import CustomerRules
from .payments import PaymentRules
from .verification import VerificationRules
from .walk import WalkRules
from .wallet import WalletRules


class LifecycleMachine(CustomerRules, VerificationRules, ActivationRules, WalletRules, PaymentRules, WalkRules):
    """Random journeys of up to two customers of one tenant through the seven phases."""


def machine_for(bank: Bank, coverage: Coverage, expiry_wait_s: float = 0.0) -> type[LifecycleMachine]:
    """A machine class bound to ``bank`` (Hypothesis instantiates machines without arguments)."""
    return type("LifecycleMachine", (LifecycleMachine,),
                {"bank": bank, "coverage": coverage, "expiry_wait_s": expiry_wait_s})


def play(bank: Bank, coverage: Coverage, settings: Settings, expiry_wait_s: float = 0.0) -> None:
    """Run the machine under ``settings``. A failure carries Hypothesis's minimal sequence of steps and,
    below it, the HTTP calls that sequence made when Hypothesis replayed it for the report."""
    calls: list[str] = []

    def record(exchange: Exchange) -> None:
        if not in_discarded_example():  # every call of play is inside an example: this is the final one
            calls.append(exchange.describe())

    bank.client.observers.append(record)
    try:
        with bank.client.broken_target_prevails():
            run_state_machine_as_test(machine_for(bank, coverage, expiry_wait_s), settings=settings)
    except Exception as failure:
        if calls:
            failure.add_note("The HTTP calls of that sequence:\n" + "\n".join(f"  {call}" for call in calls))
        raise
    finally:
        bank.client.observers.remove(record)
