"""The transport under the client: headers, retries, pacing, and what a call records.

Every call sends the §1.1 header set, returns an :class:`Exchange`, and hands it to the observers
(checks, evidence) before returning. Retries, each try kept on the exchange as an :class:`Attempt`:

* 429: up to 3 retries with ``Retry-After`` honoured (GEN-12); a 4th 429 is a GEN-12 violation.
* No connection made (refused, connect timeout): up to 2 retries for any method, since nothing was sent.
* 503 with ``Retry-After`` (the deployment declining for now): up to 2 retries for any method.
* Idempotent reads (GET) on a timeout, a reset or cut answer, or 502/503/504: up to 2 retries after a
  short back-off. Otherwise a POST, PUT or DELETE that may have reached the target is never repeated:
  a second E16 is itself the PAY-4 probe, and a blind retry would judge it.

What still fails after that is a :class:`TargetError` (broken, the run is incomplete), never a rule
failure. Refused connections open a short circuit so a dead target fails calls at once.
"""

from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, NoReturn

import httpx

from . import __version__
from .errors import NonConformance, TargetError
from .exchange import Attempt, Caller, Exchange, describe_attempts

__all__ = ["Transport", "Pacer", "API", "Observer"]

API = "/api/v2.1"
Observer = Callable[[Exchange], None]

_MAX_429_RETRIES = 3
_MAX_RETRY_AFTER_S = 30.0
_TRANSIENT = {502, 503, 504}
#: Retries of one call after transport failures or gateway answers (on top of GEN-12's 429 retries).
_MAX_TRANSIENT_RETRIES = 2
#: The pause before transient retry 1, 2 (when the target gave no Retry-After).
_BACKOFF_S = (0.2, 0.5)
#: Methods whose repetition cannot change the target's state: the only ones retried once possibly sent.
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
#: Transport failures where the request never left: no connection was made, so any method may be retried.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
#: Transport failures after the request may have been sent (timeouts, resets, cut or garbled answers).
_MAYBE_SENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
#: After a refused connection (retries spent), calls fail at once for this long (a circuit breaker).
_CIRCUIT_OPEN_S = 3.0


def _fail(error: Exception) -> NoReturn:
    """Raise a failure of :meth:`Transport.call` from this frame, never from ``call`` itself.

    * pytest prints the last traceback entry in full, arguments included, into junit.xml, Allure
      and cucumber.json: raised in ``call`` that entry held ``json_body`` with the run's passwords,
      so the report secret scan turned a dropped E2/E3 request (or a GEN-12 on one) into a suite error.
    * Raised outside the ``except`` that caught the httpx error, a :class:`TargetError` chains no
      httpx exception, and every one comes from this line: Hypothesis tells failures apart by where
      they were raised and by their chained context, so one flaky network inside a property looked
      like "N distinct failures" (an ExceptionGroup, reported as a suite error) and each was shrunk.
    """
    raise error


def _transport_retry(exc: httpx.HTTPError, method: str, transient: int) -> float | None:
    """The pause before retrying after ``exc``, or None when the call must fail now."""
    if transient >= _MAX_TRANSIENT_RETRIES:
        return None
    if isinstance(exc, _NOT_SENT) or (isinstance(exc, _MAYBE_SENT) and method in _IDEMPOTENT):
        return _BACKOFF_S[transient]
    return None


def _story(tries: list[Attempt]) -> str:
    """The tries of a failed call for its error message ("" when it was tried once)."""
    return f" after {len(tries)} attempts:\n{describe_attempts(tuple(tries))}" if len(tries) > 1 else ""


