"""Web views of discovery (thin adapters over discovery.selectors and services)."""

import copy
from urllib.parse import urlencode
from dataclasses import fields as dataclass_fields

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.core.errors import ApplicationError, InvalidInput
from conceptcloud.core.views import found_or_404
from conceptcloud.discovery.selectors import matching as matching_selectors
from conceptcloud.discovery.selectors import saved as saved_selectors
from conceptcloud.discovery.selectors import search as search_selectors
from conceptcloud.discovery.selectors import similar as similar_selectors
from conceptcloud.discovery.services import saved_searches as saved_search_services
from conceptcloud.evaluation import selectors as evaluation_selectors
from conceptcloud.registry import selectors as registry_selectors
from conceptcloud.registry.forms import AssetForm, NeedForm, split_list
from conceptcloud.registry.models import Asset


# ---------------------------------------------------------------- search

SEARCH_FACET_TITLES = {
    "kind": gettext_lazy("Kind"),
    "sdg": gettext_lazy("Sustainable Development Goal"),
    "trl": gettext_lazy("Technology readiness"),
    "country": gettext_lazy("Country"),
    "availability": gettext_lazy("Available for"),
    "organisation_type": gettext_lazy("Type of organisation"),
    "rights": gettext_lazy("Rights"),
}
SEARCH_SORTS = (
    ("relevance", gettext_lazy("Relevance")),
    ("newest", gettext_lazy("Newest")),
    ("title", gettext_lazy("Title")),
    ("trl", gettext_lazy("Technology readiness")),
    *evaluation_selectors.ORDER_LABELS.items(),
)


def _search_url(request: HttpRequest, dropped=(), **changes: str) -> str:
    """The search page's URL with some parameters set (dropped when blank, or named in
    `dropped`: the bad ones), back on page 1."""
    query = request.GET.copy()
    for key in ("page", *dropped):
        query.pop(key, None)
    for key, value in changes.items():
        if value:
            query[key] = value
        else:
            query.pop(key, None)
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


def search(request: HttpRequest) -> HttpResponse:
    """Free text and facets over the assets the viewer may see. A bad parameter is
    named by its field and left out; the rest of the search still runs."""
    errors: dict[str, list[str]] = {}
    try:
        params = search_selectors.search_params(request.GET)
    except InvalidInput as error:
        errors = error.errors
        try:
            params = search_selectors.search_params({key: value for key, value in request.GET.items() if key not in errors})
        except InvalidInput:
            params = search_selectors.SearchParams()
    result = search_selectors.assets_search(user=request.user, params=params)
    facets = [
        {
            "name": name,
            "title": SEARCH_FACET_TITLES[name],
            "errors": errors.get(name, []),
            "options": [
                {
                    "label": value.label,
                    "count": value.count,
                    "selected": value.selected,
                    "url": _search_url(request, errors, **{name: "" if value.selected else value.value}),
                }
                for value in values
            ],
        }
        for name, values in result.facets.items()
    ]
    active = [
        {"label": option["label"], "url": option["url"]}
        for facet in facets
        for option in facet["options"]
        if option["selected"]
    ]
    if params.filters.organisation:
        active.append({"label": params.filters.organisation, "url": _search_url(request, errors, organisation="")})
    if params.filters.standing:
        label = evaluation_selectors.STANDING_LABELS[params.filters.standing]
        active.append({"label": label, "url": _search_url(request, errors, standing="")})
    context = {
        "result": result,
        "params": params,
        "errors": errors,
        "facets": facets,
        "active": active,
        "clear_url": reverse("discovery:search") + (f"?{urlencode({'q': params.query})}" if params.query else ""),
        "sorts": SEARCH_SORTS,
        "standings": evaluation_selectors.STANDING_LABELS.items(),
        "hidden": [
            (key, request.GET[key])
            for key in (*search_selectors.FACETS, "organisation")
            if request.GET.get(key) and key not in errors
        ],
        "availability_choices": Asset.Availability.choices,
        "previous_url": _search_url(request, errors, page=str(result.page - 1)) if result.page > 1 else "",
        "next_url": _search_url(request, errors, page=str(result.page + 1)) if result.page < result.pages else "",
    }
    return render(request, "discovery/search.html", context)


# ---------------------------------------------------------------- saved searches

SAVED_FILTER_NAMES = tuple(f.name for f in dataclass_fields(search_selectors.SearchFilters))


