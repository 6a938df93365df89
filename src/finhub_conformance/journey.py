"""The customer journey: personas and the domain operations that move them through the 7 phases.

:class:`Bank` wraps the client with the configured tenants and admin sessions and offers one method
per business action. Methods named after an action (``register``, ``activate`` …) return the raw
:class:`Exchange` for steps to judge; ``*_ok`` / ``onboard`` variants are setup steps that must
succeed and raise :class:`SetupFailure` (profile §7.4) otherwise.
"""

from __future__ import annotations

import itertools
import shlex
import subprocess
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import bodies, waiting
from .amounts import AmountDecodeError, decode_value
from .categorization import Category, parse_hierarchy
from .checks import B, Balances, _decoded_jwt, balances_of
from .client import FinHubClient
from .errors import ConfigurationError, NonConformance, SetupFailure, TargetError
from .exchange import Caller, Exchange
from .iban import german_iban
from .passwords import strong_password
from .redaction import Redactor
from .settings import AdminCredentials, Settings, TenantConfig

__all__ = ["Customer", "Bank", "Order", "Beneficiary", "PHASES", "FundingUnavailable", "status_of", "fee_of"]

PHASES = ("registered", "logged in", "verified", "consented", "active", "funded")
SETTLED = {"COMPLETED", "EXECUTED"}
PENDING = {"PENDING", "PROCESSING", "EXECUTING"}
#: The consents in the profile's order; a deployment MAY enforce it (CON-6) and the suite always follows it.
CONSENT_ORDER = ("terms", "privacy", "data-processing")


def status_of(exchange: Exchange, *keys: str) -> str | None:
    """An enum value from the payload, upper-cased (GEN-11)."""
    value = exchange.get(*(keys or ("status",)))
    return value.upper() if isinstance(value, str) else None


class FundingUnavailable(Exception):
    """FUND-2: the deployment offers no funding method; scenarios needing money are skipped."""


@dataclass
class Beneficiary:
    """A registered beneficiary."""

    beneficiary_id: str
    iban: str
    name: str = "Erika Mustermann"


@dataclass
class Order:
    """A prepared transfer order as the suite knows it."""

    prepared_order_id: str
    amount: Decimal
    total: Decimal
    valid_until: str | None
    consent_id: str | None
    exchange: Exchange = field(repr=False)


@dataclass
class Customer:
    """A persona: what the suite knows about one customer (ids, credentials, session, wallet)."""

    name: str
    tenant: TenantConfig
    email: str
    password: str = field(repr=False)
    first_name: str
    last_name: str
    category: str | None = None
    customer_id: str | None = None
    user_id: str | None = None
    account_id: str | None = None
    token: str | None = field(default=None, repr=False)
    session_id: str | None = None
    refresh_token: str | None = field(default=None, repr=False)
    verification_id: str | None = None
    iban: str | None = None
    beneficiaries: list[Beneficiary] = field(default_factory=list)
    consent_id: str | None = None
    consents: set[str] = field(default_factory=set)  # the consent segments the deployment accepted
    authentication_code: str | None = field(default=None, repr=False)
    registration: Exchange | None = field(default=None, repr=False)

    @property
    def caller(self) -> Caller:
        """This customer's cust token with its tenant header and session id."""
        return Caller(self.name, self.token, self.tenant.header_id, self.session_id)