class Pacer:
    """Politeness (FINHUB_MAX_RPS): request starts at least ``1/max_rps`` seconds apart, across threads."""

    def __init__(self, max_rps: float | None, sleep: Callable[[float], None] = time.sleep) -> None:
        self._interval = 1.0 / max_rps if max_rps else 0.0
        self._sleep = sleep
        self._next_slot = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Return when the next request may start."""
        if not self._interval:
            return
        with self._lock:
            now = time.monotonic()
            wait = self._next_slot - now
            self._next_slot = max(now, self._next_slot) + self._interval
        if wait > 0:
            self._sleep(wait)


class Transport:
    """One call at a time over an injected ``httpx.Client``: headers, retries, pacing, circuit breaker.

    ``observers`` are called with each final exchange (after throttling retries); checks and
    evidence hang off them, so the client itself knows nothing of pytest or Allure.
    """

    def __init__(self, http: httpx.Client, *, run_id: str, forwarded_for: str = "127.0.0.1",
                 observers: Iterable[Observer] = (), sleep: Callable[[float], None] = time.sleep,
                 max_rps: float | None = None, pacer: Pacer | None = None) -> None:
        self.http = http
        self.run_id = run_id
        self.forwarded_for = forwarded_for
        self.observers = list(observers)
        self._sleep = sleep
        #: FINHUB_MAX_RPS; a second client of the same run shares the first one's (so the run keeps the cap).
        self.pacer = pacer or Pacer(max_rps, sleep)
        self._down_until = 0.0
        self.target_errors: list[TargetError] = []  # every one raised, for broken_target_prevails
        self.clock_wait_s = 0.0  # deliberate waits on the target's clock, see wait_on_target

    def wait_on_target(self, seconds: float) -> None:
        """Wait for time to pass on the target (an order to expire, PAY-7; a settlement, SM-6), counted apart
        from HTTP so that reports and the benchmark tell it from the suite's own overhead (issue 8)."""
        if seconds > 0:
            self._sleep(seconds)
            self.clock_wait_s += seconds

    def _broken(self, error: TargetError) -> NoReturn:
        self.target_errors.append(error)
        _fail(error)

    @contextmanager
    def broken_target_prevails(self) -> Iterator[None]:
        """Around a Hypothesis run: if the target broke during it, its :class:`TargetError` is what is raised.

        A target that dies in the middle of a run makes Hypothesis's replays fail at another step than the
        first run did, which Hypothesis reports as its own error (flaky data generation, or a different
        failure): the run would read as a suite error, or as a rule failure found on a dying target.
        """
        seen, broken = len(self.target_errors), None
        try:
            yield
        except Exception as failure:
            if isinstance(failure, TargetError) or len(self.target_errors) == seen:
                raise
            broken = self.target_errors[seen]  # the first: the moment the target broke
        if broken is not None:
            _fail(broken)  # outside the except: Hypothesis's error is not chained to it

    def __repr__(self) -> str:  # shown as a step parameter in Allure
        return f"{type(self).__name__}({self.http.base_url})"

    # ------------------------------------------------------------------ transport

    def standard_headers(self, caller: Caller | None, has_body: bool) -> dict[str, str]:
        """The profile §1.1 header set the suite sends for ``caller``."""
        headers = {
            "Accept": "application/json",
            "User-Agent": f"finhub-b2c-conformance/{__version__}",
            "X-Forwarded-For": self.forwarded_for,
            "X-Forwarded-From": "b2c-conformance",
            "platform": "web",
            "deviceId": f"conformance-{self.run_id}",
        }
        if has_body:
            headers["Content-Type"] = "application/json"
        if caller is not None:
            if caller.token is not None:
                headers["Authorization"] = f"Bearer {caller.token}"
            if caller.tenant_header is not None:
                headers["X-Tenant-ID"] = caller.tenant_header
            if caller.session_id is not None:
                headers["X-Session-Id"] = caller.session_id
        return headers

    def call(self, operation: str, method: str, path: str, caller: Caller | None, *,
             json_body: Any = None, content: bytes | None = None, params: dict[str, str] | None = None,
             extra_headers: dict[str, str] | None = None, drop_headers: Iterable[str] = (),
             schema: str | None = None) -> Exchange:
        """Send one request (with the retries of the module docstring) and return the observed exchange.

        ``content`` sends raw bytes instead of JSON (for malformed-input checks); ``drop_headers``
        removes standard headers (for GEN-3). ``schema`` names the payload schema of a 2xx answer.
        Every try is kept on the exchange (``tries``) and named in a failure, so retries show in the evidence.
        """
        has_body = json_body is not None or content is not None
        headers = self.standard_headers(caller, has_body)
        for name in drop_headers:
            headers = {k: v for k, v in headers.items() if k.lower() != name.lower()}
        headers.update(extra_headers or {})
        data = content if content is not None else (
            json.dumps(json_body).encode() if json_body is not None else None)
        url = f"{API}{path}"
        tries: list[Attempt] = []
        throttled = transient = 0
        if time.monotonic() < self._down_until:
            # The target refused connections a moment ago: fail at once rather than retry every call
            # (Hypothesis would otherwise replay hundreds of calls against a dead target).
            self._broken(TargetError(f"{operation}: the target refused connections moments ago; not retrying yet"))
        while True:
            self.pacer.wait()
            started = time.perf_counter()
            response = failure = None
            try:
                response = self.http.request(method, url, content=data, headers=headers, params=params)
            except httpx.HTTPError as exc:
                wait = _transport_retry(exc, method, transient)
                tries.append(Attempt(None, type(exc).__name__, (time.perf_counter() - started) * 1000, wait or 0.0))
                failure = self._transport_failure(operation, method, url, exc, tries) if wait is None else None
            if failure is not None:  # raised outside the except: no chained httpx error (see _fail)
                self._broken(failure)
            if response is None:  # a transport failure that may be retried
                transient += 1
                self._sleep(tries[-1].waited_s)
                continue
            elapsed = (time.perf_counter() - started) * 1000
            status = response.status_code
            if status == 429 and throttled < _MAX_429_RETRIES:
                throttled += 1
                wait = self._retry_after(response)
                tries.append(Attempt(status, None, elapsed, wait))
                self._sleep(wait)
                continue
            if status in _TRANSIENT:
                wait = self._gateway_retry(response, method, transient)
                tries.append(Attempt(status, None, elapsed, wait or 0.0))
                if wait is None:
                    self._broken(TargetError(f"{operation}: the target answered {status} ({response.reason_phrase}): "
                                      f"gateway or availability failure{_story(tries)}", tuple(tries)))
                transient += 1
                self._sleep(wait)
                continue
            tries.append(Attempt(status, None, elapsed))
            exchange = self._exchange(operation, method, url, json_body, content, response, elapsed, tuple(tries),
                                      schema)
            self._observe(exchange)
            if status == 429:
                _fail(NonConformance("GEN-12", f"{operation} was still throttled after {_MAX_429_RETRIES} retries",
                                     received="a 4th consecutive 429", expected="at most 3 consecutive 429 answers",
                                     evidence="\n" + describe_attempts(exchange.tries)))
            return exchange

    def _transport_failure(self, operation: str, method: str, url: str, exc: httpx.HTTPError,
                           tries: list[Attempt]) -> TargetError:
        """The :class:`TargetError` of a call whose last try failed in transport (retries spent)."""
        if isinstance(exc, httpx.ConnectError):
            self._down_until = time.monotonic() + _CIRCUIT_OPEN_S
            return TargetError(f"{operation}: cannot connect to the target ({exc}){_story(tries)}", tuple(tries))
        if isinstance(exc, httpx.TimeoutException):
            return TargetError(f"{operation}: {method} {url} timed out ({type(exc).__name__}){_story(tries)}",
                               tuple(tries))
        return TargetError(f"{operation}: transport failure on {method} {url}: {type(exc).__name__}: {exc}"
                           f"{_story(tries)}", tuple(tries))

    def _gateway_retry(self, response: httpx.Response, method: str, transient: int) -> float | None:
        """The pause before retrying a 502/503/504, or None when it must not be retried.

        A 503 with ``Retry-After`` is the deployment itself declining the request for now (RFC 9110
        §15.6.4): retried for any method. Otherwise only idempotent reads are retried: a POST a gateway
        answered for may have reached the deployment (an E16 retried after its money moved would see
        its own PAY-4 refusal).
        """
        if transient >= _MAX_TRANSIENT_RETRIES:
            return None
        if response.status_code == 503 and "retry-after" in response.headers:
            return self._retry_after(response)
        return _BACKOFF_S[transient] if method in _IDEMPOTENT else None

    @staticmethod
    def _retry_after(response: httpx.Response) -> float:
        raw = response.headers.get("retry-after", "1")
        try:
            return min(max(float(raw), 0.0), _MAX_RETRY_AFTER_S)
        except ValueError:
            return 1.0

    @staticmethod
    def _exchange(operation, method, url, json_body, content, response, elapsed, tries, schema) -> Exchange:
        text = response.text
        body, error = None, None
        if text.strip():
            try:
                body = json.loads(text)
            except ValueError as exc:
                error = f"body is not JSON: {exc}"
        request_body = json_body if content is None else content.decode("utf-8", "replace")[:2000]
        return Exchange(operation=operation, method=method, path=url, status=response.status_code,
                        request_body=request_body, body=body, text=text,
                        content_type=response.headers.get("content-type", ""), elapsed_ms=elapsed,
                        attempts=len(tries), json_error=error, schema=schema, tries=tries)

    def _observe(self, exchange: Exchange) -> None:
        for observer in self.observers:
            observer(exchange)
