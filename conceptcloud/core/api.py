"""The REST API: one NinjaAPI at /api/, version 1 routers from each app.

Authentication: `Authorization: Bearer cc_...` API tokens, or the browser
session (unsafe methods then need the CSRF token). Reads that anyone may make
also work anonymously. Every error leaves as RFC 9457 problem+json.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.core.errors import ApplicationError
from conceptcloud.core.problems import problem_from_error, problem_response


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = account_selectors.token_authenticate(secret=token)
        if user is not None:
            request.user = user
        return user


class OptionalAuth:
    """Lets requests without credentials through as AnonymousUser (public reads).

    A request that sends an Authorization header the token check refused is not
    anonymous: it gets 401, so a typo in a token never silently hides data.
    """

    def __call__(self, request: HttpRequest):
        if request.headers.get("Authorization"):
            return None
        return True


token_auth = TokenAuth()
session_auth = SessionAuth(csrf=True)
# Writes need a signed-in person; reads accept anyone and still identify them.
AUTH_REQUIRED = [token_auth, session_auth]
AUTH_OPTIONAL = [token_auth, session_auth, OptionalAuth()]

api = NinjaAPI(
    title="Concept Cloud API",
    version="1",
    description=(
        "Register and find intellectual assets, needs, organisations and people. "
        "Errors are RFC 9457 problem details (application/problem+json)."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=AUTH_OPTIONAL,
)


def _instance(request: HttpRequest) -> str:
    return request.path


@api.exception_handler(ApplicationError)
def _application_error(request, error: ApplicationError):
    return problem_from_error(error, instance=_instance(request))


@api.exception_handler(NinjaValidationError)
def _validation_error(request, error: NinjaValidationError):
    errors: dict[str, list[str]] = {}
    for item in error.errors:
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path", "form", "payload")]
        errors.setdefault(".".join(location) or "request", []).append(item.get("msg", "Invalid value"))
    return problem_response(
        status=422,
        title="Invalid input",
        detail="The request does not match the expected schema.",
        slug="invalid-input",
        instance=_instance(request),
        errors=errors,
    )


@api.exception_handler(AuthenticationError)
def _authentication_error(request, error):
    return problem_response(
        status=401,
        title="Authentication required",
        detail="Send 'Authorization: Bearer <token>' or sign in (with the CSRF token for changes).",
        slug="not-authenticated",
        instance=_instance(request),
    )


@api.exception_handler(HttpError)
def _http_error(request, error: HttpError):
    return problem_response(
        status=error.status_code,
        title="Request failed",
        detail=str(error),
        slug="http-error",
        instance=_instance(request),
    )


@api.exception_handler(Exception)
def _unexpected(request, error: Exception):
    import logging

    logging.getLogger("conceptcloud.api").exception("Unhandled API error")
    return problem_response(
        status=500,
        title="Internal error",
        detail="Something went wrong on our side; nothing was changed.",
        slug="internal-error",
        instance=_instance(request),
    )
