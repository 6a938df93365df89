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
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal

from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis.control import current_build_context, currently_in_test_context
from hypothesis.stateful import (Bundle, RuleBasedStateMachine, initialize, invariant, precondition, rule,
                                 run_state_machine_as_test)

from . import bodies, waiting
from .checks import B, F, N, V, Balances, balances_of, same_execution
from .errors import NonConformance
from .exchange import Exchange
from .iban import german_iban
from .journey import CONSENT_ORDER, PENDING, Bank, Customer, Order, fee_of, status_of

__all__ = ["LifecycleMachine", "Coverage", "Ladders", "MILESTONES", "machine_for", "play"]

_ACT_RULE = {"terms": "ACT-2", "privacy": "ACT-3", "data-processing": "ACT-4"}
_CONSENT_TYPE = {"terms": "TERMS_AND_CONDITIONS", "privacy": "PRIVACY_POLICY", "data-processing": "DATA_PROCESSING"}
#: E16 refusals of an order that has expired or was executed (PAY-4, PAY-7).
_EXECUTE_REFUSED = frozenset({400, 404, 409, 410, 422})
#: E16 refusals of a transfer without a payment consent (PAY-2), or without funds under R2 (PAY-8).
_UNCONSENTED_REFUSED = frozenset({400, 401, 403, 409, 422})
#: Timestamps may be whole seconds (GEN-9), so an order's lifetime is known to ±1 s.
_ROUNDING_S = 1.0
#: GEN-9 clock skew between the deployment and the suite, when an order states no ``createdAt``.
_SKEW_S = 60.0
_TOP_UP = Decimal("500.00")
_FUNDED_ENOUGH = Decimal("300.00")

#: Status ladders (SM-2): an object's status only climbs; the verification's last rung is final (SM-4).
_LADDERS: dict[str, dict[str, int]] = {
    "verification": {**dict.fromkeys(("INITIATED", "IN_PROGRESS", "PENDING_DOCUMENTS"), 0),
                     **dict.fromkeys(("PENDING", "SUBMITTED", "UNDER_REVIEW", "PENDING_APPROVAL",
                                      "PENDING_POWER_TENANT_APPROVAL"), 1),
                     "APPROVED": 2, "REJECTED": 2},
    "consent": {"PENDING": 0, "ACCEPTED": 1},
    "wallet": {"INACTIVE": 0, "ACTIVE": 1},
    "customer": {"CS_REGISTRATION_COMPLETED": 0, "PENDING_VERIFICATION": 0,
                 "CS_ACTIVE": 1, "ACTIVE": 1, "ACTIVATED": 1},
    "order": {"READY": 0, "PREPARED": 0, "PENDING": 1, "PROCESSING": 1, "EXECUTING": 1,
              "COMPLETED": 2, "EXECUTED": 2},
}
_FINAL_VERIFICATION = 2

#: Where :meth:`LifecycleMachine.advance_to` takes a customer, mostly in the order of the seed's phases:
#: "rejected" is the verification's other end, "consented" gives the consents before any verification
#: step (they may come at any time before activation), "paid" is one transfer done and "expired" one
#: order left to expire (executed after expiry when the wait is allowed, PAY-7).
MILESTONES = ("registered", "initiated", "submitted", "rejected", "verified", "consented", "active", "funded",
              "ready to pay", "paid", "expired")


class Coverage:
    """Which (state, operation, legal/illegal) transitions a run exercised, in how many examples."""

    def __init__(self) -> None:
        self.pairs: Counter = Counter()
        self.examples = 0

    def record(self, state: str, operation: str, legal: bool) -> None:
        self.pairs[(state, operation, "legal" if legal else "illegal")] += 1

    def lines(self) -> list[str]:
        return [f"{state:<22} {operation:<22} {kind:<8} {count}"
                for (state, operation, kind), count in sorted(self.pairs.items())]


class Ladders:
    """The highest status each object has shown; showing a lower one is a backward movement (SM-2).

    Fed with every status the deployment reveals — in answers the machine gets anyway — so that
    "no backward movement" of consents, wallets, customers and orders costs no extra call.
    """

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], str] = {}

    def observe(self, kind: str, key: str | None, status: str | None, where: str) -> None:
        """Record ``status`` of the ``kind`` object ``key``; names outside the ladder are left to the schemas."""
        ladder = _LADDERS[kind]
        status = status.upper() if isinstance(status, str) else None
        if key is None or status not in ladder:
            return
        before = self.seen.get((kind, key))
        if before is not None and ladder[status] < ladder[before]:
            raise NonConformance("SM-2", f"a {kind} moved backwards", received=f"{status} ({where})",
                                 expected=f"{before} or a later status")
        if kind == "verification" and before is not None and ladder[before] == _FINAL_VERIFICATION \
                and status != before:
            raise NonConformance("SM-4", "a decided verification changed", received=f"{status} ({where})",
                                 expected=before)
        if before is None or ladder[status] > ladder[before]:
            self.seen[(kind, key)] = status


