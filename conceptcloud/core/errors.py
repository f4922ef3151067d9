"""The one error hierarchy of the platform.

Services and selectors raise these; the API maps them once to RFC 9457
problem+json (core/problems.py) and views show their messages by the fields.

    ApplicationError            400  something about the request is wrong
     ├── InvalidInput           422  field-level errors: {"field": ["message", ...]}
     │    └── PayloadTooLarge   413  an upload over the size limit
     ├── NotAuthenticated       401  sign in first
     ├── PermissionDenied       403  signed in, but not allowed
     ├── NotFound               404  absent, or invisible to this user (same answer)
     └── Conflict               409  the state forbids it (duplicate, wrong status)
"""

from __future__ import annotations


class ApplicationError(Exception):
    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, message: str = "", *, errors: dict[str, list[str]] | None = None):
        super().__init__(message or self.title)
        self.message = message or self.title
        self.errors = errors or {}


class InvalidInput(ApplicationError):
    status = 422
    slug = "invalid-input"
    title = "Invalid input"

    @classmethod
    def field(cls, name: str, message: str) -> "InvalidInput":
        return cls(message, errors={name: [message]})


class PayloadTooLarge(InvalidInput):
    status = 413
    slug = "payload-too-large"
    title = "Payload too large"


class NotAuthenticated(ApplicationError):
    status = 401
    slug = "not-authenticated"
    title = "Authentication required"


class PermissionDenied(ApplicationError):
    status = 403
    slug = "permission-denied"
    title = "Permission denied"


class NotFound(ApplicationError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(ApplicationError):
    status = 409
    slug = "conflict"
    title = "Conflict"


def collect_errors(checks: dict[str, list[str]]) -> None:
    """Raise one InvalidInput carrying every non-empty field message list."""
    errors = {name: messages for name, messages in checks.items() if messages}
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidInput(first, errors=errors)