def _saved_search_form(request: HttpRequest, *, errors=None, saved=None, need=None) -> dict:
    """The context of the save forms (_save_search.html, _save_need.html) as posted."""
    post = request.POST
    return {
        "save_name": post.get("name", ""),
        "save_query": post.get("q", ""),
        "save_filters": [(name, post[name]) for name in SAVED_FILTER_NAMES if post.get(name)],
        "save_email": post.get("email") == "on",
        "save_errors": errors or {},
        "saved": saved,
        "need": need,
        "next": post.get("next", ""),
    }


@require_POST
def saved_search_create(request: HttpRequest) -> HttpResponse:
    """Save the posted query (q + filters) or need (`need`); htmx gets the form back
    with a confirmation or the messages by the fields, a plain post a redirect."""
    need_id = request.POST.get("need", "")
    need = found_or_404(registry_selectors.need_get, need_id=need_id) if need_id else None
    template = "discovery/partials/_save_need.html" if need else "discovery/partials/_save_search.html"
    if not request.user.is_authenticated:
        if request.headers.get("HX-Request"):
            return render(request, template, _saved_search_form(request, need=need))
        return redirect_to_login(request.POST.get("next") or reverse("discovery:saved_search_list"))
    try:
        saved = saved_search_services.saved_search_create(
            actor=request.user,
            name=request.POST.get("name", ""),
            query=request.POST.get("q", ""),
            filters={name: request.POST[name] for name in SAVED_FILTER_NAMES if request.POST.get(name)},
            need=need,
            email=request.POST.get("email") == "on",
        )
    except ApplicationError as error:
        errors = dict(error.errors) or {"__all__": [error.message]}
        if request.headers.get("HX-Request"):
            return render(request, template, _saved_search_form(request, errors=errors, need=need))
        context = {"rows": _saved_rows(request.user), "save_template": template}
        context.update(_saved_search_form(request, errors=errors, need=need))
        return render(request, "discovery/saved_searches.html", context, status=422)
    if request.headers.get("HX-Request"):
        return render(request, template, _saved_search_form(request, saved=saved, need=need))
    messages.success(request, _("Saved. You will be told of new listings that match “%(name)s”.") % {"name": saved.name})
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("discovery:saved_search_list")
    return redirect(next_url)


def _saved_rows(user) -> list[dict]:
    return [
        {"saved": item, "rerun": saved_selectors.saved_search_rerun_query(item)}
        for item in saved_selectors.saved_searches_for_user(user=user)
    ]


@login_required
def saved_search_list(request: HttpRequest) -> HttpResponse:
    """Your saved searches, with links to run them again and to delete them."""
    return render(request, "discovery/saved_searches.html", {"rows": _saved_rows(request.user)})


@login_required
@require_POST
def saved_search_delete(request: HttpRequest, saved_search_id: int) -> HttpResponse:
    saved = found_or_404(saved_selectors.saved_search_get_for_user, user=request.user, saved_search_id=saved_search_id)
    saved_search_services.saved_search_delete(actor=request.user, saved_search=saved)
    messages.success(request, _("The saved search “%(name)s” is deleted.") % {"name": saved.name})
    return redirect("discovery:saved_search_list")


# ---------------------------------------------------------------- matching
# Each page is also an htmx fragment: the need, asset and person pages load the
# fragment into a section of their own when it scrolls into view.


def _page_or_fragment(request: HttpRequest, page: str, fragment: str, context: dict) -> HttpResponse:
    return render(request, fragment if request.headers.get("HX-Request") else page, context)


def need_technologies(request: HttpRequest, need_id: int) -> HttpResponse:
    """Technologies that fit a need, with the reasons for each."""
    need = found_or_404(registry_selectors.need_get, need_id=need_id)
    matches = matching_selectors.technologies_for_need(user=request.user, need=need)
    context = {"need": need, "matches": matches, "availability_choices": Asset.Availability.choices}
    return _page_or_fragment(
        request, "discovery/matches_need.html", "discovery/partials/_matches_technologies.html", context
    )


def asset_matches(request: HttpRequest, asset_id: int) -> HttpResponse:
    """Needs the asset fits and organisations that could partner on it."""
    view = found_or_404(registry_selectors.asset_get_for_user, asset_id=asset_id, user=request.user)
    context = {
        "asset": view.asset,
        "need_matches": matching_selectors.needs_for_asset(user=request.user, asset_view=view),
        "partners": matching_selectors.partners_for_asset(user=request.user, asset_view=view),
    }
    return render(request, "discovery/matches_asset.html", context)


