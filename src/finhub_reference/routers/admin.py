"""S1: admin sessions for tenant admins and the power-tenant admin (S4 step 1)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from finhub_reference.auth import config_of, store_of
from finhub_reference.bodies import read_credentials, read_json
from finhub_reference.envelope import ApiError, ok
from finhub_reference.routing import SafeRoute
from finhub_reference.security import issue_token, same_secret
from finhub_reference.store import Session
from finhub_reference.timeutil import iso

router = APIRouter(route_class=SafeRoute, tags=["admin"])


@router.post("/api/v2.1/admin/organization/{organization_id}/users/{user_id}/sessions")
async def create_admin_session(organization_id: str, user_id: str, request: Request) -> JSONResponse:
    """S1: log an admin in with tenant credentials; power admins get the POWER_TENANT role (S4)."""
    config, store = config_of(request), store_of(request)
    body = await read_json(request)
    username, password, tenant_key, tenant_secret = read_credentials(body)
    tenant = config.tenant_by_id(request.headers.get("x-tenant-id"))
    if tenant is None or not (same_secret(tenant_key, tenant.key) and same_secret(tenant_secret, tenant.secret)):
        raise ApiError(403, "INVALID_TENANT_CREDENTIALS", "Invalid tenant credentials")
    admin = tenant.admin
    if organization_id != admin.org_id or user_id != admin.user_id:
        raise ApiError(404, "USER_NOT_FOUND", "User not found", success=False, errorType="NOT_FOUND")
    if not (same_secret(username, admin.username) and same_secret(password, admin.password)):
        raise ApiError(401, "INVALID_CREDENTIALS", "Authentication failed", success=False,
                       errorType="AUTHENTICATION")
    roles = ("ADMIN", "POWER_TENANT") if tenant.power else ("ADMIN",)
    with store.lock:
        moment = store.now()
        session = Session(id=store.new_id(), tenant_id=tenant.id, kind="ADMIN", user_id=admin.user_id,
                          owner_id=admin.org_id, roles=roles, refresh_token=secrets.token_urlsafe(32),
                          created_at=moment)
        store.sessions[session.id] = session
    token = issue_token(config.jwt_secret, {
        "sub": admin.user_id, "tenantId": tenant.id, "customerId": admin.org_id, "organizationId": admin.org_id,
        "userId": admin.user_id, "sessionId": session.id, "userType": "ADMIN", "roles": list(roles),
    }, moment, config.token_ttl_s)
    return ok({
        "success": True, "sessionId": session.id, "userId": admin.user_id, "organizationId": admin.org_id,
        "tenantId": tenant.id, "token": token, "tokenType": "Bearer", "refreshToken": session.refresh_token,
        "expiresIn": config.token_ttl_s, "expiresAt": iso(moment + config.token_ttl_s), "roles": list(roles),
        "userType": "ADMIN", "message": "Session created successfully", "errorType": "NONE",
    })
