"""GEN-9 timestamps: one reader for every place the suite reads a moment from a payload."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

__all__ = ["parse_timestamp"]


def parse_timestamp(value: Any) -> datetime | None:
    """GEN-9: an ISO-8601 timestamp, with or without fraction or offset (zone-less read as UTC); None when
    ``value`` is not one."""
    if not isinstance(value, str) or "T" not in value.upper():
        return None
    text = value.strip()
    if text[-1:] in "zZ":
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