@dataclass(frozen=True)
class Validity:
    """When a prepared order expires, on the suite's monotonic clock (PAY-7)."""

    valid_before: float  # until then it has certainly not expired
    expired_after: float  # from then on it certainly has

    def may_have_expired(self) -> bool:
        return time.monotonic() >= self.valid_before


def validity_of(prepared: Exchange, sent: float, received: float) -> Validity | None:
    """The order's expiry window from its lifetime on the deployment's own clock (``validUntil − createdAt``),
    placed between when the prepare was sent and answered; without ``createdAt``, from ``validUntil`` ± skew."""
    until, created = _timestamp(prepared.get("validUntil")), _timestamp(prepared.get("createdAt"))
    if until is None:
        return None
    if created is not None and created <= until:
        lifetime = (until - created).total_seconds()
        return Validity(sent + lifetime - _ROUNDING_S, received + lifetime + _ROUNDING_S)
    remaining = (until - datetime.now(timezone.utc)).total_seconds()
    return Validity(received + remaining - _SKEW_S, received + remaining + _SKEW_S)


def _timestamp(text) -> datetime | None:
    """GEN-9: an ISO-8601 timestamp, zone-less read as UTC; None when unreadable."""
    if not isinstance(text, str):
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


@dataclass
class Model:
    """What the profile says one customer's state is, and which reads the last step made due."""

    customer: Customer
    verification: str = "none"  # none, open, submitted, APPROVED, REJECTED
    consents: set[str] = field(default_factory=set)
    active: bool = False
    funded: Decimal = Decimal(0)
    spent: Decimal = Decimal(0)
    has_beneficiary: bool = False
    has_consent: bool = False
    pending: bool = False  # the deployment said a settlement is pending (SM-6)
    verification_due: bool = False  # a verification step ran: read E7
    money_due: bool = False  # a money step ran: read E12
    auto_approval_possible: bool = False  # a submit was accepted: E7 may say APPROVED (VER-9)
    learning: bool = False  # a step whose outcome the profile leaves open (§9): E7 says what happened
    expired: bool = False  # an order was left to expire

    @property
    def state(self) -> str:
        if self.active:
            return "active"
        return f"kyc:{self.verification}/consents:{len(self.consents)}"

    def reached(self, milestone: str) -> bool:
        """Whether the customer is at ``milestone`` (one of :data:`MILESTONES`) or beyond."""
        verified = self.active or self.verification == "APPROVED"
        submitted = verified or self.verification in ("submitted", "REJECTED")
        funded = self.active and self.funded >= _FUNDED_ENOUGH
        ready = funded and self.has_beneficiary and self.has_consent
        return {"registered": True, "initiated": submitted or self.verification == "open", "submitted": submitted,
                "rejected": self.verification == "REJECTED", "verified": verified,
                "consented": self.active or len(self.consents) == len(CONSENT_ORDER), "active": self.active,
                "funded": funded, "ready to pay": ready, "paid": ready and self.spent > 0,
                "expired": self.expired}[milestone]

    def progress(self) -> tuple:
        """Everything a legal step can change: equal before and after means the step made no progress."""
        return (self.verification, len(self.consents), self.active, self.funded, self.spent,
                self.has_beneficiary, self.has_consent, self.expired)


def _expect(exchange: Exchange, legal: bool, refusal: frozenset[int] | set[int], rule: str, what: str) -> None:
    """The deployment agrees with the model: success when legal, a status of ``refusal`` otherwise."""
    if legal and not exchange.ok:
        raise NonConformance(rule, f"the deployment refused a legal step: {what}", received=exchange.describe(),
                             expected="a 2xx answer")
    if not legal and exchange.status not in refusal:
        verdict = "accepted an illegal step" if exchange.ok else "refused an illegal step with the wrong status"
        raise NonConformance(rule, f"the deployment {verdict}: {what}", received=exchange.describe(),
                             expected="one of " + ", ".join(map(str, sorted(refusal))))


