"""What the registry shows on other apps' pages (organisation and person pages).

Each tag reads through the registry selectors with the viewer from the request,
so the visibility rule holds wherever the tags are placed.
"""

from django import template
from django.core.paginator import Paginator

from conceptcloud.registry import selectors
from conceptcloud.registry.models import Asset

register = template.Library()

ASSETS_PER_PAGE = 10
NEEDS_SHOWN = 10


def _teasers(context, assets) -> dict:
    request = context["request"]
    return {
        "request": request,
        "page_obj": Paginator(assets, ASSETS_PER_PAGE).get_page(request.GET.get("page")),
        "availability_choices": Asset.Availability.choices,
    }


@register.inclusion_tag("registry/partials/_asset_teasers.html", takes_context=True)
def organisation_assets(context, organisation):
    """The organisation's published assets the viewer may see, as teasers, paginated."""
    filters = selectors.AssetFilters(organisation=organisation.slug, status="published")
    return _teasers(context, selectors.asset_list(user=context["request"].user, filters=filters))


@register.inclusion_tag("registry/partials/_asset_teasers.html", takes_context=True)
def person_assets(context, person):
    """The person's published assets the viewer may see, as teasers, paginated."""
    return _teasers(context, selectors.assets_by_person(user=context["request"].user, person=person))


@register.inclusion_tag("registry/partials/_need_cards.html")
def organisation_needs(organisation):
    """The organisation's newest needs (needs are public)."""
    needs = selectors.need_list(filters=selectors.NeedFilters(organisation=organisation.slug))
    return {"needs": needs[:NEEDS_SHOWN]}
