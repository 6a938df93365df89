"""Status ladders: the "no backward movement" invariant (SM-2) and the final verification (SM-4).

Kept apart from the machine because it is pure bookkeeping over statuses the deployment reveals in
answers the machine gets anyway, so it can be tested without a deployment.
"""

from __future__ import annotations

from ..errors import NonConformance

#: Status ladders (SM-2): an object's status only climbs; the verification's last rung is final (SM-4).
LADDERS: dict[str, dict[str, int]] = {
    "verification": {**dict.fromkeys(("INITIATED", "IN_PROGRESS", "PENDING_DOCUMENTS"), 0),
                     **dict.fromkeys(("PENDING", "SUBMITTED", "UNDER_REVIEW", "PENDING_APPROVAL",
                                      "PENDING_POWER_TENANT_APPROVAL"), 1),
                     "APPROVED": 2, "REJECTED": 2},
    "consent": {"PENDING": 0, "ACCEPTED": 1},
    "wallet": {"INACTIVE": 0, "ACTIVE": 1},
    "customer": {"CS_REGISTRATION_COMPLETED": 0, "PENDING_VERIFICATION": 0,
                 "CS_ACTIVE": 1, "ACTIVE": 1, "ACTIVATED": 1},
    "order": {"READY": 0, "PREPARED": 0, "PENDING": 1, "PROCESSING": 1, "EXECUTING": 1,
              "COMPLETED": 2, "EXECUTED": 2},
}
FINAL_VERIFICATION = 2


class Ladders:
    """The highest status each object has shown; showing a lower one is a backward movement (SM-2).

    Fed with every status the deployment reveals — in answers the machine gets anyway — so that
    "no backward movement" of consents, wallets, customers and orders costs no extra call.
    """

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], str] = {}

    def observe(self, kind: str, key: str | None, status: str | None, where: str) -> None:
        """Record ``status`` of the ``kind`` object ``key``; names outside the ladder are left to the schemas."""
        ladder = LADDERS[kind]
        status = status.upper() if isinstance(status, str) else None
        if key is None or status not in ladder:
            return
        before = self.seen.get((kind, key))
        if before is not None and ladder[status] < ladder[before]:
            raise NonConformance("SM-2", f"a {kind} moved backwards", received=f"{status} ({where})",
                                 expected=f"{before} or a later status")
        if kind == "verification" and before is not None and ladder[before] == FINAL_VERIFICATION \
                and status != before:
            raise NonConformance("SM-4", "a decided verification changed", received=f"{status} ({where})",
                                 expected=before)
        if before is None or ladder[status] > ladder[before]:
            self.seen[(kind, key)] = status
