"""The client over a mocked transport: headers, throttling (GEN-12), retries and transport failures."""

from __future__ import annotations

import itertools

import httpx
import pytest

from finhub_conformance.client import FinHubClient
from finhub_conformance.errors import NonConformance, TargetError
from finhub_conformance.exchange import Attempt, Caller
from finhub_conformance.redaction import Redactor, evidence_text


def _client(handler, observers=()) -> tuple[FinHubClient, list[float]]:
    slept: list[float] = []
    http = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://target.test/prefix")
    return FinHubClient(http, run_id="r1", observers=observers, sleep=slept.append), slept


ALICE = Caller("Alice", "tok.en.sig", "tenant-a", "sess-1")


def test_standard_headers_and_prefix_are_sent():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.update(request.headers)
        seen["path"] = request.url.raw_path.decode()
        return httpx.Response(200, json={"code": 200, "data": {"status": "ACCEPTED"}})

    client, _ = _client(handler)
    exchange = client.accept_consent(ALICE, "c/1", "terms", {"accepted": True})
    assert exchange.get("status") == "ACCEPTED"
    assert seen["path"] == "/prefix/api/v2.1/customer/individual/c%2F1/consents/terms"
    assert seen["authorization"] == "Bearer tok.en.sig" and seen["x-tenant-id"] == "tenant-a"
    assert seen["x-session-id"] == "sess-1" and seen["content-type"] == "application/json"
    assert seen["x-forwarded-from"] == "b2c-conformance" and seen["deviceid"] == "conformance-r1"
    assert seen["user-agent"].startswith("finhub-b2c-conformance/")


def test_throttling_is_retried_with_retry_after_then_fails_on_the_fourth():
    answers = iter([httpx.Response(429, headers={"Retry-After": "2"})] * 2 + [httpx.Response(200, json={})])
    client, slept = _client(lambda request: next(answers))
    assert client.get_balance(ALICE, "acc").status == 200 and slept == [2.0, 2.0]
    client, slept = _client(lambda request: httpx.Response(429))
    with pytest.raises(NonConformance, match="GEN-12"):
        client.get_balance(ALICE, "acc")
    assert len(slept) == 3


@pytest.mark.parametrize("failure", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"),
                                     httpx.RemoteProtocolError("truncated")])
def test_transport_failures_are_target_errors_not_rule_failures(failure):
    def handler(request):
        raise failure

    client, _ = _client(handler)
    with pytest.raises(TargetError):
        client.get_balance(ALICE, "acc")


def test_gateway_errors_are_target_errors():
    client, slept = _client(lambda request: httpx.Response(502, text="bad gateway"))
    with pytest.raises(TargetError, match="502") as raised:
        client.get_balance(ALICE, "acc")
    assert slept == [0.2, 0.5] and "attempt 3: 502" in str(raised.value)


def _scripted(*answers):
    """A handler answering (or raising) ``answers`` in turn; ``calls`` records each request."""
    queue = list(answers)
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler, calls


@pytest.mark.parametrize("first, second", [
    (httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("reset")),
    (httpx.Response(503, headers={"Retry-After": "1"}), httpx.Response(504)),
    (httpx.ReadError("connection reset by peer"), httpx.Response(502)),
], ids=["timeout-then-reset", "503-then-504", "reset-then-502"])
def test_a_flaky_get_that_finally_succeeds_is_a_normal_exchange_with_every_try_recorded(first, second):
    seen = []
    handler, calls = _scripted(first, second, httpx.Response(200, json={"data": {"current": "1.00"}}))
    client, slept = _client(handler, observers=[seen.append])
    exchange = client.get_balance(ALICE, "acc")
    assert exchange.status == 200 and exchange.attempts == 3 and len(calls) == 3 and seen == [exchange]
    assert [t.status for t in exchange.tries] == [getattr(first, "status_code", None),
                                                  getattr(second, "status_code", None), 200]
    assert exchange.tries[0].waited_s == slept[0] and exchange.tries[-1].waited_s == 0
    assert slept == ([1.0, 0.5] if getattr(first, "status_code", None) == 503 else [0.2, 0.5])
    evidence = evidence_text(exchange, Redactor())
    assert "retried:" in evidence and "attempt 3: 200 after" in evidence


