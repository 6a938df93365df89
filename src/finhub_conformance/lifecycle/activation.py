"""Rules of phases 4-5: accepting the consents and activating the customer (CON, ACT, SM-2).

Consents may come in any order and before any verification step; activation must be refused until
the verification is approved and every consent accepted (ACT-1 to ACT-4), and a refusal never lists
an accepted consent as missing (SM-2).
"""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import rule

from ..checks import B, V
from ..errors import NonConformance
from ..exchange import Exchange
from ..journey import CONSENT_ORDER, status_of
from .base import LifecycleBase, customers, expect
from .model import Model

_ACT_RULE = {"terms": "ACT-2", "privacy": "ACT-3", "data-processing": "ACT-4"}
_CONSENT_TYPE = {"terms": "TERMS_AND_CONDITIONS", "privacy": "PRIVACY_POLICY", "data-processing": "DATA_PROCESSING"}


class ActivationRules(LifecycleBase):
    """Accepting consents and activating, legal or not, and accepted consents staying accepted."""

    @rule(model=customers, segment=st.sampled_from(CONSENT_ORDER))
    def accept_consent(self, model: Model, segment: str):
        if model.active:
            return  # after activation consent handling is not specified by the profile (§9)
        exchange = self.bank.accept_consent(model.customer, segment)
        out_of_order = any(s not in model.consents for s in CONSENT_ORDER[:CONSENT_ORDER.index(segment)])
        again = segment in model.consents
        self.coverage.record(model.state, f"consent {segment}" + (" out of order" if out_of_order else ""), True)
        if exchange.ok:
            self.ladders.observe("consent", f"{model.customer.customer_id}/{segment}", status_of(exchange),
                                 f"E8-E10 {segment}")
            model.consents.add(segment)
        elif out_of_order:  # CON-6 MAY: the order may be enforced
            expect(exchange, False, B, "CON-6", f"accepting the {segment} consent out of order")
        elif again:  # CON-5 MAY: re-accepting may get 409
            expect(exchange, False, {409}, "CON-5", f"accepting the {segment} consent again")
        else:
            expect(exchange, True, V, "CON-1", f"accepting the {segment} consent")

    @rule(model=customers)
    def activate(self, model: Model):
        exchange = self.bank.activate(model.customer)
        state = model.state
        missing = [s for s in CONSENT_ORDER if s not in model.consents]
        if model.active:
            self.coverage.record(state, "activate", False)
            expect(exchange, False, {409, 422}, "ACT-5", "activating an active customer")
        elif model.verification != "APPROVED":
            self.coverage.record(state, "activate", False)
            expect(exchange, False, B, "ACT-1", "activating without an approved verification")
        elif missing:
            self.coverage.record(state, "activate", False)
            expect(exchange, False, B, _ACT_RULE[missing[0]], "activating without every consent")
        else:
            self.coverage.record(state, "activate", True)
            expect(exchange, True, B, "ACT-1", "activating a customer who meets every prerequisite")
            self.bank.obtain_wallet(model.customer)
            model.active = model.money_due = True
        if not exchange.ok:
            self._accepted_consents_stay_accepted(model, exchange)
        else:
            self.ladders.observe("customer", model.customer.customer_id, status_of(exchange, "customerStatus"), "E11")
            self.ladders.observe("wallet", model.customer.account_id, status_of(exchange, "wallet.status"), "E11")

    def _accepted_consents_stay_accepted(self, model: Model, refusal: Exchange) -> None:
        """SM-2 for consents, from the refusal itself: ``missingConsents`` (SHOULD) never lists an accepted one."""
        listed = refusal.get("missingConsents")
        named = {str(c).upper() for c in listed} if isinstance(listed, list) else set()
        back = sorted(s for s in model.consents if _CONSENT_TYPE[s] in named)
        if back:
            raise NonConformance("SM-2", "an accepted consent moved backwards: activation says it is missing",
                                 received=f"missingConsents {sorted(named)}",
                                 expected=f"{', '.join(back)} accepted")
