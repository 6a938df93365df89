"""Deliberate waits on the deployment's clock, measured.

Some rules can only be observed after time passes on the target: a prepared order must expire (PAY-7),
an asynchronous settlement must complete (SM-6). Those waits go through :func:`wait`, which adds them
up so that reports and the benchmark can tell time spent waiting for the target's behaviour from the
suite's own overhead (issue 8).
"""

from __future__ import annotations

import threading
import time

__all__ = ["wait", "waited_s"]

_lock = threading.Lock()
_waited = [0.0]


def wait(seconds: float) -> None:
    """Sleep ``seconds`` (nothing when ≤ 0) and count them as a wait on the target's clock."""
    if seconds <= 0:
        return
    started = time.perf_counter()
    time.sleep(seconds)
    with _lock:
        _waited[0] += time.perf_counter() - started


def waited_s() -> float:
    """Seconds this process has spent in :func:`wait` so far."""
    with _lock:
        return _waited[0]