class Bank:
    """Domain operations against one deployment, shared by every step of a scenario."""

    def __init__(self, client: FinHubClient, settings: Settings, redactor: Redactor, run_id: str) -> None:
        self.client = client
        self.settings = settings
        self.redactor = redactor
        self.run_id = run_id
        self._serial = itertools.count(1)
        self._admin_tokens: dict[str, str] = {}
        self._hierarchies: dict[str, dict[str, Category]] = {}
        self._lock = threading.Lock()
        #: Every wallet IBAN seen in this run, with its account (IBAN-3).
        self.ibans: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"Bank({self.settings.base_url})"

    # ------------------------------------------------------------------ admins

    def admin_token(self, admin: AdminCredentials) -> str:
        """An S1 token for ``admin`` (cached per run); a refused log-in is a configuration error."""
        key = f"{admin.tenant_header}/{admin.org_id}/{admin.user_id}"
        with self._lock:
            if key in self._admin_tokens:
                return self._admin_tokens[key]
        exchange = self.client.admin_log_in(admin.org_id, admin.user_id, bodies.admin_login_body(
            admin.username, admin.password, admin.tenant_key, admin.tenant_secret), admin.tenant_header)
        token = exchange.get("token") if exchange.ok else None
        if not isinstance(token, str) or not token:
            raise ConfigurationError(f"admin log-in (S1) for {admin.username!r} at tenant "
                                     f"{admin.tenant_header!r} failed: HTTP {exchange.status} "
                                     f"{exchange.error_code() or ''}".rstrip())
        self.redactor.add_token(token)
        with self._lock:
            self._admin_tokens[key] = token
        return token

    def admin(self, tenant: TenantConfig | None = None) -> Caller:
        """The tenant admin's caller (tenant A by default)."""
        tenant = tenant or self.settings.tenant
        return Caller(f"admin of tenant {tenant.name}", self.admin_token(tenant.admin), tenant.header_id)

    def power(self) -> Caller:
        """The power-tenant admin's caller; the scenario is skipped upstream when none is configured."""
        if self.settings.power is None:
            raise ConfigurationError("no power tenant configured (FINHUB_POWER_*)")
        return Caller("power-tenant admin", self.admin_token(self.settings.power),
                      self.settings.power.tenant_header)

    # ------------------------------------------------------------------ phase 1: registration

    def hierarchy(self, tenant: TenantConfig | None = None) -> dict[str, Category]:
        """The tenant's categories from E1 (read once per run)."""
        tenant = tenant or self.settings.tenant
        if tenant.name not in self._hierarchies:
            exchange = _setup(self.client.get_hierarchy(self.admin(tenant), tenant.path_id), "CAT-1",
                              "reading the categorization hierarchy")
            self._hierarchies[tenant.name] = parse_hierarchy(exchange.payload)
        return self._hierarchies[tenant.name]

    def category(self, category_id: str, tenant: TenantConfig | None = None) -> Category | None:
        """The category ``category_id`` of the tenant's hierarchy, if it has one."""
        return self.hierarchy(tenant).get(category_id)

    def new_customer(self, name: str, tenant: TenantConfig | None = None, category: str | None = None) -> Customer:
        """A persona with fresh per-run data: ``b2c.<run>.<n>@<domain>`` and a strong password."""
        tenant = tenant or self.settings.tenant
        email = f"b2c.{self.run_id}.{next(self._serial)}@{self.settings.email_domain}"
        last = "Conformance"
        password = strong_password(email, name, last)
        self.redactor.add_sensitive(password)
        return Customer(name=name, tenant=tenant, email=email, password=password, first_name=name,
                        last_name=last, category=category)

    def registration_body(self, customer: Customer, **overrides: Any) -> dict[str, Any]:
        """The E2 body for ``customer``, with the full parametrization of its category (CAT-5)."""
        category = None
        if customer.category:
            found = self.category(customer.category, customer.tenant)
            category = (found.registration_category() if found
                        else {"id": customer.category, "name": customer.category, "relations": []})
        body = bodies.registration_body(first_name=customer.first_name, last_name=customer.last_name,
                                        email=customer.email, password=customer.password,
                                        tenant_path_id=customer.tenant.path_id, category=category)
        body.update(overrides)
        return body

    def register(self, customer: Customer, body: dict[str, Any] | None = None,
                 caller: Caller | None = None) -> Exchange:
        """E2: register ``customer`` (by its tenant's admin unless another caller is given)."""
        exchange = self.client.register(caller or self.admin(customer.tenant),
                                        body if body is not None else self.registration_body(customer))
        if exchange.ok:
            self.remember_registration(customer, exchange)
        return exchange

    @staticmethod
    def remember_registration(customer: Customer, exchange: Exchange) -> None:
        """Record the ids of a successful registration (REG-6, REG-7)."""
        customer.registration = exchange
        customer.customer_id = _str(exchange.get("id", "customerId"))
        customer.user_id = _str(exchange.get("user.id", "userId"))
        customer.account_id = _str(exchange.get("wallet.walletId", "wallet.id", "walletId", "accountId"))

    def register_ok(self, customer: Customer) -> Customer:
        """Register ``customer`` as a setup step."""
        exchange = self.register(customer)
        _setup(exchange, "REG-6", f"registering {customer.name}")
        if not customer.customer_id or not customer.user_id:
            raise NonConformance("REG-6", "the registration does not yield the customer and user ids",
                                 received=exchange.describe(), expected="id|customerId and user.id|userId")
        return customer

    # ------------------------------------------------------------------ phase 2: sessions

    def log_in(self, customer: Customer, password: str | None = None, *, tenant: TenantConfig | None = None,
               customer_id: str | None = None, user_id: str | None = None,
               tenant_header: str | None = None) -> Exchange:
        """E3: log ``customer`` in (optionally with other credentials, path ids or tenant)."""
        tenant = tenant or customer.tenant
        body = bodies.customer_login_body(customer.email, customer.password if password is None else password,
                                          tenant.key, tenant.secret, tenant.path_id)
        exchange = self.client.log_in(customer_id or customer.customer_id, user_id or customer.user_id, body,
                                      tenant_header if tenant_header is not None else tenant.header_id)
        for key in ("token", "refreshToken"):
            self.redactor.add_token(exchange.get(key) if exchange.ok else None)
        return exchange

    def log_in_ok(self, customer: Customer) -> Customer:
        """Log ``customer`` in as a setup step and keep the session."""
        exchange = _setup(self.log_in(customer), "SES-1", f"logging {customer.name} in")
        customer.token = _str(exchange.get("token"))
        customer.session_id = _str(exchange.get("sessionId"))
        customer.refresh_token = _str(exchange.get("refreshToken"))
        if not customer.token or not customer.session_id:
            raise NonConformance("SES-1", "a valid log-in yields no token or no sessionId",
                                 received=exchange.describe(), expected="token and sessionId")
        return customer

    def log_out(self, customer: Customer, caller: Caller | None = None, session_id: str | None = None) -> Exchange:
        """E4: end ``customer``'s session (optionally as another caller)."""
        return self.client.log_out(caller or customer.caller, customer.customer_id, customer.user_id,
                                   session_id or customer.session_id)

    # ------------------------------------------------------------------ phase 3: verification

    def initiate(self, customer: Customer, caller: Caller | None = None) -> Exchange:
        """E5: open a verification and remember its id."""
        exchange = self.client.initiate_verification(caller or customer.caller, customer.customer_id)
        if exchange.ok:
            customer.verification_id = _str(exchange.get("verificationId", "id")) or customer.verification_id
        return exchange

    def submit(self, customer: Customer, body: dict[str, Any] | None = None, caller: Caller | None = None) -> Exchange:
        """E6: submit a passport for the open verification."""
        body = body or bodies.verification_body(f"P{self.run_id[:6].upper()}{next(self._serial):05d}")
        exchange = self.client.submit_verification(caller or customer.caller, customer.customer_id, body)
        if exchange.ok and not customer.verification_id:
            customer.verification_id = _str(exchange.get("verificationId", "id"))
        return exchange

    def verification_status(self, customer: Customer, caller: Caller | None = None) -> Exchange:
        """E7: read the customer's verification."""
        return self.client.get_verification(caller or customer.caller, customer.verification_id)

    def submit_documents_ok(self, customer: Customer) -> Customer:
        """Initiate and submit as setup steps."""
        _setup(self.initiate(customer), "VER-2", f"initiating {customer.name}'s verification")
        if not customer.verification_id:
            raise NonConformance("VER-2", "initiation returns no verification id",
                                 expected="verificationId|id in the E5 payload")
        _setup(self.submit(customer), "VER-3", f"submitting {customer.name}'s passport")
        return customer

    def decide(self, customer: Customer, caller: Caller, status: str = "APPROVED", power: bool = False) -> Exchange:
        """S2: approve or (style A) reject the customer's verification as ``caller``."""
        approver = self.settings.power if power and self.settings.power else customer.tenant.admin
        body = bodies.decision_body(customer.verification_id, customer.customer_id, approver.user_id,
                                    approver.username, status=status, power=power)
        return self.client.decide_verification(caller, customer.verification_id, body)

    def approve_ok(self, customer: Customer) -> Customer:
        """Approve at the level the customer's risk needs (VER-9 aware) as a setup step."""
        if status_of(self.verification_status(customer)) == "APPROVED":
            return customer  # auto-approved at submit (VER-9)
        if self.is_high_risk(customer):
            _setup(self.power_approve(customer), "RISK-2", "power-tenant approval")
        else:
            _setup(self.decide(customer, self.admin(customer.tenant)), "VER-5", "tenant-admin approval")
        state = status_of(_setup(self.verification_status(customer), "VER-4", "reading the verification"))
        if state != "APPROVED":
            raise SetupFailure("RISK-2" if self.is_high_risk(customer) else "VER-5",
                               "a sufficient approval does not make the verification APPROVED",
                               received=f"status {state}", expected="APPROVED")
        return customer

    def power_approve(self, customer: Customer) -> Exchange:
        """S4 steps 2-3: the power tenant's S2; when it is refused with B because the tenant step is missing
        (RISK-2 MAY), the tenant admin's S2 (V1 or V2 alike) comes first and the power S2 is sent again."""
        direct = self.decide(customer, self.power(), power=True)
        if direct.status in B:
            self.decide(customer, self.admin(customer.tenant))
            direct = self.decide(customer, self.power(), power=True)
        return direct

    def reject(self, customer: Customer, caller: Caller | None = None) -> Exchange:
        """Reject per FINHUB_REJECT_STYLE: style A (S2 ``REJECTED``), then style B (S3) in ``auto``."""
        caller = caller or (self.power() if self.is_high_risk(customer) else self.admin(customer.tenant))
        style = self.settings.reject_style
        exchange = None
        if style in ("auto", "status"):
            exchange = self.decide(customer, caller, status="REJECTED", power=self.is_high_risk(customer))
            if style == "status" or status_of(self.verification_status(customer)) == "REJECTED":
                return exchange
        return self.client.reject_verification(caller, customer.verification_id, bodies.rejection_body())

    def is_high_risk(self, customer: Customer) -> bool:
        """True when the customer was registered in the configured high-risk category."""
        return customer.category == self.settings.high_risk_category

    # ------------------------------------------------------------------ phases 4 and 5

    def accept_consent(self, customer: Customer, segment: str, body: dict[str, Any] | None = None,
                       caller: Caller | None = None) -> Exchange:
        """E8-E10: accept one consent (``terms``, ``privacy`` or ``data-processing``) and remember success."""
        exchange = self.client.accept_consent(caller or customer.caller, customer.customer_id, segment,
                                              body if body is not None else bodies.consent_body())
        if exchange.ok:
            customer.consents.add(segment)
        return exchange

    def accept_consents_ok(self, customer: Customer, segments=CONSENT_ORDER) -> Customer:
        """Accept consents in the profile's order as setup steps (CON-6); accepted ones are not sent again,
        as a repeat MAY get 409 (CON-5)."""
        for segment in segments:
            if segment not in customer.consents:
                _setup(self.accept_consent(customer, segment), "CON-1", f"accepting the {segment} consent")
        return customer

    def accept_earlier_consents(self, customer: Customer, segment: str) -> Customer:
        """The consents before ``segment`` in the profile's order, so that a deployment enforcing the order
        (CON-6 MAY) can accept ``segment`` next."""
        return self.accept_consents_ok(customer, CONSENT_ORDER[:CONSENT_ORDER.index(segment)])

    def accept_consents_except(self, customer: Customer, missing: str) -> Customer:
        """Every consent but ``missing``: those before it as setup steps; those after it may be refused with B
        by a deployment enforcing the order (CON-6 MAY), which leaves ``missing`` missing all the same."""
        position = CONSENT_ORDER.index(missing)
        self.accept_consents_ok(customer, CONSENT_ORDER[:position])
        for segment in CONSENT_ORDER[position + 1:]:
            exchange = self.accept_consent(customer, segment)
            if exchange.status not in B:
                _setup(exchange, "CON-1", f"accepting the {segment} consent")
        return customer

    def activate(self, customer: Customer, caller: Caller | None = None) -> Exchange:
        """E11: activate the customer (by the tenant admin) and remember the wallet (ACT-6)."""
        admin = customer.tenant.admin
        exchange = self.client.activate(caller or self.admin(customer.tenant), customer.customer_id,
                                        bodies.activation_body(customer.user_id, admin.user_id))
        if exchange.ok:
            customer.account_id = _str(exchange.get("wallet.walletId", "wallet.id", "walletId", "accountId")) \
                or customer.account_id
            customer.iban = _str(exchange.get("iban", "wallet.iban")) or customer.iban
        return exchange

    def activation_check(self, customer: Customer, caller: Caller | None = None) -> Exchange:
        """S5: the readiness check for ``customer``."""
        return self.client.check_activation(caller or self.admin(customer.tenant), customer.customer_id,
                                            customer.tenant.path_id)

    def activate_ok(self, customer: Customer) -> Customer:
        """Activate as a setup step, then obtain the wallet (ACT-6)."""
        _setup(self.activate(customer), "ACT-1", f"activating {customer.name}")
        return self.obtain_wallet(customer)

    def obtain_wallet(self, customer: Customer) -> Customer:
        """ACT-6: the suite must obtain the account id and IBAN; IBAN-3: no two wallets share one."""
        if customer.account_id and not customer.iban:
            balance = self.client.get_balance(customer.caller, customer.account_id)
            customer.iban = _str(balance.get("iban")) if balance.ok else None
        if not customer.account_id or not customer.iban:
            raise NonConformance("ACT-6", "the account id or IBAN cannot be obtained after activation",
                                 received=f"account id {customer.account_id!r}, IBAN {customer.iban!r}",
                                 expected="both, from E11 (or E2 / E12) per the ACT-6 lookup order")
        with self._lock:
            owner = self.ibans.setdefault(customer.iban, customer.account_id)
        if owner != customer.account_id:
            raise NonConformance("IBAN-3", "two wallets share one IBAN", received=f"{customer.iban} on accounts "
                                 f"{owner} and {customer.account_id}", expected="unique IBANs")
        return customer

    def onboard(self, customer: Customer, up_to: str = "active") -> Customer:
        """Take a persona through the phases up to ``up_to`` (one of :data:`PHASES`)."""
        target = PHASES.index(up_to)
        self.register_ok(customer)
        if target >= 1:
            self.log_in_ok(customer)
        if target >= 2:
            self.submit_documents_ok(customer)
            self.approve_ok(customer)
        if target >= 3:
            self.accept_consents_ok(customer)
        if target >= 4:
            self.activate_ok(customer)
        return customer

    # ------------------------------------------------------------------ phases 6 and 7: money

    def balances(self, customer: Customer, caller: Caller | None = None) -> Balances:
        """E12 as a setup read: the three balances (WAL-2 is checked on every read)."""
        exchange = _setup(self.client.get_balance(caller or customer.caller, customer.account_id), "WAL-1",
                          "reading the balance")
        return balances_of(exchange)

    def allowed_operations(self, customer: Customer) -> Exchange:
        """E13 with both include flags."""
        return self.client.get_allowed_operations(customer.caller, customer.account_id)

    def add_beneficiary(self, customer: Customer, body: dict[str, Any] | None = None,
                        caller: Caller | None = None) -> Exchange:
        """E14: add a beneficiary (a fresh DE IBAN unless a body is given) and remember it."""
        body = body if body is not None else bodies.beneficiary_body(german_iban())
        exchange = self.client.add_beneficiary(caller or customer.caller, customer.account_id, body)
        beneficiary_id = _str(exchange.get("beneficiaryId", "assetId", "id")) if exchange.ok else None
        if beneficiary_id:
            name = f"{body.get('firstName', '')} {body.get('lastName', '')}".strip() or "Erika Mustermann"
            customer.beneficiaries.append(Beneficiary(beneficiary_id, body.get("iban", ""), name))
        return exchange

    def add_beneficiary_ok(self, customer: Customer) -> Beneficiary:
        """Add a beneficiary as a setup step."""
        exchange = _setup(self.add_beneficiary(customer), "BEN-1", "adding a beneficiary")
        if not customer.beneficiaries:
            raise NonConformance("BEN-1", "adding a beneficiary returns no beneficiary id",
                                 received=exchange.describe(), expected="beneficiaryId|assetId|id")
        return customer.beneficiaries[-1]

    def create_payment_consent(self, customer: Customer, beneficiary: Beneficiary,
                               max_amount: Decimal = Decimal("1000.00")) -> Exchange:
        """S7: a TRANSFER consent for ``beneficiary``; remembers the consent id and code (A-1/A-2/A-3)."""
        exchange = self.client.create_payment_consent(customer.caller, customer.account_id,
                                                      bodies.payment_consent_body(beneficiary.beneficiary_id,
                                                                                  max_amount))
        if exchange.ok:
            customer.consent_id = _str(exchange.get("consentId", "id"))
            customer.authentication_code = authentication_code(exchange)
            self.redactor.add_token(exchange.get("magicLinkToken"))
        return exchange

    def payment_consent_ok(self, customer: Customer, beneficiary: Beneficiary,
                           max_amount: Decimal = Decimal("1000.00")) -> str:
        """Create a payment consent as a setup step."""
        exchange = _setup(self.create_payment_consent(customer, beneficiary, max_amount), "PAY-2",
                          "creating a payment consent")
        if not customer.consent_id:
            raise SetupFailure("PAY-2", "the payment consent has no id", received=exchange.describe(),
                               expected="consentId|id")
        return customer.consent_id

    def fund(self, customer: Customer, amount: Decimal) -> None:
        """Fund the wallet by the configured method (S8 top-up or hook); FUND-2 means skip."""
        if self.settings.funding == "none":
            raise FundingUnavailable("FINHUB_FUNDING=none")
        before = self.balances(customer)
        if self.settings.funding == "hook":
            self._fund_by_hook(customer, amount)
            fee = Decimal(0)
        else:
            prepared = self.client.prepare_topup(customer.caller, customer.account_id,
                                                 bodies.topup_body(customer.account_id, amount, german_iban()))
            if prepared.status in (404, 405, 501):
                raise FundingUnavailable(f"top-up prepare answered {prepared.status} (FUND-2)")
            _setup(prepared, "FUND-1", "preparing a top-up")
            fee = fee_of(prepared)
            order_id = _str(prepared.get("preparedOrderId"))
            _setup(self.client.execute_topup(customer.caller, customer.account_id,
                                              bodies.execute_body(order_id)), "FUND-1", "executing a top-up")
        expected = amount - fee
        after = self.wait_for_balance(customer, lambda b: b.current >= before.current + expected)
        if after.current != before.current + expected or after.available != before.available + expected:
            raise NonConformance("FUND-1", "funding did not raise current and available by the amount less fees",
                                 received=f"current {before.current}→{after.current}, available "
                                          f"{before.available}→{after.available}",
                                 expected=f"both +{expected}")

    def _fund_by_hook(self, customer: Customer, amount: Decimal) -> None:
        template = self.settings.funding_hook or ""
        command = template.format(accountId=customer.account_id, amountMinor=int(amount * 100), currency="EUR")
        result = subprocess.run(shlex.split(command), capture_output=True, timeout=120)
        if result.returncode != 0:
            raise TargetError(f"the funding hook exited {result.returncode}")

    def wait_for_balance(self, customer: Customer, done, timeout: float | None = None) -> Balances:
        """Poll E12 until ``done(balances)`` or the settle timeout; return the last observation.

        The pause doubles from 50 ms to at most 1 s: a settlement that takes a fraction of a second is
        seen almost at once, and a slow one is not polled more than once a second.
        """
        deadline = time.monotonic() + (timeout if timeout is not None else self.settings.settle_timeout_s)
        pause = 0.05
        while True:
            observed = self.balances(customer)
            if done(observed) or time.monotonic() >= deadline:
                return observed
            waiting.wait(min(pause, max(deadline - time.monotonic(), 0.0)))
            pause = min(pause * 2, 1.0)

    def prepare_transfer(self, customer: Customer, amount: Decimal, beneficiary: Beneficiary | None = None, *,
                         iban: str | None = None, with_consent: bool = True,
                         body_overrides: dict[str, Any] | None = None, caller: Caller | None = None,
                         account_id: str | None = None) -> Exchange:
        """E15: prepare a transfer to ``beneficiary`` (or to a bare ``iban`` for PAY-3)."""
        account = account_id or customer.account_id
        body = bodies.transfer_body(account, amount,
                                    beneficiary_id=beneficiary.beneficiary_id if beneficiary else None,
                                    iban=beneficiary.iban if beneficiary else iban,
                                    name=beneficiary.name if beneficiary else "Unregistered Payee",
                                    consent_id=customer.consent_id if with_consent else None)
        body.update(body_overrides or {})
        return self.client.prepare_transfer(caller or customer.caller, account, body)

    def order_of(self, prepared: Exchange, amount: Decimal, consent_id: str | None) -> Order:
        """PAY-5: read the order id, validity and total of a successful prepare."""
        order_id = _str(prepared.get("preparedOrderId"))
        valid_until = prepared.get("validUntil")
        total = _total_of(prepared, amount)
        if not order_id or total is None or total < amount:
            raise NonConformance("PAY-5", "the prepared order lacks an id or a total ≥ the amount",
                                 received=f"preparedOrderId={order_id!r}, total={total}",
                                 expected=f"an id and a total ≥ {amount}")
        echoed = prepared.get("amount", "summary.amount")
        if echoed is not None:
            try:
                if decode_value(echoed) != amount:
                    raise NonConformance("AMT-3", "prepare does not echo the requested amount",
                                         received=str(decode_value(echoed)), expected=str(amount))
            except AmountDecodeError as exc:
                raise NonConformance("AMT-2", "the prepared amount cannot be decoded", received=str(exc)) from None
        return Order(order_id, amount, total, valid_until if isinstance(valid_until, str) else None,
                     consent_id, prepared)

    def prepare_transfer_ok(self, customer: Customer, amount: Decimal, beneficiary: Beneficiary) -> Order:
        """Prepare a transfer as a setup step."""
        prepared = _setup(self.prepare_transfer(customer, amount, beneficiary), "PAY-5", "preparing a transfer")
        return self.order_of(prepared, amount, customer.consent_id)

    def execute(self, customer: Customer, order: Order, *, code: str | None = None,
                caller: Caller | None = None, account_id: str | None = None) -> Exchange:
        """E16: execute ``order`` with the consent's authentication code (or ``code``)."""
        body = bodies.execute_body(order.prepared_order_id, consent_id=order.consent_id,
                                   authentication_code=code if code is not None else customer.authentication_code)
        return self.client.execute_transfer(caller or customer.caller, account_id or customer.account_id, body)

    def ready_to_pay(self, customer: Customer, funds: Decimal = Decimal("500.00"),
                     consent: bool = True) -> Beneficiary:
        """An active, funded customer with a beneficiary and (optionally) a payment consent."""
        if not customer.account_id or not customer.iban:
            self.onboard(customer, "active")
        self.fund(customer, funds)
        beneficiary = self.add_beneficiary_ok(customer)
        if consent:
            self.payment_consent_ok(customer, beneficiary, max(funds, Decimal("1000.00")))
        return beneficiary


