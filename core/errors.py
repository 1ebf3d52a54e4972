"""The exception hierarchy of creatormatch.

Every expected failure is an :class:`AppError`. Its category decides the HTTP status that
``api/errors.py`` answers with:

- :class:`NotFoundError` -> 404 (also for another organisation's objects: they do not exist)
- :class:`ConflictError` -> 409
- :class:`InvalidInputError` -> 422 (carries the field, line or row at fault)
- :class:`PayloadTooLargeError` -> 413
- :class:`AuthenticationError` -> 401
- :class:`PermissionDeniedError` -> 403
- :class:`RateLimitedError` -> 429 (with ``Retry-After``)
- :class:`UnavailableError` -> 503 (index not built yet, database down, ...)

Messages are built from ids in ``__init__`` and the ids are kept as attributes.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AppError",
    "AuthenticationError",
    "ConflictError",
    "FieldError",
    "InvalidInputError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitedError",
    "UnavailableError",
]


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of one input row.

    ``line`` is the 1-based line of the input file (None for a single API body); ``field`` is
    the dotted field name (``audience.gender.female``) or None when the whole row is at fault.
    """

    field: str | None
    message: str
    line: int | None = None
    value: object = None

    def describe(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field {self.field!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class AppError(Exception):
    """An expected failure with a stable machine-readable ``code``."""

    status = 500
    code = "internal_error"
    title = "Internal error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(AppError, LookupError):
    status = 404
    code = "not_found"
    title = "Not found"


class ConflictError(AppError):
    status = 409
    code = "conflict"
    title = "Conflict"


class InvalidInputError(AppError, ValueError):
    """Bad input; ``errors`` names each field, line or row at fault."""

    status = 422
    code = "invalid_input"
    title = "Invalid input"

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.errors: list[FieldError] = list(errors or [])

    @classmethod
    def for_field(
        cls, field_name: str, message: str, *, line: int | None = None, value: object = None
    ) -> InvalidInputError:
        err = FieldError(field=field_name, message=message, line=line, value=value)
        return cls(err.describe(), [err])


class PayloadTooLargeError(AppError):
    status = 413
    code = "payload_too_large"
    title = "Payload too large"


class AuthenticationError(AppError):
    status = 401
    code = "unauthenticated"
    title = "Unauthenticated"


class PermissionDeniedError(AppError):
    status = 403
    code = "forbidden"
    title = "Forbidden"


class RateLimitedError(AppError):
    """Too many requests; ``retry_after`` is how many seconds to wait."""

    status = 429
    code = "rate_limited"
    title = "Too many requests"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UnavailableError(AppError):
    status = 503
    code = "unavailable"
    title = "Service unavailable"
