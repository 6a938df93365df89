"""Transition coverage: which (state, operation, legal/illegal) pairs a run of the machine exercised.

The steps attach it to the report, so a reader sees how much of the lifecycle a green run explored.
"""

from __future__ import annotations

from collections import Counter


class Coverage:
    """Which (state, operation, legal/illegal) transitions a run exercised, in how many examples."""

    def __init__(self) -> None:
        self.pairs: Counter = Counter()
        self.examples = 0

    def record(self, state: str, operation: str, legal: bool) -> None:
        self.pairs[(state, operation, "legal" if legal else "illegal")] += 1

    def lines(self) -> list[str]:
        return [f"{state:<22} {operation:<22} {kind:<8} {count}"
                for (state, operation, kind), count in sorted(self.pairs.items())]
