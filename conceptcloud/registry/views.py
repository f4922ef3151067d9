"""The registry's pages: thin adapters over registry.services and registry.selectors.

    home                              pitch, search, browse by kind/SDG/country/availability, newest
    asset_list                        published assets as teasers, with facets and pagination
    asset_detail                      one asset at the viewer's access level, manager controls
    asset_create / asset_edit         the registration form (IP records, a first attachment)
    asset_status                      publish, return to draft, withdraw
    attachment_add / attachment_remove / attachment_download
    access_grant / access_revoke      who may read a confidential asset's details
    asset_versions / asset_version    the version history, one version against the one before
    entry_receipt                     an entry's receipt as a JSON download (the API's answer)
    cpc_check                         htmx fragment: the titles of the CPC codes being typed
    need_list / need_detail / need_create / need_edit / need_status
    dashboard                         my assets, organisations, needs and assets shared with me

Every asset is fetched through `selectors.asset_get_for_user` (or a selector built
on it) and the templates show only what the returned access level allows. Every
change is one service call; its ApplicationError goes back onto the form and
nothing is saved. NotFound, for absent and invisible alike, is a plain 404.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.core.codes import CONTENT_LANGUAGES, SDG_NAMES, country_names
from conceptcloud.core.errors import ApplicationError, NotFound
from conceptcloud.core.views import found_or_404
from conceptcloud.history.checkpoints import checkpoint_publish
from conceptcloud.registry import history, selectors, services
from conceptcloud.registry.files import attachment_response
from conceptcloud.registry.forms import (
    AccessGrantForm,
    AssetFilterForm,
    AssetForm,
    AssetStatusForm,
    AttachmentForm,
    IpRecordFormSet,
    NeedFilterForm,
    NeedForm,
    NeedStatusForm,
    ip_record_initial,
    split_list,
)
from conceptcloud.registry.models import Asset, IpRecord, Need
from conceptcloud.registry.vocab import IP_OFFICES, RIGHTS_STATEMENTS, cpc_normalise, cpc_titles

PAGE_SIZE = 20
NEWEST_ON_HOME = 6
TOP_COUNTRIES = 15


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _url_with(request: HttpRequest, **changes: Any) -> str:
    """This page's URL with some parameters set (or dropped when blank), back on page 1."""
    query = request.GET.copy()
    query.pop("page", None)
    for key, value in changes.items():
        if value in ("", None):
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


# ---------------------------------------------------------------- home and browsing


def home(request: HttpRequest) -> HttpResponse:
    published = selectors.AssetFilters(status=Asset.Status.PUBLISHED)
    user = request.user
    kinds = selectors.asset_kind_counts(user=user, filters=published)
    sdgs = selectors.asset_facet_counts(user=user, name="sdg", filters=published)
    countries = selectors.asset_facet_counts(user=user, name="country", filters=published)
    availability = selectors.asset_facet_counts(user=user, name="availability", filters=published)
    names = country_names()
    asset_list_url = reverse("registry:asset_list")
    context = {
        "total": sum(kinds.values()),
        "kinds": [
            {"label": label, "count": kinds.get(value, 0), "url": f"{asset_list_url}?kind={value}"}
            for value, label in Asset.Kind.choices
        ],
        "sdgs": [
            {"number": n, "name": name, "count": sdgs.get(str(n), 0), "url": f"{asset_list_url}?sdg={n}"}
            for n, name in SDG_NAMES.items()
        ],
        "countries": [
            {"label": names.get(code, code), "count": count, "url": f"{asset_list_url}?country={code}"}
            for code, count in sorted(countries.items(), key=lambda item: (-item[1], names.get(item[0], item[0])))[
                :TOP_COUNTRIES
            ]
        ],
        "availability": [
            {"label": label, "count": availability.get(value, 0), "url": f"{asset_list_url}?availability={value}"}
            for value, label in Asset.Availability.choices
        ],
        "newest_assets": selectors.asset_list(user=user, filters=published)[:NEWEST_ON_HOME],
        "open_needs": selectors.need_list(filters=selectors.NeedFilters(status=Need.Status.OPEN))[:NEWEST_ON_HOME],
        "availability_choices": Asset.Availability.choices,
    }
    return render(request, "registry/home.html", context)


