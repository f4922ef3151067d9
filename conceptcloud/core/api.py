"""The REST API's shared parts: error handling, schema bases, generic auth.

    ConceptCloudAPI     NinjaAPI that answers every error as RFC 9457 problem+json,
                        also outside operations (unknown /api/ paths: 404, wrong
                        method: 405), and documents error responses as such
    build_api(auth=)    the API object with the problem+json handlers (built in
                        config/api.py with the accounts app's auth list)
    CsrfSessionAuth     the browser session; unsafe methods need the CSRF token
    AnonymousAuth       lets reads through without credentials (AnonymousUser)
    Problem, problems() the error body schema and a response-dict helper
    InputSchema         base of request bodies: unknown fields are refused, and so is
                        text no database can store (NUL characters, lone surrogates)
    QuerySchema         base of list filters: `?kind=` means no filter
    patch_schema()      a PATCH body schema derived from a create schema

Endpoints find the acting person in `request.auth`: a User, or AnonymousUser
on AUTH_OPTIONAL endpoints. Every error leaves as problem+json.
"""

from __future__ import annotations

import functools
import logging
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.validators import ProhibitNullCharactersValidator
from django.http import Http404, HttpRequest, HttpResponseNotAllowed
from django.urls import Resolver404, re_path, resolve
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import SessionAuth
from ninja.utils import check_csrf
from pydantic import ConfigDict, ValidationInfo, create_model, field_validator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from conceptcloud.core.errors import ApplicationError, PermissionDenied
from conceptcloud.core.problems import PROBLEM_CONTENT_TYPE, problem_from_error, problem_response

logger = logging.getLogger("conceptcloud.api")


class Problem(Schema):
    """An RFC 9457 problem details object, sent as application/problem+json."""

    type: str = Field(description="A URI reference naming the kind of problem.", examples=["/docs/problems/invalid-input"])
    title: str = Field(description="A short summary of the kind of problem.", examples=["Invalid input"])
    status: int = Field(description="The HTTP status code.", examples=[422])
    detail: str = Field(description="What went wrong in this occurrence.", examples=["Unknown SDG: 18. SDGs are numbered 1 to 17."])
    instance: str = Field(description="The path of the request that failed.", examples=["/api/v1/assets/"])
    errors: dict[str, list[str]] | None = Field(
        None,
        description="Messages by field, for input problems (dotted paths for nested fields).",
        examples=[{"sdgs": ["Unknown SDG: 18. SDGs are numbered 1 to 17."]}],
    )


def problems(*statuses: int) -> dict[int, type[Problem]]:
    """Response-dict entries documenting the problem answers an endpoint may give."""
    return {status: Problem for status in statuses}


def _text_problem(value: Any) -> PydanticCustomError | None:
    """Why text cannot be stored, for a string or any string in a list or mapping
    (nested schemas check their own fields): a NUL character (PostgreSQL refuses
    it) or a lone surrogate (no database can encode it)."""
    if isinstance(value, str):
        if "\x00" in value:
            return PydanticCustomError("nul_character", str(ProhibitNullCharactersValidator.message))
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return PydanticCustomError(
                "string_unicode", "Input should be a valid string, unable to parse raw data as a unicode string"
            )
        return None
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, (list, tuple, set)):
        items = list(value)
    else:
        return None
    return next((problem for item in items if (problem := _text_problem(item)) is not None), None)


