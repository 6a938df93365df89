"""Request headers, token authentication and resource scoping (GEN-3, TEN-1, SEC-3, SEC-4).

* :func:`require_headers` (an app-wide dependency): ``X-Tenant-ID`` on every call, plus
  ``X-Forwarded-From`` and a device header on ``/api/v2.1/fintrans/*``; else 400 ``MISSING_HEADERS``.
* :func:`current_principal`: a valid, unrevoked HS256 token (else 401) whose tenant equals the
  ``X-Tenant-ID`` header (else 403 ``TENANT_MISMATCH``).
* ``*_for`` helpers: a customer token reaches only its own records, an admin token only its tenant's;
  anything else is 404, as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from finhub_reference.config import Config, Tenant
from finhub_reference.envelope import ApiError, InjectedServerError, not_found
from finhub_reference.security import decode_token
from finhub_reference.store import Customer, Session, Store, Wallet

FINTRANS_PREFIX = "/api/v2.1/fintrans/"
DEVICE_HEADERS = ("deviceId", "X-Device-Id", "device-id")


def config_of(request: Request) -> Config:
    """The deployment's config."""
    return request.app.state.config


def store_of(request: Request) -> Store:
    """The deployment's store."""
    return request.app.state.store


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: a customer or an admin (power admins carry the POWER_TENANT role)."""

    session: Session
    tenant: Tenant

    @property
    def is_admin(self) -> bool:
        """An admin token (S1)."""
        return self.session.kind == "ADMIN"

    @property
    def is_customer(self) -> bool:
        """A customer token (E3)."""
        return self.session.kind == "CUSTOMER"

    @property
    def power(self) -> bool:
        """A power-tenant admin (S4)."""
        return self.is_admin and self.session.power

    @property
    def customer_id(self) -> str | None:
        """The customer a customer token belongs to."""
        return self.session.owner_id if self.is_customer else None


async def require_headers(request: Request) -> None:
    """GEN-3: the reference's required headers; header names are case-insensitive."""
    headers = request.headers
    missing = []
    if not headers.get("x-tenant-id"):
        if config_of(request).fault("missing_tenant_header_500"):
            raise InjectedServerError("fault missing_tenant_header_500")
        missing.append("X-Tenant-ID")
    missing += [name for name in config_of(request).variant.required_headers
                if name != "X-Tenant-ID" and not headers.get(name)]
    if request.url.path.startswith(FINTRANS_PREFIX):
        if not headers.get("x-forwarded-from"):
            missing.append("X-Forwarded-From")
        if not any(headers.get(name) for name in DEVICE_HEADERS):
            missing.append("deviceId")
    if missing:
        raise ApiError(400, "MISSING_HEADERS", "Missing required header(s)", missingHeaders=missing,
                       deviceId_accepted=list(DEVICE_HEADERS))


def unauthorized(message: str = "Missing or invalid token") -> ApiError:
    """SEC-3: 401 ``UNAUTHORIZED``."""
    return ApiError(401, "UNAUTHORIZED", message)


def authenticate(request: Request) -> Principal:
    """The caller of an authenticated endpoint (SEC-3, SES-6, TEN-1)."""
    config, store = config_of(request), store_of(request)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized()
    claims = decode_token(config.jwt_secret, token.strip(), allow_unsigned=config.fault("alg_none_token_accepted"))
    if claims is None:
        raise unauthorized()
    with store.lock:
        session = store.sessions.get(str(claims.get("sessionId")))
        if session is None or session.revoked:
            raise unauthorized("Session has ended")
    tenant = config.tenant_by_id(session.tenant_id)
    if tenant is None:  # pragma: no cover - sessions are only created for configured tenants
        raise unauthorized()
    if request.headers.get("x-tenant-id") != tenant.id and not config.fault("tenant_header_not_checked"):
        raise ApiError(403, "TENANT_MISMATCH", "X-Tenant-ID does not match the token's tenant")
    return Principal(session, tenant)


async def current_principal(request: Request) -> Principal:
    """FastAPI dependency wrapping :func:`authenticate`."""
    return authenticate(request)


def require_admin(principal: Principal) -> None:
    """403 ``FORBIDDEN`` for customer tokens on admin operations (REG-1, SEC-5)."""
    if not principal.is_admin:
        raise ApiError(403, "FORBIDDEN", "Admin privileges required")


def require_customer(principal: Principal) -> None:
    """403 ``FORBIDDEN`` for admin tokens on customer-only operations."""
    if not principal.is_customer:
        raise ApiError(403, "FORBIDDEN", "A customer token is required")


def customer_for(store: Store, principal: Principal, customer_id: str) -> Customer:
    """The customer, if the caller may reach it: its own customer token, or an admin of its tenant (SEC-4)."""
    customer = store.customers.get(customer_id)
    if customer is None or customer.tenant_id != principal.tenant.id:
        raise not_found("Customer")
    if principal.is_customer and principal.customer_id != customer.id:
        raise not_found("Customer")
    return customer


def wallet_for(store: Store, principal: Principal, account_id: str, *, write: bool,
               foreign_ok: bool = False) -> Wallet:
    """The wallet, if the caller may reach it (WAL-1, SEC-4); writes need the owner's customer token.

    ``foreign_ok`` lets any customer of the tenant through: only faults (``foreign_writes_allowed``) set it.
    """
    wallet = store.wallets.get(account_id)
    if wallet is None or wallet.tenant_id != principal.tenant.id:
        raise not_found("Account")
    if principal.is_customer and principal.customer_id != wallet.customer_id:
        foreign_read_allowed = not write and store.config.fault("foreign_wallet_readable")
        if not (foreign_read_allowed or foreign_ok):
            raise not_found("Account")
    if write:
        require_customer(principal)
    store.sweep_expired(wallet)
    store.settle_due(wallet)
    return wallet


def require_readable(config: Config, wallet: Wallet) -> None:
    """WAL-3 MAY (§8 #39): a variant may refuse fintrans reads before activation too, with the N class."""
    if config.variant.inactive_reads_refused:
        require_active(wallet)


def require_active(wallet: Wallet) -> None:
    """WAL-3: fintrans writes need an ACTIVE wallet (422 ``ACCOUNT_NOT_ACTIVE``)."""
    if not wallet.active:
        raise ApiError(422, "ACCOUNT_NOT_ACTIVE", "The account is not active")
