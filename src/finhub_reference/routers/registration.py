"""E2: registering an individual customer with its user and its INACTIVE default wallet (seed phase 1)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from finhub_reference import catalog
from finhub_reference.auth import Principal, config_of, current_principal, require_admin, store_of
from finhub_reference.bodies import FieldReader, lookup, read_json
from finhub_reference.envelope import ApiError, compact, field_error, ok, validation_failed
from finhub_reference.routing import SafeRoute
from finhub_reference.security import hash_password, password_violations
from finhub_reference.store import Customer, User, Wallet
from finhub_reference.timeutil import iso, parse_date, today_utc

router = APIRouter(route_class=SafeRoute, tags=["registration"])

EMAIL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                   r"@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
PHONE = re.compile(r"^\+?[0-9]{6,15}$")
GENDERS = ("MALE", "FEMALE", "OTHER")

#: Seeded faults that switch off one REG-3 clause each.
_CLAUSE_FAULTS = {"length": "short_password_accepted", "upper": "password_without_upper_accepted",
                  "lower": "password_without_lower_accepted", "digit": "password_without_digit_accepted",
                  "special": "password_without_special_accepted"}


def _category_ref(body: dict[str, Any]) -> str | None:
    """CAT-2: the category named by ``customerCategory.id``, else ``individualCustomer.categorization.id``."""
    for path in ("customerCategory", "individualCustomer.categorization"):
        node = lookup(body, path)
        if node is None:
            continue
        if not isinstance(node, dict):
            raise field_error(path, "must be an object")
        ref = node.get("id")
        if ref is None:
            continue
        if not isinstance(ref, str) or not ref or len(ref) > 100:
            raise field_error(f"{path}.id", "must be a category id")
        return ref
    return None


@router.post("/api/v2.1/customer/individual/registration")
async def register_individual_customer(request: Request,
                                       principal: Principal = Depends(current_principal)) -> JSONResponse:
    """E2: register a customer (REG-1 to REG-8, CAT-2 to CAT-5, TEN-3, TEN-5, SEC-1)."""
    config, store = config_of(request), store_of(request)
    if not config.variant.customer_registers:
        require_admin(principal)
    body = await read_json(request)
    fields = FieldReader(body)
    first_name = fields.string("firstName", required=True, max_len=100)
    last_name = fields.string("lastName", required=True, max_len=100)
    email = fields.string("email", required=True, max_len=254)
    password = fields.string("password", required=True, max_len=128)
    matching = fields.string("matchingPassword", required=True, max_len=128)
    phone = fields.string("phone", max_len=32)
    gender = fields.string("gender", choices=GENDERS, upper=True)
    birth = fields.string("dateOfBirth", max_len=10)
    nationality = fields.string("nationality", max_len=64)
    fields.check()
    assert first_name and last_name and email and password and matching
    if not EMAIL.match(email) and not config.fault("malformed_email_accepted"):
        raise field_error("email", "is not a valid email address")
    if phone is not None and not PHONE.match(phone):
        raise field_error("phone", "must be a phone number with country code, e.g. +37060012345")
    if birth is not None:
        born = parse_date(birth)
        if born is None or born >= today_utc():
            raise field_error("dateOfBirth", "must be a past date in YYYY-MM-DD form")
    problems = password_violations(password, skip=frozenset(
        clause for clause, fault in _CLAUSE_FAULTS.items() if config.fault(fault)),
        min_length=config.variant.password_min_length, no_repeats=config.variant.password_no_repeats)
    if problems:
        raise validation_failed([{"field": "password", "message": p} for p in problems], error="WEAK_PASSWORD",
                                message="Password does not meet the security requirements")
    if password != matching and not config.fault("weak_password_confirmation_ignored"):
        raise validation_failed([{"field": "matchingPassword",
                                  "message": "Password and matching password must be identical"}])
    category = None
    ref = _category_ref(body)
    if ref is not None:
        category = catalog.resolve(principal.tenant, ref, by_database_id=config.variant.database_id_accepted)
        if category is None and not config.fault("unknown_category_accepted"):
            raise ApiError(400, "CATEGORY_NOT_FOUND", f"Category {ref} not found in the tenant's hierarchy",
                           field="customerCategory.id")
    if category is not None:
        issues = catalog.check_parametrization(
            principal.tenant, category, lookup(body, "individualCustomer.categorization.categoryFeatureRelations"),
            check_mandatory=not config.fault("mandatory_keys_not_checked"),
            check_values=not config.fault("allowed_values_not_checked"))
        if issues:
            raise ApiError(400, "CATEGORIZATION_INVALID", "Categorization validation failed", **issues)
    roles = [r for r in body.get("roleIds", []) if isinstance(r, str)][:10] \
        if isinstance(body.get("roleIds"), list) else []
    password_hash = hash_password(password)
    with store.lock:
        tenant_id = principal.tenant.id  # TEN-3: a tenantId in the body never moves the customer elsewhere
        if store.email_taken(tenant_id, email) and not config.fault("duplicate_email_accepted"):
            raise ApiError(409, "DUPLICATE_EMAIL", "A customer with this email already exists in the tenant",
                           field="email")
        moment = store.now()
        customer = Customer(
            id=store.new_id(), tenant_id=tenant_id, user_id=store.new_id(), person_id=store.new_id(),
            wallet_id=store.new_id(),
            first_name=first_name, last_name=last_name, email=email, created_at=moment,
            category_id=category.category_id if category else None,
            category_name=category.name if category else None,
            risk=category.risk if category else config.variant.uncategorized_risk,
            profile=compact({"phone": phone, "gender": gender, "dateOfBirth": birth, "nationality": nationality}),
        )
        user = User(id=customer.user_id, customer_id=customer.id, tenant_id=tenant_id, username=email,
                    password_hash=password_hash)
        wallet = Wallet(id=customer.wallet_id, customer_id=customer.id, tenant_id=tenant_id)
        store.add_customer(customer, user, wallet)
    user_payload: dict[str, Any] = {
        "id": user.id, "username": user.username, "email": email, "status": user.status,
        "isActive": user.is_active, "roles": roles or ["ACCOUNT_OWNER", "USER"], "requiresPasswordChange": False,
        "twoFactorEnabled": False,
    }
    if config.fault("password_hash_exposed"):
        user_payload["passwordHash"] = password_hash
    data = {
        "id": customer.id, "customerId": customer.id, "tenantId": tenant_id, "customerType": "CT_PERSON",
        "customerStatus": customer.status, "individual": True, "organization": False,
        "person": {"id": customer.person_id, "firstName": first_name, "lastName": last_name, "email": email,
                   **customer.profile},
        "user": user_payload, "userId": user.id,
        "wallet": {"walletId": wallet.id, "id": wallet.id, "status": wallet.status, "currency": wallet.currency},
        "createdAt": iso(moment),
    }
    if category is not None:
        data["categorization"] = {"id": category.category_id,
                                  "databaseId": catalog.database_id(principal.tenant, category.category_id),
                                  "name": category.name, "riskLevel": category.risk}
    return ok(data, redirectUrl="/auth/activate-account")