def asset_needs(request: HttpRequest, asset_id: int) -> HttpResponse:
    """htmx: the needs section of the asset page (the whole matches page otherwise)."""
    if not request.headers.get("HX-Request"):
        return asset_matches(request, asset_id)
    view = found_or_404(registry_selectors.asset_get_for_user, asset_id=asset_id, user=request.user)
    context = {"asset": view.asset, "need_matches": matching_selectors.needs_for_asset(user=request.user, asset_view=view)}
    return render(request, "discovery/partials/_matches_needs.html", context)


def asset_partners(request: HttpRequest, asset_id: int) -> HttpResponse:
    """htmx: the partners section of the asset page (the whole matches page otherwise)."""
    if not request.headers.get("HX-Request"):
        return asset_matches(request, asset_id)
    view = found_or_404(registry_selectors.asset_get_for_user, asset_id=asset_id, user=request.user)
    context = {"asset": view.asset, "partners": matching_selectors.partners_for_asset(user=request.user, asset_view=view)}
    return render(request, "discovery/partials/_matches_partners.html", context)


def person_mentors(request: HttpRequest, username: str) -> HttpResponse:
    """Mentors and experts for a person of the directory."""
    person = found_or_404(account_selectors.person_get, username=username)
    matches = matching_selectors.mentors_for_person(user=request.user, person=person)
    context = {"person": person, "matches": matches}
    return _page_or_fragment(request, "discovery/matches_person.html", "discovery/partials/_matches_mentors.html", context)


# ---------------------------------------------------------------- help while registering


def _draft_fields(request: HttpRequest) -> dict:
    """The draft's text from a posted asset or need form (a need's description is its summary)."""
    data = request.POST
    return {
        "title": data.get("title", ""),
        "summary": data.get("summary", "") or data.get("description", ""),
        "details": data.get("details", ""),
        "keywords": split_list(data.get("keywords", "")),
    }


def _exclude_id(request: HttpRequest) -> int | None:
    raw = request.POST.get("exclude", "")
    return int(raw) if raw.isdigit() else None


def _similar_context(request: HttpRequest) -> dict:
    try:
        draft = similar_selectors.draft_check(**_draft_fields(request))
    except InvalidInput as error:
        return {"similar_errors": [message for messages_ in error.errors.values() for message in messages_]}
    found = similar_selectors.registration_help(user=request.user, draft=draft, exclude_asset_id=_exclude_id(request))
    return {"help": found}


def _sdg_context(request: HttpRequest) -> dict:
    fields = _draft_fields(request)
    text = "\n".join(part for part in (fields["title"], fields["summary"], fields["details"][:2000]) if part.strip())
    try:
        suggestions = similar_selectors.sdg_suggestions(text=text)
    except InvalidInput as error:
        return {"sdg_errors": [message for messages_ in error.errors.values() for message in messages_]}
    chosen = {int(value) for value in request.POST.getlist("sdgs") if value.isdigit()}
    suggested = {suggestion.goal for suggestion in suggestions}
    # The SDG checkboxes again, with the suggested goals ticked too; htmx swaps them
    # into the form (out of band). Nothing is saved until the form is submitted.
    form_class = NeedForm if request.POST.get("form") == "need" else AssetForm
    boxes = forms.Form(initial={"sdgs": sorted(chosen | suggested)})
    boxes.fields["sdgs"] = copy.deepcopy(form_class.base_fields["sdgs"])
    return {"suggestions": suggestions, "sdg_field": boxes["sdgs"], "sdg_checked": True}


def _registration_page(request: HttpRequest, context: dict) -> HttpResponse:
    """Without JavaScript the help buttons open this page in a new tab, beside the form."""
    return render(request, "discovery/registration_help.html", context)


@login_required
@require_POST
def registration_similar(request: HttpRequest) -> HttpResponse:
    """Similar assets and near-duplicates of the draft being typed (htmx fragment)."""
    context = _similar_context(request)
    if request.headers.get("HX-Request"):
        return render(request, "discovery/partials/_similar.html", context)
    return _registration_page(request, {**context, **_sdg_context(request)})


@login_required
@require_POST
def registration_sdgs(request: HttpRequest) -> HttpResponse:
    """SDG suggestions for the draft, and its SDG boxes with them ticked (htmx fragment)."""
    context = _sdg_context(request)
    if request.headers.get("HX-Request"):
        return render(request, "discovery/partials/_sdg_suggestions.html", {**context, "swap_boxes": True})
    # A need is not an asset: its page shows the suggestions only.
    similar = {} if request.POST.get("form") == "need" else _similar_context(request)
    return _registration_page(request, {**similar, **context})
