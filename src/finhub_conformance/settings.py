"""One frozen settings object for a run (profile §7.2).

Precedence, highest first: explicit overrides (CLI options) > process environment (``FINHUB_*``) >
an env file (``--env-file``) > defaults. Only :func:`load_settings` reads the environment.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Mapping

from .errors import ConfigurationError

__all__ = ["AdminCredentials", "TenantConfig", "Settings", "load_settings", "parse_env_file"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class AdminCredentials:
    """An admin identity for S1: path ids and body credentials."""

    org_id: str
    user_id: str
    username: str
    password: str = field(repr=False)
    tenant_header: str
    tenant_key: str
    tenant_secret: str = field(repr=False)


@dataclass(frozen=True)
class TenantConfig:
    """One tenant as the suite addresses it: header value, path id, API credentials, admin."""

    name: str
    header_id: str
    path_id: str
    key: str
    secret: str = field(repr=False)
    admin: AdminCredentials


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to reach and drive a deployment; secrets are hidden from repr."""

    base_url: str | None
    tenant: TenantConfig | None
    power: AdminCredentials | None = None
    tenant_b: TenantConfig | None = None
    standard_category: str = "STANDARD_INDIVIDUAL"
    high_risk_category: str = "HIGH_RISK_INDIVIDUAL"
    funding: str = "topup"
    funding_hook: str | None = None
    reject_style: str = "auto"
    lockout_threshold: int = 5
    max_expiry_wait_s: float = 960.0
    settle_timeout_s: float = 30.0
    email_domain: str = "example.com"
    forwarded_for: str = "127.0.0.1"
    verify_tls: bool = True
    http_timeout_s: float = 30.0
    #: What the target is (FINHUB_TARGET_KIND); a remote run needs a declared test environment.
    target_kind: str | None = None
    #: Politeness towards a shared staging: at most this many requests per second (None: no limit).
    max_rps: float | None = None
    #: The whole run's time budget: once spent, no further scenario starts and the run is incomplete.
    run_budget_s: float = 1800.0
    #: Where the values came from, for the run header (never values themselves).
    source: str = "defaults"

    @property
    def embedded(self) -> bool:
        """True when no target is configured and the embedded reference must be started."""
        return self.base_url is None

    def secrets(self) -> tuple[str, ...]:
        """Every configured secret value, for redaction and the SEC-1 scan."""
        values: list[str] = []
        for tenant in (self.tenant, self.tenant_b):
            if tenant:
                values += [tenant.secret, tenant.admin.password, tenant.admin.tenant_secret]
        if self.power:
            values += [self.power.password, self.power.tenant_secret]
        return tuple(v for v in dict.fromkeys(values) if v)

    def with_target(self, env: Mapping[str, str]) -> "Settings":
        """The same settings pointed at the deployment described by ``env`` (``FINHUB_*`` keys)."""
        target = _from_mapping(env, source="embedded reference")
        keep = {f.name: getattr(self, f.name) for f in fields(self)
                if f.name in {"reject_style", "lockout_threshold", "max_expiry_wait_s", "settle_timeout_s",
                              "email_domain", "forwarded_for", "http_timeout_s", "max_rps", "run_budget_s"}}
        return replace(target, **keep)


_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")


