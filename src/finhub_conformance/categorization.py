"""Reading the categorization hierarchy (CAT-1) and building a full parametrization (CAT-5)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Category", "Feature", "parse_hierarchy", "valid_value", "invalid_value"]


@dataclass(frozen=True)
class Feature:
    """A category feature with its mandatory keys and allowed values."""

    code: str
    feature_id: str
    mandatory_keys: tuple[str, ...] = ()
    allowed_values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Category:
    """One category of E1, with what a registration must send to use it."""

    category_id: str
    name: str
    features: tuple[Feature, ...] = ()
    database_id: str | None = None

    def registration_category(self, omit_key: str | None = None,
                              bad_value_for: str | None = None) -> dict[str, Any]:
        """The category part of an E2 body with every mandatory key of every feature filled in.

        ``omit_key`` leaves one key out (CAT-3); ``bad_value_for`` sends a value outside its
        allowed values (CAT-4).
        """
        relations = []
        for feature in self.features:
            parametrization = []
            for key in feature.mandatory_keys:
                if key == omit_key:
                    continue
                allowed = feature.allowed_values.get(key)
                value = invalid_value(allowed) if key == bad_value_for else valid_value(allowed)
                parametrization.append({"name": key, "value": value})
            relations.append({"feature": {"id": feature.feature_id, "code": feature.code}, "enabled": True,
                              "parametrization": parametrization})
        return {"id": self.category_id, "name": self.name, "relations": relations}

    def constrained_keys(self) -> list[tuple[Feature, str]]:
        """(feature, key) pairs whose values are restricted by ``allowedValues``."""
        return [(f, k) for f in self.features for k in f.mandatory_keys if f.allowed_values.get(k)]


_RANGE = re.compile(r"^\s*(-?\d+)\s*-\s*(-?\d+)\s*$")


def _options(allowed: Any) -> list[str]:
    if isinstance(allowed, str):
        return [allowed]
    if isinstance(allowed, list):
        return [str(v) for v in allowed]
    return []


def valid_value(allowed: Any) -> str:
    """A value inside ``allowed`` (first option; the low end of an inclusive ``"0-100"`` range)."""
    options = _options(allowed)
    if not options:
        return "conformance"
    match = _RANGE.match(options[0])
    return match.group(1) if match else options[0]


def invalid_value(allowed: Any) -> str:
    """A value outside ``allowed`` (above a range's top end, or an unlisted word)."""
    options = _options(allowed)
    for option in options:
        match = _RANGE.match(option)
        if match:
            return str(int(match.group(2)) + 1000)
    return "NOT_AN_ALLOWED_VALUE_ZZ"


def _features(item: dict[str, Any], top: dict[str, Any]) -> tuple[Feature, ...]:
    raw = item.get("availableFeatures", item.get("features")) or []
    if isinstance(raw, dict):
        raw = [dict(v, featureCode=v.get("featureCode", k)) if isinstance(v, dict) else {"featureCode": k}
               for k, v in raw.items()]
    features = []
    for entry in raw:
        if isinstance(entry, str):
            entry = {"featureCode": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("featureCode"), str):
            continue
        code = entry["featureCode"]
        shared = top.get(code, {}) if isinstance(top.get(code), dict) else {}
        keys = entry.get("mandatoryKeys", shared.get("mandatoryKeys")) or []
        allowed = entry.get("allowedValues", shared.get("allowedValues")) or {}
        features.append(Feature(code=code, feature_id=str(entry.get("featureId", entry.get("id", code))),
                                mandatory_keys=tuple(k for k in keys if isinstance(k, str)),
                                allowed_values=allowed if isinstance(allowed, dict) else {}))
    return tuple(features)


def parse_hierarchy(payload: Any) -> dict[str, Category]:
    """Categories of an E1 payload by id; ``categories`` may be a map or an array (CAT-1)."""
    if not isinstance(payload, dict):
        return {}
    top = payload.get("features") if isinstance(payload.get("features"), dict) else {}
    raw = payload.get("categories")
    items: list[tuple[str | None, Any]]
    if isinstance(raw, dict):
        items = list(raw.items())
    elif isinstance(raw, list):
        items = [(None, item) for item in raw]
    else:
        return {}
    categories = {}
    for key, item in items:
        if not isinstance(item, dict):
            continue
        category_id = item.get("categoryId") or key
        if category_id is None:
            continue
        categories[str(category_id)] = Category(
            category_id=str(category_id), name=str(item.get("categoryName", category_id)),
            features=_features(item, top), database_id=item.get("databaseId"))
    return categories
