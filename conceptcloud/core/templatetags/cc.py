"""Template helpers shared by every app."""

from django import template

from conceptcloud.core.codes import SDG_NAMES, country_names

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.filter
def sdg_name(number) -> str:
    try:
        return str(SDG_NAMES[int(number)])
    except (KeyError, ValueError, TypeError):
        return str(number)


@register.filter
def country_name(code) -> str:
    return country_names().get(str(code), str(code))