def parse_env_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read ``KEY=value`` lines (``export``, comments, blank lines and quotes allowed)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read env file {p}: {exc.strerror or exc}") from None
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        match = _LINE.match(raw)
        if not match:
            raise ConfigurationError(f"{p}:{number}: expected KEY=value, got {raw.strip()[:40]!r}")
        key, value = match.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def load_settings(overrides: Mapping[str, str | None] | None = None,
                  env_file: str | os.PathLike[str] | None = None,
                  environ: Mapping[str, str] | None = None) -> Settings:
    """Build the run's settings: overrides > environment > env file > defaults.

    With no ``FINHUB_BASE_URL`` anywhere the result targets the embedded reference and carries no
    tenant yet (see :meth:`Settings.with_target`). A remote target with a required variable missing
    raises :class:`ConfigurationError` naming every missing variable.
    """
    environ = os.environ if environ is None else environ
    merged: dict[str, str] = {}
    sources = []
    if env_file:
        merged.update(parse_env_file(env_file))
        sources.append(f"env file {env_file}")
    from_env = {k: v for k, v in environ.items() if k.startswith("FINHUB_")}
    if from_env:
        sources.append("environment")
    merged.update(from_env)
    merged.update({k: v for k, v in (overrides or {}).items() if v is not None})
    if overrides and any(v is not None for v in overrides.values()):
        sources.append("command line")
    return _from_mapping(merged, source=" > ".join(reversed(sources)) or "defaults")


#: Target kinds the suite may create customers and move money on (the safety guard).
TEST_ENVIRONMENTS = frozenset({"sandbox", "staging", "test", "local"})

_REQUIRED = ("FINHUB_TENANT_ID", "FINHUB_TENANT_KEY", "FINHUB_TENANT_SECRET", "FINHUB_ADMIN_ORG_ID",
             "FINHUB_ADMIN_USER_ID", "FINHUB_ADMIN_USERNAME", "FINHUB_ADMIN_PASSWORD")


def _from_mapping(env: Mapping[str, str], source: str) -> Settings:
    get = lambda key, default=None: (env.get(key) or "").strip() or default  # noqa: E731
    base_url = get("FINHUB_BASE_URL")
    common = _common_options(env, get)
    if base_url is None:
        return Settings(base_url=None, tenant=None, source=source, **common)
    if not re.match(r"^https?://[^/\s]+", base_url):
        raise ConfigurationError(f"FINHUB_BASE_URL must be an http(s) URL, got {base_url!r}")
    missing = [k for k in _REQUIRED if get(k) is None]
    if missing:
        raise ConfigurationError("missing required setting(s) for a remote target: " + ", ".join(missing)
                                 + " (profile §7.2; set them in the environment or an --env-file)")
    kind = (get("FINHUB_TARGET_KIND") or "").lower()
    if kind not in TEST_ENVIRONMENTS:
        raise ConfigurationError(
            f"refusing to run against {base_url}: the suite registers customers and moves (sandbox) money, so "
            "the target must be declared a test environment with FINHUB_TARGET_KIND="
            + "|".join(sorted(TEST_ENVIRONMENTS)) + (f" (got {kind!r})" if kind else " (not set)"))
    tenant = _tenant(get, "FINHUB_", "A")
    power = None
    if get("FINHUB_POWER_USERNAME"):
        power_missing = [k for k in ("FINHUB_POWER_ORG_ID", "FINHUB_POWER_USER_ID", "FINHUB_POWER_PASSWORD")
                         if get(k) is None]
        if power_missing:
            raise ConfigurationError("FINHUB_POWER_USERNAME is set but these are missing: "
                                     + ", ".join(power_missing))
        power = AdminCredentials(
            org_id=get("FINHUB_POWER_ORG_ID"), user_id=get("FINHUB_POWER_USER_ID"),
            username=get("FINHUB_POWER_USERNAME"), password=get("FINHUB_POWER_PASSWORD"),
            tenant_header=get("FINHUB_POWER_TENANT_ID", tenant.header_id),
            tenant_key=get("FINHUB_POWER_TENANT_KEY", tenant.key),
            tenant_secret=get("FINHUB_POWER_TENANT_SECRET", tenant.secret))
    tenant_b = None
    if get("FINHUB_TENANT_B_ID"):
        b_missing = [f"FINHUB_TENANT_B_{k}" for k in ("KEY", "SECRET", "ADMIN_ORG_ID", "ADMIN_USER_ID",
                                                     "ADMIN_USERNAME", "ADMIN_PASSWORD")
                     if get(f"FINHUB_TENANT_B_{k}") is None]
        if b_missing:
            raise ConfigurationError("FINHUB_TENANT_B_ID is set but these are missing: " + ", ".join(b_missing))
        tenant_b = _tenant(get, "FINHUB_TENANT_B_", "B")
    return Settings(base_url=base_url.rstrip("/"), tenant=tenant, power=power, tenant_b=tenant_b,
                    source=source, **common)


