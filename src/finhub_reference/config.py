"""Deployment configuration: tenants, credentials, token and order lifetimes, fees, limits and faults.

One frozen :class:`Config` is built once, from (highest precedence first) explicit overrides such as CLI
options, then ``REF_*`` environment variables, then the defaults in :data:`SETTINGS`. Amounts are held
in minor units (EUR cents).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from typing import Mapping

from finhub_reference import faults as fault_registry
from finhub_reference import variants
from finhub_reference.variants import REFERENCE, LimitSet, Variant


@dataclass(frozen=True)
class Setting:
    """One configurable value: its environment variable, CLI flag, default and whether it is printed."""

    env: str
    default: str
    help: str
    printed_as: str | None = None  # the FINHUB_* name announced on stdout

    @property
    def flag(self) -> str:
        """The CLI flag derived from the variable name: ``REF_TENANT_B_ID`` -> ``--tenant-b-id``."""
        return "--" + self.env.removeprefix("REF_").lower().replace("_", "-")


SETTINGS: tuple[Setting, ...] = (
    Setting("REF_TENANT_ID", "3f6c9a2e-8b1d-4c7e-9a5f-2d4b6e8f0a13", "tenant A id (X-Tenant-ID)", "FINHUB_TENANT_ID"),
    Setting("REF_TENANT_PATH_ID", "", "tenant A id used in paths (default: the tenant id)", "FINHUB_TENANT_PATH_ID"),
    Setting("REF_TENANT_NAME", "Reference-Bank-A", "tenant A display name"),
    Setting("REF_TENANT_KEY", "ref-tenant-a-key", "tenant A API key", "FINHUB_TENANT_KEY"),
    Setting("REF_TENANT_SECRET", "ref-tenant-a-secret-7Qm2Xv9L", "tenant A API secret", "FINHUB_TENANT_SECRET"),
    Setting("REF_ADMIN_ORG_ID", "a1e5c3b7-2f4d-4a6b-8c9e-0d1f2a3b4c5d", "tenant A admin organization id",
            "FINHUB_ADMIN_ORG_ID"),
    Setting("REF_ADMIN_USER_ID", "b2f6d4c8-3a5e-4b7c-9d0f-1e2a3b4c5d6e", "tenant A admin user id",
            "FINHUB_ADMIN_USER_ID"),
    Setting("REF_ADMIN_USERNAME", "admin@tenant-a.example", "tenant A admin username", "FINHUB_ADMIN_USERNAME"),
    Setting("REF_ADMIN_PASSWORD", "RefAdminA#2026", "tenant A admin password", "FINHUB_ADMIN_PASSWORD"),
    Setting("REF_POWER_ORG_ID", "e5c9a7f1-6d8b-4e0f-a2c3-4b5c6d7e8f90", "power admin organization id",
            "FINHUB_POWER_ORG_ID"),
    Setting("REF_POWER_USER_ID", "f6d0b8a2-7e9c-4f1a-b3d4-5c6d7e8f9a01", "power admin user id",
            "FINHUB_POWER_USER_ID"),
    Setting("REF_POWER_USERNAME", "power@overseer.example", "power admin username", "FINHUB_POWER_USERNAME"),
    Setting("REF_POWER_PASSWORD", "RefPower#2026", "power admin password", "FINHUB_POWER_PASSWORD"),
    Setting("REF_POWER_TENANT_ID", "9a2b4c6d-8e0f-4a1b-8c3d-5e7f9a1b3c5d", "power (overseer) tenant id",
            "FINHUB_POWER_TENANT_ID"),
    Setting("REF_POWER_TENANT_NAME", "Reference-Overseer", "power tenant display name"),
    Setting("REF_POWER_TENANT_KEY", "ref-power-tenant-key", "power tenant API key", "FINHUB_POWER_TENANT_KEY"),
    Setting("REF_POWER_TENANT_SECRET", "ref-power-tenant-secret-9Tz5Rb1M", "power tenant API secret",
            "FINHUB_POWER_TENANT_SECRET"),
    Setting("REF_TENANT_B_ID", "5d8e1f4a-7b2c-4d9e-8f3a-6b1c4d7e0f25", "tenant B id", "FINHUB_TENANT_B_ID"),
    Setting("REF_TENANT_B_PATH_ID", "", "tenant B path id (default: the tenant id)", "FINHUB_TENANT_B_PATH_ID"),
    Setting("REF_TENANT_B_NAME", "Reference-Bank-B", "tenant B display name"),
    Setting("REF_TENANT_B_KEY", "ref-tenant-b-key", "tenant B API key", "FINHUB_TENANT_B_KEY"),
    Setting("REF_TENANT_B_SECRET", "ref-tenant-b-secret-4Hn8Kw3P", "tenant B API secret", "FINHUB_TENANT_B_SECRET"),
    Setting("REF_TENANT_B_ADMIN_ORG_ID", "c3a7e5d9-4b6f-4c8d-a0e1-2f3b4c5d6e7f", "tenant B admin organization id",
            "FINHUB_TENANT_B_ADMIN_ORG_ID"),
    Setting("REF_TENANT_B_ADMIN_USER_ID", "d4b8f6e0-5c7a-4d9e-b1f2-3a4b5c6d7e8f", "tenant B admin user id",
            "FINHUB_TENANT_B_ADMIN_USER_ID"),
    Setting("REF_TENANT_B_ADMIN_USERNAME", "admin@tenant-b.example", "tenant B admin username",
            "FINHUB_TENANT_B_ADMIN_USERNAME"),
    Setting("REF_TENANT_B_ADMIN_PASSWORD", "RefAdminB#2026", "tenant B admin password",
            "FINHUB_TENANT_B_ADMIN_PASSWORD"),
    Setting("REF_JWT_SECRET", "", "HS256 signing key (default: random per process)"),
    Setting("REF_TOKEN_TTL_S", "3600", "session token lifetime in seconds"),
    Setting("REF_ORDER_TTL_S", "900", "prepared-order lifetime in seconds"),
    Setting("REF_LOCKOUT_THRESHOLD", "5", "consecutive failed logins before a lockout"),
    Setting("REF_LOCKOUT_S", "1800", "lockout duration in seconds"),
    Setting("REF_TRANSFER_PROCESSING_FEE", "100", "transfer processing fee in cents"),
    Setting("REF_TRANSFER_NETWORK_FEE", "50", "transfer network fee in cents"),
    Setting("REF_TOPUP_FEE", "0", "top-up fee in cents"),
    Setting("REF_FAULTS", "", "comma-separated fault names to enable"),
    Setting("REF_VARIANT", "reference", f"the choices at the MAY points of profile §8 ({variants.describe()})"),
)

STANDARD_CATEGORY = "STANDARD_INDIVIDUAL"
LOW_RISK_CATEGORY = "LOW_RISK_INDIVIDUAL"
HIGH_RISK_CATEGORY = "HIGH_RISK_INDIVIDUAL"


class ConfigError(ValueError):
    """A configuration value is unusable (unknown fault, bad number, whitespace in a credential)."""


@dataclass(frozen=True)
class AdminAccount:
    """A tenant's administrator, who logs in through S1."""

    org_id: str
    user_id: str
    username: str
    password: str


