"""Aiming an endpoint of the table at a customer: its ids (or foreign ones), the canonical caller, the call."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from ..exchange import Caller, Exchange
from ..journey import Bank, Customer
from .endpoints import Endpoint


def fresh_id() -> str:
    """An id no deployment has handed out: a fresh random UUID."""
    return str(uuid.uuid4())


def ids_of(customer: Customer) -> dict[str, str]:
    """The path and body ids of ``customer``; what it lacks (no verification yet …) is a fresh unknown id."""
    beneficiary = customer.beneficiaries[-1].beneficiary_id if customer.beneficiaries else None
    admin = customer.tenant.admin
    return {"customer": customer.customer_id or fresh_id(), "user": customer.user_id or fresh_id(),
            "session": customer.session_id or fresh_id(), "verification": customer.verification_id or fresh_id(),
            "account": customer.account_id or fresh_id(), "tenant": customer.tenant.path_id,
            "beneficiary": beneficiary or fresh_id(), "order": fresh_id(),
            "org": admin.org_id, "admin": admin.user_id}


#: Path ids that are not UUIDs: odd characters, traversal, injection and a very long one.
_ODD_IDS = ("not-a-uuid", "../../etc/passwd", "1' OR '1'='1", "%00", "x" * 1000)


def foreign_ids(ids: dict[str, str], kind: str) -> dict[str, str]:
    """``ids`` with every resource id replaced: ``unknown`` (fresh UUIDs) or ``odd`` (not UUIDs at all)."""
    keep = {"tenant", "org", "admin"}
    odd = iter(_ODD_IDS * 3)
    return {k: (v if k in keep else (fresh_id() if kind == "unknown" else next(odd))) for k, v in ids.items()}


def caller_for(bank: Bank, customer: Customer, role: str) -> Caller:
    """The canonical caller of an endpoint for ``customer``: its tenant admin, the customer, or nobody."""
    if role == "admin":
        return bank.admin(customer.tenant)
    if role == "cust":
        return customer.caller
    return Caller("anonymous", None, customer.tenant.header_id)


def send(bank: Bank, ep: Endpoint, customer: Customer, caller: Caller, ids: dict[str, str] | None = None, *,
         body: Any = None, content: bytes | None = None, extra_headers: dict[str, str] | None = None,
         drop_headers: tuple[str, ...] = ()) -> Exchange:
    """Call ``ep`` for ``customer``'s ids (or ``ids``) as ``caller``; the default body is the endpoint's own."""
    ids = ids or ids_of(customer)
    path = ep.path.format(**{k: quote(str(v), safe="") for k, v in ids.items()})
    if body is None and content is None and ep.body is not None:
        body = ep.body(bank, customer, ids)
    return bank.client.call(ep.operation, ep.method, path, caller, json_body=body, content=content,
                            extra_headers=extra_headers, drop_headers=drop_headers, schema=ep.schema)
