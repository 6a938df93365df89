"""The head start (steps/head_start.py): PAY-7's order prepared as the run begins, taken by its scenario."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from finhub_conformance.errors import TargetError
from finhub_conformance.exchange import Exchange
from finhub_conformance.expiry import validity_of
from steps.head_start import MARKER, HeadStart, Preparation, pytest_collection_modifyitems


class _Http:
    closed = False

    def close(self) -> None:
        self.closed = True


def _bank() -> SimpleNamespace:
    return SimpleNamespace(client=SimpleNamespace(http=_Http()))


def test_the_scenario_takes_what_the_head_start_prepared_and_its_client_is_closed():
    bank = _bank()
    started = HeadStart(lambda b: ("order of", b), bank, Preparation())
    assert started.take() == ("order of", bank)
    assert bank.client.http.closed


@pytest.mark.parametrize("raised", [TargetError("the target refused connections"),
                                    pytest.skip.Exception("no funding method (FUND-2)")],
                         ids=["a target error", "a skip"])
def test_what_the_head_start_raised_is_raised_by_the_step_that_takes_it(raised):
    def work(bank):
        raise raised

    bank = _bank()
    started = HeadStart(work, bank, Preparation())
    with pytest.raises(type(raised)) as caught:
        started.take()
    assert caught.value is raised
    assert bank.client.http.closed


def test_head_started_scenarios_run_last_and_the_others_keep_their_order():
    def item(name, marked):
        return SimpleNamespace(name=name, get_closest_marker=lambda m: object() if marked and m == MARKER else None)

    items = [item("a", False), item("expiry", True), item("b", False), item("c", False)]
    pytest_collection_modifyitems(None, None, items)
    assert [i.name for i in items] == ["a", "b", "c", "expiry"]


def test_without_a_head_started_scenario_nothing_is_started(head_start):
    assert head_start is None  # the project's own tests must not start a target


def _prepared(created: str, until: str, received: float) -> Exchange:
    return Exchange("E15 prepare transfer", "POST", "/x", 200, None, {"createdAt": created, "validUntil": until},
                    "", elapsed_ms=10.0, received_at=received)


def test_an_order_answered_longer_ago_than_its_lifetime_needs_no_wait():
    order = _prepared("2030-01-01T10:00:00.000Z", "2030-01-01T10:00:02.000Z", received=0.0)
    assert validity_of(order).wait_s() == 0.0


def test_the_expiry_window_is_as_precise_as_the_timestamps():
    fractional = validity_of(_prepared("2030-01-01T10:00:00.250Z", "2030-01-01T10:00:02.250Z", received=100.0))
    assert (fractional.valid_before, fractional.expired_after) == pytest.approx((101.94, 102.05))
    whole = validity_of(_prepared("2030-01-01T10:00:00Z", "2030-01-01T10:00:02Z", received=100.0))
    assert (whole.valid_before, whole.expired_after) == pytest.approx((100.99, 103.0))


def test_without_a_funding_method_the_head_starts_work_skips_with_fund_2():
    from finhub_conformance.journey import FundingUnavailable
    from steps.order_expiry_steps import prepare_expiring_order

    def no_funding(customer, funds):
        raise FundingUnavailable("FINHUB_FUNDING=none")

    bank = SimpleNamespace(new_customer=lambda name: name, ready_to_pay=no_funding)
    with pytest.raises(pytest.skip.Exception, match=r"no funding method: FINHUB_FUNDING=none \(FUND-2"):
        prepare_expiring_order(bank)
