"""The coverage gate: every MUST and SHOULD rule of the profile is tagged on a scenario, and every
tag names something real (a rule, a capability or a registered cross-cutting tag)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from finhub_conformance.cli import scenarios_by_rule
from finhub_conformance.rules import PHASE_TAGS, RULES
from steps.harness import CROSS_CUTTING_TAGS

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ROOT / "features"
PROFILE = ROOT.parent / "shared" / "contract" / "b2c-profile.md"
_ROW = re.compile(r"^\| ([A-Z]+-\d+) \| (MUST|SHOULD|MAY|n/a) \| \*\*([^*]+)\*\*", re.MULTILINE)


@pytest.fixture(scope="module")
def profile_rules() -> dict[str, str]:
    if not PROFILE.exists():
        pytest.skip(f"the profile is not beside the repository ({PROFILE})")
    return {rid: level for rid, level, _ in _ROW.findall(PROFILE.read_text(encoding="utf-8"))}


def test_the_catalogue_matches_the_profile(profile_rules):
    assert {rid: rule.level for rid, rule in RULES.items()} == profile_rules


def test_every_must_and_should_rule_has_a_tagged_scenario():
    tested = scenarios_by_rule(FEATURES)
    missing = [rid for rid, rule in RULES.items() if rule.level in ("MUST", "SHOULD") and not tested.get(rid)]
    assert not missing, f"rules without a tagged scenario: {', '.join(missing)}"


def test_every_tag_is_a_rule_a_capability_or_a_registered_cross_cutting_tag():
    known = {rule.tag for rule in RULES.values()} | set(PHASE_TAGS) | set(CROSS_CUTTING_TAGS)
    unknown = {}
    for path in FEATURES.glob("*.feature"):
        for tag in re.findall(r"(?<![\w@])@([\w-]+)", path.read_text(encoding="utf-8")):
            if tag not in known:
                unknown.setdefault(tag, path.name)
    assert not unknown, f"unknown tags: {unknown}"


def test_every_feature_opens_with_its_capability_tag():
    for path in FEATURES.glob("*.feature"):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        assert lines[0].startswith("@") and lines[1].startswith("Feature:"), path.name
        assert set(lines[0].replace("@", "").split()) & set(PHASE_TAGS), path.name
