"""What the licensing app shows on other apps' pages, and its filters.

    {% asset_licensing view %}      the asset page's "Licensing" section: the open offers with
                                    their terms, "Accept" (express offers) and "Inquire"; for the
                                    asset's managers also withdrawn offers, "Offer a licence" and
                                    the deals on the asset; for a seeker, their own deals on it
    {{ amount|money:currency }}     minor units as money in the reader's language: 150000, "JPY" → ¥150,000
    {{ bp|bp_percent }}             basis points as a percentage: 250 → "2.5%"
    {{ codes|territory }}           country codes as names, or "Worldwide"
    {{ uri|cc_name }}               a Creative Commons licence URI as its name: "CC BY 4.0"
    ENTRY_LABELS                    what the history pages call this app's entry types

The tag reads through the licensing selectors with the viewer from the request,
so offers on an asset reach only those who may see its teaser, and deals only
their two sides.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision
from django import template
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext_lazy as _

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.core.codes import country_names
from conceptcloud.licensing import selectors
from conceptcloud.registry.vocab import RIGHTS_STATEMENTS

register = template.Library()

ENTRY_LABELS = {
    "licence.offered": _("Licence offered"),
    "licence.withdrawn": _("Licence offer withdrawn"),
    "deal.opened": _("Deal opened"),
    "deal.moved": _("Deal moved on"),
    "deal.message_posted": _("Message posted"),
    "deal.terms_changed": _("Deal terms changed"),
    "deal.nda_proposed": _("NDA proposed"),
    "deal.nda_accepted": _("NDA accepted"),
    "deal.nda_declined": _("NDA declined"),
    "deal.payment_recorded": _("Payment recorded"),
}


def money_text(amount: int | None, currency: str) -> str:
    """Minor units as formatted money; the bare number when the currency is unknown."""
    if amount is None:
        return ""
    if not currency:
        return str(amount)
    exponent = get_currency_precision(currency)
    value = Decimal(amount).scaleb(-exponent)
    try:
        return format_currency(value, currency, locale=to_locale(get_language() or "en"))
    except (ValueError, LookupError):
        return f"{value} {currency}"


@register.filter
def money(amount, currency) -> str:
    return money_text(amount, currency or "")


@register.filter
def bp_percent(bp) -> str:
    try:
        whole, rest = divmod(int(bp), 100)
    except (TypeError, ValueError):
        return ""
    return f"{whole}.{rest:02d}".rstrip("0") + "%" if rest else f"{whole}%"


@register.filter
def territory(codes) -> str:
    if not codes:
        return str(_("Worldwide"))
    names = country_names()
    return ", ".join(names.get(code, code) for code in codes)


@register.filter
def cc_name(uri) -> str:
    return str(RIGHTS_STATEMENTS.get(uri, uri))


@register.inclusion_tag("licensing/partials/_asset_licensing.html", takes_context=True)
def asset_licensing(context, view):
    """The licensing section of an asset page, for the viewer of `view` (an AssetView)."""
    request = context["request"]
    user = request.user
    asset = view.asset
    signed_in = user.is_authenticated and user.is_active
    offers = list(selectors.offers_for_asset(view=view))
    return {
        "request": request,
        "asset": asset,
        "view": view,
        "offers": offers,
        "signed_in": signed_in,
        "may_seek": signed_in and not view.can_manage and asset.status == "published",
        "organisations": account_selectors.organisations_for_user(user=user) if signed_in else [],
        "my_deals": list(selectors.deals_of_seeker_on_asset(asset=asset, user=user)[:10]) if signed_in else [],
        "asset_deals": list(selectors.deals_managed_by(user=user).filter(asset=asset)[:20]) if view.can_manage else [],
    }