def _facet(request, *, param: str, title: str, counts: dict[str, int], labels: dict[str, str], selected: str):
    """One facet of the asset list: each value with its count and a link that toggles it.

    Values no matching asset carries are left out, except the selected one.
    """
    if selected and selected not in counts:
        counts = {**counts, selected: 0}
    options = [
        {
            "label": labels.get(value, value),
            "count": count,
            "selected": value == selected,
            "url": _url_with(request, **{param: "" if value == selected else value}),
        }
        for value, count in counts.items()
        if count or value == selected
    ]
    return {"param": param, "title": title, "options": options}


def asset_list(request: HttpRequest) -> HttpResponse:
    form = AssetFilterForm(request.GET)
    filters = form.filters()
    user = request.user
    page_obj = _page(request, form.ordered(selectors.asset_list(user=user, filters=filters)))

    names = country_names()
    kinds = selectors.asset_kind_counts(user=user, filters=filters)
    sdgs = selectors.asset_facet_counts(user=user, name="sdg", filters=filters)
    countries = selectors.asset_facet_counts(user=user, name="country", filters=filters)
    availability = selectors.asset_facet_counts(user=user, name="availability", filters=filters)
    organisations = selectors.asset_organisation_counts(user=user, filters=filters)
    top_countries = dict(sorted(countries.items(), key=lambda item: (-item[1], names.get(item[0], item[0])))[:TOP_COUNTRIES])
    facets = [
        _facet(request, param="kind", title=_("Kind"), selected=filters.kind,
               counts={v: kinds.get(v, 0) for v in Asset.Kind.values}, labels=dict(Asset.Kind.choices)),
        _facet(request, param="sdg", title=_("Sustainable Development Goal"), selected=str(filters.sdg or ""),
               counts={str(n): sdgs.get(str(n), 0) for n in SDG_NAMES},
               labels={str(n): f"{n}. {name}" for n, name in SDG_NAMES.items()}),
        _facet(request, param="availability", title=_("Available for"), selected=filters.availability,
               counts={v: availability.get(v, 0) for v in Asset.Availability.values},
               labels=dict(Asset.Availability.choices)),
        _facet(request, param="country", title=_("Country"), selected=filters.country,
               counts=top_countries, labels=names),
        _facet(request, param="organisation", title=_("Organisation"), selected=filters.organisation,
               counts={slug: n for slug, _name, n in organisations},
               labels={slug: name for slug, name, _n in organisations}),
    ]
    active = [
        {"label": option["label"], "url": option["url"]}
        for facet in facets
        for option in facet["options"]
        if option["selected"]
    ]
    if filters.q:
        active.insert(0, {"label": f"“{filters.q}”", "url": _url_with(request, q="")})
    context = {
        "form": form,
        "filters": filters,
        "page_obj": page_obj,
        "facets": facets,
        "active": active,
        "clear_url": request.path,
        "availability_choices": Asset.Availability.choices,
        "hidden": [
            (key, request.GET[key])
            for key in ("kind", "sdg", "country", "availability", "organisation")
            if request.GET.get(key)
        ],
    }
    return render(request, "registry/asset_list.html", context)


# ---------------------------------------------------------------- one asset


def _cpc_rows(codes: list[str]) -> list[dict[str, str | None]]:
    """Each code with its scheme title; a known code is shown as the scheme writes it."""
    if not codes:
        return []  # the scheme's titles take a second to load: only when needed
    titles = cpc_titles()
    rows = []
    for code in codes:
        title = titles.get(cpc_normalise(code))
        rows.append({"code": cpc_normalise(code) if title else code, "title": title})
    return rows


def _render_asset(request: HttpRequest, view: selectors.AssetView, **forms) -> HttpResponse:
    asset = view.asset
    context = {
        "view": view,
        "asset": asset,
        "cpc": _cpc_rows(asset.cpc_codes),
        "rights_label": RIGHTS_STATEMENTS.get(asset.rights_statement, asset.rights_statement),
        "ip_records": selectors.ip_records_for_view(view=view),
        "attachments": selectors.attachments_for_view(view=view),
        "ip_offices": IP_OFFICES,
        "availability_choices": Asset.Availability.choices,
        "timeline": history.asset_timeline_for_user(view=view),
    }
    if view.can_manage:
        context.update(
            grants=selectors.access_grants_for_view(view=view),
            attachment_form=forms.get("attachment_form") or AttachmentForm(),
            grant_form=forms.get("grant_form") or AccessGrantForm(),
            status_form=forms.get("status_form"),
        )
    return render(request, "registry/asset_detail.html", context)


