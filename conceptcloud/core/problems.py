"""RFC 9457 problem details: the one place errors become HTTP responses for the API."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse

from conceptcloud.core.errors import ApplicationError

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "/docs/problems/"


def problem_response(
    *,
    status: int,
    title: str,
    detail: str,
    slug: str,
    instance: str = "",
    errors: dict[str, list[str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> JsonResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    return JsonResponse(
        body,
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def problem_from_error(error: ApplicationError, *, instance: str = "") -> JsonResponse:
    return problem_response(
        status=error.status,
        title=error.title,
        detail=error.message,
        slug=error.slug,
        instance=instance,
        errors=error.errors,
    )