def test_a_get_that_keeps_failing_is_a_target_error_naming_every_try():
    handler, calls = _scripted(httpx.ReadTimeout("slow"), httpx.Response(503), httpx.ReadTimeout("slow"))
    client, _ = _client(handler)
    with pytest.raises(TargetError, match="timed out") as raised:
        client.get_balance(ALICE, "acc")
    assert len(calls) == 3 and not isinstance(raised.value, NonConformance)
    assert [t.status for t in raised.value.tries] == [None, 503, None]
    message = str(raised.value)
    assert "after 3 attempts" in message and "attempt 2: 503 after" in message and "attempt 3: ReadTimeout" in message


@pytest.mark.parametrize("failure", [httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("cut short"),
                                     httpx.Response(503), httpx.Response(502)],
                         ids=["timeout", "cut-answer", "503", "502"])
def test_a_post_that_may_have_been_sent_is_never_repeated(failure):
    """A money-moving POST is never retried blindly: the second E16 is itself the PAY-4 probe."""
    handler, calls = _scripted(failure, httpx.Response(200, json={}))
    client, slept = _client(handler)
    with pytest.raises(TargetError):
        client.execute_transfer(ALICE, "acc", {"preparedOrderId": "o-1"})
    assert len(calls) == 1 and slept == []


def test_a_503_with_retry_after_is_retried_whatever_the_method():
    """The deployment declined the request for now (RFC 9110 §15.6.4): it did not act on it."""
    handler, calls = _scripted(httpx.Response(503, headers={"Retry-After": "0"}), httpx.Response(200, json={}))
    client, slept = _client(handler)
    exchange = client.execute_transfer(ALICE, "acc", {"preparedOrderId": "o-1"})
    assert exchange.status == 200 and len(calls) == 2 and slept == [0.0]
    assert [t.status for t in exchange.tries] == [503, 200]


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_a_request_that_never_left_is_retried_whatever_its_method(method):
    handler, calls = _scripted(httpx.ConnectError("refused"), httpx.ConnectTimeout("no SYN-ACK"),
                               httpx.Response(200, json={}))
    client, slept = _client(handler)
    exchange = client.call("X", method, "/x", ALICE)
    assert exchange.ok and len(calls) == 3 and slept == [0.2, 0.5]
    assert [t.error for t in exchange.tries] == ["ConnectError", "ConnectTimeout", None]


def test_throttling_retries_are_recorded_with_the_retry_after_honoured():
    handler, _ = _scripted(httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200, json={}))
    client, _ = _client(handler)
    exchange = client.get_balance(ALICE, "acc")
    assert exchange.tries[0] == Attempt(429, None, exchange.tries[0].elapsed_ms, 2.0)
    assert "attempt 1: 429 after" in exchange.retry_note() and "waited 2.0 s" in exchange.retry_note()


def test_an_exchange_tried_once_adds_nothing_to_the_evidence():
    client, _ = _client(lambda request: httpx.Response(200, json={}))
    exchange = client.get_balance(ALICE, "acc")
    assert len(exchange.tries) == 1 and not exchange.retried and exchange.retry_note() == ""


def test_observers_see_every_exchange_and_non_json_is_recorded():
    seen = []
    client, _ = _client(lambda request: httpx.Response(200, text="<html>hi</html>"), observers=[seen.append])
    exchange = client.get_balance(ALICE, "acc")
    assert seen == [exchange] and exchange.json_error and exchange.body is None


def test_politeness_spaces_requests_at_most_max_rps():
    slept: list[float] = []
    http = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, json={})),
                        base_url="http://target.test")
    client = FinHubClient(http, run_id="r1", sleep=slept.append, max_rps=10)
    for _ in range(3):
        client.get_balance(ALICE, "acc")
    assert len(slept) == 2 and 0 < slept[0] <= 0.1 and slept[0] < slept[1] <= 0.2  # the clock is frozen here