def asset_detail(request: HttpRequest, asset_id: int) -> HttpResponse:
    view = found_or_404(selectors.asset_get_for_user, asset_id=asset_id, user=request.user)
    return _render_asset(request, view)


def _managed(request: HttpRequest, asset_id: int) -> selectors.AssetView:
    """The asset, if the signed-in user manages it; a 404 for everyone else."""
    view = found_or_404(selectors.asset_get_for_user, asset_id=asset_id, user=request.user)
    if not view.can_manage:
        raise Http404
    return view


def _asset_form_page(request, *, form: AssetForm, ip_formset, view: selectors.AssetView | None) -> HttpResponse:
    context = {
        "form": form,
        "ip_formset": ip_formset,
        "view": view,
        "asset": view.asset if view else None,
        "cpc_rows": _cpc_rows(split_list(form["cpc_codes"].value() or "")),
    }
    return render(request, "registry/asset_form.html", context)


@login_required
def asset_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = AssetForm(user=request.user)
        return _asset_form_page(request, form=form, ip_formset=IpRecordFormSet(prefix="ip"), view=None)
    form = AssetForm(request.POST, request.FILES, user=request.user)
    ip_formset = IpRecordFormSet(request.POST, prefix="ip")
    if form.is_valid() and ip_formset.is_valid():
        publish = request.POST.get("action") != "draft"
        upload = form.cleaned_data.get("file")
        try:
            asset = services.asset_register(
                actor=request.user,
                data=form.to_data(ip_formset.records()),
                publish=publish,
                attachments=[upload] if upload else [],
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            if publish:
                messages.success(request, _("Registered and published. Everyone you chose can now find it."))
            else:
                messages.success(request, _("Saved as a draft. Only you and your organisation can see it."))
            return redirect("registry:asset_detail", asset_id=asset.pk)
    return _asset_form_page(request, form=form, ip_formset=ip_formset, view=None)


@login_required
def asset_edit(request: HttpRequest, asset_id: int) -> HttpResponse:
    view = _managed(request, asset_id)
    asset = view.asset
    if request.method != "POST":
        form = AssetForm(user=request.user, asset=asset)
        ip_formset = IpRecordFormSet(
            prefix="ip", initial=ip_record_initial(selectors.ip_records_for_view(view=view))
        )
        return _asset_form_page(request, form=form, ip_formset=ip_formset, view=view)
    form = AssetForm(request.POST, user=request.user, asset=asset)
    ip_formset = IpRecordFormSet(
        request.POST, prefix="ip", initial=ip_record_initial(selectors.ip_records_for_view(view=view))
    )
    if form.is_valid() and ip_formset.is_valid():
        try:
            updated = services.asset_update(
                actor=request.user,
                asset=asset,
                data=form.to_data(ip_formset.records()),
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            if updated.version == asset.version:
                messages.info(request, _("Nothing changed, so no new version was made."))
            else:
                messages.success(
                    request, _("Saved as version %(number)d.") % {"number": updated.version}
                )
            return redirect("registry:asset_detail", asset_id=asset.pk)
    return _asset_form_page(request, form=form, ip_formset=ip_formset, view=view)


STATUS_MESSAGES = {
    Asset.Status.PUBLISHED: gettext_lazy("Published. It now appears in lists and search."),
    Asset.Status.DRAFT: gettext_lazy("Returned to draft. Only you and your organisation can see it."),
    Asset.Status.WITHDRAWN: gettext_lazy("Withdrawn. It no longer appears in lists or search."),
}


@login_required
@require_POST
def asset_status(request: HttpRequest, asset_id: int) -> HttpResponse:
    view = _managed(request, asset_id)
    form = AssetStatusForm(request.POST)
    if form.is_valid():
        try:
            services.asset_set_status(
                actor=request.user, asset=view.asset, status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, STATUS_MESSAGES[form.cleaned_data["status"]])
            return redirect("registry:asset_detail", asset_id=view.asset.pk)
    return _render_asset(request, view, status_form=form)


@login_required
@require_POST
def attachment_add(request: HttpRequest, asset_id: int) -> HttpResponse:
    view = _managed(request, asset_id)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.attachment_add(actor=request.user, asset=view.asset, upload=form.cleaned_data["file"])
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Attached %(name)s.") % {"name": attachment.filename})
            return redirect("registry:asset_detail", asset_id=view.asset.pk)
    return _render_asset(request, view, attachment_form=form)


@login_required
@require_POST
def attachment_remove(request: HttpRequest, asset_id: int, attachment_id: int) -> HttpResponse:
    view = _managed(request, asset_id)
    try:
        services.attachment_remove(actor=request.user, asset=view.asset, attachment_id=attachment_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("The attachment was removed. Earlier versions still record its fingerprint."))
    return redirect("registry:asset_detail", asset_id=view.asset.pk)


def attachment_download(request: HttpRequest, asset_id: int, attachment_id: int) -> FileResponse:
    attachment = found_or_404(
        selectors.attachment_get_for_user, asset_id=asset_id, attachment_id=attachment_id, user=request.user
    )
    try:
        return attachment_response(attachment)
    except NotFound:
        raise Http404 from None


@login_required
@require_POST
def access_grant(request: HttpRequest, asset_id: int) -> HttpResponse:
    view = _managed(request, asset_id)
    form = AccessGrantForm(request.POST)
    if form.is_valid():
        try:
            person = account_selectors.person_get(username=form.cleaned_data["username"].strip())
            services.access_grant(
                actor=request.user, asset=view.asset, user=person, reason=form.cleaned_data["reason"]
            )
        except NotFound:
            form.add_error("username", _("No active person has this username."))
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("%(name)s can now read the details.") % {"name": person.name})
            return redirect("registry:asset_detail", asset_id=view.asset.pk)
    return _render_asset(request, view, grant_form=form)


@login_required
@require_POST
def access_revoke(request: HttpRequest, asset_id: int) -> HttpResponse:
    view = _managed(request, asset_id)
    form = AccessGrantForm(request.POST)
    if not form.is_valid():
        raise Http404
    grant = found_or_404(selectors.access_grant_get, view=view, username=form.cleaned_data["username"])
    person = grant.user
    try:
        services.access_revoke(actor=request.user, asset=view.asset, user=person)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("Access for %(name)s was revoked.") % {"name": person.name})
    return redirect("registry:asset_detail", asset_id=view.asset.pk)


