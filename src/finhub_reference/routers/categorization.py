"""E1: the tenant's categorization hierarchy (CAT-1)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from finhub_reference import catalog
from finhub_reference.auth import Principal, current_principal, require_admin
from finhub_reference.envelope import not_found, ok
from finhub_reference.routing import SafeRoute

router = APIRouter(route_class=SafeRoute, tags=["categorization"])


@router.get("/api/v2.1/customer/individual/categorization/hierarchy/{tenant_id}")
async def get_categorization_hierarchy(tenant_id: str, principal: Principal = Depends(current_principal)) -> JSONResponse:
    """E1: the caller's tenant hierarchy, for its admins only (CAT-1, SEC-3, TEN-1, TEN-2)."""
    require_admin(principal)
    if not principal.tenant.matches_path(tenant_id):
        raise not_found("Tenant")
    return ok(catalog.hierarchy(principal.tenant))
