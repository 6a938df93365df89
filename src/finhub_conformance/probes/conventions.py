"""Probes for the conventions every endpoint shares (SEC-1, GEN-2, GEN-6, GEN-7).

One mistake per phase with the statuses its case allows, and the first steps of a journey with the
§1.1 headers written another way or unknown fields in every body.
"""

from __future__ import annotations

from decimal import Decimal

from .. import bodies
from ..exchange import Caller, Exchange
from ..iban import german_iban
from ..journey import Bank, Customer
from .calls import caller_for, foreign_ids, ids_of, send
from .endpoints import endpoint, login_body


def provoke_errors(bank: Bank, customer: Customer) -> list[tuple[Exchange, frozenset[int]]]:
    """SEC-1 / GEN-6: one mistake per phase for an active ``customer``, each with its case's status set (§5, §6)."""
    V, B, F = frozenset({400, 422}), frozenset({400, 403, 409, 422}), frozenset({403, 404})
    admin, me, ids = bank.admin(customer.tenant), customer.caller, ids_of(customer)
    tenant, admin_creds = customer.tenant, customer.tenant.admin
    twin = bank.new_customer("Eve", tenant=tenant)
    twin.email = customer.email
    weak = bank.new_customer("Eve", tenant=tenant)
    unknown = foreign_ids(ids, "unknown")
    bad_iban = bodies.beneficiary_body("DE00370400440532013001")
    zero = bodies.transfer_body(ids["account"], Decimal("0.00"), beneficiary_id=ids["beneficiary"], iban=german_iban())
    return [
        (bank.client.admin_log_in(admin_creds.org_id, admin_creds.user_id,
                                  {"username": admin_creds.username, "tenantKey": tenant.key,
                                   "tenantSecret": tenant.secret}, tenant.header_id), V),
        (bank.register(twin), frozenset({409})),
        (bank.register(weak, bank.registration_body(weak, password="short1!", matchingPassword="short1!")), V),
        (bank.log_in(customer, password=customer.password + "x"), frozenset({401})),
        (send(bank, endpoint("E4"), customer, me, {**ids, "session": unknown["session"]}), frozenset({404})),
        (bank.initiate(customer), B),
        (bank.submit(customer, {"verificationType": "IDENTITY", "verificationData": {"documentType": "PASSPORT"}}),
         B | {404}),  # a decided verification may count as none open (VER-10)
        (send(bank, endpoint("E7"), customer, me, unknown), F),
        (bank.decide(customer, admin), B),
        (bank.accept_consent(customer, "terms", bodies.consent_body(accepted=False)), B),
        (bank.accept_consent(customer, "marketing"), frozenset({400, 404})),
        (bank.activate(customer), frozenset({409, 422})),
        (send(bank, endpoint("E12"), customer, me, unknown), F),
        (bank.add_beneficiary(customer, bad_iban), V),
        # PAY-11 (V), or PAY-2 / PAY-3 when a deployment checks the consent or beneficiary first
        (bank.client.prepare_transfer(me, ids["account"], zero), frozenset({400, 403, 404, 409, 422})),
        # an unknown order (400, 404), or the R2 consent refusal a deployment may check first (403, 422)
        (send(bank, endpoint("E16"), customer, me, ids), frozenset({400, 403, 404, 422})),
        (bank.client.create_payment_consent(me, ids["account"], bodies.payment_consent_body(
            ids["beneficiary"], Decimal("10.00")), operation_type="TELEPORT"), frozenset({400, 404})),
    ]


def _styled(bank: Bank, style: str | None, caller: Caller, has_body: bool) -> tuple[dict[str, str], tuple[str, ...]]:
    """GEN-2: the §1.1 header set written another way (extra headers, headers dropped first)."""
    if style == "charset":
        return ({"Content-Type": "application/json; charset=utf-8"} if has_body else {}), ()
    if style != "lower":
        return {}, ()
    standard = bank.client.standard_headers(caller, has_body)
    headers = {name.lower(): value for name, value in standard.items()}
    return headers, tuple(standard)


#: GEN-7: fields no version of the profile knows, at the top level and nested.
UNKNOWN_FIELDS = {"conformanceProbe": "ignore me", "conformanceNested": {"unknown": [1, "two", None]}}


def first_steps(bank: Bank, customer: Customer, *, style: str | None = None,
                unknown_fields: bool = False) -> list[Exchange]:
    """E2, E3 and E8 (terms) for ``customer``, with headers in ``style`` and/or unknown fields in every body.

    Stops at the first refusal; the successful steps leave the customer registered and logged in.
    """
    extra = UNKNOWN_FIELDS if unknown_fields else {}

    def go(code: str, caller: Caller, body: dict) -> Exchange:
        headers, drop = _styled(bank, style, caller, True)
        return send(bank, endpoint(code), customer, caller, body={**body, **extra}, extra_headers=headers,
                    drop_headers=drop)

    registration = bank.registration_body(customer)
    if unknown_fields:
        registration["individualCustomer"] = {**registration["individualCustomer"], **UNKNOWN_FIELDS}
    done = [go("E2", bank.admin(customer.tenant), registration)]
    if not done[-1].ok:
        return done
    bank.remember_registration(customer, done[-1])
    done.append(go("E3", caller_for(bank, customer, "none"), login_body(bank, customer, {})))
    if not done[-1].ok:
        return done
    customer.token, customer.session_id = done[-1].get("token"), done[-1].get("sessionId")
    bank.redactor.add_token(customer.token)
    done.append(go("E8-E10", customer.caller, bodies.consent_body()))
    return done