# ---------------------------------------------------------------- versions

FIELD_LABELS = {
    "kind": gettext_lazy("Kind"),
    "title": gettext_lazy("Title"),
    "summary": gettext_lazy("Summary (teaser)"),
    "details": gettext_lazy("Details"),
    "language": gettext_lazy("Language"),
    "visibility": gettext_lazy("Visibility"),
    "status": gettext_lazy("Status"),
    "owner_org": gettext_lazy("Owner organisation"),
    "owner_user": gettext_lazy("Owner"),
    "trl": gettext_lazy("TRL"),
    "sdgs": gettext_lazy("SDGs"),
    "cpc_codes": gettext_lazy("CPC codes"),
    "keywords": gettext_lazy("Keywords"),
    "countries_developed": gettext_lazy("Developed in"),
    "countries_deployed": gettext_lazy("Deployed in"),
    "availability": gettext_lazy("Available for"),
    "rights_statement": gettext_lazy("Rights statement"),
    "reference": gettext_lazy("Reference"),
    "ip_records": gettext_lazy("IP records"),
    "attachments": gettext_lazy("Attachments"),
}
TEXT_FIELDS = ("title", "summary", "details")
_WORDS = re.compile(r"(\s+)")


def word_diff(before: str, after: str) -> SafeString:
    """Word-level difference as escaped HTML: removed words in <del>, added in <ins>.

    Each change also carries a visually hidden "removed:"/"added:" so that screen
    readers, which ignore del/ins, announce it.
    """
    old, new = _WORDS.split(before or ""), _WORDS.split(after or "")
    removed, added = escape(_("removed:")), escape(_("added:"))
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new).get_opcodes():
        if op == "equal":
            parts.append(escape("".join(old[i1:i2])))
            continue
        if op in ("delete", "replace"):
            parts.append(f'<del><span class="visually-hidden">{removed} </span>{escape("".join(old[i1:i2]))}</del>')
        if op in ("insert", "replace"):
            parts.append(f'<ins><span class="visually-hidden">{added} </span>{escape("".join(new[j1:j2]))}</ins>')
    return mark_safe("".join(parts))  # every piece of user text above went through escape()


