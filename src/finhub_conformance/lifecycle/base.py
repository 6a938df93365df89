"""What every rule group of the lifecycle machine shares: its state, the customers bundle, the verdict.

The machine's rules are split by phase into mixins (:mod:`.customers`, :mod:`.verification`,
:mod:`.activation`, :mod:`.wallet`, :mod:`.payments`, :mod:`.walk`); each subclasses
:class:`LifecycleBase`, so it sees the same bank, models and ladders, and :func:`expect` is the one
way a rule compares the deployment's answer with the model's prediction.
"""

from __future__ import annotations

from hypothesis.stateful import Bundle, RuleBasedStateMachine

from ..errors import NonConformance
from ..exchange import Exchange
from ..journey import Bank, Customer
from .coverage import Coverage
from .ladders import Ladders
from .model import Model

#: The customers of one example, each with its :class:`Model`; rules draw from it by name.
customers = Bundle("customers")


def expect(exchange: Exchange, legal: bool, refusal: frozenset[int] | set[int], rule: str, what: str) -> None:
    """The deployment agrees with the model: success when legal, a status of ``refusal`` otherwise."""
    if legal and not exchange.ok:
        raise NonConformance(rule, f"the deployment refused a legal step: {what}", received=exchange.describe(),
                             expected="a 2xx answer")
    if not legal and exchange.status not in refusal:
        verdict = "accepted an illegal step" if exchange.ok else "refused an illegal step with the wrong status"
        raise NonConformance(rule, f"the deployment {verdict}: {what}", received=exchange.describe(),
                             expected="one of " + ", ".join(map(str, sorted(refusal))))


class LifecycleBase(RuleBasedStateMachine):
    """The state of one example: up to two customers' models, Mallory of tenant B, the status ladders."""

    bank: Bank
    coverage: Coverage
    #: The longest wait for an order to expire (PAY-7); 0 leaves expiry to the PAY-7 scenario.
    expiry_wait_s: float = 0.0

    def __init__(self) -> None:
        super().__init__()
        self.coverage.examples += 1
        self.models: list[Model] = []
        self.mallory: Customer | None = None
        self.ladders = Ladders()
