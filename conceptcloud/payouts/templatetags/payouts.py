"""What the payouts pages (and other apps' pages) show of money.

{{ amount|money:currency }}                  1234, "EUR" → "€12.34" in the reader's language
{% explained explanation earning own %}      why a line pays what it pays, in one sentence
                                             (own: said to the recipient, "Your share ...")
{% more_sources count %}                     "It also came through 380 more assets ..." (or nothing)
{% revenue_link view %}                      on an asset page: "Revenue and payouts" for its
                                             managers, nothing for anyone else
"""

from __future__ import annotations

from django import template

from conceptcloud.payouts.explain import explanation_text, more_text
from conceptcloud.payouts.money import money as money_text

register = template.Library()


@register.filter
def money(amount, currency) -> str:
    try:
        return money_text(int(amount), str(currency))
    except (TypeError, ValueError):
        return ""


@register.simple_tag
def explained(explanation, earning, own=True) -> str:
    return explanation_text(explanation, earning=earning, own=own)


@register.simple_tag
def more_sources(count) -> str:
    return more_text(count) if count else ""


@register.inclusion_tag("payouts/partials/_revenue_link.html")
def revenue_link(view):
    """A link to the asset's revenue page, for the asset's managers (an AssetView)."""
    return {"asset": view.asset, "show": view.can_manage}
