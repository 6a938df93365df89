"""E3, E4 and S9: customer login with lockout, logout that revokes, and session refresh (seed phase 2)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from finhub_reference.auth import Principal, config_of, current_principal, require_customer, store_of
from finhub_reference.bodies import FieldReader, read_credentials, read_json
from finhub_reference.config import Config
from finhub_reference.envelope import ApiError, not_found, ok
from finhub_reference.routing import SafeRoute
from finhub_reference.security import issue_token, same_secret, verify_password
from finhub_reference.store import Customer, Session
from finhub_reference.timeutil import iso

router = APIRouter(route_class=SafeRoute, tags=["sessions"])

SESSION_PATH = "/api/v2.1/customer/individual/{customer_id}/users/{user_id}/sessions"


def _customer_token(config: Config, customer: Customer, session: Session, moment: float) -> dict:
    """SES-1: an HS256 token with the documented claims, and the union login payload (digest §4.3)."""
    token = issue_token(config.jwt_secret, {
        "sub": customer.user_id, "tenantId": customer.tenant_id, "customerId": customer.id,
        "userId": customer.user_id, "sessionId": session.id, "userType": "CONSUMER", "roles": ["USER"],
    }, moment, config.token_ttl_s)
    return {
        "success": True, "sessionId": session.id, "token": token, "tokenType": "Bearer",
        "expiresIn": config.token_ttl_s, "expiresAt": iso(moment + config.token_ttl_s),
        "refreshToken": session.refresh_token, "userId": customer.user_id, "customerId": customer.id,
        "tenantId": customer.tenant_id, "roles": ["USER"], "message": "Session created successfully",
        "errorType": "NONE",
    }


@router.post(SESSION_PATH)
async def create_customer_session(customer_id: str, user_id: str, request: Request) -> JSONResponse:
    """E3: customer login (SES-1 to SES-5, SES-8, TEN-4); failures count towards a lockout."""
    config, store = config_of(request), store_of(request)
    body = await read_json(request)
    username, password, tenant_key, tenant_secret = read_credentials(body)
    tenant = config.tenant_by_id(request.headers.get("x-tenant-id"))
    if tenant is None:
        raise ApiError(403, "TENANT_MISMATCH", "Unknown tenant")
    if not config.fault("tenant_credentials_ignored") and not (
            same_secret(tenant_key, tenant.key) and same_secret(tenant_secret, tenant.secret)):
        raise ApiError(403, "INVALID_TENANT_CREDENTIALS", "Invalid tenant credentials")
    with store.lock:
        customer = store.customers.get(customer_id)
        if customer is None or customer.user_id != user_id:
            raise ApiError(404, "USER_NOT_FOUND", "User not found", success=False, errorType="NOT_FOUND")
        if customer.tenant_id != tenant.id:
            raise ApiError(403, "TENANT_MISMATCH", "The user does not belong to this tenant")
        user = store.users[user_id]
        moment = store.now()
        if user.locked_until and moment >= user.locked_until:
            user.locked_until, user.failed_attempts = 0.0, 0
        if user.locked_until:
            raise _locked(config, user.failed_attempts, user.locked_until)
        good = username.casefold() == user.username.casefold() and (
            config.fault("wrong_password_accepted") or verify_password(password, user.password_hash))
        if not good and config.fault("other_users_credentials_accepted"):
            other = next((u for u in store.users.values() if u.username.casefold() == username.casefold()
                          and store.customers[u.customer_id].tenant_id == tenant.id), None)
            good = other is not None and verify_password(password, other.password_hash)
        if not good:
            user.failed_attempts += 1
            if user.failed_attempts >= config.lockout_threshold:
                user.locked_until = moment + config.lockout_s
                raise _locked(config, user.failed_attempts, user.locked_until)
            raise ApiError(401, "INVALID_CREDENTIALS", "Authentication failed", success=False,
                           errorType="AUTHENTICATION", attempts=user.failed_attempts,
                           maxAttempts=config.lockout_threshold, lockoutTime=None)
        user.failed_attempts = 0
        session = Session(id=store.new_id(), tenant_id=tenant.id, kind="CUSTOMER", user_id=user.id,
                          owner_id=customer.id, roles=("USER",), refresh_token=secrets.token_urlsafe(32),
                          created_at=moment)
        store.sessions[session.id] = session
    return ok(_customer_token(config, customer, session, moment))


def _locked(config: Config, attempts: int, until: float) -> ApiError:
    """SES-8: 401 ``ACCOUNT_LOCKED`` with the documented counters."""
    return ApiError(401, "ACCOUNT_LOCKED", "Account locked", success=False, errorType="AUTHENTICATION",
                    attempts=attempts, maxAttempts=config.lockout_threshold, lockoutTime=iso(until),
                    lockoutDuration=f"{config.lockout_s // 60} minutes")


@router.delete(SESSION_PATH + "/{session_id}")
async def end_customer_session(customer_id: str, user_id: str, session_id: str, request: Request,
                               principal: Principal = Depends(current_principal)) -> JSONResponse:
    """E4: logout; the ended session's tokens get 401 from then on (SES-6, SES-7)."""
    config, store = config_of(request), store_of(request)
    require_customer(principal)
    with store.lock:
        own_path = principal.customer_id == customer_id and principal.session.user_id == user_id
        if not own_path and not config.fault("foreign_logout_allowed"):
            raise not_found("Session")
        session = store.sessions.get(session_id)
        ended_again = session is not None and session.revoked and config.variant.repeated_logout_succeeds
        if (session is None or (session.revoked and not ended_again) or session.kind != "CUSTOMER"
                or session.owner_id != customer_id or session.user_id != user_id
                or session.tenant_id != principal.tenant.id):
            raise not_found("Session")
        if config.fault("logout_does_not_revoke"):
            # only the refresh token dies (S9 still refuses it after E4): the fault breaks SES-6 and nothing else
            session.refresh_token = secrets.token_urlsafe(32)
        else:
            session.revoked = True
    return ok({"sessionId": session_id, "success": True, "message": "Session terminated successfully"})


@router.put(SESSION_PATH + "/{session_id}")
async def refresh_customer_session(customer_id: str, user_id: str, session_id: str,
                                   request: Request) -> JSONResponse:
    """S9: a new token for a live session against its refresh token, which rotates (SES-9)."""
    config, store = config_of(request), store_of(request)
    body = await read_json(request)
    fields = FieldReader(body)
    refresh_token = fields.string("refreshToken", required=True, max_len=256)
    fields.check()
    with store.lock:
        session = store.sessions.get(session_id)
        if (session is None or session.kind != "CUSTOMER" or session.owner_id != customer_id
                or session.user_id != user_id):
            raise not_found("Session")
        if session.tenant_id != request.headers.get("x-tenant-id"):
            raise ApiError(403, "TENANT_MISMATCH", "X-Tenant-ID does not match the session's tenant")
        if session.revoked or not same_secret(refresh_token, session.refresh_token):
            raise ApiError(401, "UNAUTHORIZED", "Invalid refresh token")
        session.refresh_token = secrets.token_urlsafe(32)
        customer = store.customers[customer_id]
        moment = store.now()
    return ok(_customer_token(config, customer, session, moment))
