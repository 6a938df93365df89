"""The three kinds of bad outcome a run can have, kept apart so a verdict can be trusted.

* :class:`NonConformance` - the target answered and broke a profile rule. It is an ``AssertionError``,
  so pytest and Allure report it as *failed*.
* :class:`TargetError` - the target or the network broke (timeouts, refused or reset connections,
  502/503/504, garbage that is not HTTP). Allure reports it as *broken*, never as a rule failure.
* :class:`ConfigurationError` - the run cannot start as configured; reported before any test runs.

Anything else raised inside the suite is a suite defect.
"""

from __future__ import annotations

__all__ = ["NonConformance", "TargetError", "ConfigurationError", "SetupFailure"]


class NonConformance(AssertionError):
    """The deployment broke rule ``rule``: what was received against what the profile expects."""

    def __init__(self, rule: str, summary: str, received: str = "", expected: str = "",
                 evidence: str = "") -> None:
        self.rule = rule
        self.summary = summary
        self.received = received
        self.expected = expected
        self.evidence = evidence
        lines = [f"[{rule}] {summary}"]
        if received:
            lines.append(f"  Received: {received}")
        if expected:
            lines.append(f"  Expected: {expected}")
        if evidence:
            lines.append(f"  Evidence: {evidence}")
        super().__init__("\n".join(lines))


class SetupFailure(NonConformance):
    """A setup step (S1, S2, E11, S7, S8 …) failed in a scenario that tests something else.

    Profile §7.4: this is reported as an error of the scenario, never as a pass. It still names the
    rule the failing setup call broke, so the deployment is not conformant.
    """


class TargetError(Exception):
    """The target or the transport failed; no conformance verdict can be drawn from it.

    ``tries`` are the call's attempts (:class:`~finhub_conformance.exchange.Attempt`), when it got that far.
    """

    def __init__(self, message: str, tries: tuple = ()) -> None:
        super().__init__(message)
        self.tries = tries


class ConfigurationError(Exception):
    """The run is misconfigured (missing or malformed settings, admin log-in refused)."""