@dataclass(frozen=True)
class Tenant:
    """A tenant with its API credentials and its one administrator; ``power`` marks the overseer."""

    id: str
    path_id: str
    name: str
    key: str
    secret: str
    admin: AdminAccount
    power: bool = False

    def matches_path(self, value: str) -> bool:
        """Whether a path segment names this tenant (its path id or its id)."""
        return value in (self.path_id, self.id)


@dataclass(frozen=True)
class Limits:
    """TRANSFER limits of one risk class, in cents (PAY-9, RISK-4, WAL-5)."""

    per_transaction: int
    daily: int
    monthly: int
    minimum: int = 1


@dataclass(frozen=True)
class Config:
    """Everything a deployment needs; built by :func:`load_config`."""

    tenant_a: Tenant
    tenant_b: Tenant
    power_tenant: Tenant
    jwt_secret: str = field(repr=False)
    token_ttl_s: int = 3600
    order_ttl_s: float = 900.0
    lockout_threshold: int = 5
    lockout_s: int = 1800
    transfer_processing_fee: int = 100
    transfer_network_fee: int = 50
    topup_fee: int = 0
    topup_max: int = 100_000_000
    standard_limits: Limits = Limits(500_000, 1_000_000, 10_000_000)
    high_risk_limits: Limits = Limits(200_000, 500_000, 5_000_000)
    faults: frozenset[str] = frozenset()
    variant: Variant = REFERENCE
    values: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def tenants(self) -> tuple[Tenant, ...]:
        """All tenants, the power tenant last."""
        return (self.tenant_a, self.tenant_b, self.power_tenant)

    def tenant_by_id(self, tenant_id: str | None) -> Tenant | None:
        """The tenant whose X-Tenant-ID value is ``tenant_id``."""
        return next((t for t in self.tenants if t.id == tenant_id), None)

    def fault(self, name: str) -> bool:
        """Whether the named fault is enabled; an unregistered name is a programming error."""
        if name not in fault_registry.FAULTS:
            raise KeyError(f"unregistered fault {name!r}")
        return name in self.faults

    def announced(self, base_url: str) -> list[tuple[str, str]]:
        """The profile §7.2 variables that point a suite at this deployment, in print order."""
        lines = [("FINHUB_BASE_URL", base_url)]
        for setting in SETTINGS:
            if setting.printed_as:
                value = self.values[setting.env]
                if setting.env == "REF_TENANT_PATH_ID":
                    value = self.tenant_a.path_id
                elif setting.env == "REF_TENANT_B_PATH_ID":
                    value = self.tenant_b.path_id
                lines.append((setting.printed_as, value))
        lines += [("FINHUB_STANDARD_CATEGORY", STANDARD_CATEGORY), ("FINHUB_HIGH_RISK_CATEGORY", HIGH_RISK_CATEGORY),
                  ("FINHUB_FUNDING", "topup"), ("FINHUB_TARGET_KIND", "local")]
        return lines