def _display_items(field: str, value: Any) -> list[str]:
    """A snapshot value as readable, translated items."""
    if value in (None, "", []):
        return []
    if field == "sdgs":
        return [f"{n}. {SDG_NAMES.get(n, n)}" for n in value]
    if field in ("countries_developed", "countries_deployed"):
        names = country_names()
        return [names.get(code, code) for code in value]
    if field == "availability":
        labels = dict(Asset.Availability.choices)
        return [str(labels.get(v, v)) for v in value]
    if field == "ip_records":
        kinds, statuses = dict(IpRecord.Kind.choices), dict(IpRecord.Status.choices)
        return [
            " · ".join(
                str(part)
                for part in (
                    f"{r['office']} {r['number']}",
                    kinds.get(r["kind"], r["kind"]),
                    statuses.get(r["status"], r["status"]),
                    r.get("filing_date") and _("filed %(date)s") % {"date": r["filing_date"]},
                    r.get("expiry_date") and _("expires %(date)s") % {"date": r["expiry_date"]},
                )
                if part
            )
            for r in value
        ]
    if field == "attachments":
        return [f"{a['filename']} (SHA-256 {a['sha256'][:12]}…)" for a in value]
    if isinstance(value, list):
        return [str(v) for v in value]
    labels = {
        "kind": dict(Asset.Kind.choices),
        "visibility": dict(Asset.Visibility.choices),
        "status": dict(Asset.Status.choices),
        "language": dict(CONTENT_LANGUAGES),
        "rights_statement": RIGHTS_STATEMENTS,
    }.get(field, {})
    return [str(labels.get(value, value))]


def _change_rows(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for change in changes:
        field, before, after = change["field"], change["before"], change["after"]
        row: dict[str, Any] = {"field": field, "label": FIELD_LABELS.get(field, field)}
        if field in TEXT_FIELDS:
            row["diff"] = word_diff(before or "", after or "")
        elif isinstance(before, list) or isinstance(after, list):
            old, new = _display_items(field, before), _display_items(field, after)
            row["removed"] = [item for item in old if item not in new]
            row["added"] = [item for item in new if item not in old]
        else:
            row["before"] = (_display_items(field, before) or [""])[0]
            row["after"] = (_display_items(field, after) or [""])[0]
        rows.append(row)
    return rows


def _snapshot_rows(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"label": FIELD_LABELS.get(field, field), "items": _display_items(field, value), "text": field in TEXT_FIELDS, "field": field}
        for field, value in snapshot.items()
    ]


def asset_versions(request: HttpRequest, asset_id: int) -> HttpResponse:
    view = found_or_404(selectors.asset_get_for_user, asset_id=asset_id, user=request.user)
    versions = list(reversed(selectors.asset_versions_for_user(view=view)))
    for version in versions:
        version["change_rows"] = _change_rows(version["changes"])
        version["first"] = version["number"] == 1
    return render(request, "registry/asset_versions.html", {"view": view, "asset": view.asset, "versions": versions})


def asset_version(request: HttpRequest, asset_id: int, number: int) -> HttpResponse:
    view = found_or_404(selectors.asset_get_for_user, asset_id=asset_id, user=request.user)
    version = found_or_404(selectors.asset_version_diff, view=view, number=number)
    context = {
        "view": view,
        "asset": view.asset,
        "version": version,
        "changes": _change_rows(version["changes"]),
        "snapshot": _snapshot_rows(version["snapshot"]),
        "first": version["number"] == 1,
    }
    return render(request, "registry/asset_version.html", context)


