"""How the API knows who is calling.

    TokenAuth       `Authorization: Bearer cc_...`; a header that is not a valid,
                    unrevoked token of an active person is 401, never anonymous
    AUTH_REQUIRED   token or session (changes need the CSRF token)
    AUTH_OPTIONAL   the same, falling back to anonymous for public reads
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from conceptcloud.accounts import services
from conceptcloud.core.api import AnonymousAuth, CsrfSessionAuth
from conceptcloud.core.errors import NotAuthenticated


class TokenAuth(HttpBearer):
    """API tokens: `Authorization: Bearer cc_...` (create them under /api/v1/tokens/)."""

    def __call__(self, request: HttpRequest):
        header = request.headers.get(self.header)
        if not header:
            return None
        scheme, _space, secret = header.partition(" ")
        if scheme.lower() != self.openapi_scheme or not secret.strip():
            raise NotAuthenticated(_("Use 'Authorization: Bearer <token>'."))
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str):
        user = services.token_authenticate(secret=token)
        if user is None:
            # A rejected token must not fall through to anonymous access:
            # a typo would otherwise silently hide data instead of failing.
            raise NotAuthenticated(_("The API token is not valid, or it was revoked."))
        request.user = user
        return user


token_auth = TokenAuth()
session_auth = CsrfSessionAuth(csrf=True)
# Writes need a signed-in person; reads accept anyone and still identify them.
AUTH_REQUIRED = [token_auth, session_auth]
AUTH_OPTIONAL = [token_auth, session_auth, AnonymousAuth()]
