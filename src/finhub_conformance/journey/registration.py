"""Phases 1 and 2 of the journey: categories, new personas, registration (E1, E2) and sessions (E3, E4)."""

from __future__ import annotations

from typing import Any

from .. import bodies
from ..categorization import Category, parse_hierarchy
from ..errors import NonConformance
from ..exchange import Caller, Exchange
from ..passwords import strong_password
from ..settings import TenantConfig
from .answers import setup_step, text_of
from .core import BankCore
from .personas import Customer


class RegistrationPhases(BankCore):
    """The admin's registration of a persona and the persona's own log-in and log-out."""

    def hierarchy(self, tenant: TenantConfig | None = None) -> dict[str, Category]:
        """The tenant's categories from E1 (read once per run)."""
        tenant = tenant or self.settings.tenant
        if tenant.name not in self._hierarchies:
            exchange = setup_step(self.client.get_hierarchy(self.admin(tenant), tenant.path_id), "CAT-1",
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
        customer.customer_id = text_of(exchange.get("id", "customerId"))
        customer.user_id = text_of(exchange.get("user.id", "userId"))
        customer.account_id = text_of(exchange.get("wallet.walletId", "wallet.id", "walletId", "accountId"))

    def register_ok(self, customer: Customer) -> Customer:
        """Register ``customer`` as a setup step."""
        exchange = self.register(customer)
        setup_step(exchange, "REG-6", f"registering {customer.name}")
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
        exchange = setup_step(self.log_in(customer), "SES-1", f"logging {customer.name} in")
        customer.token = text_of(exchange.get("token"))
        customer.session_id = text_of(exchange.get("sessionId"))
        customer.refresh_token = text_of(exchange.get("refreshToken"))
        if not customer.token or not customer.session_id:
            raise NonConformance("SES-1", "a valid log-in yields no token or no sessionId",
                                 received=exchange.describe(), expected="token and sessionId")
        return customer

    def log_out(self, customer: Customer, caller: Caller | None = None, session_id: str | None = None) -> Exchange:
        """E4: end ``customer``'s session (optionally as another caller)."""
        return self.client.log_out(caller or customer.caller, customer.customer_id, customer.user_id,
                                   session_id or customer.session_id)
