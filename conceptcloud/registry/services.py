"""Every write to assets and needs.

    asset_register / asset_update   validate AssetData, write the asset, its facets,
                                    an immutable AssetVersion and a history entry
                                    (registration may carry its first attachments)
    asset_set_status                publish, return to draft, withdraw (owner or operator;
                                    the operator's withdrawal holds until the operator lifts it)
    attachment_add / _remove        checked uploads, stored by SHA-256
    access_grant / access_revoke    who may read a confidential asset's details
    need_create / need_update / need_set_status

Each runs in one transaction with its history entry. A confidential asset's
details enter the history only as a salted commitment (history.canonical).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.core.codes import check_countries, check_sdgs
from conceptcloud.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    collect_errors,
)
from conceptcloud.core.tasks import task_enqueue
from conceptcloud.history.services import entry_append
from conceptcloud.registry.models import (
    AccessGrant,
    Asset,
    AssetFacet,
    AssetVersion,
    Attachment,
    IpRecord,
    Need,
    NeedFacet,
)
from conceptcloud.registry.selectors import Access, asset_access
from conceptcloud.registry.vocab import IP_OFFICES, check_cpc_codes, check_rights_statement, cpc_normalise

ALLOWED_ATTACHMENT_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "text/plain": ".txt",
    "text/csv": ".csv",
    "application/json": ".json",
    "application/zip": ".zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
}
# Magic numbers for the binary types: a declared type must match the bytes.
_MAGIC = {
    "application/pdf": (b"%PDF",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/zip": (b"PK\x03\x04",),
}
_OOXML = {t for t in ALLOWED_ATTACHMENT_TYPES if "openxmlformats" in t}


@dataclass(frozen=True)
class IpRecordData:
    office: str
    number: str
    kind: str
    status: str
    filing_date: date | None = None
    expiry_date: date | None = None


@dataclass(frozen=True)
class AssetData:
    kind: str
    title: str
    summary: str
    details: str = ""
    language: str = "en"
    visibility: str = Asset.Visibility.PUBLIC
    owner_org: str = ""  # organisation slug; empty = owned by the person
    trl: int | None = None
    sdgs: list[int] = field(default_factory=list)
    cpc_codes: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    countries_developed: list[str] = field(default_factory=list)
    countries_deployed: list[str] = field(default_factory=list)
    availability: list[str] = field(default_factory=list)
    rights_statement: str = ""
    reference: str = ""
    ip_records: list[IpRecordData] = field(default_factory=list)


def _check_ip_records(records: list[IpRecordData]) -> list[str]:
    errors = []
    for n, record in enumerate(records, start=1):
        if record.office not in IP_OFFICES:
            errors.append(_("IP record %(n)d: unknown office %(value)s.") % {"n": n, "value": record.office})
        if not record.number.strip() or len(record.number) > 40:
            errors.append(_("IP record %(n)d: enter the number (at most 40 characters).") % {"n": n})
        if record.kind not in IpRecord.Kind.values:
            errors.append(_("IP record %(n)d: unknown kind %(value)s.") % {"n": n, "value": record.kind})
        if record.status not in IpRecord.Status.values:
            errors.append(_("IP record %(n)d: unknown status %(value)s.") % {"n": n, "value": record.status})
        if record.filing_date and record.expiry_date and record.expiry_date < record.filing_date:
            errors.append(_("IP record %(n)d: the expiry date is before the filing date.") % {"n": n})
    return errors


def _check_asset(data: AssetData, *, actor) -> None:
    def length(value: str, limit: int, required: bool = False) -> list[str]:
        if required and not value.strip():
            return [_("This field is required.")]
        if len(value) > limit:
            return [_("At most %(limit)d characters.") % {"limit": limit}]
        return []

    owner_errors: list[str] = []
    if data.owner_org:
        org = account_selectors.organisations_for_user(user=actor).filter(slug=data.owner_org).first()
        if org is None:
            owner_errors.append(_("You can register assets only for organisations you belong to."))
    errors = {
        "kind": [_("Choose a kind.")] if data.kind not in Asset.Kind.values else [],
        "title": length(data.title, 300, required=True),
        "summary": length(data.summary, 2000, required=True),
        "details": length(data.details, 100_000),
        "language": [_("Choose English or Japanese.")] if data.language not in ("en", "ja") else [],
        "visibility": [_("Choose public, members or confidential.")]
        if data.visibility not in Asset.Visibility.values
        else [],
        "owner_org": owner_errors,
        "trl": [_("TRL is a whole number from 1 to 9.")]
        if data.trl is not None and (not isinstance(data.trl, int) or not 1 <= data.trl <= 9)
        else [],
        "sdgs": check_sdgs(data.sdgs),
        "cpc_codes": check_cpc_codes(data.cpc_codes) + ([_("At most 20 CPC codes.")] if len(data.cpc_codes) > 20 else []),
        "keywords": [_("At most 30 keywords of 40 characters each.")]
        if len(data.keywords) > 30 or any(len(k) > 40 for k in data.keywords)
        else [],
        "countries_developed": check_countries(data.countries_developed),
        "countries_deployed": check_countries(data.countries_deployed),
        "availability": [
            _("Unknown availability: %(value)s.") % {"value": a}
            for a in data.availability
            if a not in Asset.Availability.values
        ],
        "rights_statement": check_rights_statement(data.rights_statement),
        "reference": length(data.reference, 80),
        "ip_records": _check_ip_records(data.ip_records) + ([_("At most 50 IP records.")] if len(data.ip_records) > 50 else []),
    }
    collect_errors(errors)


def _clean(data: AssetData) -> dict[str, Any]:
    """Normalised field values, in the order the snapshot keeps them."""
    return {
        "kind": data.kind,
        "title": data.title.strip(),
        "summary": data.summary.strip(),
        "details": data.details.strip(),
        "language": data.language,
        "visibility": data.visibility,
        "trl": data.trl,
        "sdgs": sorted(set(data.sdgs)),
        "cpc_codes": list(dict.fromkeys(cpc_normalise(c) for c in data.cpc_codes)),
        "keywords": list(dict.fromkeys(k.strip() for k in data.keywords if k.strip())),
        "countries_developed": list(dict.fromkeys(data.countries_developed)),
        "countries_deployed": list(dict.fromkeys(data.countries_deployed)),
        "availability": [a for a in Asset.Availability.values if a in data.availability],
        "rights_statement": data.rights_statement,
        "reference": data.reference.strip(),
    }


def _write_facets(asset: Asset) -> None:
    AssetFacet.objects.filter(asset=asset).delete()
    rows = [AssetFacet(asset=asset, name="sdg", value=str(n)) for n in asset.sdgs]
    countries = dict.fromkeys(asset.countries_developed + asset.countries_deployed)
    rows += [AssetFacet(asset=asset, name="country", value=c) for c in countries]
    rows += [AssetFacet(asset=asset, name="availability", value=a) for a in asset.availability]
    rows += [AssetFacet(asset=asset, name="keyword", value=k.lower()[:40]) for k in asset.keywords]
    AssetFacet.objects.bulk_create(rows)


def _write_ip_records(asset: Asset, records: list[IpRecordData]) -> None:
    IpRecord.objects.filter(asset=asset).delete()
    IpRecord.objects.bulk_create([IpRecord(asset=asset, **asdict(r)) for r in records])


def _ip_record_json(record: IpRecord | IpRecordData) -> dict[str, Any]:
    return {
        "office": record.office,
        "number": record.number,
        "kind": record.kind,
        "status": record.status,
        "filing_date": record.filing_date.isoformat() if record.filing_date else None,
        "expiry_date": record.expiry_date.isoformat() if record.expiry_date else None,
    }


def _snapshot(asset: Asset) -> dict[str, Any]:
    """The full state of an asset as a version records it (JSON-ready)."""
    data = {
        "kind": asset.kind,
        "title": asset.title,
        "summary": asset.summary,
        "details": asset.details,
        "language": asset.language,
        "visibility": asset.visibility,
        "status": asset.status,
        "owner_org": asset.owner_org.slug if asset.owner_org_id else None,
        "owner_user": asset.owner_user.username if asset.owner_user_id else None,
        "trl": asset.trl,
        "sdgs": asset.sdgs,
        "cpc_codes": asset.cpc_codes,
        "keywords": asset.keywords,
        "countries_developed": asset.countries_developed,
        "countries_deployed": asset.countries_deployed,
        "availability": asset.availability,
        "rights_statement": asset.rights_statement,
        "reference": asset.reference,
        "ip_records": [_ip_record_json(r) for r in asset.ip_records.order_by("id")],
        "attachments": [
            {"filename": a.filename, "sha256": a.sha256, "size": a.size, "content_type": a.content_type}
            for a in asset.attachments.filter(removed_at__isnull=True).order_by("id")
        ],
    }
    return data


# What a history entry may show of an asset in the clear; the rest of a
# confidential asset goes in only as a salted commitment.
_PUBLIC_IN_LOG = (
    "kind", "title", "summary", "language", "visibility", "status", "owner_org", "owner_user",
    "trl", "sdgs", "cpc_codes", "keywords", "countries_developed", "countries_deployed",
    "availability", "rights_statement", "reference",
)


def _record(asset: Asset, *, actor, type: str, note: str = "", extra: dict[str, Any] | None = None) -> AssetVersion:
    """Store the version snapshot and append the history entry, in the caller's transaction,
    and have the search index brought in step once it commits.

    `extra` goes into the entry's payload in the clear (never confidential content).
    """
    task_enqueue("discovery.asset_index", asset_id=asset.pk)
    snapshot = _snapshot(asset)
    version = AssetVersion.objects.create(
        asset=asset, number=asset.version, snapshot=snapshot, author=actor, note=note[:300]
    )
    payload = {key: snapshot[key] for key in _PUBLIC_IN_LOG}
    payload["version"] = asset.version
    payload.update(extra or {})
    secret_part = {key: snapshot[key] for key in snapshot if key not in _PUBLIC_IN_LOG}
    # The log is public: anything not readable by everyone (members-only as well
    # as confidential) enters it only as a commitment.
    if asset.visibility != Asset.Visibility.PUBLIC:
        entry_append(actor=actor, type=type, subject=f"asset:{asset.pk}", payload=payload, confidential=secret_part)
    else:
        payload.update(secret_part)
        entry_append(actor=actor, type=type, subject=f"asset:{asset.pk}", payload=payload)
    return version


def asset_register(
    *, actor, data: AssetData, publish: bool = True, attachments: Sequence[UploadedFile] = ()
) -> Asset:
    """Register a new asset owned by `data.owner_org` (which the actor belongs to) or the actor.

    `attachments` are checked before anything is written (errors under "file")
    and become part of version 1: a rejected file leaves no asset behind.
    """
    _check_asset(data, actor=actor)
    uploads = [_check_upload(upload) for upload in attachments]
    with _files_removed_on_failure() as stored, transaction.atomic():
        owner_org = account_selectors.organisation_get(slug=data.owner_org) if data.owner_org else None
        asset = Asset.objects.create(
            **_clean(data),
            owner_org=owner_org,
            owner_user=None if owner_org else actor,
            created_by=actor,
            status=Asset.Status.PUBLISHED if publish else Asset.Status.DRAFT,
            version=1,
        )
        _write_ip_records(asset, data.ip_records)
        for upload in uploads:
            _store_attachment(asset, upload, actor=actor, stored=stored)
        _write_facets(asset)
        _record(asset, actor=actor, type="asset.registered")
    return asset


def asset_update(*, actor, asset: Asset, data: AssetData, note: str = "") -> Asset:
    """Apply an edit as a new version; an edit that changes nothing creates nothing.

    The owner cannot be changed here: ownership moves by transfer, not by edit.
    """
    _require_manager(actor, asset)
    _check_asset(data, actor=actor)
    with transaction.atomic():
        locked = Asset.objects.select_for_update(of=("self",)).select_related("owner_org", "owner_user").get(pk=asset.pk)
        before = _snapshot(locked)
        fields = _clean(data)
        records = [_ip_record_json(r) for r in data.ip_records]
        if all(before[k] == v for k, v in fields.items()) and before["ip_records"] == records:
            return locked
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.version += 1
        locked.save()
        _write_ip_records(locked, data.ip_records)
        _write_facets(locked)
        _record(locked, actor=actor, type="asset.updated", note=note)
    return locked


def _manages(actor, asset: Asset) -> bool:
    return asset_access(asset=asset, user=actor) == Access.MANAGE


def _require_manager(actor, asset: Asset) -> None:
    """Only the asset's managers change it, whoever calls (views and the API check first)."""
    if not _manages(actor, asset):
        raise NotFound(_("No such asset."))