class LifecycleMachine(RuleBasedStateMachine):
    """Random journeys of up to two customers of one tenant through the seven phases."""

    bank: Bank
    coverage: Coverage
    #: The longest wait for an order to expire (PAY-7); 0 leaves expiry to the PAY-7 scenario.
    expiry_wait_s: float = 0.0
    customers = Bundle("customers")

    def __init__(self) -> None:
        super().__init__()
        self.coverage.examples += 1
        self.models: list[Model] = []
        self.mallory: Customer | None = None
        self.ladders = Ladders()

    # ------------------------------------------------------------------ phases 1-2

    @initialize(target=customers, milestone=st.sampled_from(MILESTONES), last_consent=st.sampled_from(CONSENT_ORDER))
    def a_customer_at(self, milestone: str, last_consent: str):
        """Alice, taken along the legal path to ``milestone``: every example starts somewhere in the lifecycle."""
        model = self.register_and_log_in()
        self._walk(model, milestone, last_consent)
        return model

    @precondition(lambda self: len(self.models) < 2)
    @rule(target=customers)
    def register_and_log_in(self):
        customer = self.bank.new_customer("Alice" if not self.models else "Bob")
        registration = self.bank.register_ok(customer).registration
        self.bank.log_in_ok(customer)
        self.ladders.observe("customer", customer.customer_id, status_of(registration, "customerStatus"), "E2")
        self.ladders.observe("wallet", customer.account_id, status_of(registration, "wallet.status"), "E2")
        model = Model(customer)
        self.models.append(model)
        self.coverage.record("new", "register+log in", True)
        return model

    # ------------------------------------------------------------------ phase 3

    @rule(model=customers)
    def initiate(self, model: Model):
        exchange = self.bank.initiate(model.customer)
        self._verification_step(model, exchange, "E5")
        state = model.state
        if model.active or model.verification == "APPROVED":
            self.coverage.record(state, "initiate", False)
            _expect(exchange, False, B, "VER-8", "initiating after approval or activation")
        elif model.verification in ("open", "submitted"):
            self.coverage.record(state, "initiate", False)
            if exchange.ok:  # VER-8 MAY: success with the same verification id
                if exchange.get("verificationId", "id") != model.customer.verification_id:
                    raise NonConformance("VER-8", "initiating while a verification is open opened another",
                                         received=exchange.describe(), expected="B, or the same verificationId")
            else:
                _expect(exchange, False, B, "VER-8", "initiating while a verification is open")
        elif model.verification == "REJECTED":
            self.coverage.record(state, "initiate", True)
            if exchange.ok:  # §8 #28 MAY: re-initiation after a rejection
                model.verification = "open"
            else:
                _expect(exchange, False, B, "VER-8", "re-initiating after a rejection")
        else:
            self.coverage.record(state, "initiate", True)
            _expect(exchange, True, B, "VER-1", "initiating a first verification")
            model.verification = "open"

    @rule(model=customers)
    def submit(self, model: Model):
        exchange = self.bank.submit(model.customer)
        self._verification_step(model, exchange, "E6")
        state = model.state
        if model.verification == "open":
            self.coverage.record(state, "submit", True)
            _expect(exchange, True, V, "VER-3", "submitting a passport for the open verification")
            self._submitted(model, exchange)
        elif model.verification == "none" and not model.active:
            self.coverage.record(state, "submit", False)
            if exchange.ok:  # VER-10 MAY: implicit initiation
                self._submitted(model, exchange)
            else:
                _expect(exchange, False, {404, 409, 422}, "VER-10", "submitting without initiating")
        elif model.verification in ("APPROVED", "REJECTED"):
            self.coverage.record(state, "submit", False)
            _expect(exchange, False, B, "VER-6", "submitting to a decided verification")

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
            _expect(exchange, False, B, "VER-6", f"deciding ({status}) an already decided verification")
        elif model.verification == "submitted":
            self.coverage.record(state, operation, True)
            if not approve and not exchange.ok:
                return  # rejection is a SHOULD (VER-11): neither style may be supported
            _expect(exchange, True, B, "VER-5" if approve else "VER-11", f"{operation} a submitted verification")
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

    # ------------------------------------------------------------------ phases 4-5

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
            _expect(exchange, False, B, "CON-6", f"accepting the {segment} consent out of order")
        elif again:  # CON-5 MAY: re-accepting may get 409
            _expect(exchange, False, {409}, "CON-5", f"accepting the {segment} consent again")
        else:
            _expect(exchange, True, V, "CON-1", f"accepting the {segment} consent")

    @rule(model=customers)
    def activate(self, model: Model):
        exchange = self.bank.activate(model.customer)
        state = model.state
        missing = [s for s in CONSENT_ORDER if s not in model.consents]
        if model.active:
            self.coverage.record(state, "activate", False)
            _expect(exchange, False, {409, 422}, "ACT-5", "activating an active customer")
        elif model.verification != "APPROVED":
            self.coverage.record(state, "activate", False)
            _expect(exchange, False, B, "ACT-1", "activating without an approved verification")
        elif missing:
            self.coverage.record(state, "activate", False)
            _expect(exchange, False, B, _ACT_RULE[missing[0]], "activating without every consent")
        else:
            self.coverage.record(state, "activate", True)
            _expect(exchange, True, B, "ACT-1", "activating a customer who meets every prerequisite")
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

    # ------------------------------------------------------------------ phases 6-7

    @precondition(lambda self: any(m.customer.account_id for m in self.models))
    @rule(model=customers)
    def top_up(self, model: Model):
        customer = model.customer
        if not customer.account_id or self.bank.settings.funding != "topup":
            return
        prepared = self.bank.client.prepare_topup(customer.caller, customer.account_id,
                                                  bodies.topup_body(customer.account_id, _TOP_UP, german_iban()))
        self.coverage.record(model.state, "top up", model.active)
        if not model.active:
            _expect(prepared, False, N, "WAL-3", "topping up a wallet that is not active")
            return
        _expect(prepared, True, B, "FUND-1", "preparing a top-up")
        executed = self.bank.client.execute_topup(customer.caller, customer.account_id,
                                                  bodies.execute_body(prepared.get("preparedOrderId")))
        _expect(executed, True, B, "FUND-1", "executing a top-up")
        model.funded += _TOP_UP - fee_of(prepared)
        model.pending |= status_of(executed) in PENDING  # SM-6: the money invariant awaits settlement
        model.money_due = True

    @precondition(lambda self: any(m.customer.account_id for m in self.models))
    @rule(model=customers)
    def add_beneficiary(self, model: Model):
        if not model.customer.account_id:
            return
        exchange = self.bank.add_beneficiary(model.customer)
        self.coverage.record(model.state, "add beneficiary", model.active)
        _expect(exchange, model.active, N, "WAL-3" if not model.active else "BEN-1", "adding a beneficiary")
        model.has_beneficiary |= exchange.ok

    @precondition(lambda self: any(m.has_beneficiary for m in self.models))
    @rule(model=customers)
    def create_payment_consent(self, model: Model):
        if not model.has_beneficiary:
            return
        exchange = self.bank.create_payment_consent(model.customer, model.customer.beneficiaries[-1])
        self.coverage.record(model.state, "payment consent", True)
        _expect(exchange, True, B, "PAY-2", "creating a payment consent")
        model.has_consent = True

    @precondition(lambda self: any(m.has_beneficiary for m in self.models))
    @rule(model=customers, amount=st.sampled_from([Decimal("10.00"), Decimal("120.00"), Decimal("900.00")]),
          with_consent=st.booleans())
    def transfer(self, model: Model, amount: Decimal, with_consent: bool):
        """Prepare and execute, then execute again; refusals leave the money where it was."""
        if not model.has_beneficiary:
            return
        consented = with_consent and model.has_consent
        self.coverage.record(model.state, "transfer" + ("" if consented else " w/o consent"), consented)
        prepared = self._prepare(model, amount, consented)
        if prepared is None:
            return
        order, validity, before = prepared
        executed = self.bank.execute(model.customer, order, code=None if consented else "")
        if not executed.ok:
            self._judge_refused_execute(executed, order, consented, validity, before)
            return
        if order.total > before.available:
            raise NonConformance("PAY-8", "an order above the available balance was executed",
                                 received=f"total {order.total}, available {before.available}")
        if not consented:
            raise NonConformance("PAY-2", "a transfer without a payment consent completed",
                                 received=executed.describe())
        self.ladders.observe("order", order.prepared_order_id, status_of(executed), "E16")
        model.spent += order.total
        model.pending |= status_of(executed) in PENDING
        self._execute_again(model, order, executed, before)

    def _prepare(self, model: Model, amount: Decimal, consented: bool):
        """E15 after a read of the balance: the order, its validity and that balance, or None when the
        deployment refused it as it may (PAY-2 at E15, PAY-8 under R1, PAY-9)."""
        customer = model.customer
        before = self.bank.balances(customer)
        sent = time.monotonic()
        prepared = self.bank.prepare_transfer(customer, amount, customer.beneficiaries[-1], with_consent=consented)
        received = time.monotonic()
        model.money_due = True
        if not prepared.ok:  # no consent (PAY-2 at E15), beyond the funds (PAY-8, R1) or a limit (PAY-9)
            _expect(prepared, False, B, "PAY-8" if consented else "PAY-2", "a refused transfer prepare")
            return None
        order = self.bank.order_of(prepared, amount, customer.consent_id if consented else None)
        self.ladders.observe("order", order.prepared_order_id, status_of(prepared), "E15")
        if order.total > before.available and self.bank.balances(customer).blocked > before.blocked:
            raise NonConformance("PAY-8", "an order above the available balance was prepared",
                                 received=f"total {order.total}, available {before.available}")
        return order, validity_of(prepared, sent, received), before

    @staticmethod
    def _judge_refused_execute(executed: Exchange, order: Order, consented: bool, validity: Validity | None,
                               before: Balances) -> None:
        """A refused E16: without consent (PAY-2); beyond the funds (PAY-8 under R2) or a limit shown in E13
        (PAY-9), both B; as expired (PAY-7) only once the order may have expired on its own."""
        if not consented:
            _expect(executed, False, _UNCONSENTED_REFUSED, "PAY-2", "executing a transfer without a consent")
        elif validity is None or validity.may_have_expired():
            _expect(executed, False, B | _EXECUTE_REFUSED, "PAY-7", "executing an order that may have expired")
        else:
            _expect(executed, False, B, "PAY-8" if order.total > before.available else "PAY-9",
                    "executing a consented order within its validity")

    def _execute_again(self, model: Model, order: Order, executed: Exchange, before: Balances) -> None:
        """PAY-4: a second E16 is refused or replays the first; money never moves twice."""
        customer = model.customer
        settled = self.bank.wait_for_balance(customer, lambda b: b.current <= before.current - order.total,
                                             None if model.pending else 0)
        again = self.bank.execute(customer, order)
        self.coverage.record(model.state, "execute twice", False)
        if self.bank.balances(customer).current < settled.current:
            raise NonConformance("PAY-4", "executing an order a second time moved money again",
                                 received=again.describe(), expected="current unchanged by the second execute")
        if not again.ok:
            _expect(again, False, _EXECUTE_REFUSED, "PAY-4", "executing an order a second time")
        elif not same_execution(executed, again):
            raise NonConformance("PAY-4", "a second execute succeeded as a new execution", received=again.describe())
        else:
            self.ladders.observe("order", order.prepared_order_id, status_of(again), "E16 replay")

    def _let_an_order_expire(self, model: Model) -> None:
        """PAY-7: wait until a fresh order's validUntil has passed on the deployment's clock, then execute it:
        refused, nothing moves and its hold is released. Waits no longer than ``expiry_wait_s``: a wait lasts
        the order's whole lifetime, so it is the last step of a walk ("expired"), never a rule of its own."""
        model.expired = True
        prepared = self._prepare(model, Decimal("10.00"), True)
        if prepared is None:
            return
        order, validity, before = prepared
        wait = validity.expired_after - time.monotonic() if validity else None
        if wait is None or wait > self.expiry_wait_s:
            self.coverage.record(model.state, "order left to expire", True)
            return  # an open order changes nothing the model predicts: transfers read the balance first
        waiting.wait(wait)
        executed = self.bank.execute(model.customer, order)
        self.coverage.record(model.state, "execute after expiry", False)
        _expect(executed, False, _EXECUTE_REFUSED, "PAY-7", "executing an order after its validUntil")
        released = self.bank.wait_for_balance(model.customer, lambda b: b.available >= before.available)
        if released.available < before.available:
            raise NonConformance("PAY-7", "an expired order kept its hold",
                                 received=f"available {released.available}",
                                 expected=f"at least {before.available} (as before the prepare)")

    # ------------------------------------------------------------------ other customers

    @precondition(lambda self: len(self.models) == 2 and all(m.customer.account_id for m in self.models))
    @rule()
    def read_foreign_wallet(self):
        alice, bob = self.models
        exchange = self.bank.client.get_balance(bob.customer.caller, alice.customer.account_id)
        self.coverage.record("two customers", "foreign balance read", False)
        _expect(exchange, False, F, "SEC-4", "reading another customer's balance")

    @precondition(lambda self: self.bank.settings.tenant_b is not None
                  and any(m.customer.account_id for m in self.models))
    @rule(model=customers)
    def read_across_tenants(self, model: Model):
        """Mallory of tenant B, with B's header, reads the customer's wallet: F (TEN-2)."""
        if not model.customer.account_id:
            return
        if self.mallory is None:
            self.mallory = self.bank.new_customer("Mallory", tenant=self.bank.settings.tenant_b)
            self.bank.register_ok(self.mallory)
            self.bank.log_in_ok(self.mallory)
        exchange = self.bank.client.get_balance(self.mallory.caller, model.customer.account_id)
        self.coverage.record("other tenant", "foreign balance read", False)
        _expect(exchange, False, F, "TEN-2", "tenant B reading a tenant-A wallet")

    # ------------------------------------------------------------------ guidance

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
        if model.funded < _FUNDED_ENOUGH and self.bank.settings.funding == "topup":
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

    # ------------------------------------------------------------------ invariants

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
        _expect(exchange, True, F, "VER-4", "reading one's own verification")
        status = status_of(exchange)
        self.ladders.observe("verification", model.customer.verification_id, status, "E7")
        rank = _LADDERS["verification"].get(status or "")
        if model.learning:
            model.learning = False
            model.verification = status if rank == _FINAL_VERIFICATION else "submitted" if rank == 1 else "open"
        elif model.verification in ("open", "submitted") and rank == _FINAL_VERIFICATION:
            if not (status == "APPROVED" and model.auto_approval_possible):
                raise NonConformance("SM-4", "the verification was decided without a decision",
                                     received=f"status {status}", expected="a non-terminal status")
            model.verification = "APPROVED"  # VER-9: auto-approval at submit
        elif model.verification in ("APPROVED", "REJECTED") and status != model.verification:
            raise NonConformance("SM-4", "the verification does not show its decision", received=f"status {status}",
                                 expected=model.verification)
        model.auto_approval_possible = False

    @precondition(lambda self: any(m.money_due for m in self.models))
    @invariant()
    def money_is_conserved(self):
        """PAY-10, FUND-1, SM-5: after a money step, current = top-ups − executed totals, and an active
        wallet stays ACTIVE."""
        for model in self.models:
            self._observe_money(model)

    def _observe_money(self, model: Model) -> None:
        if not model.money_due or not model.active:
            return
        model.money_due = False
        customer = model.customer
        expected = model.funded - model.spent
        exchange = self.bank.client.get_balance(customer.caller, customer.account_id)
        _expect(exchange, True, F, "WAL-1", "reading one's own balance")
        self.ladders.observe("wallet", customer.account_id, status_of(exchange), "E12")
        observed = balances_of(exchange)
        if observed.current != expected and model.pending:  # SM-6: wait only for a settlement said pending
            observed = self.bank.wait_for_balance(customer, lambda b: b.current == expected)
        model.pending = False
        if observed.current != expected:
            raise NonConformance("PAY-10", "money is not conserved", received=f"current {observed.current}",
                                 expected=f"top-ups {model.funded} − executed totals {model.spent} = {expected}")


def machine_for(bank: Bank, coverage: Coverage, expiry_wait_s: float = 0.0) -> type[LifecycleMachine]:
    """A machine class bound to ``bank`` (Hypothesis instantiates machines without arguments)."""
    return type("LifecycleMachine", (LifecycleMachine,),
                {"bank": bank, "coverage": coverage, "expiry_wait_s": expiry_wait_s})


def play(bank: Bank, coverage: Coverage, settings: Settings, expiry_wait_s: float = 0.0) -> None:
    """Run the machine under ``settings``. A failure carries Hypothesis's minimal sequence of steps and,
    below it, the HTTP calls that sequence made when Hypothesis replayed it for the report."""
    calls: list[str] = []

    def record(exchange: Exchange) -> None:
        if currently_in_test_context() and current_build_context().is_final:
            calls.append(exchange.describe())

    bank.client.observers.append(record)
    try:
        run_state_machine_as_test(machine_for(bank, coverage, expiry_wait_s), settings=settings)
    except Exception as failure:
        if calls:
            failure.add_note("The HTTP calls of that sequence:\n" + "\n".join(f"  {call}" for call in calls))
        raise
    finally:
        bank.client.observers.remove(record)