def test_every_transport_failure_is_one_and_the_same_failure_to_hypothesis():
    """Chaos finding (issue 7): a flaky network inside a Hypothesis property must stay a TargetError.

    Raised from several places, each chaining the httpx error of its own code path, the failures
    of one flaky network looked like distinct bugs to Hypothesis, which reported them as an
    ExceptionGroup ("N distinct failures") that the run classified as a suite error.
    """
    from hypothesis import Phase, given, settings, strategies as st

    failures = itertools.cycle([httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("cut short"),
                                httpx.ConnectError("refused"), httpx.Response(502, text="bad gateway"),
                                httpx.ReadError("reset")])

    def handler(request):
        failure = next(failures)
        if isinstance(failure, Exception):
            raise failure
        return failure

    client, _ = _client(handler)

    @settings(max_examples=20, database=None, derandomize=True, deadline=None,
              phases=[Phase.generate, Phase.shrink])
    @given(st.integers())
    def balance_is_read(n):
        client.get_balance(ALICE, f"acc-{n}")

    with pytest.raises(TargetError) as raised:
        balance_is_read()
    assert raised.value.__context__ is None and raised.value.__cause__ is None


@pytest.mark.parametrize("answer", [httpx.RemoteProtocolError("dropped"), httpx.Response(503, text="busy"),
                                    httpx.Response(429, headers={"Retry-After": "0"})])
def test_a_failed_call_is_raised_from_a_frame_that_holds_no_request_body(answer):
    """Chaos finding (issue 7): pytest writes the last traceback entry with its arguments into the
    reports; raised in ``call`` that was ``json_body`` with the password, and the report secret
    scan turned a dropped E2 register (or a GEN-12 on it) into a suite error."""
    def handler(request):
        if isinstance(answer, Exception):
            raise answer
        return answer

    client, _ = _client(handler)
    with pytest.raises((TargetError, NonConformance)) as raised:
        client.register(ALICE, {"email": "alice@example.com", "password": "Pa55-w0rd!never-shown"})
    assert "Pa55-w0rd" not in repr(raised.traceback[-1].locals)
    assert "Pa55-w0rd" not in str(raised.value)


def test_after_a_refused_connection_calls_fail_at_once_for_a_moment():
    calls = []

    def handler(request):
        calls.append(request)
        raise httpx.ConnectError("refused")

    client, slept = _client(handler)
    with pytest.raises(TargetError, match="cannot connect"):
        client.get_balance(ALICE, "acc")
    with pytest.raises(TargetError, match="refused connections moments ago"):
        client.get_balance(ALICE, "acc")
    assert len(calls) == 3  # the first call's three attempts; the second never reached the network


def test_a_target_that_broke_during_a_hypothesis_run_is_what_the_run_reports():
    """Hypothesis turns a target dying mid-run into its own error (its replays fail elsewhere): the
    TargetError prevails, so the scenario is broken rather than a suite error or a rule failure."""
    client, _ = _client(lambda request: (_ for _ in ()).throw(httpx.ConnectError("refused")))
    with pytest.raises(TargetError, match="cannot connect"):
        with client.broken_target_prevails():
            with pytest.raises(TargetError):
                client.get_balance(ALICE, "acc")
            raise RuntimeError("Hypothesis: inconsistent data generation between runs")


def test_a_failure_without_a_broken_target_is_left_alone():
    client, _ = _client(lambda request: httpx.Response(200, json={}))
    with pytest.raises(NonConformance, match="PAY-4"):
        with client.broken_target_prevails():
            client.get_balance(ALICE, "acc")
            raise NonConformance("PAY-4", "an order ran twice")


def test_waits_on_the_targets_clock_are_counted_apart_from_http():
    client, slept = _client(lambda request: httpx.Response(200, json={}))
    client.wait_on_target(1.5)
    client.wait_on_target(-1)  # an order already expired: nothing to wait for
    assert slept == [1.5] and client.clock_wait_s == 1.5