def asset_set_status(*, actor, asset: Asset, status: str, reason: str = "") -> Asset:
    """Publish, unpublish to draft, or withdraw. Managers or the operator only.

    Moderation sticks: when the operator (staff, not among the asset's managers)
    withdraws an asset, `withdrawn_by_operator` is set, also on an asset its
    owners had already withdrawn, and from then on only staff may change its
    status (PermissionDenied for everyone else). Staff moving it out of
    "withdrawn" clears the flag. The history entry of an operator's change says
    `"by_operator": true`.
    """
    if status not in Asset.Status.values:
        raise InvalidInput.field("status", _("Choose draft, published or withdrawn."))
    manages = _manages(actor, asset)
    if not (actor.is_staff or manages):
        raise NotFound(_("No such asset."))
    by_operator = actor.is_staff and not manages
    with transaction.atomic():
        locked = Asset.objects.select_for_update(of=("self",)).select_related("owner_org", "owner_user").get(pk=asset.pk)
        if locked.withdrawn_by_operator and not actor.is_staff:
            raise PermissionDenied(
                _("The operator withdrew this asset. Contact the operator to have it reviewed.")
            )
        moderating = by_operator and status == Asset.Status.WITHDRAWN and not locked.withdrawn_by_operator
        if locked.status == status and not moderating:
            return locked
        locked.status = status
        locked.withdrawn_by_operator = moderating or (locked.withdrawn_by_operator and status == Asset.Status.WITHDRAWN)
        locked.version += 1
        locked.save()
        kind = {"withdrawn": "asset.withdrawn", "published": "asset.published", "draft": "asset.unpublished"}[status]
        _record(locked, actor=actor, type=kind, note=reason, extra={"by_operator": True} if by_operator else None)
    return locked


