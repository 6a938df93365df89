"""The base of :class:`~finhub_conformance.journey.Bank`: its shared state and the admin sessions.

Every phase class builds on this one: it holds the client, settings, redactor and run id, the per-run
caches (admin tokens, hierarchies, seen IBANs) behind one lock, and the admin and power-tenant callers
that setup steps act as.
"""

from __future__ import annotations

import itertools
import threading

from .. import bodies
from ..categorization import Category
from ..client import FinHubClient
from ..errors import ConfigurationError
from ..exchange import Caller
from ..redaction import Redactor
from ..settings import AdminCredentials, Settings, TenantConfig


class BankCore:
    """The shared state of a :class:`Bank` and the admin sessions that setup steps act as."""

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
