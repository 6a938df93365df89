"""PAY-7: when a prepared order certainly has, and certainly has not, expired, on the suite's monotonic clock.

The deployment's clock may differ from ours by the GEN-9 skew, so an order's ``validUntil`` is not compared
with our clock. Its lifetime, ``validUntil − createdAt``, is read on the deployment's own clock instead and
placed between the moments the prepare was sent and answered: by the answer the order existed, so from
``answered + lifetime`` on it has expired, however long ago that answer came (which is what lets an order
prepared as the run began expire while the run goes on). Without ``createdAt`` only ``validUntil`` ± the
skew is known.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .exchange import Exchange
from .timestamps import parse_timestamp

__all__ = ["Validity", "validity_of"]

#: Whole-second timestamps (GEN-9 allows them) put an order's lifetime within ±1 s ...
_WHOLE_SECONDS_S = 1.0
#: ... fractional ones within a few milliseconds (and the rate of two clocks over minutes).
_FRACTIONAL_S = 0.05
#: GEN-9 clock skew between the deployment and the suite, when an order states no ``createdAt``.
_SKEW_S = 60.0


@dataclass(frozen=True)
class Validity:
    """When a prepared order expires, on the suite's monotonic clock (PAY-7)."""

    valid_before: float  # until then it has certainly not expired
    expired_after: float  # from then on it certainly has

    def may_have_expired(self) -> bool:
        return time.monotonic() >= self.valid_before

    def wait_s(self) -> float:
        """Seconds from now until the order has certainly expired (0 once it has)."""
        return max(self.expired_after - time.monotonic(), 0.0)


def _rounding_s(*stamps: Any) -> float:
    """How far the difference of two GEN-9 timestamps may be from the true interval."""
    fractional = all(isinstance(s, str) and "." in s.partition("T")[2] for s in stamps)
    return _FRACTIONAL_S if fractional else _WHOLE_SECONDS_S


def validity_of(prepared: Exchange, sent: float | None = None, received: float | None = None) -> Validity | None:
    """The expiry window of the order ``prepared`` answered (None without a readable ``validUntil``).

    ``sent`` and ``received`` are when the prepare was sent and answered; by default the exchange's own
    timing (its last try: a retried prepare only reached the deployment in the try that was answered).
    """
    received = prepared.received_at if received is None else received
    sent = received - prepared.elapsed_ms / 1000 if sent is None else sent
    raw_until, raw_created = prepared.get("validUntil"), prepared.get("createdAt")
    until, created = parse_timestamp(raw_until), parse_timestamp(raw_created)
    if until is None:
        return None
    if created is not None and created <= until:
        lifetime, rounding = (until - created).total_seconds(), _rounding_s(raw_until, raw_created)
        return Validity(sent + lifetime - rounding, received + lifetime + rounding)
    remaining = (until - datetime.now(timezone.utc)).total_seconds()
    return Validity(received + remaining - _SKEW_S, received + remaining + _SKEW_S)
