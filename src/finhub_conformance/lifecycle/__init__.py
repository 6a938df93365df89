"""A lifecycle model of the profile, played against a deployment by Hypothesis (SM-1, SM-2).

:class:`LifecycleMachine` is a ``RuleBasedStateMachine``: each rule is one operation of the seed's
flow, tried in any order — including out of order (activate one consent short, transfer before
activation, execute twice, execute after expiry where the profile allows the wait, act with another
customer's token). The model predicts whether the deployment must accept or refuse, within every
variant profile §8 accepts, and the rule asserts the deployment agrees. On failure Hypothesis prints
the minimal sequence of steps, and :func:`play` adds the HTTP calls that sequence made.

Shrinking replays whole call sequences over HTTP, so a replay is kept cheap and short. Every example
starts with Alice taken along the legal path to a random milestone (``a_customer_at``), and
``advance_to`` does the same later in one step, so random runs reach the late phases and a minimal
sequence is one or two readable lines. The invariants read only what a step may have changed (E7
after a verification step, E12 after a money step); every other status — consents, wallet, customer,
orders — is judged in the answers the steps get anyway (:class:`Ladders`).

Layout: the pure parts — :mod:`.model` (the customer model, milestones, expiry windows),
:mod:`.ladders` (no backward movement), :mod:`.coverage` — and the machine, :mod:`.machine`, whose
rules live by phase in :mod:`.customers`, :mod:`.verification`, :mod:`.activation`, :mod:`.wallet`,
:mod:`.payments` and :mod:`.walk` over the shared state of :mod:`.base`.
"""

from ..expiry import Validity, validity_of
from .coverage import Coverage
from .ladders import Ladders
from .machine import LifecycleMachine, machine_for, play
from .model import MILESTONES, Model

__all__ = ["LifecycleMachine", "Coverage", "Ladders", "MILESTONES", "Model", "Validity", "machine_for", "play",
           "validity_of"]
