"""Registry endpoints under /api/v1/: assets (with versions, files and access
grants) and needs. Thin adapters: parse → registry services/selectors → shape.

    GET    /assets/                                 list (teasers), filters + pages
    POST   /assets/                                 register
    GET    /assets/{id}                             one asset, as the visibility rule allows
    PATCH  /assets/{id}                             edit → a new version
    POST   /assets/{id}/status                      publish / return to draft / withdraw
                                                    (403 while the operator's withdrawal stands)
    GET    /assets/{id}/versions                    history, oldest first
    GET    /assets/{id}/versions/{n}                one version and what changed
    GET    /assets/{id}/attachments                 files (empty without full access)
    POST   /assets/{id}/attachments                 upload (multipart field "file")
    GET    /assets/{id}/attachments/{aid}           download
    DELETE /assets/{id}/attachments/{aid}           remove from the current version
    GET    /assets/{id}/grants                      who was granted access (owners)
    POST   /assets/{id}/grants                      grant a person access (owners)
    DELETE /assets/{id}/grants/{username}           revoke it (owners)
    GET    /needs/  POST /needs/  GET|PATCH /needs/{id}  POST /needs/{id}/status

Reads go through `asset_get_for_user` and friends: an asset someone may not
see is 404, one they see but do not own is 403 for changes.
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from dataclasses import replace

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status, UploadedFile

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.accounts.auth import AUTH_REQUIRED
from conceptcloud.core.api import problems
from conceptcloud.core.errors import InvalidInput, NotFound, PermissionDenied, collect_errors
from conceptcloud.core.pagination import Page, PageParams, paginate
from conceptcloud.registry import selectors, services
from conceptcloud.registry.files import attachment_response
from conceptcloud.registry.models import Asset, Attachment, Need
from conceptcloud.registry.schemas import (
    AssetIn,
    AssetManageView,
    AssetOut,
    AssetPatch,
    AssetQuery,
    AssetStatusIn,
    AssetTeaserOut,
    AttachmentOut,
    GrantIn,
    GrantOut,
    NeedIn,
    NeedOut,
    NeedPatch,
    NeedQuery,
    NeedStatusIn,
    VersionDiffOut,
    VersionOut,
)

router = Router()

ASSETS = ["Assets"]
NEEDS = ["Needs"]
BINARY = {
    "responses": {
        200: {
            "description": "The file, as an attachment download.",
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


# Shaping ---------------------------------------------------------------------


def _absolute(request: HttpRequest, name: str, **kwargs) -> str:
    return request.build_absolute_uri(reverse(f"api:{name}", kwargs=kwargs))


def _teaser_out(request: HttpRequest, asset: Asset) -> dict:
    data = selectors.asset_teaser(asset)
    data["url"] = _absolute(request, "asset_detail", asset_id=asset.pk)
    return data


def _attachment_out(request: HttpRequest, attachment: Attachment) -> dict:
    return {
        "id": attachment.pk,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "created_at": attachment.created_at,
        "url": _absolute(request, "attachment_download", asset_id=attachment.asset_id, attachment_id=attachment.pk),
    }


def _asset_out(request: HttpRequest, view: selectors.AssetView) -> dict:
    """The asset as this viewer may see it: the teaser, plus details only with full access."""
    data = _teaser_out(request, view.asset)
    data["access"] = view.access.name.lower()
    if view.can_see_details:
        data["details"] = view.asset.details
        data["ip_records"] = list(selectors.ip_records_for_view(view=view))
        data["attachments"] = [_attachment_out(request, a) for a in selectors.attachments_for_view(view=view)]
    if view.can_manage:
        data["withdrawn_by_operator"] = view.asset.withdrawn_by_operator
    return data


def _need_out(request: HttpRequest, need: Need) -> dict:
    data = {name: getattr(need, name) for name in services.NEED_FIELDS}
    data.update(
        id=need.pk,
        url=_absolute(request, "need_detail", need_id=need.pk),
        seeker_org=need.seeker_org.slug,
        seeker_org_name=need.seeker_org.name,
        status=need.status,
        created_at=need.created_at,
        updated_at=need.updated_at,
    )
    return data


# Parsing ---------------------------------------------------------------------


def _ip_records(records: list[dict]) -> list[services.IpRecordData]:
    return [services.IpRecordData(**record) for record in records]


def _asset_data(values: dict) -> services.AssetData:
    names = {f.name for f in dataclass_fields(services.AssetData)}
    data = {name: value for name, value in values.items() if name in names}
    data["ip_records"] = _ip_records(data.get("ip_records", []))
    return services.AssetData(**data)


def _current_asset_data(view: selectors.AssetView) -> services.AssetData:
    """The asset's present state as the service's input, for a partial edit."""
    asset = view.asset
    names = {f.name for f in dataclass_fields(services.AssetData)} - {"owner_org", "ip_records"}
    return services.AssetData(
        **{name: getattr(asset, name) for name in names},
        owner_org=asset.owner_org.slug if asset.owner_org_id else "",
        ip_records=[
            services.IpRecordData(
                office=r.office, number=r.number, kind=r.kind, status=r.status,
                filing_date=r.filing_date, expiry_date=r.expiry_date,
            )
            for r in selectors.ip_records_for_view(view=view)
        ],
    )


def _asset_for_change(request: HttpRequest, asset_id: int) -> selectors.AssetView:
    """The asset if this person manages it: 404 when they cannot see it, 403 when they only see it."""
    view = selectors.asset_get_for_user(asset_id=asset_id, user=request.auth)
    if not view.can_manage:
        raise PermissionDenied(_("Only the asset's owners can change it."))
    return view


def _reloaded(request: HttpRequest, asset: Asset) -> dict:
    return _asset_out(request, selectors.asset_get_for_user(asset_id=asset.pk, user=request.auth))


# Assets ----------------------------------------------------------------------


@router.get("/assets/", response={200: Page[AssetTeaserOut], **problems(401, 422)}, tags=ASSETS, summary="List assets")
def asset_list(request, filters: Query[AssetQuery], paging: Query[PageParams]):
    """Assets you may see, newest first (or as `sort` says), as teasers (open one for its details)."""
    collect_errors(
        {
            "sort": [] if filters.sort in selectors.asset_sorts() else [_("Unknown sort order.")],
            "standing": [] if not filters.standing or filters.standing in selectors.ASSET_STANDINGS
            else [_("Unknown standing.")],
        }
    )
    found = selectors.asset_list(
        user=request.auth,
        filters=selectors.AssetFilters(
            q=filters.q,
            kind=filters.kind or "",
            sdg=filters.sdg,
            country=filters.country,
            availability=filters.availability or "",
            organisation=filters.organisation,
            status=filters.status or "",
            standing=filters.standing,
        ),
    )
    found = selectors.assets_ordered(found, filters.sort)
    return paginate(request, found, paging, shape=lambda asset: _teaser_out(request, asset))


@router.post(
    "/assets/",
    auth=AUTH_REQUIRED,
    response={201: AssetManageView, **problems(400, 401, 403, 422)},
    tags=ASSETS,
    summary="Register an asset",
)
def asset_create(request, payload: AssetIn):
    """Register an asset owned by you or by one of your organisations (version 1)."""
    asset = services.asset_register(actor=request.auth, data=_asset_data(payload.model_dump()), publish=payload.publish)
    return Status(201, _reloaded(request, asset))


@router.get(
    "/assets/{int:asset_id}",
    response={200: AssetOut, **problems(401, 404)},
    url_name="asset_detail",
    tags=ASSETS,
    summary="Get one asset",
)
def asset_detail(request, asset_id: int):
    """The asset within your access: `teaser` shows no details, IP records or files;
    drafts and withdrawn assets of others are 404."""
    return _asset_out(request, selectors.asset_get_for_user(asset_id=asset_id, user=request.auth))


@router.patch(
    "/assets/{int:asset_id}",
    auth=AUTH_REQUIRED,
    response={200: AssetManageView, **problems(400, 401, 403, 404, 422)},
    tags=ASSETS,
    summary="Edit an asset",
)
def asset_update(request, asset_id: int, payload: AssetPatch):
    """Change some fields; a change makes a new version (an edit that changes nothing makes none).
    The owner cannot be changed."""
    view = _asset_for_change(request, asset_id)
    changes = payload.model_dump(exclude_unset=True)
    note = changes.pop("note", "")
    if "ip_records" in changes:
        changes["ip_records"] = _ip_records(changes["ip_records"])
    asset = services.asset_update(
        actor=request.auth, asset=view.asset, data=replace(_current_asset_data(view), **changes), note=note
    )
    return _reloaded(request, asset)


@router.post(
    "/assets/{int:asset_id}/status",
    auth=AUTH_REQUIRED,
    response={200: AssetManageView, **problems(400, 401, 403, 404, 422)},
    tags=ASSETS,
    summary="Publish or withdraw an asset",
)
def asset_status_set(request, asset_id: int, payload: AssetStatusIn):
    """`published` shows the asset to others, `draft` hides it again, `withdrawn` retires it.
    After the operator withdrew an asset (`withdrawn_by_operator`), only the operator can change
    its status: 403."""
    view = _asset_for_change(request, asset_id)
    asset = services.asset_set_status(actor=request.auth, asset=view.asset, status=payload.status, reason=payload.reason)
    return _reloaded(request, asset)


@router.get(
    "/assets/{int:asset_id}/versions",
    response={200: Page[VersionOut], **problems(401, 404, 422)},
    tags=ASSETS,
    summary="List an asset's versions",
)
def asset_version_list(request, asset_id: int, paging: Query[PageParams]):
    """Every version, oldest first; without full access the snapshots hold the teaser fields only."""
    view = selectors.asset_get_for_user(asset_id=asset_id, user=request.auth)
    return paginate(request, selectors.asset_versions_for_user(view=view), paging)


@router.get(
    "/assets/{int:asset_id}/versions/{int:number}",
    response={200: VersionDiffOut, **problems(401, 404)},
    tags=ASSETS,
    summary="Get one version of an asset",
)
def asset_version_detail(request, asset_id: int, number: int):
    """One version and the fields that changed from the version before, within your access."""
    view = selectors.asset_get_for_user(asset_id=asset_id, user=request.auth)
    return selectors.asset_version_diff(view=view, number=number)


@router.get(
    "/assets/{int:asset_id}/attachments",
    response={200: list[AttachmentOut], **problems(401, 404)},
    tags=ASSETS,
    summary="List an asset's files",
)
def attachment_list(request, asset_id: int):
    """The current version's files; empty unless you have full access."""
    view = selectors.asset_get_for_user(asset_id=asset_id, user=request.auth)
    return [_attachment_out(request, a) for a in selectors.attachments_for_view(view=view)]


