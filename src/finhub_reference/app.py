"""The ASGI application: :func:`create_app` wires config, store, routers and exception handlers.

Every response uses the E-1 envelope (GEN-4, GEN-6). FastAPI's default ``{"detail": ...}`` bodies are
replaced (stack-notes P13): request-validation errors become 400 ``VALIDATION_FAILED``, unknown routes
404 ``NOT_FOUND``, wrong methods 405; nothing a client sends produces a 5xx (SEC-2). A variant that
reshapes responses (``variants.ALTERNATE``) adds its presentation middleware on top.
"""

from __future__ import annotations

import time
from typing import Callable

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from finhub_reference.auth import require_headers
from finhub_reference.config import Config, load_config
from finhub_reference.envelope import ApiError, error_response
from finhub_reference.routers import ALL_ROUTERS
from finhub_reference.store import Store
from finhub_reference.variants import Presentation

_HTTP_ERRORS = {
    400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE", 413: "PAYLOAD_TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE", 422: "VALIDATION_FAILED",
}


async def api_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Render an :class:`ApiError`."""
    assert isinstance(exc, ApiError)
    return exc.response()


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's request validation, rendered as 400 ``VALIDATION_FAILED`` with ``data.errors``."""
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": ".".join(str(part) for part in err.get("loc", ()) if part != "body") or "body",
               "message": str(err.get("msg", "invalid"))} for err in exc.errors()]
    return error_response(400, "VALIDATION_FAILED", "Request validation failed", {"errors": errors})


async def http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Starlette HTTP errors (unknown route, wrong method) in the E-1 envelope; 5xx never leave as such."""
    assert isinstance(exc, HTTPException)
    status = exc.status_code if exc.status_code < 500 else 400
    error = _HTTP_ERRORS.get(status, "BAD_REQUEST")
    return error_response(status, error, error.replace("_", " ").capitalize(), headers=getattr(exc, "headers", None))


def create_app(config: Config | None = None, *, clock: Callable[[], float] | None = None) -> FastAPI:
    """Build a fresh deployment with its own empty store; ``clock`` replaces ``time.time`` in tests."""
    config = config or load_config()
    app = FastAPI(title="FinHub v2.1 B2C reference deployment", version="1.0.0", docs_url=None, redoc_url=None,
                  openapi_url=None, dependencies=[Depends(require_headers)])
    app.state.config = config
    app.state.store = Store(config, clock or time.time)
    for router in ALL_ROUTERS:
        app.include_router(router)
    app.add_exception_handler(ApiError, api_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(HTTPException, http_error_handler)
    if config.variant.reshape:
        app.add_middleware(Presentation, variant=config.variant)
    return app
