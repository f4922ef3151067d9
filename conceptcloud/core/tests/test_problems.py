"""RFC 9457 problem details: the body and content type every API error leaves with."""

import json

import pytest

from conceptcloud.core.errors import (
    ApplicationError,
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
)
from conceptcloud.core.problems import PROBLEM_CONTENT_TYPE, problem_from_error, problem_response


def test_a_problem_has_the_rfc_9457_members_and_content_type():
    response = problem_response(status=404, title="Not found", detail="No such asset.", slug="not-found", instance="/api/v1/assets/9")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE == "application/problem+json"
    assert json.loads(response.content) == {
        "type": "/docs/problems/not-found",
        "title": "Not found",
        "status": 404,
        "detail": "No such asset.",
        "instance": "/api/v1/assets/9",
    }


def test_field_errors_and_extension_members_are_included_only_when_given():
    bare = json.loads(problem_response(status=409, title="Conflict", detail="d", slug="conflict").content)
    assert "errors" not in bare and "instance" not in bare
    full = json.loads(
        problem_response(
            status=422, title="Invalid input", detail="d", slug="invalid-input", instance="/x",
            errors={"sdgs": ["Unknown SDG: 18."]}, extra={"retry": False},
        ).content
    )
    assert full["errors"] == {"sdgs": ["Unknown SDG: 18."]} and full["retry"] is False


def test_japanese_messages_stay_readable_in_the_body():
    response = problem_response(status=422, title="Invalid input", detail="入力が正しくありません。", slug="invalid-input")
    assert "入力が正しくありません。".encode() in response.content


@pytest.mark.parametrize(
    "error, status, slug",
    [
        (ApplicationError("Bad."), 400, "bad-request"),
        (InvalidInput.field("title", "This field is required."), 422, "invalid-input"),
        (PayloadTooLarge("Too big.", errors={"file": ["Too big."]}), 413, "payload-too-large"),
        (NotAuthenticated(), 401, "not-authenticated"),
        (PermissionDenied("Only the owners."), 403, "permission-denied"),
        (NotFound("No such asset."), 404, "not-found"),
        (Conflict("Already solved."), 409, "conflict"),
    ],
)
def test_every_application_error_maps_to_its_status_and_type(error, status, slug):
    response = problem_from_error(error, instance="/api/v1/x")
    body = json.loads(response.content)
    assert response.status_code == body["status"] == status
    assert body["type"] == f"/docs/problems/{slug}" and body["title"] == error.title
    assert body["detail"] == error.message and body["instance"] == "/api/v1/x"
    assert body.get("errors", {}) == error.errors
