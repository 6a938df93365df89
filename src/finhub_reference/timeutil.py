"""UTC timestamps with milliseconds and ``Z`` (GEN-9), and lenient ISO-8601 parsing of client input."""

from __future__ import annotations

import time
from datetime import date, datetime, timezone


def iso(epoch: float) -> str:
    """``2026-01-14T11:00:00.000Z`` for a POSIX time."""
    moment = datetime.fromtimestamp(epoch, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def now() -> float:
    """The current POSIX time."""
    return time.time()


def parse_ts(value: object) -> float | None:
    """A client timestamp as POSIX time; zone-less values are UTC. None when unparseable."""
    if not isinstance(value, str) or not 10 <= len(value) <= 40:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        return moment.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


def parse_date(value: object) -> date | None:
    """A ``YYYY-MM-DD`` date, or None."""
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def today_utc() -> date:
    """Today's date in UTC."""
    return datetime.now(timezone.utc).date()
