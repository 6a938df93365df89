"""The route class every router uses: no client input may produce a 5xx or a traceback (SEC-2, SEC-6).

An unexpected exception inside a handler is logged to stderr and answered with 400 ``BAD_REQUEST``;
API errors and HTTP exceptions pass through to the app's handlers unchanged.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Coroutine

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from finhub_reference.envelope import ApiError, InjectedServerError, error_response

log = logging.getLogger("finhub_reference")


class SafeRoute(APIRoute):
    """An APIRoute whose handler turns unexpected exceptions into a clean 4xx."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler (which also resolves the dependencies)."""
        handler = super().get_route_handler()

        async def safe_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except (ApiError, HTTPException, RequestValidationError):
                raise
            except InjectedServerError:
                return error_response(500, "INTERNAL_ERROR", "Internal server error (injected fault)")
            except Exception:  # noqa: BLE001 - SEC-2: never a 5xx for client input
                log.exception("unexpected error in %s %s", request.method, request.url.path)
                return error_response(400, "BAD_REQUEST", "The request could not be processed")

        return safe_handler
