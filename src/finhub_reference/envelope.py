"""The E-1 response envelope and the API error type (GEN-4, GEN-6, §7.1).

Success: ``{code, message:"Success", data}`` with ``code`` equal to the HTTP status. Error:
``{code, message, data:{error, ...}}``; validation errors add ``data.errors:[{field, message}]``.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse


class ApiError(Exception):
    """A refusal answered with a 4xx and an E-1 error body; raising it has no side effects (GEN-8)."""

    def __init__(self, status: int, error: str, message: str | None = None, /, **data: Any) -> None:
        super().__init__(message or error)
        self.status = status
        self.error = error
        self.message = message or error.replace("_", " ").capitalize()
        self.data = data

    def response(self) -> JSONResponse:
        """The JSON response for this error."""
        return error_response(self.status, self.error, self.message, self.data)


def validation_failed(errors: list[dict[str, str]], error: str = "VALIDATION_FAILED",
                      message: str = "Request validation failed", **data: Any) -> ApiError:
    """A 400 carrying ``data.errors``."""
    return ApiError(400, error, message, errors=errors, **data)


def field_error(field: str, message: str, error: str = "VALIDATION_FAILED") -> ApiError:
    """A 400 about one field."""
    return validation_failed([{"field": field, "message": message}], error=error, field=field)


def not_found(what: str = "Resource", error: str = "NOT_FOUND") -> ApiError:
    """404 for a resource that is unknown or foreign to the caller (SEC-4, TEN-2)."""
    return ApiError(404, error, f"{what} not found")


def error_response(status: int, error: str, message: str, data: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """An error in the E-1 envelope."""
    payload = {"error": error, **(data or {})}
    return JSONResponse({"code": status, "message": message, "data": payload}, status_code=status, headers=headers)


def ok(data: Any, status: int = 200, message: str = "Success", **top: Any) -> JSONResponse:
    """A success in the E-1 envelope; ``top`` adds top-level keys such as ``redirectUrl``."""
    return JSONResponse({"code": status, "message": message, "data": data, **top}, status_code=status)


def compact(mapping: dict[str, Any]) -> dict[str, Any]:
    """Drop keys whose value is None, so optional keys are absent rather than null."""
    return {key: value for key, value in mapping.items() if value is not None}


class InjectedServerError(Exception):
    """Raised only by an enabled fault that must produce a 5xx (SEC-2, GEN-3 self-tests)."""
