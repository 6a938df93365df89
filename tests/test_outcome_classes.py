"""Outcome classes keep a broken target apart from a non-conformant one, also inside exception groups."""

from __future__ import annotations

from finhub_conformance.errors import ConfigurationError, NonConformance, SetupFailure, TargetError
from steps.reporting import classify_error


def test_plain_exceptions():
    assert classify_error(NonConformance("PAY-4", "twice")) == ("non-conformant", "PAY-4")
    assert classify_error(SetupFailure("ACT-1", "setup")) == ("setup failure", "ACT-1")
    assert classify_error(TargetError("reset")) == ("target error", None)
    assert classify_error(ConfigurationError("no url")) == ("configuration error", None)
    assert classify_error(KeyError("bug")) == ("suite error", None)


def test_exception_groups_from_hypothesis():
    flaky_network = ExceptionGroup("flaky", [TargetError("a"), TargetError("b")])
    assert classify_error(flaky_network) == ("target error", None)
    real_bug = ExceptionGroup("two bugs", [TargetError("a"), NonConformance("REG-3", "accepted")])
    assert classify_error(real_bug) == ("non-conformant", "REG-3")
    nested = ExceptionGroup("outer", [ExceptionGroup("inner", [TargetError("x")]), TargetError("y")])
    assert classify_error(nested) == ("target error", None)
    assert classify_error(ExceptionGroup("ours", [KeyError("bug")])) == ("suite error", None)