class InputSchema(Schema):
    """Base of request bodies: unknown fields are refused, so a typo is not silently ignored."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        problem = _text_problem(value)
        if problem is not None:
            raise problem
        return value


class QuerySchema(Schema):
    """Base of query-string filters: an empty parameter (`?kind=`, as forms send it)
    means "no filter" for the filters that default to none."""

    @field_validator("*", mode="before")
    @classmethod
    def _blank_means_no_filter(cls, value: Any, info: ValidationInfo) -> Any:
        if value == "" and cls.model_fields[info.field_name].default is None:
            return None
        return value


def patch_schema(schema: type[InputSchema], *, name: str) -> type[InputSchema]:
    """The PATCH body of `schema`: every field optional, none made nullable.

    Sending `"title": null` is still refused when `title` cannot be empty; the
    endpoint applies `model_dump(exclude_unset=True)`, i.e. only what was sent.
    """
    fields: dict[str, Any] = {}
    for field, info in schema.model_fields.items():
        fields[field] = (info.annotation, FieldInfo.merge_field_infos(info, default=None, default_factory=None))
    return create_model(
        name,
        __base__=InputSchema,
        __doc__=f"Fields of {schema.__name__} to change; fields left out keep their values.",
        **fields,
    )


class CsrfSessionAuth(SessionAuth):
    """The signed-in browser session. Changes need the CSRF token (X-CSRFToken header).

    Without a session it passes, so that an anonymous request gets 401 (or
    anonymous access), not a CSRF failure.
    """

    def __call__(self, request: HttpRequest):
        if not request.user.is_authenticated:
            return None
        if self.csrf and check_csrf(request):
            raise PermissionDenied(_("CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header."))
        return request.user


class AnonymousAuth:
    """Lets a request without credentials through as AnonymousUser (public reads).

    It runs last: a request with a bad token has already been refused by TokenAuth.
    Its security scheme is a marker that the OpenAPI document turns into `{}`
    ("no credentials needed").
    """

    openapi_security_schema: dict[str, Any] = {}

    def __call__(self, request: HttpRequest):
        return request.user


NOT_FOUND_URL_NAME = "not-found"


def _is_endpoint(path: str) -> bool:
    try:
        return resolve(path).url_name != NOT_FOUND_URL_NAME
    except Resolver404:
        return False


def _not_found(request: HttpRequest, *args, **kwargs):
    path = request.path
    detail = _("There is no API endpoint at this address.")
    if not path.endswith("/") and _is_endpoint(path + "/"):
        detail += " " + _("Collections end with a slash, e.g. /api/v1/assets/.")
    return problem_response(status=404, title="Not found", detail=detail, slug="not-found", instance=path)


def _problem_on_405(view):
    """Wrap a Ninja path view so that a method it does not serve gets problem+json."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            problem = problem_response(
                status=405,
                title="Method not allowed",
                detail=_("This address accepts %(methods)s.") % {"methods": response["Allow"]},
                slug="method-not-allowed",
                instance=request.path,
            )
            problem["Allow"] = response["Allow"]
            return problem
        return response

    return wrapper


class ConceptCloudAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # Endpoint function names are unique across the API and read well in clients.
        return operation.view_func.__name__

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            pattern.callback = _problem_on_405(pattern.callback)
        # Last: any other path under /api/ is a problem+json 404, not an HTML page.
        patterns.append(re_path(r"^.*$", _not_found, name=NOT_FOUND_URL_NAME))
        return patterns, app_name, namespace

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schemes = schema.get("components", {}).get("securitySchemes", {})
        schemes.pop(AnonymousAuth.__name__, None)
        for path_item in schema["paths"].values():
            for operation in path_item.values():
                for status, response in operation["responses"].items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        response["content"] = {PROBLEM_CONTENT_TYPE: content["application/json"]}
                if "security" in operation:
                    operation["security"] = [
                        {} if AnonymousAuth.__name__ in requirement else requirement
                        for requirement in operation["security"]
                    ]
        return schema


def _instance(request: HttpRequest) -> str:
    return request.path


def _application_error(request, error: ApplicationError):
    return problem_from_error(error, instance=_instance(request))


def _field_path(location: tuple) -> str:
    """('body', 'payload', 'sdgs', 0) → 'sdgs.0'; ('query', 'page') → 'page'."""
    source, *rest = [str(part) for part in location] or ["request"]
    if source == "body" and rest[:1] == ["payload"]:
        rest = rest[1:]
    return ".".join(rest) or source


def _validation_error(request, error: NinjaValidationError):
    errors: dict[str, list[str]] = {}
    for item in error.errors:
        errors.setdefault(_field_path(tuple(item.get("loc", ()))), []).append(item.get("msg", "Invalid value"))
    return problem_response(
        status=422,
        title="Invalid input",
        detail=_("The request does not match the expected schema."),
        slug="invalid-input",
        instance=_instance(request),
        errors=errors,
    )