@router.post(
    "/assets/{int:asset_id}/attachments",
    auth=AUTH_REQUIRED,
    response={201: AttachmentOut, **problems(400, 401, 403, 404, 413, 422)},
    tags=ASSETS,
    summary="Upload a file to an asset",
)
def attachment_upload(request, asset_id: int, file: File[UploadedFile]):
    """multipart/form-data with the field `file`: PDF, images, text, CSV, JSON, ZIP or Office
    files, checked against their content. Makes a new version."""
    view = _asset_for_change(request, asset_id)
    attachment = services.attachment_add(actor=request.auth, asset=view.asset, upload=file)
    return Status(201, _attachment_out(request, attachment))


@router.get(
    "/assets/{int:asset_id}/attachments/{int:attachment_id}",
    response={200: None, **problems(401, 404)},
    url_name="attachment_download",
    tags=ASSETS,
    summary="Download a file",
    openapi_extra=BINARY,
)
def attachment_download(request, asset_id: int, attachment_id: int):
    """The file, for people with full access to the asset; 404 for everyone else."""
    attachment = selectors.attachment_get_for_user(asset_id=asset_id, attachment_id=attachment_id, user=request.auth)
    return attachment_response(attachment)


@router.delete(
    "/assets/{int:asset_id}/attachments/{int:attachment_id}",
    auth=AUTH_REQUIRED,
    response={204: None, **problems(401, 403, 404)},
    tags=ASSETS,
    summary="Remove a file",
)
def attachment_delete(request, asset_id: int, attachment_id: int):
    """Take the file out of the current version (earlier versions keep its hash). Makes a new version."""
    view = _asset_for_change(request, asset_id)
    services.attachment_remove(actor=request.auth, asset=view.asset, attachment_id=attachment_id)
    return Status(204, None)