def _sniff_ok(content_type: str, head: bytes) -> bool:
    if content_type in _MAGIC:
        return any(head.startswith(m) for m in _MAGIC[content_type])
    if content_type in _OOXML:
        return head.startswith(b"PK\x03\x04")
    if content_type == "image/webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    # Text types: must decode as UTF-8.
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start > len(head) - 4  # a multi-byte character cut by the head
    return True


@dataclass(frozen=True)
class _CheckedUpload:
    upload: UploadedFile
    content_type: str
    sha256: str
    name: str


def _check_upload(upload: UploadedFile) -> _CheckedUpload:
    """Size, declared type and content checks (errors under "file"); writes nothing."""
    limit = settings.CC_ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise PayloadTooLarge(
            _("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)},
            errors={"file": [_("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)}]},
        )
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    if content_type not in ALLOWED_ATTACHMENT_TYPES:
        raise InvalidInput.field("file", _("This file type is not accepted. Use PDF, images, text, CSV, JSON, ZIP or Office files."))
    digest = hashlib.sha256()
    head = b""
    for chunk in upload.chunks():
        if len(head) < 512:
            head += chunk[: 512 - len(head)]
        digest.update(chunk)
    if not _sniff_ok(content_type, head):
        raise InvalidInput.field("file", _("The file's content does not match its type."))
    name = (upload.name or "file").replace("/", "_").replace("\\", "_")[-200:]
    return _CheckedUpload(upload=upload, content_type=content_type, sha256=digest.hexdigest(), name=name)


@contextmanager
def _files_removed_on_failure() -> Iterator[list[Attachment]]:
    """Collects the files stored inside a transaction; if it fails, they are deleted
    again (file storage takes no part in the rollback)."""
    stored: list[Attachment] = []
    try:
        yield stored
    except BaseException:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise


def _store_attachment(asset: Asset, checked: _CheckedUpload, *, actor, stored: list[Attachment]) -> Attachment:
    """Save a checked upload, in the caller's transaction (the caller records the version)."""
    attachment = Attachment(
        asset=asset,
        filename=checked.name,
        content_type=checked.content_type,
        size=checked.upload.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    checked.upload.seek(0)
    attachment.file.save(checked.name, checked.upload, save=False)
    stored.append(attachment)
    attachment.save()
    return attachment


def attachment_add(*, actor, asset: Asset, upload: UploadedFile) -> Attachment:
    """Attach a file: size and type checked, content hashed, a new asset version recorded."""
    _require_manager(actor, asset)
    checked = _check_upload(upload)
    with _files_removed_on_failure() as stored, transaction.atomic():
        locked = Asset.objects.select_for_update(of=("self",)).select_related("owner_org", "owner_user").get(pk=asset.pk)
        attachment = _store_attachment(locked, checked, actor=actor, stored=stored)
        locked.version += 1
        locked.save()
        _record(locked, actor=actor, type="asset.attachment_added", note=checked.name)
    return attachment


def attachment_remove(*, actor, asset: Asset, attachment_id: int) -> None:
    """Hide an attachment from the current version; earlier versions keep its hash."""
    _require_manager(actor, asset)
    with transaction.atomic():
        locked = Asset.objects.select_for_update(of=("self",)).select_related("owner_org", "owner_user").get(pk=asset.pk)
        attachment = locked.attachments.filter(pk=attachment_id, removed_at__isnull=True).first()
        if attachment is None:
            raise NotFound(_("No such attachment."))
        attachment.removed_at = timezone.now()
        attachment.save(update_fields=["removed_at"])
        locked.version += 1
        locked.save()
        _record(locked, actor=actor, type="asset.attachment_removed", note=attachment.filename)


def access_grant(*, actor, asset: Asset, user, reason: str = "") -> AccessGrant:
    """Let one person read a confidential asset's details. Managers only."""
    if not _manages(actor, asset):
        raise PermissionDenied(_("Only the owner can grant access."))
    if not user.is_active:
        raise InvalidInput.field("username", _("This person cannot receive access."))
    with transaction.atomic():
        grant = AccessGrant.objects.filter(asset=asset, user=user, revoked_at__isnull=True).first()
        if grant is not None:
            return grant
        grant = AccessGrant.objects.create(asset=asset, user=user, granted_by=actor, reason=reason[:200])
        entry_append(
            actor=actor, type="asset.access_granted", subject=f"asset:{asset.pk}", payload={"user": user.username}
        )
    return grant


def access_revoke(*, actor, asset: Asset, user) -> None:
    if not _manages(actor, asset):
        raise PermissionDenied(_("Only the owner can revoke access."))
    with transaction.atomic():
        updated = AccessGrant.objects.filter(asset=asset, user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not updated:
            raise NotFound(_("This person has no access to revoke."))
        entry_append(
            actor=actor, type="asset.access_revoked", subject=f"asset:{asset.pk}", payload={"user": user.username}
        )


# The largest whole amount the history's canonical JSON (RFC 8785) holds exactly;
# the database columns (64-bit) would take more.
MAX_BUDGET = 2**53 - 1


@dataclass(frozen=True)
class NeedData:
    title: str
    description: str
    seeker_org: str  # organisation slug the actor belongs to
    sdgs: list[int] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    region: str = ""
    sector: str = ""
    deal_types: list[str] = field(default_factory=list)
    budget_min: int | None = None
    budget_max: int | None = None
    budget_currency: str = ""
    deadline: date | None = None
    reference: str = ""


def _check_need(data: NeedData, *, actor) -> None:
    import pycountry

    budget: list[str] = []
    for value in (data.budget_min, data.budget_max):
        if value is not None and (not isinstance(value, int) or value < 0):
            budget.append(_("A budget is a whole, non-negative amount."))
        elif value is not None and value > MAX_BUDGET:
            budget.append(_("This budget is too large."))
    if data.budget_min is not None and data.budget_max is not None and not budget and data.budget_min > data.budget_max:
        budget.append(_("The lower end of the budget is above the upper end."))
    currency: list[str] = []
    if (data.budget_min is not None or data.budget_max is not None) and not data.budget_currency:
        currency.append(_("Give the budget's currency."))
    elif data.budget_currency and pycountry.currencies.get(alpha_3=data.budget_currency) is None:
        currency.append(_("Unknown currency code: %(value)s.") % {"value": data.budget_currency})
    org_ok = account_selectors.organisations_for_user(user=actor).filter(slug=data.seeker_org).exists()
    errors = {
        "title": [_("This field is required.")] if not data.title.strip() else ([_("At most %(limit)d characters.") % {"limit": 300}] if len(data.title) > 300 else []),
        "description": [_("This field is required.")] if not data.description.strip() else [],
        "seeker_org": [] if org_ok else [_("Post needs for an organisation you belong to.")],
        "sdgs": check_sdgs(data.sdgs),
        "countries": check_countries(data.countries),
        "region": [_("At most %(limit)d characters.") % {"limit": 100}] if len(data.region) > 100 else [],
        "sector": [_("At most %(limit)d characters.") % {"limit": 100}] if len(data.sector) > 100 else [],
        "deal_types": [
            _("Unknown deal type: %(value)s.") % {"value": d} for d in data.deal_types if d not in Need.DealType.values
        ],
        "budget_min": budget,
        "budget_currency": currency,
    }
    collect_errors(errors)


def _write_need_facets(need: Need) -> None:
    NeedFacet.objects.filter(need=need).delete()
    rows = [NeedFacet(need=need, name="sdg", value=str(n)) for n in need.sdgs]
    rows += [NeedFacet(need=need, name="country", value=c) for c in need.countries]
    rows += [NeedFacet(need=need, name="deal_type", value=d) for d in need.deal_types]
    NeedFacet.objects.bulk_create(rows)


NEED_FIELDS = (
    "title", "description", "sdgs", "countries", "region", "sector", "deal_types",
    "budget_min", "budget_max", "budget_currency", "deadline", "reference",
)


def _need_fields(data: NeedData) -> dict[str, Any]:
    return {
        "title": data.title.strip(),
        "description": data.description.strip(),
        "sdgs": sorted(set(data.sdgs)),
        "countries": list(dict.fromkeys(data.countries)),
        "region": data.region.strip(),
        "sector": data.sector.strip(),
        "deal_types": [d for d in Need.DealType.values if d in data.deal_types],
        "budget_min": data.budget_min,
        "budget_max": data.budget_max,
        "budget_currency": data.budget_currency,
        "deadline": data.deadline,
        "reference": data.reference.strip(),
    }


def _need_payload(need: Need) -> dict[str, Any]:
    payload = {name: getattr(need, name) for name in NEED_FIELDS}
    payload["deadline"] = need.deadline.isoformat() if need.deadline else None
    payload["seeker_org"] = need.seeker_org.slug
    payload["status"] = need.status
    return payload


def need_create(*, actor, data: NeedData) -> Need:
    _check_need(data, actor=actor)
    with transaction.atomic():
        need = Need.objects.create(
            **_need_fields(data),
            seeker_org=account_selectors.organisation_get(slug=data.seeker_org),
            created_by=actor,
        )
        _write_need_facets(need)
        entry_append(actor=actor, type="need.posted", subject=f"need:{need.pk}", payload=_need_payload(need))
        task_enqueue("discovery.need_index", need_id=need.pk)
    return need


def need_update(*, actor, need: Need, data: NeedData) -> Need:
    """Edit a need; the caller fetched it through `need_get_for_manager`."""
    if data.seeker_org != need.seeker_org.slug:
        raise InvalidInput.field("seeker_org", _("A need stays with the organisation that posted it."))
    _check_need(data, actor=actor)
    with transaction.atomic():
        locked = Need.objects.select_for_update().select_related("seeker_org").get(pk=need.pk)
        for name, value in _need_fields(data).items():
            setattr(locked, name, value)
        locked.save()
        _write_need_facets(locked)
        entry_append(actor=actor, type="need.updated", subject=f"need:{locked.pk}", payload=_need_payload(locked))
        task_enqueue("discovery.need_index", need_id=locked.pk)
    return locked


def need_set_status(*, actor, need: Need, status: str) -> Need:
    """Change a need's status. Members of its organisation or the operator only.

    As with assets, the operator's closing sticks: staff closing a need of an
    organisation they are not in sets `closed_by_operator` (also on a need that
    was already closed), and then only staff may change its status; staff
    moving it out of "closed" clears the flag.
    """
    if status not in Need.Status.values:
        raise InvalidInput.field("status", _("Choose open, in discussion, solved or closed."))
    member = need.seeker_org_id in account_selectors.organisation_ids_for_user(user=actor)
    if not (member or actor.is_staff):
        raise NotFound(_("No such need."))
    by_operator = actor.is_staff and not member
    with transaction.atomic():
        locked = Need.objects.select_for_update().select_related("seeker_org").get(pk=need.pk)
        if locked.closed_by_operator and not actor.is_staff:
            raise PermissionDenied(_("The operator closed this need. Contact the operator to have it reviewed."))
        moderating = by_operator and status == Need.Status.CLOSED and not locked.closed_by_operator
        if locked.status == status and not moderating:
            raise Conflict(_("The need already has this status."))
        locked.status = status
        locked.closed_by_operator = moderating or (locked.closed_by_operator and status == Need.Status.CLOSED)
        locked.save(update_fields=["status", "closed_by_operator", "updated_at"])
        payload: dict[str, Any] = {"status": status}
        if by_operator:
            payload["by_operator"] = True
        entry_append(actor=actor, type="need.status_changed", subject=f"need:{locked.pk}", payload=payload)
    return locked
