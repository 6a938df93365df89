"""The schema registry: every ``schemas/*.json`` loaded once into one ``referencing.Registry``."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

__all__ = ["SchemaRegistry", "SCHEMA_BASE"]

SCHEMA_BASE = "https://schemas.finhub-b2c-conformance.test/"


class SchemaRegistry:
    """Compiled validators by schema name (file stem); no network retrieval ever happens."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        resources = []
        self.names: list[str] = []
        for path in sorted(self.folder.glob("*.json")):
            contents = json.loads(path.read_text(encoding="utf-8"))
            uri = contents.get("$id", SCHEMA_BASE + path.name)
            resources.append((uri, Resource.from_contents(contents, default_specification=DRAFT202012)))
            self.names.append(path.stem)
        self.registry = Registry().with_resources(resources).crawl()
        self._validators: dict[str, Draft202012Validator] = {}

    def validator(self, name: str) -> Draft202012Validator:
        """The (cached) validator of schema ``name``."""
        if name not in self._validators:
            schema = self.registry.contents(SCHEMA_BASE + f"{name}.json")
            Draft202012Validator.check_schema(schema)
            self._validators[name] = Draft202012Validator(
                schema, registry=self.registry, format_checker=Draft202012Validator.FORMAT_CHECKER)
        return self._validators[name]

    def errors(self, name: str, instance: Any) -> list[str]:
        """Human-readable problems of ``instance`` against schema ``name`` (empty when valid)."""
        if name not in self.names:
            return []
        problems = sorted(self.validator(name).iter_errors(instance), key=lambda e: list(e.absolute_path))
        return [f"at /{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in problems]


@lru_cache(maxsize=4)
def load(folder: str) -> SchemaRegistry:
    """One registry per folder per process."""
    return SchemaRegistry(Path(folder))