def _int(values: Mapping[str, str], env: str, minimum: int = 0) -> int:
    try:
        number = int(values[env])
    except ValueError:
        raise ConfigError(f"{env} must be an integer, got {values[env]!r}") from None
    if number < minimum:
        raise ConfigError(f"{env} must be >= {minimum}")
    return number


def _float(values: Mapping[str, str], env: str) -> float:
    try:
        number = float(values[env])
    except ValueError:
        raise ConfigError(f"{env} must be a number, got {values[env]!r}") from None
    if not number > 0:
        raise ConfigError(f"{env} must be > 0")
    return number


def parse_faults(text: str | None) -> frozenset[str]:
    """Split a comma-separated fault list and check every name against the registry."""
    names = frozenset(part.strip() for part in (text or "").split(",") if part.strip())
    unknown = sorted(names - fault_registry.FAULTS.keys())
    if unknown:
        raise ConfigError(f"unknown fault(s): {', '.join(unknown)} (see --list-faults)")
    return names


def _variant(name: str) -> Variant:
    try:
        return variants.VARIANTS[name]
    except KeyError:
        raise ConfigError(f"unknown variant {name!r} (one of: {', '.join(variants.VARIANTS)})") from None


def _limits(limits: LimitSet) -> Limits:
    return Limits(limits.per_transaction, limits.daily, limits.monthly)


def load_config(environ: Mapping[str, str] | None = None, overrides: Mapping[str, object] | None = None,
                faults: object = None) -> Config:
    """Build the frozen config: ``overrides`` (keyed by ``REF_*`` name) > ``environ`` > the variant's
    defaults > defaults.

    ``faults`` (an iterable of names) is added to any ``REF_FAULTS`` list.
    """
    environ = os.environ if environ is None else environ
    overrides = overrides or {}
    variant = _variant(str(overrides.get("REF_VARIANT") or environ.get("REF_VARIANT") or REFERENCE.name))
    values: dict[str, str] = {}
    for setting in SETTINGS:
        value = overrides.get(setting.env)
        if value is None:
            value = environ.get(setting.env, variant.setting_defaults.get(setting.env, setting.default))
        values[setting.env] = str(value)
    for setting in SETTINGS:
        if setting.printed_as and any(ch.isspace() for ch in values[setting.env]):
            raise ConfigError(f"{setting.env} must not contain whitespace")
    enabled = set(parse_faults(values["REF_FAULTS"]))
    enabled |= parse_faults(",".join(faults or ()))

    def tenant(prefix: str, admin_prefix: str, power: bool = False) -> Tenant:
        tenant_id = values[f"{prefix}_ID"]
        return Tenant(
            id=tenant_id,
            path_id=values.get(f"{prefix}_PATH_ID") or tenant_id,
            name=values[f"{prefix}_NAME"],
            key=values[f"{prefix}_KEY"],
            secret=values[f"{prefix}_SECRET"],
            admin=AdminAccount(values[f"{admin_prefix}_ORG_ID"], values[f"{admin_prefix}_USER_ID"],
                               values[f"{admin_prefix}_USERNAME"], values[f"{admin_prefix}_PASSWORD"]),
            power=power,
        )

    tenants = (tenant("REF_TENANT", "REF_ADMIN"), tenant("REF_TENANT_B", "REF_TENANT_B_ADMIN"),
               tenant("REF_POWER_TENANT", "REF_POWER", power=True))
    if len({t.id for t in tenants}) != 3:
        raise ConfigError("tenant A, tenant B and the power tenant need distinct ids")
    return Config(
        tenant_a=tenants[0], tenant_b=tenants[1], power_tenant=tenants[2],
        jwt_secret=values["REF_JWT_SECRET"] or secrets.token_urlsafe(32),
        token_ttl_s=_int(values, "REF_TOKEN_TTL_S", 1),
        order_ttl_s=_float(values, "REF_ORDER_TTL_S"),
        lockout_threshold=_int(values, "REF_LOCKOUT_THRESHOLD", 1),
        lockout_s=_int(values, "REF_LOCKOUT_S", 1),
        transfer_processing_fee=_int(values, "REF_TRANSFER_PROCESSING_FEE"),
        transfer_network_fee=_int(values, "REF_TRANSFER_NETWORK_FEE"),
        topup_fee=_int(values, "REF_TOPUP_FEE"),
        standard_limits=_limits(variant.standard_limits),
        high_risk_limits=_limits(variant.high_risk_limits),
        faults=frozenset(enabled),
        variant=variant,
        values=values,
    )