def _authentication_error(request, error):
    return problem_response(
        status=401,
        title="Authentication required",
        detail=_("Send 'Authorization: Bearer <token>' or sign in (with the CSRF token for changes)."),
        slug="not-authenticated",
        instance=_instance(request),
    )


def _http_error(request, error: HttpError):
    status = HTTPStatus(error.status_code)
    return problem_response(
        status=status.value,
        title=status.phrase.capitalize(),
        detail=str(error),
        slug=status.phrase.lower().replace(" ", "-"),
        instance=_instance(request),
    )


def _http_404(request, error):
    return problem_response(
        status=404, title="Not found", detail=_("No such object."), slug="not-found", instance=_instance(request)
    )


def _django_permission_denied(request, error):
    return problem_response(
        status=403, title="Permission denied", detail=str(error) or _("Not allowed."),
        slug="permission-denied", instance=_instance(request),
    )


def _request_too_big(request, error):
    return problem_response(
        status=413,
        title="Payload too large",
        detail=_("The request body is too large. Send files as multipart uploads."),
        slug="payload-too-large",
        instance=_instance(request),
    )


def _unexpected(request, error: Exception):
    logger.exception("Unhandled API error")
    return problem_response(
        status=500,
        title="Internal error",
        detail=_("Something went wrong on our side; nothing was changed."),
        slug="internal-error",
        instance=_instance(request),
    )


def build_api(*, auth: list) -> ConceptCloudAPI:
    """The API object, with every error handler installed; `auth` is its default auth list."""
    api = ConceptCloudAPI(
        title="Concept Cloud API",
        version="1",
        description=(
            "Register and find intellectual assets, needs, organisations and people.\n\n"
            "**Authentication**: `Authorization: Bearer <token>` with a personal API token "
            "(create one with `POST /api/v1/tokens/`; the secret is shown once), or the browser "
            "session (changes then need the `X-CSRFToken` header). Reads that the web pages allow "
            "without signing in work without credentials; an invalid or revoked token is always 401.\n\n"
            "**Visibility**: an asset's details, IP records, files and their history reach only "
            "people with full access (`access` is `full` or `manage`); everyone else sees its teaser "
            "(`access: teaser`). Lists carry teasers only.\n\n"
            "**Pages**: lists take `page` and `page_size` (at most 100) and answer "
            "`{items, count, page, page_size, next, previous}`.\n\n"
            "**Errors** are RFC 9457 problem details (`application/problem+json`) with `type`, "
            "`title`, `status`, `detail`, `instance` and, for input problems, `errors` by field. "
            "Input that is refused changes nothing."
        ),
        urls_namespace="api",
        openapi_url="/openapi.json",
        docs_url="/docs",
        auth=auth,
        openapi_extra={
            "tags": [
                {"name": "Assets", "description": "Ideas, technologies, patents, works, data sets, know-how and "
                 "lessons: their versions, files and who may read their details."},
                {"name": "Needs", "description": "What seekers (companies, governments, NGOs...) are looking for."},
                {"name": "Organisations", "description": "Universities, TLOs, companies... and their members."},
                {"name": "People", "description": "The directory of people, and your own profile."},
                {"name": "Tokens", "description": "Your personal API tokens."},
                {"name": "History", "description": "The creative history's transparency log: signed "
                 "checkpoints, the public key, RFC 9162 proofs and receipts."},
                {"name": "Lineage", "description": "Contributors and their shares, lineage terms, derivation "
                 "links (improve one asset, combine several), the lineage graph and W3C PROV export."},
            ]
        },
    )
    api.add_exception_handler(ApplicationError, _application_error)
    api.add_exception_handler(NinjaValidationError, _validation_error)
    api.add_exception_handler(AuthenticationError, _authentication_error)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, _http_404)
    api.add_exception_handler(DjangoPermissionDenied, _django_permission_denied)
    api.add_exception_handler(RequestDataTooBig, _request_too_big)
    api.add_exception_handler(Exception, _unexpected)
    return api