def _tenant(get, prefix: str, name: str) -> TenantConfig:
    header = get(f"{prefix}ID" if prefix != "FINHUB_" else "FINHUB_TENANT_ID")
    path_key = f"{prefix}PATH_ID" if prefix != "FINHUB_" else "FINHUB_TENANT_PATH_ID"
    key = get(f"{prefix}KEY" if prefix != "FINHUB_" else "FINHUB_TENANT_KEY")
    secret = get(f"{prefix}SECRET" if prefix != "FINHUB_" else "FINHUB_TENANT_SECRET")
    admin = AdminCredentials(
        org_id=get(f"{prefix}ADMIN_ORG_ID"), user_id=get(f"{prefix}ADMIN_USER_ID"),
        username=get(f"{prefix}ADMIN_USERNAME"), password=get(f"{prefix}ADMIN_PASSWORD"),
        tenant_header=header, tenant_key=key, tenant_secret=secret)
    return TenantConfig(name=name, header_id=header, path_id=get(path_key, header), key=key, secret=secret,
                        admin=admin)


def _common_options(env: Mapping[str, str], get) -> dict:
    def number(key: str, default: float, cast=float):
        raw = get(key)
        if raw is None:
            return default
        try:
            value = cast(raw)
        except ValueError:
            raise ConfigurationError(f"{key} must be a number, got {raw!r}") from None
        if value <= 0:
            raise ConfigurationError(f"{key} must be positive, got {raw!r}")
        return value

    def choice(key: str, default: str, allowed: tuple[str, ...]) -> str:
        value = (get(key) or default).lower()
        if value not in allowed:
            raise ConfigurationError(f"{key} must be one of {', '.join(allowed)}, got {value!r}")
        return value

    verify = (get("FINHUB_VERIFY_TLS") or "true").lower()
    if verify not in _TRUE | _FALSE:
        raise ConfigurationError(f"FINHUB_VERIFY_TLS must be true or false, got {verify!r}")
    funding = choice("FINHUB_FUNDING", "topup", ("topup", "hook", "none"))
    hook = get("FINHUB_FUNDING_HOOK")
    if funding == "hook" and not hook:
        raise ConfigurationError("FINHUB_FUNDING=hook needs FINHUB_FUNDING_HOOK (a command template)")
    return dict(
        standard_category=get("FINHUB_STANDARD_CATEGORY", "STANDARD_INDIVIDUAL"),
        high_risk_category=get("FINHUB_HIGH_RISK_CATEGORY", "HIGH_RISK_INDIVIDUAL"),
        funding=funding, funding_hook=hook,
        reject_style=choice("FINHUB_REJECT_STYLE", "auto", ("auto", "status", "endpoint")),
        lockout_threshold=int(number("FINHUB_LOCKOUT_THRESHOLD", 5, int)),
        max_expiry_wait_s=number("FINHUB_MAX_EXPIRY_WAIT_S", 960.0),
        settle_timeout_s=number("FINHUB_SETTLE_TIMEOUT_S", 30.0),
        email_domain=get("FINHUB_EMAIL_DOMAIN", "example.com"),
        forwarded_for=get("FINHUB_FORWARDED_FOR", "127.0.0.1"),
        verify_tls=verify in _TRUE,
        http_timeout_s=number("FINHUB_HTTP_TIMEOUT_S", 30.0),
        target_kind=(get("FINHUB_TARGET_KIND") or "").lower() or None,
        max_rps=number("FINHUB_MAX_RPS", None) if get("FINHUB_MAX_RPS") else None,
        run_budget_s=number("FINHUB_RUN_BUDGET_S", 1800.0),
    )
