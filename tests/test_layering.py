"""The suite and the reference deployment share no code (DEVELOPERS.md, house style 1)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(folder: Path) -> set[tuple[str, str]]:
    found = set()
    for path in folder.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found |= {(str(path.relative_to(ROOT)), alias.name.split(".")[0]) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add((str(path.relative_to(ROOT)), node.module.split(".")[0]))
    return found


def test_reference_imports_nothing_of_the_suite():
    offenders = {(f, m) for f, m in _imports(ROOT / "src" / "finhub_reference")
                 if m in {"finhub_conformance", "steps", "pytest_bdd", "pytest", "hypothesis"}}
    assert not offenders


def test_suite_imports_nothing_of_the_reference():
    suite = set()
    for folder in ("src/finhub_conformance", "steps", "suite"):
        suite |= _imports(ROOT / folder)
    assert not {(f, m) for f, m in suite if m == "finhub_reference"}


def test_driver_never_imports_pytest_bdd():
    assert not {(f, m) for f, m in _imports(ROOT / "src" / "finhub_conformance") if m in {"pytest_bdd", "pytest"}}
