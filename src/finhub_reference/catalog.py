"""The categorization hierarchy each tenant offers (E1, CAT-1 to CAT-5) and parametrization checks.

Every tenant has the same three B2C categories. ``STANDARD_INDIVIDUAL`` and ``LOW_RISK_INDIVIDUAL`` need
tenant approval; ``HIGH_RISK_INDIVIDUAL`` needs power-tenant approval and carries the feature
``ENHANCED_AML_MONITORING`` with mandatory keys, allowed values (one an inclusive range ``"0-100"``) and a
multi-value key. A category is referenced by ``categoryId`` or by its tenant-specific ``databaseId``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from finhub_reference.config import HIGH_RISK_CATEGORY, LOW_RISK_CATEGORY, STANDARD_CATEGORY, Tenant

_NAMESPACE = uuid.UUID("0f7e3b52-9c1d-4a8e-b6f0-2d5c8a1e4b97")
_RANGE = re.compile(r"^(-?\d+)-(-?\d+)$")


@dataclass(frozen=True)
class Feature:
    """A category feature with its parametrization rules."""

    code: str
    name: str
    description: str
    mandatory_keys: tuple[str, ...] = ()
    allowed_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    multi_value_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Category:
    """A customer category; ``risk`` is LOW, MEDIUM or HIGH."""

    category_id: str
    name: str
    description: str
    risk: str
    approval: str
    features: tuple[Feature, ...] = ()


ENHANCED_AML = Feature(
    code="ENHANCED_AML_MONITORING",
    name="Enhanced AML Monitoring",
    description="Enhanced anti-money-laundering monitoring for high-risk individuals",
    mandatory_keys=("riskLevel", "riskScore", "pep", "sanctionsCheck", "monitoring", "edd"),
    allowed_values={
        "riskLevel": ("LOW", "MEDIUM", "HIGH", "CRITICAL"),
        "riskScore": ("0-100",),
        "pep": ("true", "false"),
        "pepCategory": ("DOMESTIC_PEP", "FOREIGN_PEP", "RCA", "HIO"),
        "sanctionsCheck": ("STANDARD", "ENHANCED", "REAL_TIME"),
        "monitoring": ("WEEKLY", "DAILY", "REAL_TIME"),
        "edd": ("true", "false"),
        "transactionMonitoring": ("BATCH_DAILY", "REAL_TIME"),
    },
    multi_value_keys=("pepCategory",),
)

CATEGORIES: tuple[Category, ...] = (
    Category(STANDARD_CATEGORY, "Standard Individual Customer", "Regular retail customer", "MEDIUM",
             "TENANT_VERIFIED"),
    Category(LOW_RISK_CATEGORY, "Low Risk Individual Customer", "Low-risk retail customer", "LOW",
             "TENANT_VERIFIED"),
    Category(HIGH_RISK_CATEGORY, "High Risk Individual Customer",
             "PEP, high-risk countries or high volume; needs power-tenant approval", "HIGH",
             "POWER_TENANT_VERIFIED", (ENHANCED_AML,)),
)
FEATURES: dict[str, Feature] = {f.code: f for c in CATEGORIES for f in c.features}


def database_id(tenant: Tenant, code: str) -> str:
    """The tenant-specific database id of a category or feature (stable across restarts)."""
    return str(uuid.uuid5(_NAMESPACE, f"{tenant.id}/{code}"))


def resolve(tenant: Tenant, ref: str, *, by_database_id: bool = True) -> Category | None:
    """The category named by ``categoryId`` or (unless switched off, §8 #10) ``databaseId`` in this tenant (CAT-2)."""
    for category in CATEGORIES:
        if ref == category.category_id or (by_database_id and ref == database_id(tenant, category.category_id)):
            return category
    return None


def _feature_payload(tenant: Tenant, feature: Feature) -> dict[str, Any]:
    return {
        "databaseId": database_id(tenant, feature.code),
        "featureCode": feature.code,
        "featureName": feature.name,
        "description": feature.description,
        "mandatoryKeys": list(feature.mandatory_keys),
        "allowedValues": {key: list(values) for key, values in feature.allowed_values.items()},
        "multiValueKeys": list(feature.multi_value_keys),
    }


def hierarchy(tenant: Tenant) -> dict[str, Any]:
    """The E1 payload in the flow shape: ``categories`` keyed by ``categoryId``, plus a ``features`` map."""
    return {
        "tenantId": tenant.id,
        "tenantName": tenant.name,
        "complianceLevel": "ENHANCED",
        "categories": {
            c.category_id: {
                "databaseId": database_id(tenant, c.category_id),
                "categoryId": c.category_id,
                "categoryName": c.name,
                "description": c.description,
                "riskLevel": c.risk,
                "approvalLevel": c.approval,
                "availableFeatures": [_feature_payload(tenant, f) for f in c.features],
            }
            for c in CATEGORIES
        },
        "features": {code: _feature_payload(tenant, f) for code, f in FEATURES.items()},
    }


def _as_values(raw: Any) -> list[str] | None:
    """A parametrization value as a list of strings (lists and comma lists for multi-value keys)."""
    if isinstance(raw, bool):
        return ["true" if raw else "false"]
    if isinstance(raw, (int, str)) and not isinstance(raw, bool):
        return [part.strip() for part in str(raw).split(",")] if isinstance(raw, str) else [str(raw)]
    if isinstance(raw, list) and raw and all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in raw):
        return [str(v).strip() for v in raw]
    return None