def authentication_code(exchange: Exchange) -> str | None:
    """S7's code: A-1 ``magicLinkToken`` JWT ``answer`` claim, A-2 ``authenticationCode``, A-3 none."""
    token = exchange.get("magicLinkToken")
    if isinstance(token, str):
        claims = _decoded_jwt(token)
        if isinstance(claims, dict) and claims.get("answer") is not None:
            return str(claims["answer"])
    code = exchange.get("authenticationCode")
    return str(code) if code is not None else None


def fee_of(exchange: Exchange) -> Decimal:
    """The total fee of a prepare answer (E15 / S8) in the profile's order: ``fees.totalFee``,
    ``fees.total``, ``fees`` as an amount, ``summary.fees``, else ``fees.processingFee + fees.networkFee``;
    0 when none is stated."""
    for candidate in ("fees.totalFee", "fees.total"):
        value = exchange.get(candidate)
        if value is not None:
            return decode_value(value)
    fees = exchange.get("fees")
    if isinstance(fees, (int, float, str)) or (isinstance(fees, dict) and ("value" in fees or "amount" in fees
                                                                           or "valueFormatted" in fees)):
        return decode_value(fees)
    summary = exchange.get("summary.fees")
    if summary is not None:
        return decode_value(summary)
    if isinstance(fees, dict):
        parts = [fees.get("processingFee"), fees.get("networkFee")]
        if any(p is not None for p in parts):
            return sum((decode_value(p) for p in parts if p is not None), Decimal(0))
    return Decimal(0)


def _total_of(exchange: Exchange, amount: Decimal) -> Decimal | None:
    total = exchange.get("totalAmount", "summary.totalAmount")
    try:
        if total is not None:
            return decode_value(total)
        return amount + fee_of(exchange)
    except AmountDecodeError:
        return None


def _str(value: Any) -> str | None:
    if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
        return str(value)
    return None


def _setup(exchange: Exchange, rule: str, what: str) -> Exchange:
    """A setup call must succeed (profile §7.4): otherwise an error naming the rule, never a pass."""
    if not exchange.ok:
        raise SetupFailure(rule, f"setup step failed: {what}", received=exchange.describe()
                           + (f" {exchange.text[:200]}" if exchange.text else ""), expected="a 2xx answer")
    return exchange