@router.get(
    "/assets/{int:asset_id}/grants",
    auth=AUTH_REQUIRED,
    response={200: list[GrantOut], **problems(401, 403, 404)},
    tags=ASSETS,
    summary="List access grants",
)
def grant_list(request, asset_id: int):
    """People granted access to the asset's details (owners only)."""
    view = _asset_for_change(request, asset_id)
    return [
        {"username": g.user.username, "reason": g.reason, "granted_by": g.granted_by.username, "created_at": g.created_at}
        for g in selectors.access_grants_for_view(view=view)
    ]


@router.post(
    "/assets/{int:asset_id}/grants",
    auth=AUTH_REQUIRED,
    response={201: GrantOut, **problems(400, 401, 403, 404, 422)},
    tags=ASSETS,
    summary="Grant a person access",
)
def grant_create(request, asset_id: int, payload: GrantIn):
    """Let one person read the details and files of a confidential asset, e.g. under an NDA (owners only)."""
    view = _asset_for_change(request, asset_id)
    try:
        person = account_selectors.person_get(username=payload.username)
    except NotFound:
        raise InvalidInput.field("username", _("No such person.")) from None
    grant = services.access_grant(actor=request.auth, asset=view.asset, user=person, reason=payload.reason)
    return Status(
        201,
        {"username": person.username, "reason": grant.reason, "granted_by": grant.granted_by.username, "created_at": grant.created_at},
    )