@require_GET
def entry_receipt(request: HttpRequest, seq: int) -> JsonResponse:
    """The receipt the API gives (GET /api/v1/log/entries/<seq>/receipt), as a file to keep.

    Same rule: a 404 for an entry about something the viewer may not see; the
    commitment opening only for the asset's managers, so never a shared cache.
    """
    checkpoint = checkpoint_publish()
    receipt = found_or_404(history.entry_receipt_for_user, seq=seq, user=request.user, checkpoint=checkpoint)
    response = JsonResponse(receipt, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="receipt-{seq}.json"'
    patch_cache_control(response, private=True, no_store=True)
    return response


def cpc_check(request: HttpRequest) -> HttpResponse:
    """htmx: the title of each CPC code typed so far, or a note that it is unknown."""
    codes = split_list(request.GET.get("cpc_codes", ""))[:20]
    return render(request, "registry/partials/_cpc_check.html", {"rows": _cpc_rows(codes)})


# ---------------------------------------------------------------- needs


def need_list(request: HttpRequest) -> HttpResponse:
    form = NeedFilterForm(request.GET)
    filters = form.filters()
    organisation = None
    if filters.organisation:
        try:
            organisation = account_selectors.organisation_get(slug=filters.organisation)
        except NotFound:
            organisation = None
    context = {
        "form": form,
        "filters": filters,
        "organisation": organisation,
        "page_obj": _page(request, selectors.need_list(filters=filters)),
        "filtered": any(request.GET.get(k) for k in ("q", "sdg", "country", "status", "deal_type", "organisation")),
    }
    return render(request, "registry/need_list.html", context)


def _need_can_manage(need: Need, user) -> bool:
    try:
        selectors.need_get_for_manager(need_id=need.pk, user=user)
    except NotFound:
        return False
    return True


def _render_need(request: HttpRequest, need: Need, *, status_form: NeedStatusForm | None = None) -> HttpResponse:
    can_manage = _need_can_manage(need, request.user)
    context = {
        "need": need,
        "can_manage": can_manage,
        "status_form": status_form or (NeedStatusForm(initial={"status": need.status}) if can_manage else None),
        "deal_type_choices": Need.DealType.choices,
    }
    return render(request, "registry/need_detail.html", context)


def need_detail(request: HttpRequest, need_id: int) -> HttpResponse:
    return _render_need(request, found_or_404(selectors.need_get, need_id=need_id))


@login_required
def need_create(request: HttpRequest) -> HttpResponse:
    has_organisation = account_selectors.organisations_for_user(user=request.user).exists()
    form = NeedForm(request.POST or None, user=request.user)
    if request.method == "POST" and has_organisation and form.is_valid():
        try:
            need = services.need_create(actor=request.user, data=form.to_data())
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Your need is posted. Technology providers can now find it."))
            return redirect("registry:need_detail", need_id=need.pk)
    return render(request, "registry/need_form.html", {"form": form, "need": None, "has_organisation": has_organisation})


@login_required
def need_edit(request: HttpRequest, need_id: int) -> HttpResponse:
    need = found_or_404(selectors.need_get_for_manager, need_id=need_id, user=request.user)
    form = NeedForm(request.POST or None, user=request.user, need=need)
    if request.method == "POST" and form.is_valid():
        try:
            services.need_update(actor=request.user, need=need, data=form.to_data())
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The need is updated."))
            return redirect("registry:need_detail", need_id=need.pk)
    return render(request, "registry/need_form.html", {"form": form, "need": need, "has_organisation": True})


@login_required
@require_POST
def need_status(request: HttpRequest, need_id: int) -> HttpResponse:
    need = found_or_404(selectors.need_get_for_manager, need_id=need_id, user=request.user)
    form = NeedStatusForm(request.POST)
    if form.is_valid():
        try:
            need = services.need_set_status(actor=request.user, need=need, status=form.cleaned_data["status"])
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Status changed to “%(status)s”.") % {"status": need.get_status_display()})
            return redirect("registry:need_detail", need_id=need.pk)
    return _render_need(request, need, status_form=form)


# ---------------------------------------------------------------- dashboard


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    assets = selectors.assets_for_dashboard(user=user).order_by("-updated_at", "-id")
    context = {
        "assets": assets,
        "counts": {
            status: sum(1 for a in assets if a.status == status) for status in Asset.Status.values
        },
        "organisations": account_selectors.organisations_for_user(user=user).order_by("name"),
        "needs": selectors.needs_for_dashboard(user=user).order_by("-updated_at", "-id"),
        "shared": selectors.assets_granted_to(user=user).order_by("-updated_at", "-id"),
        "availability_choices": Asset.Availability.choices,
    }
    return render(request, "registry/dashboard.html", context)
