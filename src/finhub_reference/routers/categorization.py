"""E1: the tenant's categorization hierarchy (CAT-1)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from finhub_reference import catalog
from finhub_reference.auth import authenticate, config_of, require_admin
from finhub_reference.config import Tenant
from finhub_reference.envelope import ApiError, not_found, ok
from finhub_reference.routing import SafeRoute

router = APIRouter(route_class=SafeRoute, tags=["categorization"])


def _caller_tenant(request: Request) -> Tenant:
    """The tenant asking: its admin's token's, or (E1 public, §8 #8) the X-Tenant-ID header's alone (SEC-3)."""
    config = config_of(request)
    if not config.variant.public_hierarchy:
        principal = authenticate(request)
        require_admin(principal)
        return principal.tenant
    tenant = config.tenant_by_id(request.headers.get("x-tenant-id"))
    if tenant is None:
        raise ApiError(403, "TENANT_MISMATCH", "Unknown tenant")
    return tenant


@router.get("/api/v2.1/customer/individual/categorization/hierarchy/{tenant_id}")
async def get_categorization_hierarchy(tenant_id: str, request: Request) -> JSONResponse:
    """E1: the caller's tenant hierarchy, for its admins only unless public (CAT-1, SEC-3, TEN-1, TEN-2)."""
    tenant = _caller_tenant(request)
    if not tenant.matches_path(tenant_id):
        raise not_found("Tenant")
    return ok(catalog.hierarchy(tenant))
