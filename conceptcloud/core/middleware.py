"""Checks every request passes before it reaches a page or an API endpoint.

    RefuseNulMiddleware   an address (path or query string) holding a NUL
                          character is a 400: PostgreSQL can neither store nor
                          compare such text, and no name, slug or filter holds one.
                          Form fields and API bodies refuse NUL themselves, by field.
    ContentSecurityPolicyMiddleware   every page may run only our own script files:
                          an injected <script> or on*= handler does nothing even
                          if some text ever escaped escaping. Responses that set
                          their own policy (file downloads) keep it.
"""

from __future__ import annotations

from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from conceptcloud.core.problems import problem_response

API_PREFIX = "/api/"


def _address_holds_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists())


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _address_holds_nul(request):
            return self.get_response(request)
        message = str(ProhibitNullCharactersValidator.message)
        if request.path.startswith(API_PREFIX):
            return problem_response(status=400, title="Bad request", detail=message, slug="bad-request")
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


# Scripts and everything else only from our own origin. Inline style attributes
# are allowed: templates use a few, and styles cannot run code.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
