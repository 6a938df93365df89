"""The head start: a scenario tagged ``@head_start`` has its order prepared as the run begins, and runs last.

Seeing a prepared order expire (PAY-7) takes the deployment's whole order lifetime: 2 s on the embedded
reference, 15 min by the reference's default, any length the profile allows. Waited for inside the
scenario, that lifetime was added to the run (a fifth of it on the embedded reference). Here the order is
prepared while the first scenario starts, on a thread of its own with a client of its own (its own
connection; the same checks, the run's tally and FINHUB_MAX_RPS), and the scenario is moved to the end of
the run: by the time it executes the order the lifetime has mostly or wholly passed, so a run lasts about
the longer of the two instead of their sum.

The scenario's steps take what was prepared (:meth:`HeadStart.take`): its exchanges become their evidence
and its advisories theirs, and whatever the preparation raised (a violation, a skip for a missing
funding method, a target error) is raised by the step that takes it, as if the step had done the work.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Callable

import pytest

from finhub_conformance.checks import Advisory
from finhub_conformance.exchange import Exchange
from finhub_conformance.journey import Bank

from steps.harness import new_client

__all__ = ["HeadStart", "Preparation", "MARKER"]

MARKER = "head_start"


@dataclass
class Preparation:
    """What a head start recorded besides its result: every exchange and every advisory, in order."""

    exchanges: list[Exchange] = field(default_factory=list)
    advisories: list[Advisory] = field(default_factory=list)


class HeadStart:
    """One piece of setup done on a thread while the run goes on; :meth:`take` waits for it."""

    def __init__(self, work: Callable[[Bank], object], bank: Bank, preparation: Preparation) -> None:
        self.preparation = preparation
        self._outcome: Future = Future()
        self._thread = threading.Thread(target=self._run, args=(work, bank), name="head start", daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[Bank], object], bank: Bank) -> None:
        try:
            self._outcome.set_result(work(bank))
        except BaseException as exc:  # pytest.skip raises an OutcomeException, not an Exception
            self._outcome.set_exception(exc)
        finally:
            bank.client.http.close()

    def take(self) -> object:
        """The work's result once it is done; what it raised, raised here (in the scenario's step)."""
        return self._outcome.result()


def _wanted(session: pytest.Session) -> bool:
    return any(item.get_closest_marker(MARKER) for item in session.items)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    """Head-started scenarios run last (stable for the rest), so the most of the run passes before them."""
    items.sort(key=lambda item: item.get_closest_marker(MARKER) is not None)


@pytest.fixture(scope="session", autouse=True)
def head_start(request: pytest.FixtureRequest):
    """Starts the expiring order of the ``@head_start`` scenarios when the first scenario starts (None without one).

    The fixtures it needs are asked for only when such a scenario was selected: the project's own tests
    load this plugin too, and must not start a target.
    """
    if not _wanted(request.session):
        yield None
        return
    from steps.order_expiry_steps import prepare_expiring_order  # the work lives with the steps that take it

    target, redactor = request.getfixturevalue("target"), request.getfixturevalue("redactor")
    main = request.getfixturevalue("client")
    preparation = Preparation()
    client = new_client(target, redactor, f"{main.run_id}h", [request.getfixturevalue("tally"),
                                                             preparation.exchanges.append],
                        preparation.advisories.append, pacer=main.pacer)
    yield HeadStart(prepare_expiring_order, Bank(client, target, redactor, client.run_id), preparation)