def _allowed(value: str, allowed: tuple[str, ...]) -> bool:
    for option in allowed:
        match = _RANGE.match(option)
        if match:
            if re.fullmatch(r"-?\d{1,12}", value) and int(match[1]) <= int(value) <= int(match[2]):
                return True
        elif value == option:
            return True
    return False


def check_parametrization(tenant: Tenant, category: Category, relations: Any, *, check_mandatory: bool = True,
                          check_values: bool = True) -> dict[str, Any] | None:
    """Problems with ``categoryFeatureRelations`` (CAT-3, CAT-4) as error data, or None when valid.

    Returns ``{missingKeys, invalidValues, errors}``; the parsed parametrization of valid relations is not
    needed by the reference, which derives risk from the category alone (§9).
    """
    if relations is None:
        return None
    errors: list[dict[str, str]] = []
    missing: list[str] = []
    invalid: dict[str, str] = {}
    if not isinstance(relations, list):
        return {"missingKeys": [], "invalidValues": {},
                "errors": [{"field": "categorization.categoryFeatureRelations", "message": "must be an array"}]}
    by_ref = {}
    for feature in category.features:
        by_ref[feature.code] = feature
        by_ref[database_id(tenant, feature.code)] = feature
    for index, relation in enumerate(relations):
        where = f"categorization.categoryFeatureRelations[{index}]"
        if not isinstance(relation, dict):
            errors.append({"field": where, "message": "must be an object"})
            continue
        ref = relation.get("feature")
        code = None
        if isinstance(ref, dict):
            code = ref.get("code") if isinstance(ref.get("code"), str) else ref.get("id")
        elif isinstance(ref, str):
            code = ref
        feature = by_ref.get(code) if isinstance(code, str) else None
        if feature is None:
            errors.append({"field": f"{where}.feature", "message": "is not a feature of the category"})
            continue
        if relation.get("enabled", True) is False:
            continue
        values: dict[str, list[str]] = {}
        params = relation.get("parametrization", [])
        if not isinstance(params, list):
            errors.append({"field": f"{where}.parametrization", "message": "must be an array"})
            continue
        for param in params:
            name = param.get("name") if isinstance(param, dict) else None
            parsed = _as_values(param.get("value")) if isinstance(param, dict) else None
            if not isinstance(name, str) or parsed is None:
                errors.append({"field": f"{where}.parametrization", "message": "entries need a name and a value"})
                continue
            values.setdefault(name, []).extend(parsed)
        if check_mandatory:
            missing += [key for key in feature.mandatory_keys if not any(v for v in values.get(key, []))]
        if check_values:
            for name, given in values.items():
                allowed = feature.allowed_values.get(name)
                if allowed is None:
                    continue
                if len(given) > 1 and name not in feature.multi_value_keys:
                    invalid[name] = f"{name} takes a single value"
                    continue
                bad = [v for v in given if not _allowed(v, allowed)]
                if bad:
                    invalid[name] = f"{', '.join(bad)} is not in allowed values: {list(allowed)}"
    if not (errors or missing or invalid):
        return None
    errors += [{"field": key, "message": "mandatory key is missing"} for key in missing]
    errors += [{"field": key, "message": message} for key, message in invalid.items()]
    return {"missingKeys": missing, "invalidValues": invalid, "errors": errors}
