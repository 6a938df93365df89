"""The deployment's choice at every MAY point of profile §8, and the two choice sets the reference offers.

:data:`REFERENCE` is the reference's canonical choice at every point (the "Reference" column of §8).
:data:`ALTERNATE` takes another accepted variant wherever §8 lists one, so that the conformance suite can be
shown to pass against a deployment that agrees with the reference on no MAY point (issue #5): a suite that
leans on one of the reference's choices fails against it. ``serve --variant NAME`` (``REF_VARIANT``) picks one.

Handlers consult ``config.variant`` at each behavioural MAY point (who may call, which state changes, where a
refusal happens). Presentation choices (envelope, success codes, timestamp, enum and amount encodings, key
names and locations, refusal statuses of another accepted kind, throttling, an absent S9) are applied by
:class:`Presentation`, an ASGI middleware over the reference's own responses, so the handlers stay written
once. The middleware is installed only for a variant that reshapes, so the default output is unchanged.
"""

from __future__ import annotations

import json
import math
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Awaitable, Callable, Mapping

Scope = dict[str, Any]
Message = dict[str, Any]
Send = Callable[[Message], Awaitable[None]]
Receive = Callable[[], Awaitable[Message]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class LimitSet:
    """TRANSFER limits of one risk class in cents: per transaction, daily, monthly (§8 #53)."""

    per_transaction: int
    daily: int
    monthly: int


@dataclass(frozen=True)
class Variant:
    """One accepted choice per §8 MAY point; the comment on each field names its §8 row."""

    name: str
    description: str
    reshape: bool = False  # whether :class:`Presentation` rewrites responses (every presentation field below)
    # -- presentation (applied by Presentation) -------------------------------------------------------------
    envelope: str = "E-1"  # 1: E-1 {code, message, data} or E-4 (the bare payload)
    post_status: int = 200  # 2: POST successes, except the endpoints in post_status_exceptions
    post_status_exceptions: Mapping[str, int] = field(default_factory=dict)  # 2: per route name
    empty_delete: bool = False  # 3: DELETE answers 204 without a body
    timestamps: str = "utc-ms-z"  # 4: or "zone-less" (no offset, whole seconds, read as UTC)
    lower_case_enums: bool = False  # 4
    numeric_amounts: bool = False  # 5: AMT-2 rule 5 (JSON numbers in major units) for balances and orders
    hierarchy_as_array: bool = False  # 9: categories as an array, feature rules only in the top-level map
    registered_status: str | None = None  # 12: the customerStatus shown after registration
    wallet_at_registration: bool = True  # 13
    readiness_flags: tuple[str, ...] = ("activationAllowed", "canActivate")  # 38
    top_level_limits: bool = False  # 41: data.transactionLimits {perTransactionLimit, daily, monthly}
    beneficiary_id_keys: tuple[str, ...] = ("beneficiaryId", "id", "assetId")  # 42
    wrapped_beneficiary_list: bool = False  # 44: S6 payload {beneficiaries: [...]}
    error_statuses: Mapping[str, int] = field(default_factory=dict)  # 16, 17, 37, 39, 52: data.error -> status
    foreign_status: int = 404  # 40: foreign or unknown resources (SEC-4, TEN-2), 403 FORBIDDEN or 404
    session_refresh: bool = True  # 20: S9 implemented (else 501, and no refreshToken is handed out)
    throttle_every: int = 0  # 57: every Nth allowed-operations read answers 429 with Retry-After (0: never)
    # -- behaviour (consulted by the handlers) --------------------------------------------------------------
    opaque_ids: bool = False  # 4: ids that are not UUIDs
    required_headers: tuple[str, ...] = ("X-Tenant-ID",)  # 6: required on every call (plus the fintrans pair)
    public_hierarchy: bool = False  # 8: E1 without a token
    database_id_accepted: bool = True  # 10: a category may be named by its databaseId as well
    customer_registers: bool = False  # 11: a cust token may call E2
    uncategorized_risk: str = "MEDIUM"  # 14
    password_min_length: int = 8  # 15: REG-3 or stricter; the stricter policy also refuses repeats
    password_no_repeats: bool = False  # 15: no character repeated consecutively (suite passwords never do)
    repeated_logout_succeeds: bool = False  # 21: an ended session deleted again answers success
    admin_on_customer_steps: bool = True  # 22, 34: an admin token on E5, E6, E8-E10
    initiate_while_open: str = "refuse"  # 23: "refuse" (409) or "same" (success with the open verification)
    implicit_initiation: bool = False  # 24: E6 without E5 initiates
    status_names: Mapping[str, str] = field(default_factory=lambda: {"initiated": "IN_PROGRESS",
                                                                      "submitted": "PENDING"})  # 25
    auto_approve_standard: bool = False  # 26: VER-9, standard risk only
    rejection_by_status: bool = True  # 27: style A; style B (/reject) is always served
    reinitiate_after_rejection: bool = True  # 28
    tenant_on_high_risk: str = "V1"  # 29: V1 refusal, or V2 PENDING_POWER_TENANT_APPROVAL
    power_needs_tenant_step: bool = False  # 31
    consent_order: bool = False  # 32: terms -> privacy -> data-processing enforced
    consent_reaccept_conflict: bool = False  # 33: 409 instead of the same record
    customer_activates: bool = False  # 35: a cust token may call E11 for itself
    activation_code_required: bool = False  # 36: a missing code gets V
    inactive_reads_refused: bool = False  # 39: E12, E13, S6 before activation get N
    duplicate_beneficiary_same_id: bool = False  # 43: success with the first beneficiary
    authentication_code: str = "A-1"  # 45: A-1 magicLinkToken.answer or A-2 authenticationCode
    consent_checked_at_execute: bool = False  # 46: PAY-2 refusal at E16 instead of E15
    reservation: str = "R1"  # 47: R1 reserve at E15, or R2 nothing reserved, funds re-checked at E16
    setting_defaults: Mapping[str, str] = field(default_factory=dict)  # 18, 19, 49: other REF_* defaults
    settlement_delay_s: float = 0.0  # 50: 0 is synchronous COMPLETED; else PROCESSING, settled after this delay
    replay_double_execute: bool = False  # 51: a second E16 replays the first result
    standard_limits: LimitSet = LimitSet(500_000, 1_000_000, 10_000_000)  # 53
    high_risk_limits: LimitSet = LimitSet(200_000, 500_000, 5_000_000)  # 53
    iban_country: str = "LT"  # 56

    def new_id(self) -> str:
        """A fresh id (GEN-10): a UUID v4, or an opaque URL-safe token that is not a UUID."""
        return "r" + secrets.token_urlsafe(15) if self.opaque_ids else str(uuid.uuid4())

    def code_delivery(self, magic_link: str, code: str) -> dict[str, str]:
        """PAY-13: how S7 hands out the authentication code (A-1 or A-2)."""
        return {"authenticationCode": code} if self.authentication_code == "A-2" else {"magicLinkToken": magic_link}


REFERENCE = Variant("reference", "the reference's canonical choice at every MAY point (profile §8)")

#: Points ALTERNATE leaves at the reference's choice, and why: #7 X-Session-Id (accepted and ignored look the
#: same from outside); #30 an in-tenant power role (several admins per tenant, S1 and visibility changes: not
#: cheap); #48 the order TTL (the harness sets it); #54 funding by hook (needs a side channel into the
#: reference); #55 email reuse across tenants (the only other choice misses a SHOULD).
ALTERNATE = Variant(
    "alternate", "another accepted variant at every MAY point of profile §8 (issue #5)",
    reshape=True, envelope="E-4", post_status=201,
    post_status_exceptions={"add_beneficiary": 200, "create_payment_consent": 200},
    empty_delete=True, timestamps="zone-less", lower_case_enums=True, numeric_amounts=True,
    hierarchy_as_array=True, registered_status="PENDING_VERIFICATION", wallet_at_registration=False,
    readiness_flags=("canActivate",), top_level_limits=True, beneficiary_id_keys=("assetId",),
    wrapped_beneficiary_list=True,
    error_statuses={"USER_NOT_FOUND": 401, "INVALID_TENANT_CREDENTIALS": 401,
                    "ACTIVATION_PREREQUISITES_NOT_MET": 409, "ALREADY_ACTIVE": 422, "ACCOUNT_NOT_ACTIVE": 409,
                    "ORDER_EXPIRED": 410},
    foreign_status=403, session_refresh=False, throttle_every=6,
    opaque_ids=True, required_headers=("X-Tenant-ID", "platform"), public_hierarchy=True,
    database_id_accepted=False, customer_registers=True, uncategorized_risk="LOW", password_min_length=12,
    password_no_repeats=True, repeated_logout_succeeds=True, admin_on_customer_steps=False,
    initiate_while_open="same", implicit_initiation=True,
    status_names={"initiated": "INITIATED", "submitted": "SUBMITTED"}, auto_approve_standard=True,
    rejection_by_status=False, reinitiate_after_rejection=False, tenant_on_high_risk="V2",
    power_needs_tenant_step=True, consent_order=True, consent_reaccept_conflict=True, customer_activates=True,
    activation_code_required=True, inactive_reads_refused=True, duplicate_beneficiary_same_id=True,
    authentication_code="A-2", consent_checked_at_execute=True, reservation="R2",
    setting_defaults={"REF_TOKEN_TTL_S": "1800", "REF_LOCKOUT_S": "900", "REF_TRANSFER_PROCESSING_FEE": "75",
                      "REF_TRANSFER_NETWORK_FEE": "0", "REF_TOPUP_FEE": "25"},
    settlement_delay_s=0.3, replay_double_execute=True,
    standard_limits=LimitSet(300_000, 800_000, 6_000_000), high_risk_limits=LimitSet(150_000, 400_000, 3_000_000),
    iban_country="NL",
)

VARIANTS: dict[str, Variant] = {v.name: v for v in (REFERENCE, ALTERNATE)}


def describe() -> str:
    """``NAME: description`` for every variant, for ``--help``."""
    return "; ".join(f"{v.name}: {v.description}" for v in VARIANTS.values())


# ------------------------------------------------------------------------------------------ presentation

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")
_ENUM_KEYS = frozenset({
    "status", "customerStatus", "activationStatus", "consentType", "operationType", "paymentType", "type",
    "verificationType", "level", "requiredApprovalLevel", "verificationLevel", "approvalLevel", "riskLevel",
    "partyType", "networkName", "network", "pepCheckResult", "customerType", "accountStatus", "assetType",
    "userType", "tokenType", "verificationStatus"})
_ENUM_LIST_KEYS = frozenset({"requiredDocuments", "verificationTypes", "missingConsents", "allowedNetworks",
                             "roles"})
#: Objects whose decimal strings are amounts: balance snapshots (``balances.before|after``) and limits.
_NUMERIC_MAPS = frozenset({"before", "after", "limits", "transactionLimits"})
#: Routes whose 404 is not the F-class answer for a foreign resource (E4 and S9: unknown session, 404 only).
_NOT_FOREIGN = frozenset({"end_customer_session", "refresh_customer_session"})
_SESSION_REFRESH = re.compile(r"^/api/v2\.1/customer/individual/[^/]+/users/[^/]+/sessions/[^/]+$")
_THROTTLED = re.compile(r"^/api/v2\.1/fintrans/[^/]+/allowed-operations$")


def _zone_less(text: str) -> str:
    """GEN-9: ``2026-01-14T11:00:00.123Z`` -> ``2026-01-14T11:00:01``, rounded up so a deadline never moves earlier."""
    moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    whole = datetime.fromtimestamp(math.ceil(moment.timestamp()), tz=timezone.utc)
    return whole.strftime("%Y-%m-%dT%H:%M:%S")


def _number(text: str) -> float:
    """A decimal string (major units) as a JSON number (AMT-2 rule 5)."""
    return float(Decimal(text))


@dataclass(frozen=True)
class Shaper:
    """Rewrites one payload: zone-less timestamps, lower-case enums, numeric amounts (each when switched on)."""

    zone_less: bool = False
    lower_case_enums: bool = False
    numeric_amounts: bool = False

    @classmethod
    def of(cls, variant: Variant) -> "Shaper":
        """The shaper of a variant's success payloads."""
        return cls(variant.timestamps == "zone-less", variant.lower_case_enums, variant.numeric_amounts)

    def value(self, value: Any, key: str | None = None) -> Any:
        """The shaped form of ``value`` found under ``key``."""
        if isinstance(value, dict):
            return self.mapping(value, key)
        if isinstance(value, list):
            if self.lower_case_enums and key in _ENUM_LIST_KEYS:
                return [item.lower() if isinstance(item, str) else item for item in value]
            return [self.value(item) for item in value]
        if isinstance(value, str):
            if self.zone_less and _TIMESTAMP.match(value):
                return _zone_less(value)
            if self.lower_case_enums and key in _ENUM_KEYS:
                return value.lower()
        return value

    def mapping(self, value: dict[str, Any], key: str | None) -> Any:
        """A JSON object: AmountDtos, limits, snapshots and ``*Formatted`` pairs become numbers (AMT-2 rule 5)."""
        if self.numeric_amounts:
            if {"value", "scale", "currency"} <= value.keys():
                return float(Decimal(str(value["value"])).scaleb(-int(value["scale"])))
            if key in _NUMERIC_MAPS:
                return {k: _number(x) if isinstance(x, str) and _DECIMAL.match(x) else self.value(x, k)
                        for k, x in value.items()}
        shaped: dict[str, Any] = {}
        for k, x in value.items():
            if self.numeric_amounts and k.endswith("Formatted") and k[:-9] in value:
                continue
            if self.numeric_amounts and f"{k}Formatted" in value:
                shaped[k] = _number(value[f"{k}Formatted"])
            else:
                shaped[k] = self.value(x, k)
        return shaped


def _beneficiary(variant: Variant, item: Any) -> Any:
    """BEN-1: keep only the variant's beneficiary id keys."""
    if not isinstance(item, dict):
        return item
    dropped = {"beneficiaryId", "id", "assetId"} - set(variant.beneficiary_id_keys)
    return {k: x for k, x in item.items() if k not in dropped}


def _hierarchy(payload: dict[str, Any]) -> dict[str, Any]:
    """CAT-1: categories as an array; items name their features, whose rules are in the top-level map."""
    categories = payload.get("categories") or {}
    items = []
    for entry in categories.values():
        features = [{"featureCode": f["featureCode"], "featureName": f.get("featureName")}
                    for f in entry.get("availableFeatures", [])]
        items.append({**{k: x for k, x in entry.items() if k != "availableFeatures"}, "features": features})
    return {**payload, "categories": items}


def _limits(payload: dict[str, Any]) -> dict[str, Any]:
    """WAL-5: TRANSFER's limits moved to ``data.transactionLimits`` under the second key names."""
    operations = []
    moved = None
    for item in payload.get("operations", []):
        if isinstance(item, dict) and str(item.get("operationType", "")).upper() == "TRANSFER" and "limits" in item:
            moved = item["limits"]
            item = {k: x for k, x in item.items() if k != "limits"}
        operations.append(item)
    shaped = {**payload, "operations": operations}
    if moved is not None:
        shaped["transactionLimits"] = {"perTransactionLimit": moved["maxAmount"], "daily": moved["dailyLimit"],
                                       "monthly": moved["monthlyLimit"], "minimum": moved["minAmount"],
                                       "currency": moved["currency"]}
    return shaped


def _payload(variant: Variant, route: str | None, payload: Any) -> Any:
    """The per-endpoint reshaping of a success payload (before the generic encodings)."""
    if route == "get_categorization_hierarchy" and variant.hierarchy_as_array:
        payload = _hierarchy(payload)
    elif route == "register_individual_customer":
        if variant.registered_status:
            payload = {**payload, "customerStatus": variant.registered_status}
        if not variant.wallet_at_registration:
            payload = {k: x for k, x in payload.items() if k not in ("wallet", "walletId", "accountId")}
    elif route in ("create_customer_session", "create_admin_session") and not variant.session_refresh:
        payload = {k: x for k, x in payload.items() if k != "refreshToken"}
    elif route == "check_activation_readiness":
        dropped = {"activationAllowed", "canActivate"} - set(variant.readiness_flags)
        payload = {k: x for k, x in payload.items() if k not in dropped}
    elif route == "get_allowed_operations":
        if variant.top_level_limits:
            payload = _limits(payload)
        if "beneficiaries" in payload:
            payload = {**payload, "beneficiaries": [_beneficiary(variant, b) for b in payload["beneficiaries"]]}
    elif route == "add_beneficiary":
        payload = _beneficiary(variant, payload)
    elif route == "list_beneficiaries":
        payload = [_beneficiary(variant, b) for b in payload]
        if variant.wrapped_beneficiary_list:
            payload = {"beneficiaries": payload, "count": len(payload)}
    return payload


def _success(variant: Variant, scope: Scope, status: int, document: dict[str, Any]) -> tuple[int, Any]:
    """GEN-4, GEN-5: the success status and body (None for an empty 204)."""
    route = _route_name(scope)
    method = scope.get("method")
    if method == "DELETE" and variant.empty_delete:
        return 204, None
    if method == "POST":
        status = variant.post_status_exceptions.get(route or "", variant.post_status)
    payload = Shaper.of(variant).value(_payload(variant, route, document.get("data")))
    extras = {k: x for k, x in document.items() if k not in ("code", "message", "data")}
    if variant.envelope == "E-4" and isinstance(payload, dict):
        return status, {**payload, **extras}
    return status, {"code": status, "message": document.get("message", "Success"), "data": payload, **extras}


def _foreign(scope: Scope, status: int, error: Any) -> bool:
    """Whether a 404 is the F-class answer for a foreign or unknown resource (not an unknown route or session)."""
    route = _route_name(scope)
    if status != 404 or error != "NOT_FOUND" or route is None or route in _NOT_FOREIGN:
        return False
    if route == "accept_consent":  # an unknown consent segment is CON-4 (400 or 404), not a foreign resource
        from finhub_reference.routers.consents import SEGMENTS

        return scope.get("path_params", {}).get("segment") in SEGMENTS
    return True


def _error(variant: Variant, scope: Scope, status: int, document: dict[str, Any]) -> tuple[int, Any]:
    """GEN-6: refusal statuses of the variant's kind; the body keeps ``message`` and ``data.error``."""
    data = dict(document.get("data") or {})
    error = data.get("error")
    if variant.foreign_status != 404 and _foreign(scope, status, error):
        status, data["error"] = variant.foreign_status, "FORBIDDEN"
    status = variant.error_statuses.get(str(error), status)
    data = Shaper(zone_less=variant.timestamps == "zone-less").value(data)
    if variant.envelope == "E-4":
        return status, {"message": document.get("message", ""), "data": data}
    return status, {**document, "code": status, "data": data}


def _route_name(scope: Scope) -> str | None:
    route = scope.get("route")
    return getattr(route, "name", None)


class Presentation:
    """ASGI middleware applying a reshaping variant's presentation choices to every JSON response."""

    def __init__(self, app: App, variant: Variant) -> None:
        self.app = app
        self.variant = variant
        self._reads = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Short-cut throttled or absent calls; otherwise run the app and rewrite its answer."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        early = self._early_answer(scope)
        if early is not None:
            await _send(send, *early)
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        status, body, headers = start["status"], b"".join(chunks), list(start.get("headers", []))
        try:
            document = json.loads(body)
        except ValueError:
            document = None
        if isinstance(document, dict):
            shaped = _success if status < 400 else _error
            status, content = shaped(self.variant, scope, status, document)
            headers = [(k, x) for k, x in headers if k.lower() not in (b"content-length", b"content-type")]
            await _send(send, status, content, headers)
            return
        await send(start)
        await send({"type": "http.response.body", "body": body})

    def _early_answer(self, scope: Scope) -> tuple[int, Any, list[tuple[bytes, bytes]]] | None:
        """GEN-12: every Nth E13 read is throttled; SES-9: S9 is absent when the variant has no refresh."""
        path, method = scope.get("path", ""), scope.get("method")
        if self.variant.throttle_every and method == "GET" and _THROTTLED.match(path):
            self._reads += 1
            if self._reads % self.variant.throttle_every == 0:
                return 429, {"message": "Too many requests", "data": {"error": "RATE_LIMITED"}}, \
                    [(b"retry-after", b"1")]
        if not self.variant.session_refresh and method == "PUT" and _SESSION_REFRESH.match(path):
            return 501, {"message": "Session refresh is not implemented", "data": {"error": "NOT_IMPLEMENTED"}}, []
        return None


async def _send(send: Send, status: int, content: Any, headers: list[tuple[bytes, bytes]]) -> None:
    """One complete response; ``content`` None means an empty body."""
    body = b"" if content is None else json.dumps(content, separators=(",", ":")).encode()
    if content is not None:
        headers = [*headers, (b"content-type", b"application/json")]
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
