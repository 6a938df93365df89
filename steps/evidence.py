"""The evidence plugin: each step's HTTP exchanges, redacted, attached to the report once the step ends.

Exchanges are collected as they happen (an observer of the client) and written as ONE attachment per
step, when the step ends or fails, instead of one file per exchange: the evidence stays under the step
that made the calls, and a run writes a few hundred attachments instead of thousands (issue 8).
Exchanges made by fixtures before the first step are attached to the scenario itself. Inside a
Hypothesis-driven step only the final (shrunk) example's exchanges are kept.
"""

from __future__ import annotations

import pytest

from finhub_conformance.exchange import Exchange
from finhub_conformance.redaction import Redactor, evidence_text
from finhub_conformance.strategies import in_discarded_example

try:
    import allure
except ImportError:  # pragma: no cover - allure-pytest-bdd is a dependency
    allure = None

__all__ = ["StepEvidence", "EVIDENCE"]

#: Separates the exchanges of one step in its attachment.
_RULE = "\n\n" + "=" * 100 + "\n\n"


class StepEvidence:
    """Observer of the client: keeps the exchanges of the running step until :meth:`flush`."""

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        self.pending: list[Exchange] = []

    def __call__(self, exchange: Exchange) -> None:
        if not in_discarded_example():
            self.pending.append(exchange)

    def flush(self) -> None:
        """Attach the pending exchanges as one redacted text (to the open step, else the scenario)."""
        exchanges, self.pending = self.pending, []
        if not exchanges or allure is None:
            return
        name = exchanges[0].describe() if len(exchanges) == 1 else (
            f"{len(exchanges)} exchanges: " + ", ".join(e.operation.split()[0] + f" {e.status}" for e in exchanges))
        allure.attach(_RULE.join(evidence_text(e, self.redactor) for e in exchanges), name=name[:200],
                      attachment_type=allure.attachment_type.TEXT)


EVIDENCE = pytest.StashKey[StepEvidence]()


def _flush(request: pytest.FixtureRequest) -> None:
    evidence = request.config.stash.get(EVIDENCE, None)
    if evidence is not None:
        evidence.flush()


# tryfirst: run before allure-pytest-bdd closes (or opens) its step, so the attachment lands in the right one.

@pytest.hookimpl(tryfirst=True)
def pytest_bdd_before_step(request, feature, scenario, step, step_func) -> None:
    _flush(request)  # exchanges of fixtures, before the first step: the scenario's own evidence


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_after_step(request, feature, scenario, step, step_func, step_func_args) -> None:
    _flush(request)


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_step_error(request, feature, scenario, step, step_func, step_func_args, exception) -> None:
    _flush(request)


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_after_scenario(request, feature, scenario) -> None:
    _flush(request)
