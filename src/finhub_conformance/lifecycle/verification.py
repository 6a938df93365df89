"""Rules of phase 3, the identity verification, and the invariant that reads it back (VER, SM-2, SM-4).

Initiate, submit and decide are tried in any state. E7 is read only after a verification step (by
the invariant, or by a walk after each of its steps); where the profile leaves a step's outcome open
(§9, deciding before any document) the model learns from that read what happened.
"""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from ..checks import B, F, V
from ..errors import NonConformance
from ..exchange import Exchange
from ..journey import status_of
from .base import LifecycleBase, customers, expect
from .ladders import FINAL_VERIFICATION, LADDERS
from .model import Model


class VerificationRules(LifecycleBase):
    """Initiating, submitting and deciding a verification, and E7 agreeing with the model."""

    @rule(model=customers)
    def initiate(self, model: Model):
        exchange = self.bank.initiate(model.customer)
        self._verification_step(model, exchange, "E5")
        state = model.state
        if model.active or model.verification == "APPROVED":
            self.coverage.record(state, "initiate", False)
            expect(exchange, False, B, "VER-8", "initiating after approval or activation")
        elif model.verification in ("open", "submitted"):
            self.coverage.record(state, "initiate", False)
            if exchange.ok:  # VER-8 MAY: success with the same verification id
                if exchange.get("verificationId", "id") != model.customer.verification_id:
                    raise NonConformance("VER-8", "initiating while a verification is open opened another",
                                         received=exchange.describe(), expected="B, or the same verificationId")
            else:
                expect(exchange, False, B, "VER-8", "initiating while a verification is open")
        elif model.verification == "REJECTED":
            self.coverage.record(state, "initiate", True)
            if exchange.ok:  # §8 #28 MAY: re-initiation after a rejection
                model.verification = "open"
            else:
                expect(exchange, False, B, "VER-8", "re-initiating after a rejection")
        else:
            self.coverage.record(state, "initiate", True)
            expect(exchange, True, B, "VER-1", "initiating a first verification")
            model.verification = "open"

    @rule(model=customers)
    def submit(self, model: Model):
        exchange = self.bank.submit(model.customer)
        self._verification_step(model, exchange, "E6")
        state = model.state
        if model.verification == "open":
            self.coverage.record(state, "submit", True)
            expect(exchange, True, V, "VER-3", "submitting a passport for the open verification")
            self._submitted(model, exchange)
        elif model.verification == "none" and not model.active:
            self.coverage.record(state, "submit", False)
            if exchange.ok:  # VER-10 MAY: implicit initiation
                self._submitted(model, exchange)
            else:
                expect(exchange, False, {404, 409, 422}, "VER-10", "submitting without initiating")
        elif model.verification in ("APPROVED", "REJECTED"):
            self.coverage.record(state, "submit", False)
            expect(exchange, False, B, "VER-6", "submitting to a decided verification")

    @staticmethod
    def _submitted(model: Model, exchange: Exchange) -> None:
        """After an accepted submit: pending review, or already APPROVED (VER-9, read back from E7)."""
        model.verification = "APPROVED" if status_of(exchange) == "APPROVED" else "submitted"
        model.auto_approval_possible = model.verification == "submitted"

    @precondition(lambda self: any(m.verification != "none" for m in self.models))
    @rule(model=customers, approve=st.booleans())
    def decide(self, model: Model, approve: bool):
        if model.verification == "none":
            return
        status = "APPROVED" if approve else "REJECTED"
        customer = model.customer
        # Approval by the tenant admin; rejection in the configured style (VER-11: S2 with REJECTED, else S3).
        exchange = (self.bank.decide(customer, self.bank.admin(customer.tenant)) if approve
                    else self.bank.reject(customer))
        self._verification_step(model, exchange, "S2")
        state, operation = model.state, "approve" if approve else "reject"
        if model.verification in ("APPROVED", "REJECTED"):
            self.coverage.record(state, operation, False)
            expect(exchange, False, B, "VER-6", f"deciding ({status}) an already decided verification")
        elif model.verification == "submitted":
            self.coverage.record(state, operation, True)
            if not approve and not exchange.ok:
                return  # rejection is a SHOULD (VER-11): neither style may be supported
            expect(exchange, True, B, "VER-5" if approve else "VER-11", f"{operation} a submitted verification")
            model.verification = status
        else:  # open without documents: deliberately open (§9), E7 tells what happened
            self.coverage.record(state, operation, True)
            model.learning = True

    def _verification_step(self, model: Model, exchange: Exchange, where: str) -> None:
        """Judge the status a verification answer shows; make an E7 read due unless E5 accepted, whose
        answer MUST carry the status (VER-2). S2's status is only SHOULD, E6's may turn APPROVED later (VER-9),
        and a refusal must have left the verification as it was (GEN-8)."""
        verification_id = exchange.get("verificationId", "id") if exchange.ok else None
        self.ladders.observe("verification", verification_id or model.customer.verification_id,
                             status_of(exchange) if exchange.ok else None, where)
        model.verification_due = not (exchange.ok and where == "E5")

    @precondition(lambda self: any(m.verification_due for m in self.models))
    @invariant()
    def verification_never_moves_backwards(self):
        """SM-2, SM-4: after a verification step, E7 shows the status the model predicts, never an earlier one."""
        for model in self.models:
            self._observe_verification(model)

    def _observe_verification(self, model: Model) -> None:
        due, model.verification_due = model.verification_due, False
        if not due or not model.customer.verification_id:
            return
        exchange = self.bank.verification_status(model.customer)
        expect(exchange, True, F, "VER-4", "reading one's own verification")
        status = status_of(exchange)
        self.ladders.observe("verification", model.customer.verification_id, status, "E7")
        rank = LADDERS["verification"].get(status or "")
        if model.learning:
            model.learning = False
            model.verification = status if rank == FINAL_VERIFICATION else "submitted" if rank == 1 else "open"
        elif model.verification in ("open", "submitted") and rank == FINAL_VERIFICATION:
            if not (status == "APPROVED" and model.auto_approval_possible):
                raise NonConformance("SM-4", "the verification was decided without a decision",
                                     received=f"status {status}", expected="a non-terminal status")
            model.verification = "APPROVED"  # VER-9: auto-approval at submit
        elif model.verification in ("APPROVED", "REJECTED") and status != model.verification:
            raise NonConformance("SM-4", "the verification does not show its decision", received=f"status {status}",
                                 expected=model.verification)
        model.auto_approval_possible = False