@router.delete(
    "/assets/{int:asset_id}/grants/{username}",
    auth=AUTH_REQUIRED,
    response={204: None, **problems(401, 403, 404)},
    tags=ASSETS,
    summary="Revoke a person's access",
)
def grant_delete(request, asset_id: int, username: str):
    """End a person's access to the asset's details (owners only)."""
    view = _asset_for_change(request, asset_id)
    grant = selectors.access_grant_get(view=view, username=username)
    services.access_revoke(actor=request.auth, asset=view.asset, user=grant.user)
    return Status(204, None)


# Needs -----------------------------------------------------------------------


def _need_for_change(request: HttpRequest, need_id: int) -> Need:
    """The need if it is one of this person's organisations': 404 if absent, 403 otherwise."""
    selectors.need_get(need_id=need_id)
    try:
        return selectors.need_get_for_manager(need_id=need_id, user=request.auth)
    except NotFound:
        raise PermissionDenied(_("Only members of the organisation that posted the need can change it.")) from None


@router.get("/needs/", response={200: Page[NeedOut], **problems(401, 422)}, tags=NEEDS, summary="List needs")
def need_list(request, filters: Query[NeedQuery], paging: Query[PageParams]):
    """Needs posted by seekers (companies, governments, NGOs...), newest first."""
    found = selectors.need_list(
        filters=selectors.NeedFilters(
            q=filters.q,
            sdg=filters.sdg,
            country=filters.country,
            status=filters.status or "",
            organisation=filters.organisation,
            deal_type=filters.deal_type or "",
        )
    )
    return paginate(request, found, paging, shape=lambda need: _need_out(request, need))


@router.post(
    "/needs/", auth=AUTH_REQUIRED, response={201: NeedOut, **problems(400, 401, 422)}, tags=NEEDS, summary="Post a need"
)
def need_create(request, payload: NeedIn):
    """Post a need for one of your organisations."""
    need = services.need_create(actor=request.auth, data=services.NeedData(**payload.model_dump()))
    return Status(201, _need_out(request, need))


@router.get(
    "/needs/{int:need_id}", response={200: NeedOut, **problems(401, 404)}, url_name="need_detail", tags=NEEDS, summary="Get one need"
)
def need_detail(request, need_id: int):
    return _need_out(request, selectors.need_get(need_id=need_id))


@router.patch(
    "/needs/{int:need_id}",
    auth=AUTH_REQUIRED,
    response={200: NeedOut, **problems(400, 401, 403, 404, 422)},
    tags=NEEDS,
    summary="Edit a need",
)
def need_update(request, need_id: int, payload: NeedPatch):
    """Change some fields of your organisation's need; it stays with that organisation."""
    need = _need_for_change(request, need_id)
    current = services.NeedData(
        seeker_org=need.seeker_org.slug, **{name: getattr(need, name) for name in services.NEED_FIELDS}
    )
    need = services.need_update(
        actor=request.auth, need=need, data=replace(current, **payload.model_dump(exclude_unset=True))
    )
    return _need_out(request, need)


@router.post(
    "/needs/{int:need_id}/status",
    auth=AUTH_REQUIRED,
    response={200: NeedOut, **problems(400, 401, 403, 404, 409, 422)},
    tags=NEEDS,
    summary="Change a need's status",
)
def need_status_set(request, need_id: int, payload: NeedStatusIn):
    """open, in-discussion, solved or closed. A need the operator closed stays closed: 403."""
    need = _need_for_change(request, need_id)
    return _need_out(request, services.need_set_status(actor=request.auth, need=need, status=payload.status))
