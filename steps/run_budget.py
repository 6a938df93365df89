"""The run budget (FINHUB_RUN_BUDGET_S, ``--budget``): once it is spent no further scenario starts.

The harness's ``settings`` fixture sets the deadline from the settings and :func:`run_started_at`; under
xdist every worker counts from the controller's start, so the budget is one for the whole run.
"""

from __future__ import annotations

import time

import pytest

__all__ = ["RUN_DEADLINE", "run_started_at"]

RUN_DEADLINE = pytest.StashKey[tuple]()
_STARTED_AT = pytest.StashKey[float]()


def run_started_at(config: pytest.Config) -> float:
    """When the run started (wall clock): the controller's moment, also in xdist workers."""
    worker_input = getattr(config, "workerinput", None)
    if worker_input and "finhub_started_at" in worker_input:
        return worker_input["finhub_started_at"]
    return config.stash.setdefault(_STARTED_AT, time.time())


def pytest_sessionstart(session: pytest.Session) -> None:
    run_started_at(session.config)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem) -> bool | None:
    """FINHUB_RUN_BUDGET_S: once the budget is spent no further scenario starts; the run ends incomplete.

    The scenario under way finishes (each request is bounded by FINHUB_HTTP_TIMEOUT_S), and the
    reports are written as after any stopped run, with the reason in verdict.json's ``stopped``.
    """
    budget, deadline = item.config.stash.get(RUN_DEADLINE, (None, None))
    if deadline is None or time.time() < deadline:
        return None
    item.session.shouldstop = (f"the run budget of {budget:g} s (FINHUB_RUN_BUDGET_S, --budget) is spent; "
                               "the remaining scenarios were not run")
    return True  # handled: this scenario is not run, and pytest stops on shouldstop


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """xdist: the controller's start, for one run budget across the workers."""
    node.workerinput["finhub_started_at"] = run_started_at(node.config)
