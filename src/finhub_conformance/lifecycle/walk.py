"""Guidance: the legal path to a milestone, so random runs reach the late phases in one step.

:meth:`WalkRules.advance_to` (and the initial ``a_customer_at``) calls the other rules in the seed's
order, each judged as if drawn on its own, which keeps a minimal sequence to one or two lines.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st
from hypothesis.stateful import rule

from ..journey import CONSENT_ORDER
from .base import LifecycleBase, customers
from .model import FUNDED_ENOUGH, MILESTONES, Model


class WalkRules(LifecycleBase):
    """Taking a customer along the seed's flow up to a milestone."""

    @rule(model=customers, milestone=st.sampled_from(MILESTONES[1:]), last_consent=st.sampled_from(CONSENT_ORDER))
    def advance_to(self, model: Model, milestone: str, last_consent: str):
        """The legal path up to ``milestone``; see :meth:`_walk`."""
        self._walk(model, milestone, last_consent)

    def _walk(self, model: Model, milestone: str, last_consent: str) -> None:
        """The seed's flow up to ``milestone``, each call judged as if drawn on its own, so that random runs
        reach the late phases and a minimal sequence names where it starts. ``last_consent`` is accepted
        last, after an activation one consent short (ACT-2 to ACT-4)."""
        for _ in range(3 * len(MILESTONES)):
            if model.reached(milestone) or (milestone == "rejected" and model.reached("verified")):
                return
            before = model.progress()
            self._next_step_to(model, milestone, last_consent)
            self._observe_verification(model)
            self._observe_money(model)
            if model.progress() == before:
                return  # no legal way on: re-initiation refused (§8 #28), or no funding method (FUND-2)

    def _next_step_to(self, model: Model, milestone: str, last_consent: str) -> None:
        if model.active:
            self._next_money_step(model, milestone)
        elif milestone == "consented":
            self._next_consent(model, last_consent)
        elif model.verification in ("none", "REJECTED"):
            self.initiate(model)
        elif model.verification == "open":
            self.submit(model)
        elif model.verification == "submitted":
            self.decide(model, approve=milestone != "rejected")
        elif len(model.consents) < len(CONSENT_ORDER):
            self._next_consent(model, last_consent)
        else:
            self.activate(model)

    def _next_consent(self, model: Model, last_consent: str) -> None:
        """The next consent, ``last_consent`` last and after an activation one consent short (ACT-1 to ACT-4)."""
        missing = [s for s in CONSENT_ORDER if s != last_consent and s not in model.consents]
        if missing:
            self._accept_in_order(model, missing[0])
        else:
            self.activate(model)
            self._accept_in_order(model, last_consent)

    def _next_money_step(self, model: Model, milestone: str) -> None:
        if model.funded < FUNDED_ENOUGH and self.bank.settings.funding == "topup":
            self.top_up(model)
        elif not model.has_beneficiary:
            self.add_beneficiary(model)
        elif not model.has_consent:
            self.create_payment_consent(model)
        elif milestone == "expired":
            self._let_an_order_expire(model)
        else:
            self.transfer(model, Decimal("10.00"), True)

    def _accept_in_order(self, model: Model, segment: str) -> None:
        """Accept ``segment``; where a deployment enforces the profile's order (CON-6) and refuses it, the
        first consent still missing in that order instead."""
        self.accept_consent(model, segment)
        if segment not in model.consents:
            self.accept_consent(model, next(s for s in CONSENT_ORDER if s not in model.consents))
