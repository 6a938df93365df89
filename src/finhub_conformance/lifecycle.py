"""A lifecycle model of the profile, played against a deployment by Hypothesis (SM-1, SM-2).

:class:`LifecycleMachine` is a ``RuleBasedStateMachine``: each rule is one operation of the seed's
flow, tried in any order — including out of order (activate before consents, transfer before
activation, execute twice, act with another customer's token). The model predicts whether the
deployment must accept or refuse, within the profile's accepted variants, and the rule asserts the
deployment agrees. Invariants after every step: no backward movement of a verification, and
money conserved (top-ups − executed totals = current balance). Hypothesis prints the minimal
sequence of calls on failure.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, precondition, rule

from . import bodies
from .checks import B, F, N, V, same_execution
from .errors import NonConformance
from .exchange import Exchange
from .iban import german_iban
from .journey import Bank, Customer, fee_of, status_of

__all__ = ["LifecycleMachine", "Coverage", "machine_for"]

_CONSENTS = {"terms": "ACT-2", "privacy": "ACT-3", "data-processing": "ACT-4"}
_RANK = {"IN_PROGRESS": 0, "INITIATED": 0, "PENDING_DOCUMENTS": 0, "PENDING": 1, "SUBMITTED": 1,
         "UNDER_REVIEW": 1, "PENDING_APPROVAL": 1, "APPROVED": 2, "REJECTED": 2}


class Coverage:
    """Which (state, operation, legal/illegal) transitions a run exercised."""

    def __init__(self) -> None:
        self.pairs: Counter = Counter()

    def record(self, state: str, operation: str, legal: bool) -> None:
        self.pairs[(state, operation, "legal" if legal else "illegal")] += 1

    def lines(self) -> list[str]:
        return [f"{state:<22} {operation:<22} {kind:<8} {count}"
                for (state, operation, kind), count in sorted(self.pairs.items())]


@dataclass
class Model:
    """What the profile says the customer's state is."""

    customer: Customer
    verification: str = "none"  # none, open, submitted, APPROVED, REJECTED
    consents: set[str] = field(default_factory=set)
    active: bool = False
    funded: Decimal = Decimal(0)
    spent: Decimal = Decimal(0)
    has_beneficiary: bool = False
    has_consent: bool = False
    highest_rank: int = -1
    pending: bool = False

    @property
    def state(self) -> str:
        if self.active:
            return "active"
        return f"kyc:{self.verification}/consents:{len(self.consents)}"


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
    customers = Bundle("customers")

    def __init__(self) -> None:
        super().__init__()
        self.models: list[Model] = []
        self.mallory: Customer | None = None

    # ------------------------------------------------------------------ phase 1-2

    @precondition(lambda self: len(self.models) < 2)
    @rule(target=customers)
    def register_and_log_in(self):
        customer = self.bank.new_customer("Alice" if not self.models else "Bob")
        self.bank.register_ok(customer)
        self.bank.log_in_ok(customer)
        model = Model(customer)
        self.models.append(model)
        self.coverage.record("new", "register+log in", True)
        return model

    # ------------------------------------------------------------------ phase 3

    @rule(model=customers)
    def initiate(self, model: Model):
        exchange = self.bank.initiate(model.customer)
        state = model.state
        if model.active or model.verification == "APPROVED":
            self.coverage.record(state, "initiate", False)
            _expect(exchange, False, B, "VER-8", "initiating after approval or activation")
        elif model.verification in ("open", "submitted"):
            self.coverage.record(state, "initiate", False)
            if exchange.ok:  # MAY: success with the same verification id
                same = exchange.get("verificationId", "id") == model.customer.verification_id
                if not same:
                    raise NonConformance("VER-8", "initiating while a verification is open opened another",
                                         received=exchange.describe(), expected="B, or the same verificationId")
            else:
                _expect(exchange, False, B, "VER-8", "initiating while a verification is open")
        elif model.verification == "REJECTED":
            self.coverage.record(state, "initiate", True)
            if exchange.ok:  # MAY: re-initiation after a rejection
                model.verification, model.highest_rank = "open", -1
            else:
                _expect(exchange, False, B, "VER-8", "re-initiating after a rejection")
        else:
            self.coverage.record(state, "initiate", True)
            _expect(exchange, True, B, "VER-1", "initiating a first verification")
            model.verification = "open"

    @rule(model=customers)
    def submit(self, model: Model):
        exchange = self.bank.submit(model.customer)
        state = model.state
        if model.verification == "open":
            self.coverage.record(state, "submit", True)
            _expect(exchange, True, V, "VER-3", "submitting a passport for the open verification")
            model.verification = "submitted"
            if status_of(exchange) == "APPROVED":  # VER-9 auto-approval (standard risk only)
                model.verification = "APPROVED"
        elif model.verification == "none" and not model.active:
            self.coverage.record(state, "submit", False)
            if exchange.ok:  # VER-10 MAY: implicit initiation
                model.verification = "APPROVED" if status_of(exchange) == "APPROVED" else "submitted"
            else:
                _expect(exchange, False, {404, 409, 422}, "VER-10", "submitting without initiating")
        elif model.verification in ("APPROVED", "REJECTED"):
            self.coverage.record(state, "submit", False)
            _expect(exchange, False, B, "VER-6", "submitting to a decided verification")

    @precondition(lambda self: any(m.verification != "none" for m in self.models))
    @rule(model=customers, approve=st.booleans())
    def decide(self, model: Model, approve: bool):
        if model.verification == "none":
            return
        caller = self.bank.admin(model.customer.tenant)
        status = "APPROVED" if approve else "REJECTED"
        exchange = self.bank.decide(model.customer, caller, status=status)
        state, operation = model.state, "approve" if approve else "reject"
        if model.verification in ("APPROVED", "REJECTED"):
            self.coverage.record(state, operation, False)
            _expect(exchange, False, B, "VER-6", f"deciding ({status}) an already decided verification")
        elif model.verification == "submitted":
            self.coverage.record(state, operation, True)
            if not approve and not exchange.ok:
                return  # rejection style A is optional (VER-11 SHOULD); style B is another endpoint
            _expect(exchange, True, B, "VER-5" if approve else "VER-11", f"{operation} a submitted verification")
            model.verification = status
        else:  # open without documents: deliberately open (§9), learn what happened
            self.coverage.record(state, operation, True)
            if exchange.ok:
                model.verification = status

    # ------------------------------------------------------------------ phases 4-5

    @rule(model=customers, segment=st.sampled_from(sorted(_CONSENTS)))
    def accept_consent(self, model: Model, segment: str):
        if model.active:
            return  # after activation consent handling is not specified by the profile
        exchange = self.bank.accept_consent(model.customer, segment)
        self.coverage.record(model.state, f"consent {segment}", True)
        _expect(exchange, True, V, "CON-1", f"accepting the {segment} consent")
        model.consents.add(segment)

    @rule(model=customers)
    def activate(self, model: Model):
        exchange = self.bank.activate(model.customer)
        state = model.state
        missing = [_CONSENTS[s] for s in _CONSENTS if s not in model.consents]
        if model.active:
            self.coverage.record(state, "activate", False)
            _expect(exchange, False, {409, 422}, "ACT-5", "activating an active customer")
        elif model.verification != "APPROVED":
            self.coverage.record(state, "activate", False)
            _expect(exchange, False, B, "ACT-1", "activating without an approved verification")
        elif missing:
            self.coverage.record(state, "activate", False)
            _expect(exchange, False, B, missing[0], "activating without every consent")
        else:
            self.coverage.record(state, "activate", True)
            _expect(exchange, True, B, "ACT-1", "activating a customer who meets every prerequisite")
            self.bank.obtain_wallet(model.customer)
            model.active = True

    # ------------------------------------------------------------------ phases 6-7

    @precondition(lambda self: any(m.customer.account_id for m in self.models))
    @rule(model=customers, amount=st.sampled_from([Decimal("50.00"), Decimal("200.00")]))
    def top_up(self, model: Model, amount: Decimal):
        customer = model.customer
        if not customer.account_id or self.bank.settings.funding != "topup":
            return
        prepared = self.bank.client.prepare_topup(customer.caller, customer.account_id,
                                                  bodies.topup_body(customer.account_id, amount, german_iban()))
        self.coverage.record(model.state, "top up", model.active)
        if not model.active:
            _expect(prepared, False, N, "WAL-3", "topping up a wallet that is not active")
            return
        _expect(prepared, True, B, "FUND-1", "preparing a top-up")
        order_id = prepared.get("preparedOrderId")
        executed = self.bank.client.execute_topup(customer.caller, customer.account_id, bodies.execute_body(order_id))
        _expect(executed, True, B, "FUND-1", "executing a top-up")
        model.funded += amount - fee_of(prepared)

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
        """Prepare and execute; refusals must leave the money where it was."""
        customer = model.customer
        if not model.has_beneficiary:
            return
        before = self.bank.balances(customer)
        prepared = self.bank.prepare_transfer(customer, amount, customer.beneficiaries[-1],
                                              with_consent=with_consent and model.has_consent)
        consented = with_consent and model.has_consent
        self.coverage.record(model.state, "transfer" + ("" if consented else " w/o consent"), consented)
        if not prepared.ok:
            if consented and amount <= before.available:
                _expect(prepared, False, B, "PAY-8", "a consented transfer within the available balance")
            return
        order = self.bank.order_of(prepared, amount, customer.consent_id if consented else None)
        if order.total > before.available and self._reserves(customer, before):
            raise NonConformance("PAY-8", "an order above the available balance was prepared",
                                 received=f"total {order.total}, available {before.available}")
        executed = self.bank.execute(customer, order, code=None if consented else "")
        if executed.ok:
            if order.total > before.available:
                raise NonConformance("PAY-8", "an order above the available balance was executed",
                                     received=f"total {order.total}, available {before.available}")
            if not consented:
                raise NonConformance("PAY-2", "a transfer without a payment consent completed",
                                     received=executed.describe())
            model.spent += order.total
            model.pending = status_of(executed) not in ("COMPLETED", "EXECUTED")
            settled = self.bank.wait_for_balance(customer, lambda b: b.current <= before.current - order.total,
                                                 None if model.pending else 0)
            again = self.bank.execute(customer, order)
            self.coverage.record(model.state, "execute twice", False)
            if self.bank.balances(customer).current < settled.current:
                raise NonConformance("PAY-4", "executing an order a second time moved money again",
                                     received=again.describe(), expected="current unchanged by the second execute")
            if again.ok:
                if not same_execution(executed, again):
                    raise NonConformance("PAY-4", "a second execute succeeded as a new execution",
                                         received=again.describe())
            else:
                _expect(again, False, {400, 404, 409, 410, 422}, "PAY-4", "executing an order a second time")

    def _reserves(self, customer: Customer, before) -> bool:
        after = self.bank.balances(customer)
        return after.blocked > before.blocked

    @precondition(lambda self: len(self.models) == 2 and all(m.customer.account_id for m in self.models))
    @rule()
    def read_foreign_wallet(self):
        alice, bob = self.models
        exchange = self.bank.client.get_balance(bob.customer.caller, alice.customer.account_id)
        self.coverage.record("two customers", "foreign balance read", False)
        _expect(exchange, False, F, "SEC-4", "reading another customer's balance")

    # ------------------------------------------------------------------ guidance

    def _advance(self, model: Model, pick: int = 1) -> None:
        """The next step of the seed's flow, so that random runs also reach the late phases.

        ``pick`` varies which consent comes next and, now and then, probes activation one consent
        short: the illegal jumps that matter most are the ones next to the legal path.
        """
        if model.verification in ("none", "REJECTED") and not model.active:
            self.initiate(model)
        elif model.verification == "open":
            self.submit(model)
        elif model.verification == "submitted":
            self.decide(model, approve=True)
        elif len(model.consents) < 3 and not model.active:
            missing = sorted(set(_CONSENTS) - model.consents)
            if pick == 0:
                self.activate(model)
            else:
                self.accept_consent(model, missing[pick % len(missing)])
        elif not model.active:
            self.activate(model)
        elif model.funded < Decimal("300"):
            self.top_up(model, Decimal("200.00"))
        elif not model.has_beneficiary:
            self.add_beneficiary(model)
        elif not model.has_consent:
            self.create_payment_consent(model)
        else:
            self.transfer(model, Decimal("10.00"), True)

    @rule(model=customers, pick=st.integers(0, 3))
    def advance(self, model: Model, pick: int):
        self._advance(model, pick)

    @rule(model=customers, picks=st.lists(st.integers(0, 3), min_size=3, max_size=3))
    def advance_further(self, model: Model, picks: list[int]):
        for pick in picks:
            self._advance(model, pick)

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

    # ------------------------------------------------------------------ invariants

    @invariant()
    def no_backward_verification(self):
        for model in self.models:
            if model.verification in ("none",) or not model.customer.verification_id:
                continue
            if model.verification == "open":
                continue
            status = status_of(self.bank.verification_status(model.customer))
            rank = _RANK.get(status or "", -1)
            if rank < model.highest_rank:
                raise NonConformance("SM-2", "a verification moved backwards", received=f"status {status}")
            model.highest_rank = max(model.highest_rank, rank)
            if model.verification in ("APPROVED", "REJECTED") and status != model.verification:
                raise NonConformance("SM-4", "a decided verification changed", received=f"status {status}",
                                     expected=model.verification)

    @invariant()
    def money_is_conserved(self):
        for model in self.models:
            if not model.active or self.bank.settings.funding != "topup":
                continue
            expected = model.funded - model.spent
            # Wait only for a settlement the deployment said is pending (SM-6): otherwise read once.
            timeout = None if model.pending else 0
            observed = self.bank.wait_for_balance(model.customer, lambda b: b.current == expected, timeout)
            model.pending = False
            if observed.current != expected:
                raise NonConformance("PAY-10", "money is not conserved",
                                     received=f"current {observed.current}",
                                     expected=f"top-ups {model.funded} − executed totals {model.spent} = {expected}")


def machine_for(bank: Bank, coverage: Coverage) -> type[LifecycleMachine]:
    """A machine class bound to ``bank`` (Hypothesis instantiates machines without arguments)."""
    return type("LifecycleMachine", (LifecycleMachine,), {"bank": bank, "coverage": coverage})
