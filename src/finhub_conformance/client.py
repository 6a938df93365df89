"""The HTTP client: one domain verb per endpoint of profile §5 and §6, over an injected httpx.Client.

Every verb sends the §1.1 header set, returns an :class:`Exchange`, and hands it to the observers
(checks, evidence) before returning. Transport failures become :class:`TargetError`; 429 answers are
retried per GEN-12 with ``Retry-After`` honoured.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Callable, Iterable, NoReturn
from urllib.parse import quote

import httpx

from . import __version__
from .errors import NonConformance, TargetError
from .exchange import Caller, Exchange

__all__ = ["FinHubClient", "API"]

API = "/api/v2.1"
Observer = Callable[[Exchange], None]

_MAX_429_RETRIES = 3
_MAX_RETRY_AFTER_S = 30.0
_TRANSIENT = {502, 503, 504}
#: After a refused connection (retries spent), calls fail at once for this long (a circuit breaker).
_CIRCUIT_OPEN_S = 3.0


def _fail(error: Exception) -> NoReturn:
    """Raise a failure of :meth:`FinHubClient.call` from this frame, never from ``call`` itself.

    * pytest prints the last traceback entry in full, arguments included, into junit.xml, Allure
      and cucumber.json: raised in ``call`` that entry held ``json_body`` with the run's passwords,
      so the report secret scan turned a dropped E2/E3 request (or a GEN-12 on one) into a suite error.
    * Raised outside the ``except`` that caught the httpx error, a :class:`TargetError` chains no
      httpx exception, and every one comes from this line: Hypothesis tells failures apart by where
      they were raised and by their chained context, so one flaky network inside a property looked
      like "N distinct failures" (an ExceptionGroup, reported as a suite error) and each was shrunk.
    """
    raise error


def _seg(value: Any) -> str:
    """A path segment, percent-encoded so that ids of any format stay one segment (GEN-10)."""
    return quote(str(value), safe="")


class FinHubClient:
    """Domain verbs for the FinHub B2C API (E1-E16, S1-S9).

    ``observers`` are called with each final exchange (after throttling retries); checks and
    evidence hang off them, so the client itself knows nothing of pytest or Allure.
    """

    def __init__(self, http: httpx.Client, *, run_id: str, forwarded_for: str = "127.0.0.1",
                 observers: Iterable[Observer] = (), sleep: Callable[[float], None] = time.sleep,
                 max_rps: float | None = None) -> None:
        self.http = http
        self.run_id = run_id
        self.forwarded_for = forwarded_for
        self.observers = list(observers)
        self._sleep = sleep
        self._interval = 1.0 / max_rps if max_rps else 0.0
        self._next_slot = 0.0
        self._pace_lock = threading.Lock()
        self._down_until = 0.0

    def _pace(self) -> None:
        """Politeness (FINHUB_MAX_RPS): space request starts at least 1/max_rps seconds apart."""
        if not self._interval:
            return
        with self._pace_lock:
            now = time.monotonic()
            wait = self._next_slot - now
            self._next_slot = max(now, self._next_slot) + self._interval
        if wait > 0:
            self._sleep(wait)

    def __repr__(self) -> str:  # shown as a step parameter in Allure
        return f"FinHubClient({self.http.base_url})"

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
        """Send one request (with GEN-12 retries) and return the observed exchange.

        ``content`` sends raw bytes instead of JSON (for malformed-input checks); ``drop_headers``
        removes standard headers (for GEN-3). ``schema`` names the payload schema of a 2xx answer.
        """
        has_body = json_body is not None or content is not None
        headers = self.standard_headers(caller, has_body)
        for name in drop_headers:
            headers = {k: v for k, v in headers.items() if k.lower() != name.lower()}
        headers.update(extra_headers or {})
        data = content if content is not None else (
            json.dumps(json_body).encode() if json_body is not None else None)
        url = f"{API}{path}"
        attempts = 0
        throttled = 0
        if time.monotonic() < self._down_until:
            # The target refused connections a moment ago: fail at once rather than retry every call
            # (Hypothesis would otherwise replay hundreds of calls against a dead target).
            _fail(TargetError(f"{operation}: the target refused connections moments ago; not retrying yet"))
        while True:
            attempts += 1
            self._pace()
            started = time.perf_counter()
            failure = None
            try:
                response = self.http.request(method, url, content=data, headers=headers, params=params)
            except httpx.ConnectError as exc:
                if attempts <= 2:  # nothing reached the target: safe to retry any method
                    self._sleep(0.2 * attempts)
                    continue
                failure = f"{operation}: cannot connect to the target ({exc})"
                self._down_until = time.monotonic() + _CIRCUIT_OPEN_S
            except httpx.TimeoutException as exc:
                failure = f"{operation}: {method} {url} timed out ({type(exc).__name__})"
            except httpx.HTTPError as exc:
                failure = f"{operation}: transport failure on {method} {url}: {type(exc).__name__}: {exc}"
            if failure is not None:
                _fail(TargetError(failure))
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code == 429:
                throttled += 1
                if throttled > _MAX_429_RETRIES:
                    exchange = self._exchange(operation, method, url, json_body, content, response, elapsed,
                                              attempts, schema)
                    self._observe(exchange)
                    _fail(NonConformance("GEN-12", f"{operation} was still throttled after "
                                               f"{_MAX_429_RETRIES} retries", received="a 4th 429",
                                               expected="at most 3 consecutive 429 answers"))
                self._sleep(self._retry_after(response))
                continue
            if response.status_code in _TRANSIENT:
                if response.status_code == 503 and "retry-after" in response.headers and attempts <= 2:
                    self._sleep(self._retry_after(response))
                    continue
                _fail(TargetError(f"{operation}: the target answered {response.status_code} "
                                  f"({response.reason_phrase}): gateway or availability failure"))
            exchange = self._exchange(operation, method, url, json_body, content, response, elapsed,
                                      attempts, schema)
            self._observe(exchange)
            return exchange

    @staticmethod
    def _retry_after(response: httpx.Response) -> float:
        raw = response.headers.get("retry-after", "1")
        try:
            return min(max(float(raw), 0.0), _MAX_RETRY_AFTER_S)
        except ValueError:
            return 1.0

    @staticmethod
    def _exchange(operation, method, url, json_body, content, response, elapsed, attempts, schema) -> Exchange:
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
                        attempts=attempts, json_error=error, schema=schema)

    def _observe(self, exchange: Exchange) -> None:
        for observer in self.observers:
            observer(exchange)

    # ------------------------------------------------------------------ S1 admin session

    def admin_log_in(self, org_id: str, user_id: str, body: dict, tenant_header: str) -> Exchange:
        """S1: open an admin (or power-tenant admin) session."""
        return self.call("S1 admin log-in", "POST", f"/admin/organization/{_seg(org_id)}/users/{_seg(user_id)}"
                         "/sessions", Caller("anonymous", None, tenant_header), json_body=body,
                         schema="admin_session")

    # ------------------------------------------------------------------ phase 1: registration

    def get_hierarchy(self, caller: Caller, tenant_path_id: str) -> Exchange:
        """E1: the tenant's categorization hierarchy."""
        return self.call("E1 hierarchy", "GET", f"/customer/individual/categorization/hierarchy/"
                         f"{_seg(tenant_path_id)}", caller, schema="category_hierarchy")

    def register(self, caller: Caller, body: dict) -> Exchange:
        """E2: register an individual customer."""
        return self.call("E2 register", "POST", "/customer/individual/registration", caller, json_body=body,
                         schema="registration")

    # ------------------------------------------------------------------ phase 2: sessions

    def log_in(self, customer_id: str, user_id: str, body: dict, tenant_header: str | None,
               token: str | None = None) -> Exchange:
        """E3: open a customer session (no auth; an Authorization header is ignored)."""
        return self.call("E3 log in", "POST", f"/customer/individual/{_seg(customer_id)}/users/{_seg(user_id)}"
                         "/sessions", Caller("login", token, tenant_header), json_body=body,
                         schema="customer_session")

    def log_out(self, caller: Caller, customer_id: str, user_id: str, session_id: str) -> Exchange:
        """E4: end a customer session."""
        return self.call("E4 log out", "DELETE", f"/customer/individual/{_seg(customer_id)}/users/"
                         f"{_seg(user_id)}/sessions/{_seg(session_id)}", caller, schema="logout")

    def refresh_session(self, caller: Caller, customer_id: str, user_id: str, session_id: str,
                        refresh_token: str) -> Exchange:
        """S9: refresh a customer session (optional endpoint)."""
        return self.call("S9 refresh", "PUT", f"/customer/individual/{_seg(customer_id)}/users/"
                         f"{_seg(user_id)}/sessions/{_seg(session_id)}", caller,
                         json_body={"refreshToken": refresh_token}, schema="session_refresh")

    # ------------------------------------------------------------------ phase 3: verification

    def initiate_verification(self, caller: Caller, customer_id: str) -> Exchange:
        """E5: open a verification."""
        return self.call("E5 initiate verification", "POST",
                         f"/customer/individual/{_seg(customer_id)}/verification/initiate", caller,
                         json_body={}, schema="verification_initiate")

    def submit_verification(self, caller: Caller, customer_id: str, body: dict) -> Exchange:
        """E6: submit identity documents."""
        return self.call("E6 submit verification", "POST", f"/customer/individual/{_seg(customer_id)}"
                         "/verification", caller, json_body=body, schema="verification_submit")

    def get_verification(self, caller: Caller, verification_id: str) -> Exchange:
        """E7: read a verification's status."""
        return self.call("E7 verification status", "GET", f"/verifications/{_seg(verification_id)}", caller,
                         schema="verification")

    def decide_verification(self, caller: Caller, verification_id: str, body: dict) -> Exchange:
        """S2: approve (or, style A, reject) a verification."""
        return self.call("S2 decide verification", "POST", f"/verifications/{_seg(verification_id)}/approve",
                         caller, json_body=body, schema="verification_decision")

    def reject_verification(self, caller: Caller, verification_id: str, body: dict) -> Exchange:
        """S3: reject a verification (style B, optional endpoint)."""
        return self.call("S3 reject verification", "POST", f"/verifications/{_seg(verification_id)}/reject",
                         caller, json_body=body, schema="verification_decision")

    # ------------------------------------------------------------------ phases 4 and 5

    def accept_consent(self, caller: Caller, customer_id: str, segment: str, body: dict) -> Exchange:
        """E8-E10: accept the terms, privacy or data-processing consent."""
        return self.call(f"E8-E10 consent {segment}", "POST", f"/customer/individual/{_seg(customer_id)}"
                         f"/consents/{segment}", caller, json_body=body, schema="consent")

    def check_activation(self, caller: Caller, customer_id: str, owner_tenant_id: str) -> Exchange:
        """S5: ask whether the customer can be activated."""
        return self.call("S5 activation check", "GET", f"/customer/individual/{_seg(customer_id)}/owner/"
                         f"{_seg(owner_tenant_id)}/activation/check", caller, schema="activation_check")

    def activate(self, caller: Caller, customer_id: str, body: dict) -> Exchange:
        """E11: activate the customer and their wallet."""
        return self.call("E11 activate", "POST", f"/customer/individual/{_seg(customer_id)}/activation", caller,
                         json_body=body, schema="activation")

    # ------------------------------------------------------------------ phases 6 and 7: fintrans

    def get_balance(self, caller: Caller, account_id: str) -> Exchange:
        """E12: the wallet's balances."""
        return self.call("E12 balance", "GET", f"/fintrans/{_seg(account_id)}/balance", caller, schema="balance")

    def get_allowed_operations(self, caller: Caller, account_id: str, include_beneficiaries: bool = True,
                               include_consents: bool = True) -> Exchange:
        """E13: the operations the wallet allows, with their limits."""
        params = {"includeBeneficiaries": str(include_beneficiaries).lower(),
                  "includeConsents": str(include_consents).lower()}
        return self.call("E13 allowed operations", "GET", f"/fintrans/{_seg(account_id)}/allowed-operations",
                         caller, params=params, schema="allowed_operations")

    def add_beneficiary(self, caller: Caller, account_id: str, body: dict) -> Exchange:
        """E14: register a beneficiary on the wallet."""
        return self.call("E14 add beneficiary", "POST", f"/fintrans/{_seg(account_id)}/beneficiaries", caller,
                         json_body=body, schema="beneficiary")

    def list_beneficiaries(self, caller: Caller, account_id: str) -> Exchange:
        """S6: the wallet's beneficiaries."""
        return self.call("S6 list beneficiaries", "GET", f"/fintrans/{_seg(account_id)}/beneficiaries", caller,
                         schema="beneficiary_list")

    def create_payment_consent(self, caller: Caller, account_id: str, body: dict,
                               operation_type: str = "TRANSFER") -> Exchange:
        """S7: create a payment consent (and receive its authentication code)."""
        return self.call("S7 payment consent", "POST", f"/fintrans/{_seg(account_id)}/payment-consents/types/"
                         f"{_seg(operation_type)}", caller, json_body=body, schema="payment_consent")

    def prepare_transfer(self, caller: Caller, account_id: str, body: dict) -> Exchange:
        """E15: prepare a transfer order."""
        return self.call("E15 prepare transfer", "POST", f"/fintrans/{_seg(account_id)}/types/transfer/prepare",
                         caller, json_body=body, schema="transfer_prepare")

    def execute_transfer(self, caller: Caller, account_id: str, body: dict) -> Exchange:
        """E16: execute a prepared transfer order."""
        return self.call("E16 execute transfer", "POST", f"/fintrans/{_seg(account_id)}/types/transfer/execute",
                         caller, json_body=body, schema="transfer_execute")

    def prepare_topup(self, caller: Caller, account_id: str, body: dict) -> Exchange:
        """S8: prepare a top-up (funding)."""
        return self.call("S8 prepare top-up", "POST", f"/fintrans/{_seg(account_id)}/types/topup/prepare", caller,
                         json_body=body, schema="topup_prepare")

    def execute_topup(self, caller: Caller, account_id: str, body: dict) -> Exchange:
        """S8: execute a prepared top-up."""
        return self.call("S8 execute top-up", "POST", f"/fintrans/{_seg(account_id)}/types/topup/execute", caller,
                         json_body=body, schema="topup_execute")
