"""Every write to licence offers, deals, their threads and NDAs.

    offer_template(template=)      the terms a template prefills (an OfferData)
    offer_create                   an asset's managers offer a licence on stated terms
    offer_withdraw                 the offer stays, closed to new deals
    offer_accept                   express acceptance: a deal straight at "active"
    inquiry_create                 a seeker's expression of interest: a deal at "inquiry"
                                   with the first message of its thread
    deal_message_post              either side writes in the deal's thread
    deal_move                      a move along the pipeline (models.TRANSITIONS)
    deal_terms_set                 the owners change the terms under negotiation
    nda_propose / nda_accept / nda_decline
                                   the NDA step: in force once both sides accepted,
                                   which grants the seeker access to the asset's details
    deal_payment_record            the owners record a licensee's payment under a signed
                                   deal: revenue of the asset (payouts.services.revenue_record,
                                   source "deal"), shared out along its lineage

Rules held here:
    - only an asset's managers offer licences on it and withdraw them; nobody
      inquires about or accepts an offer on an asset they cannot see, nor on their own
    - an offer's royalty owed by derivatives IS the asset's lineage term: creating
      an offer sets lineage.LineageTerms (derivative_royalty_bp, and
      derivatives_need_approval from "derivatives") through lineage.services.terms_set,
      and every open offer that allows derivatives states the same royalty. Links
      made earlier keep theirs (lineage's rule); a deal keeps what its offer stated.
    - an exclusive or sole licence is never accepted in one step, and no deal is
      executed (signed or express) while another exclusive or sole deal on the
      same asset is signed or active, nor an exclusive one while any other is
    - NDA: proposing counts as the proposer side's acceptance; once the other side
      accepts, a confidential asset's details reach the seeker through
      registry.services.access_grant, granted by the owner-side person who accepted,
      in the same transaction. When the owner side terminates a deal before it is
      signed, that access is revoked again (registry.services.access_revoke) unless
      another of the seeker's deals on the asset keeps an NDA in force; when the
      seeker withdraws, the access stays until the owners revoke it on the asset page.

History: every change appends an entry in its transaction, about "offer:<id>"
or "deal:<id>". Payloads hold ids, usernames, stages and terms only, never a
message's text or anything of the asset's content (the log is public; a deal's
entries are shown only to its two sides, see apps.py).

    entry type              subject  written by
    licence.offered         offer    offer_create (asset, template, acceptance, terms)
    licence.withdrawn       offer    offer_withdraw
    deal.opened             deal     offer_accept (stage "signed"), inquiry_create ("inquiry")
    deal.moved              deal     offer_accept (signed → active), deal_move, the NDA calls
    deal.message_posted     deal     deal_message_post, inquiry_create (message id and side only)
    deal.terms_changed      deal     deal_terms_set
    deal.nda_proposed       deal     nda_propose
    deal.nda_accepted       deal     nda_accept ("in_force" when both sides have)
    deal.nda_declined       deal     nda_decline
    deal.payment_recorded   deal     deal_payment_record (the revenue event's id; the
                                     amount is in payouts' own revenue.recorded entry)
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

import datetime

import pycountry
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from conceptcloud.accounts import selectors as account_selectors
from conceptcloud.accounts.services import notification_send
from conceptcloud.core.codes import check_countries
from conceptcloud.core.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    collect_errors,
)
from conceptcloud.history.services import entry_append
from conceptcloud.licensing import selectors
from conceptcloud.licensing.models import (
    EXECUTED_STAGES,
    FINAL_STAGES,
    FULL_BP,
    MAX_AMOUNT,
    OPEN_STAGES,
    TRANSITIONS,
    Acceptance,
    Deal,
    DealMessage,
    Derivatives,
    Exclusivity,
    LicenceOffer,
    Nda,
    Side,
    Stage,
    Template,
)
from conceptcloud.lineage import selectors as lineage_selectors
from conceptcloud.lineage import services as lineage_services
from conceptcloud.payouts import services as payouts_services
from conceptcloud.payouts.models import RevenueEvent
from conceptcloud.registry import services as registry_services
from conceptcloud.registry.models import Asset
from conceptcloud.registry.selectors import Access, asset_access, asset_managers
from conceptcloud.registry.vocab import RIGHTS_STATEMENTS

MAX_MESSAGE = 5000
MAX_DURATION_MONTHS = 1200
MAX_DEFERRAL_MONTHS = 240
NDA_TERM_MONTHS = 36
CC_PREFIX = "https://creativecommons.org/"


@dataclass(frozen=True)
class TermsData:
    """Licence terms as the services take them. Amounts in minor units of `currency`;
    percentages in basis points; `territories` [] = worldwide; `duration_months`
    None = perpetual; `revenue_ceiling` None = none."""

    exclusivity: str = Exclusivity.NON_EXCLUSIVE.value
    field_of_use: str = ""
    territories: list[str] = field(default_factory=list)
    duration_months: int | None = None
    currency: str = ""
    upfront_fee: int = 0
    fee_deferral_months: int = 0
    royalty_bp: int = 0
    derivative_royalty_bp: int = 0
    revenue_ceiling: int | None = None
    commercial_use: bool = True
    derivatives: str = Derivatives.ALLOWED.value
    attribution_required: bool = False
    sublicensing: bool = False
    cc_licence: str = ""


TERM_FIELDS = tuple(f.name for f in fields(TermsData))


@dataclass(frozen=True)
class OfferData(TermsData):
    template: str = Template.CUSTOM.value
    title: str = ""
    notes: str = ""
    acceptance: str = Acceptance.NEGOTIATION.value

    def terms(self) -> TermsData:
        return TermsData(**{name: getattr(self, name) for name in TERM_FIELDS})


# Templates ---------------------------------------------------------------------

# What each template prefills; every term can still be changed before offering,
# within the template's own rules (_check_template).
_TEMPLATES: dict[str, dict[str, Any]] = {
    Template.EXPRESS: {
        "title": gettext_lazy("Standard non-exclusive licence"),
        "acceptance": Acceptance.EXPRESS,
        "royalty_bp": 300,
    },
    Template.EVALUATION: {
        "title": gettext_lazy("Evaluation licence"),
        "acceptance": Acceptance.EXPRESS,
        "duration_months": 12,
        "commercial_use": False,
        "derivatives": Derivatives.NOT_ALLOWED,
    },
    Template.STARTUP: {
        "title": gettext_lazy("Startup licence"),
        "acceptance": Acceptance.NEGOTIATION,
        "fee_deferral_months": 36,
        "royalty_bp": 200,
    },
    Template.EXCLUSIVE: {
        "title": gettext_lazy("Exclusive licence"),
        "acceptance": Acceptance.NEGOTIATION,
        "exclusivity": Exclusivity.EXCLUSIVE,
        "sublicensing": True,
    },
    Template.CREATIVE_COMMONS: {
        "title": gettext_lazy("Creative Commons licence"),
        "acceptance": Acceptance.EXPRESS,
        "cc_licence": "https://creativecommons.org/licenses/by/4.0/",
        "attribution_required": True,
    },
    Template.OPEN_PLEDGE: {
        "title": gettext_lazy("Royalty-free open pledge"),
        "acceptance": Acceptance.EXPRESS,
    },
    Template.CUSTOM: {"title": "", "acceptance": Acceptance.NEGOTIATION},
}


def offer_template(*, template: str, asset: Asset | None = None) -> OfferData:
    """The terms `template` prefills. With an asset, the royalty owed by derivatives
    is the asset's current lineage term (zero for the royalty-free templates and
    those that allow no derivatives)."""
    if template not in _TEMPLATES:
        raise InvalidInput.field("template", _("Unknown licence template."))
    values = {name: (value.value if hasattr(value, "value") else value) for name, value in _TEMPLATES[template].items()}
    values["title"] = str(values["title"])
    takes_royalty = template not in (Template.CREATIVE_COMMONS, Template.OPEN_PLEDGE)
    if asset is not None and takes_royalty and values.get("derivatives") != Derivatives.NOT_ALLOWED:
        terms = lineage_selectors.terms_for_asset(asset=asset)
        values["derivative_royalty_bp"] = terms.derivative_royalty_bp
        if terms.derivatives_need_approval:
            values["derivatives"] = Derivatives.APPROVAL.value
    data = OfferData(template=template, **values)
    return _cc_terms(data) if data.cc_licence else data


# Checks ------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _bp_errors(value: Any) -> list[str]:
    if not _is_int(value) or not 0 <= value <= FULL_BP:
        return [_("A percentage is from 0% to 100% (0 to 10000 basis points).")]
    return []


def _amount_errors(value: Any, *, optional: bool = False) -> list[str]:
    if value is None and optional:
        return []
    if not _is_int(value):
        return [_("Give a whole number of the currency's smallest unit (e.g. cents).")]
    if value < 0:
        return [_("An amount cannot be negative.")]
    if value > MAX_AMOUNT:
        return [_("This amount is too large.")]
    return []


def _months_errors(value: Any, *, optional: bool, limit: int) -> list[str]:
    if value is None and optional:
        return []
    if not _is_int(value) or not (1 if optional else 0) <= value <= limit:
        return [
            _("Give a whole number of months from %(low)d to %(high)d.") % {"low": 1 if optional else 0, "high": limit}
        ]
    return []


def _cc_parts(uri: str) -> str:
    """The licence elements of a Creative Commons URI: "by-nc-sa", "zero", "mark"."""
    return uri.removeprefix(CC_PREFIX).split("/")[1] if uri.startswith(CC_PREFIX) else ""


def _cc_terms(data: TermsData) -> Any:
    """The terms a Creative Commons licence fixes: no fees or royalties, non-exclusive,
    worldwide, perpetual, no sublicensing; NC, ND and BY decide commercial use,
    derivatives and attribution."""
    parts = _cc_parts(data.cc_licence).split("-")
    return replace(
        data,
        exclusivity=Exclusivity.NON_EXCLUSIVE.value,
        territories=[],
        duration_months=None,
        commercial_use="nc" not in parts,
        derivatives=Derivatives.NOT_ALLOWED.value if "nd" in parts else Derivatives.ALLOWED.value,
        attribution_required="by" in parts,
        sublicensing=False,
    )


def _check_terms(data: TermsData, *, asset: Asset) -> dict[str, list[str]]:
    """Field messages for every term that is wrong (empty when all are right)."""
    errors: dict[str, list[str]] = {name: [] for name in TERM_FIELDS}
    if data.exclusivity not in Exclusivity.values:
        errors["exclusivity"].append(_("Choose non-exclusive, sole or exclusive."))
    if data.derivatives not in Derivatives.values:
        errors["derivatives"].append(_("Choose whether derivatives are allowed, need approval or are not allowed."))
    if not isinstance(data.field_of_use, str) or len(data.field_of_use) > 300:
        errors["field_of_use"].append(_("Describe the field of use in at most 300 characters."))
    if not isinstance(data.territories, list) or not all(isinstance(code, str) for code in data.territories):
        errors["territories"].append(_("Give the territory as country codes, or none for worldwide."))
    else:
        errors["territories"] += check_countries(data.territories)
    errors["duration_months"] += _months_errors(data.duration_months, optional=True, limit=MAX_DURATION_MONTHS)
    errors["fee_deferral_months"] += _months_errors(data.fee_deferral_months, optional=False, limit=MAX_DEFERRAL_MONTHS)
    errors["upfront_fee"] += _amount_errors(data.upfront_fee)
    errors["revenue_ceiling"] += _amount_errors(data.revenue_ceiling, optional=True)
    if _is_int(data.revenue_ceiling) and data.revenue_ceiling == 0:
        errors["revenue_ceiling"].append(_("A revenue ceiling is above zero; leave it empty for none."))
    errors["royalty_bp"] += _bp_errors(data.royalty_bp)
    errors["derivative_royalty_bp"] += _bp_errors(data.derivative_royalty_bp)
    charges = (_is_int(data.upfront_fee) and data.upfront_fee > 0) or data.revenue_ceiling is not None
    if not isinstance(data.currency, str) or (
        data.currency and pycountry.currencies.get(alpha_3=data.currency) is None
    ):
        errors["currency"].append(_("Unknown currency code: %(value)s.") % {"value": data.currency})
    elif charges and not data.currency:
        errors["currency"].append(_("Give the currency of the fee and the ceiling (ISO 4217, e.g. JPY)."))
    if (
        data.derivatives == Derivatives.NOT_ALLOWED
        and _is_int(data.derivative_royalty_bp)
        and data.derivative_royalty_bp
    ):
        errors["derivative_royalty_bp"].append(_("Derivatives are not allowed, so they owe no royalty."))
    for name in ("commercial_use", "attribution_required", "sublicensing"):
        if not isinstance(getattr(data, name), bool):
            errors[name].append(_("Answer yes or no."))
    if not isinstance(data.cc_licence, str):
        errors["cc_licence"].append(_("Choose a Creative Commons licence."))
    elif data.cc_licence:
        if data.cc_licence not in RIGHTS_STATEMENTS or not data.cc_licence.startswith(CC_PREFIX):
            errors["cc_licence"].append(_("Choose a Creative Commons licence."))
        elif asset.kind != Asset.Kind.WORK:
            errors["cc_licence"].append(_("Creative Commons licences are for creative works only."))
        if charges or data.royalty_bp or data.fee_deferral_months:
            errors["upfront_fee"].append(_("A Creative Commons licence is free: no fee or running royalty."))
        if data.derivative_royalty_bp:
            errors["derivative_royalty_bp"].append(_("A Creative Commons licence asks no royalty of derivatives."))
    return errors


def _check_offer(data: OfferData, *, asset: Asset) -> None:
    errors = _check_terms(data, asset=asset)
    errors.update({"template": [], "title": [], "notes": [], "acceptance": []})
    if data.template not in Template.values:
        errors["template"].append(_("Unknown licence template."))
    if not isinstance(data.title, str) or not data.title.strip() or len(data.title) > 200:
        errors["title"].append(_("Give the offer a title of at most 200 characters."))
    if not isinstance(data.notes, str) or len(data.notes) > 2000:
        errors["notes"].append(_("Notes are at most 2000 characters."))
    if data.acceptance not in Acceptance.values:
        errors["acceptance"].append(_("Choose one-step acceptance or negotiation."))
    elif data.acceptance == Acceptance.EXPRESS and data.exclusivity in (Exclusivity.EXCLUSIVE, Exclusivity.SOLE):
        errors["acceptance"].append(_("An exclusive or sole licence is granted by negotiation, not in one step."))
    free = (
        not data.upfront_fee and not data.royalty_bp and not data.derivative_royalty_bp and data.revenue_ceiling is None
    )
    if data.template == Template.EVALUATION and data.duration_months is None:
        errors["duration_months"].append(_("An evaluation licence runs for a fixed number of months."))
    if data.template == Template.EVALUATION and data.royalty_bp:
        errors["royalty_bp"].append(_("An evaluation licence has a fixed fee and no running royalty."))
    if data.template == Template.STARTUP and not data.fee_deferral_months:
        errors["fee_deferral_months"].append(_("A startup licence defers its fees: give the months."))
    if data.template == Template.EXCLUSIVE and data.exclusivity == Exclusivity.NON_EXCLUSIVE:
        errors["exclusivity"].append(_("An exclusive licence template is exclusive or sole."))
    if data.template == Template.CREATIVE_COMMONS and not data.cc_licence:
        errors["cc_licence"].append(_("Choose the Creative Commons licence."))
    if data.template != Template.CREATIVE_COMMONS and data.cc_licence:
        errors["cc_licence"].append(_("Use the Creative Commons template for a Creative Commons licence."))
    if data.template == Template.OPEN_PLEDGE and not free:
        errors["upfront_fee"].append(_("An open pledge is royalty-free: no fee, royalty or ceiling."))
    if data.derivatives != Derivatives.NOT_ALLOWED and data.derivative_royalty_bp in range(FULL_BP + 1):
        others = selectors.open_offer_royalties(asset=asset) - {data.derivative_royalty_bp}
        if others:
            errors["derivative_royalty_bp"].append(
                _(
                    "Other open offers on this asset ask %(percent)s%% of derivatives. An asset asks one royalty "
                    "of its derivatives: use the same figure, or withdraw those offers first."
                )
                % {"percent": ", ".join(f"{bp / 100:g}" for bp in sorted(others))}
            )
    collect_errors(errors)


def _terms_values(data: TermsData) -> dict[str, Any]:
    values = {name: getattr(data, name) for name in TERM_FIELDS}
    values["territories"] = sorted(set(values["territories"]))
    values["field_of_use"] = values["field_of_use"].strip()
    values["currency"] = values["currency"].upper()
    return values


def terms_payload(row) -> dict[str, Any]:
    """The terms of an offer or deal as a history payload (and API shape)."""
    return {name: getattr(row, name) for name in TERM_FIELDS}


# Who acts ----------------------------------------------------------------------


def _require_signed_in(actor) -> None:
    if actor is None or not actor.is_authenticated:
        raise NotAuthenticated(_("Sign in first."))
    if not actor.is_active:
        raise PermissionDenied(_("This account is suspended."))


def _require_manager(actor, asset: Asset) -> None:
    """NotFound for those who may not see the asset, PermissionDenied for those who only see it."""
    access = asset_access(asset=asset, user=actor)
    if access == Access.NONE:
        raise NotFound(_("No such asset."))
    if access != Access.MANAGE:
        raise PermissionDenied(_("Only the asset's owners can offer licences on it."))


def _require_seeker(actor, asset: Asset) -> None:
    """A signed-in person who may see the asset and does not manage it."""
    _require_signed_in(actor)
    access = asset_access(asset=asset, user=actor)
    if access == Access.NONE:
        raise NotFound(_("No such asset."))
    if access == Access.MANAGE:
        raise PermissionDenied(_("This asset is yours: you cannot license it to yourself."))
    if asset.status != Asset.Status.PUBLISHED:
        raise Conflict(_("This asset is not published."))


def _organisation_for(actor, organisation: str | None):
    """The organisation (by slug) the actor acts for; they must be a member of it."""
    if not organisation:
        return None
    org_ids = account_selectors.organisation_ids_for_user(user=actor)
    try:
        org = account_selectors.organisation_get(slug=organisation)
    except NotFound:
        org = None
    if org is None or org.pk not in org_ids:
        raise InvalidInput.field("organisation", _("You can act only for an organisation you are a member of."))
    return org


def _side(actor, deal: Deal) -> str:
    side = selectors.deal_side(deal=deal, user=actor)
    if side is None:
        raise NotFound(_("No such deal."))
    return side


def _lock_deal(deal: Deal) -> Deal:
    return Deal.objects.select_for_update(of=("self",)).select_related("asset", "seeker").get(pk=deal.pk)


def _subject(deal: Deal) -> str:
    return f"deal:{deal.pk}"


def _check_exclusivity(deal: Deal) -> None:
    """No execution beside a live exclusive deal, and no exclusive one beside any live deal.
    Locks the asset's row first, so two executions on one asset check one after the other."""
    Asset.objects.select_for_update().filter(pk=deal.asset_id).first()
    live = Deal.objects.filter(asset_id=deal.asset_id, stage__in=[Stage.SIGNED, Stage.ACTIVE])
    if deal.pk:
        live = live.exclude(pk=deal.pk)
    exclusive = (Exclusivity.EXCLUSIVE, Exclusivity.SOLE)
    if live.filter(exclusivity__in=exclusive).exists():
        raise Conflict(_("An exclusive licence on this asset is in force: no other licence can be executed."))
    if deal.exclusivity in exclusive and live.exists():
        raise Conflict(_("Other licences on this asset are in force: an exclusive licence cannot be executed."))


def _notify(deal: Deal, *, actor, title: str) -> None:
    """Tell the other side (the seeker, or the asset's managers) that something happened in the deal.
    Titles name the asset, which both sides may see, and never hold message text."""
    url = reverse("licensing:deal_detail", args=[deal.pk])
    seeker_acted = selectors.deal_side(deal=deal, user=actor) == Side.SEEKER
    recipients = asset_managers(asset=deal.asset) if seeker_acted else [deal.seeker]
    for recipient in recipients:
        if recipient is not None and recipient.pk != actor.pk:
            notification_send(recipient=recipient, kind="licensing.deal", title=title, url=url)


# Offers ------------------------------------------------------------------------


def offer_create(*, actor, asset: Asset, data: OfferData) -> LicenceOffer:
    """Offer a licence on the asset (its managers only), on terms checked field by field.

    A Creative Commons licence fixes the terms it decides (see _cc_terms). The
    royalty owed by derivatives becomes the asset's lineage term (module docstring).
    """
    _require_manager(actor, asset)
    if asset.status == Asset.Status.WITHDRAWN:
        raise Conflict(_("This asset is withdrawn: it cannot be offered."))
    if isinstance(data.cc_licence, str) and data.cc_licence:
        data = _cc_terms(data)
    _check_offer(data, asset=asset)
    values = _terms_values(data)
    with transaction.atomic():
        Asset.objects.select_for_update().filter(pk=asset.pk).first()
        _check_offer(data, asset=asset)  # again under the lock: another offer may have come meanwhile
        offer = LicenceOffer.objects.create(
            asset=asset,
            template=data.template,
            title=data.title.strip(),
            notes=data.notes.strip(),
            acceptance=data.acceptance,
            created_by=actor,
            **values,
        )
        if data.derivatives != Derivatives.NOT_ALLOWED:
            terms = lineage_selectors.terms_for_asset(asset=asset)
            lineage_services.terms_set(
                actor=actor,
                asset=asset,
                derivative_royalty_bp=data.derivative_royalty_bp,
                derivatives_need_approval=data.derivatives == Derivatives.APPROVAL,
                share_changes_need=terms.share_changes_need,
            )
        entry_append(
            actor=actor,
            type="licence.offered",
            subject=f"offer:{offer.pk}",
            payload={
                "asset": asset.pk,
                "template": offer.template,
                "acceptance": offer.acceptance,
                "terms": terms_payload(offer),
            },
        )
    return offer


def offer_withdraw(*, actor, offer: LicenceOffer) -> LicenceOffer:
    """Close the offer to new deals; deals made under it go on. Managers only; once."""
    _require_manager(actor, offer.asset)
    with transaction.atomic():
        locked = LicenceOffer.objects.select_for_update().get(pk=offer.pk)
        if locked.status == LicenceOffer.Status.WITHDRAWN:
            raise Conflict(_("This offer was withdrawn already."))
        locked.status = LicenceOffer.Status.WITHDRAWN
        locked.withdrawn_by = actor
        locked.withdrawn_at = timezone.now()
        locked.save(update_fields=["status", "withdrawn_by", "withdrawn_at"])
        entry_append(
            actor=actor, type="licence.withdrawn", subject=f"offer:{locked.pk}", payload={"asset": locked.asset_id}
        )
    return locked


def _deal_opened(deal: Deal, *, actor, message: DealMessage | None = None) -> None:
    payload = {
        "asset": deal.asset_id,
        "offer": deal.offer_id,
        "origin": deal.origin,
        "seeker": deal.seeker.username,
        "seeker_org": deal.seeker_org.slug if deal.seeker_org_id else None,
        "stage": deal.stage,
        "terms": terms_payload(deal),
    }
    entry_append(actor=actor, type="deal.opened", subject=_subject(deal), payload=payload)
    if message is not None:
        entry_append(
            actor=actor,
            type="deal.message_posted",
            subject=_subject(deal),
            payload={"message": message.pk, "side": Side.SEEKER.value},
        )


def _moved(deal: Deal, *, actor, before: str, extra: dict[str, Any] | None = None) -> None:
    payload = {"asset": deal.asset_id, "from": before, "to": deal.stage, **(extra or {})}
    entry_append(actor=actor, type="deal.moved", subject=_subject(deal), payload=payload)


def offer_accept(*, actor, offer: LicenceOffer, organisation: str | None = None) -> Deal:
    """Accept an express offer in one step: a deal at "active", signed now, on the
    offer's terms, for the actor (and the organisation they act for, by slug).

    Refused: an asset the actor may not see (NotFound), their own (PermissionDenied),
    an offer that is withdrawn or by negotiation, a licence the same licensee
    already holds under this offer, an exclusive licence in force (Conflict).
    """
    _require_seeker(actor, offer.asset)
    org = _organisation_for(actor, organisation)
    with transaction.atomic():
        locked = LicenceOffer.objects.select_for_update().select_related("asset").get(pk=offer.pk)
        if locked.status != LicenceOffer.Status.OPEN:
            raise Conflict(_("This offer was withdrawn."))
        if locked.acceptance != Acceptance.EXPRESS:
            raise Conflict(_("This licence is granted by negotiation: send an inquiry instead."))
        held = Deal.objects.filter(offer=locked, seeker=actor, seeker_org=org, stage__in=[Stage.SIGNED, Stage.ACTIVE])
        if held.exists():
            raise Conflict(_("You hold this licence already."))
        now = timezone.now()
        deal = Deal(
            asset=locked.asset,
            offer=locked,
            origin=Deal.Origin.EXPRESS,
            seeker=actor,
            seeker_org=org,
            stage=Stage.SIGNED,
            stage_changed_at=now,
            signed_at=now,
            **{name: getattr(locked, name) for name in TERM_FIELDS},
        )
        _check_exclusivity(deal)
        deal.save()
        _deal_opened(deal, actor=actor)
        deal.stage = Stage.ACTIVE
        deal.save(update_fields=["stage"])
        _moved(deal, actor=actor, before=Stage.SIGNED)
        _notify(deal, actor=actor, title=_("Licence accepted: %(asset)s") % {"asset": locked.asset.title})
    return deal


# Inquiries and the thread ------------------------------------------------------


def _check_message(body: Any, *, name: str = "body") -> str:
    if not isinstance(body, str) or not body.strip():
        raise InvalidInput.field(name, _("Write a message."))
    if len(body) > MAX_MESSAGE:
        raise InvalidInput.field(name, _("A message is at most %(limit)d characters.") % {"limit": MAX_MESSAGE})
    return body.strip()


def inquiry_create(
    *, actor, asset: Asset, message: str, offer: LicenceOffer | None = None, organisation: str | None = None
) -> Deal:
    """Express interest in an asset (about one of its open offers, or none): a deal at
    "inquiry" whose thread opens with `message`. One open inquiry per seeker and asset."""
    _require_seeker(actor, asset)
    body = _check_message(message, name="message")
    org = _organisation_for(actor, organisation)
    if offer is not None and (offer.asset_id != asset.pk or offer.status != LicenceOffer.Status.OPEN):
        raise InvalidInput.field("offer", _("Choose one of this asset's open offers."))
    with transaction.atomic():
        Asset.objects.select_for_update().filter(pk=asset.pk).first()
        if selectors.open_deal_for_seeker(asset=asset, user=actor) is not None:
            raise Conflict(_("You are already in talks about this asset: write in that deal's thread."))
        terms = {name: getattr(offer, name) for name in TERM_FIELDS} if offer is not None else {}
        deal = Deal.objects.create(
            asset=asset,
            offer=offer,
            origin=Deal.Origin.INQUIRY,
            seeker=actor,
            seeker_org=org,
            stage=Stage.INQUIRY,
            stage_changed_at=timezone.now(),
            **terms,
        )
        first = DealMessage.objects.create(deal=deal, author=actor, body=body)
        _deal_opened(deal, actor=actor, message=first)
        _notify(deal, actor=actor, title=_("New inquiry about %(asset)s") % {"asset": asset.title})
    return deal


def deal_message_post(*, actor, deal: Deal, body: str) -> DealMessage:
    """Write in the deal's thread (either side) while the deal is not over.
    The history records that a message was posted, never its text."""
    side = _side(actor, deal)
    text = _check_message(body)
    with transaction.atomic():
        locked = _lock_deal(deal)
        if locked.stage in FINAL_STAGES:
            raise Conflict(_("This deal is over: its thread is closed."))
        message = DealMessage.objects.create(deal=locked, author=actor, body=text)
        entry_append(
            actor=actor,
            type="deal.message_posted",
            subject=_subject(locked),
            payload={"message": message.pk, "side": side},
        )
        _notify(locked, actor=actor, title=_("New message about %(asset)s") % {"asset": locked.asset.title})
    return message


# The pipeline ------------------------------------------------------------------


def _seeker_keeps_nda(deal: Deal) -> bool:
    """Another deal of the same seeker on the asset has an NDA in force."""
    return (
        Nda.objects.filter(deal__asset_id=deal.asset_id, deal__seeker_id=deal.seeker_id, status=Nda.Status.IN_FORCE)
        .exclude(deal_id=deal.pk)
        .filter(deal__stage__in=[*OPEN_STAGES, *EXECUTED_STAGES])
        .exists()
    )


def deal_move(*, actor, deal: Deal, stage: str) -> Deal:
    """Move the deal one step along the pipeline (models.TRANSITIONS).

    The asset's managers make every move; the seeker may only terminate
    (withdraw) before signing (PermissionDenied otherwise). A move the stage does
    not allow, "evaluation" from "nda" before the NDA is in force, or signing
    beside an exclusive licence in force: Conflict. Terminating before signing, by
    the owner side, revokes the access the deal's NDA granted (module docstring).
    """
    side = _side(actor, deal)
    if stage not in Stage.values:
        raise InvalidInput.field("stage", _("Unknown stage."))
    with transaction.atomic():
        locked = _lock_deal(deal)
        before = locked.stage
        if stage not in TRANSITIONS[before]:
            raise Conflict(
                _("A deal at “%(from)s” cannot move to “%(to)s”.")
                % {"from": Stage(before).label, "to": Stage(stage).label}
            )
        if stage not in selectors.stage_moves(deal=locked, side=side):
            if side == Side.SEEKER:
                raise PermissionDenied(_("Only the asset's owners move a deal on; you can withdraw before signing."))
            raise Conflict(_("The NDA must be in force before the evaluation."))
        if stage == Stage.SIGNED:
            _check_exclusivity(locked)
        now = timezone.now()
        locked.stage = stage
        locked.stage_changed_at = now
        extra: dict[str, Any] = {}
        if stage == Stage.SIGNED:
            locked.signed_at = now
        if stage in FINAL_STAGES:
            locked.ended_at = now
        if (
            stage == Stage.TERMINATED
            and before in OPEN_STAGES
            and side == Side.OWNER
            and locked.access_granted
            and not _seeker_keeps_nda(locked)
        ):
            try:
                registry_services.access_revoke(actor=actor, asset=locked.asset, user=locked.seeker)
            except NotFound:
                pass  # the owners revoked it already
            locked.access_granted = False
            extra["access_revoked"] = True
        locked.save()
        _moved(locked, actor=actor, before=before, extra=extra)
        _notify(
            locked,
            actor=actor,
            title=_("Deal about %(asset)s: %(stage)s") % {"asset": locked.asset.title, "stage": Stage(stage).label},
        )
    return locked


def deal_terms_set(*, actor, deal: Deal, data: TermsData) -> Deal:
    """The owners set the terms under discussion (checked like an offer's) until signing."""
    if _side(actor, deal) != Side.OWNER:
        raise PermissionDenied(_("Only the asset's owners set the terms; propose changes in the thread."))
    if isinstance(data.cc_licence, str) and data.cc_licence:
        data = _cc_terms(data)
    errors = _check_terms(data, asset=deal.asset)
    if data.exclusivity in (Exclusivity.EXCLUSIVE, Exclusivity.SOLE) and deal.origin == Deal.Origin.EXPRESS:
        errors["exclusivity"].append(_("An express licence is non-exclusive."))
    collect_errors(errors)
    values = _terms_values(data)
    with transaction.atomic():
        locked = _lock_deal(deal)
        if locked.stage not in OPEN_STAGES:
            raise Conflict(_("The terms are fixed once the deal is signed."))
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save()
        entry_append(
            actor=actor, type="deal.terms_changed", subject=_subject(locked), payload={"terms": terms_payload(locked)}
        )
    return locked


# NDA ---------------------------------------------------------------------------


def _nda_text(deal: Deal, *, term_months: int) -> str:
    asset = deal.asset
    return render_to_string(
        "licensing/nda_standard.txt",
        {
            "discloser": asset.owner_org.name if asset.owner_org_id else asset.owner_user.name,
            "recipient": deal.seeker_org.name if deal.seeker_org_id else deal.seeker.name,
            "recipient_person": deal.seeker.name,
            "asset_title": asset.title,
            "asset_id": asset.pk,
            "deal_id": deal.pk,
            "term_months": term_months,
        },
    ).strip()


def nda_propose(*, actor, deal: Deal, term_months: int = NDA_TERM_MONTHS) -> Nda:
    """Either side proposes the standard NDA (proposing is that side's acceptance).
    A deal at "inquiry" moves to "nda". One proposed or in-force NDA per deal."""
    side = _side(actor, deal)
    if not _is_int(term_months) or not 1 <= term_months <= 120:
        raise InvalidInput.field("term_months", _("An NDA runs for 1 to 120 months."))
    with transaction.atomic():
        locked = _lock_deal(deal)
        if locked.stage not in OPEN_STAGES:
            raise Conflict(_("An NDA is agreed before signing."))
        if selectors.deal_live_nda(deal=locked) is not None:
            raise Conflict(_("This deal has an NDA proposed or in force already."))
        now = timezone.now()
        nda = Nda.objects.create(
            deal=locked,
            text=_nda_text(locked, term_months=term_months),
            term_months=term_months,
            proposed_by=actor,
            owner_accepted_by=actor if side == Side.OWNER else None,
            owner_accepted_at=now if side == Side.OWNER else None,
            seeker_accepted_at=now if side == Side.SEEKER else None,
        )
        entry_append(
            actor=actor,
            type="deal.nda_proposed",
            subject=_subject(locked),
            payload={"nda": nda.pk, "side": side, "term_months": term_months},
        )
        if locked.stage == Stage.INQUIRY:
            locked.stage = Stage.NDA
            locked.stage_changed_at = now
            locked.save(update_fields=["stage", "stage_changed_at"])
            _moved(locked, actor=actor, before=Stage.INQUIRY)
        _notify(locked, actor=actor, title=_("NDA proposed for %(asset)s") % {"asset": locked.asset.title})
    return nda


def nda_accept(*, actor, nda: Nda) -> Nda:
    """The other side accepts a proposed NDA. Once both sides have, it is in force:
    the seeker gets access to the details of a confidential asset (granted by the
    owner-side person who accepted) and a deal at "nda" moves to "evaluation"."""
    side = _side(actor, nda.deal)
    with transaction.atomic():
        deal = _lock_deal(nda.deal)
        locked = Nda.objects.select_for_update().get(pk=nda.pk)
        if locked.status != Nda.Status.PROPOSED:
            raise Conflict(_("This NDA is not waiting for acceptance."))
        if deal.stage not in OPEN_STAGES:
            raise Conflict(_("An NDA is agreed before signing."))
        now = timezone.now()
        if side == Side.OWNER:
            if locked.owner_accepted_at is not None:
                raise Conflict(_("Your side has accepted this NDA already."))
            locked.owner_accepted_by = actor
            locked.owner_accepted_at = now
        else:
            if locked.seeker_accepted_at is not None:
                raise Conflict(_("You have accepted this NDA already."))
            locked.seeker_accepted_at = now
        granted = False
        if locked.owner_accepted_at is not None and locked.seeker_accepted_at is not None:
            locked.status = Nda.Status.IN_FORCE
            locked.decided_at = now
            asset = deal.asset
            if (
                asset.visibility == Asset.Visibility.CONFIDENTIAL
                and asset_access(asset=asset, user=deal.seeker) < Access.FULL
            ):
                registry_services.access_grant(
                    actor=locked.owner_accepted_by,
                    asset=asset,
                    user=deal.seeker,
                    reason=_("NDA %(nda)d in deal %(deal)d") % {"nda": locked.pk, "deal": deal.pk},
                )
                deal.access_granted = granted = True
        locked.save()
        entry_append(
            actor=actor,
            type="deal.nda_accepted",
            subject=_subject(deal),
            payload={
                "nda": locked.pk,
                "side": side,
                "in_force": locked.status == Nda.Status.IN_FORCE,
                "access_granted": granted,
            },
        )
        if locked.status == Nda.Status.IN_FORCE and deal.stage == Stage.NDA:
            deal.stage = Stage.EVALUATION
            deal.stage_changed_at = now
            deal.save()
            _moved(deal, actor=actor, before=Stage.NDA)
        elif granted:
            deal.save(update_fields=["access_granted"])
        _notify(deal, actor=actor, title=_("NDA accepted for %(asset)s") % {"asset": deal.asset.title})
    return locked


def nda_decline(*, actor, nda: Nda) -> Nda:
    """Either side declines (or its proposer withdraws) an NDA still waiting for acceptance."""
    side = _side(actor, nda.deal)
    with transaction.atomic():
        deal = _lock_deal(nda.deal)
        locked = Nda.objects.select_for_update().get(pk=nda.pk)
        if locked.status != Nda.Status.PROPOSED:
            raise Conflict(_("This NDA is not waiting for acceptance."))
        locked.status = Nda.Status.DECLINED
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_at"])
        entry_append(
            actor=actor, type="deal.nda_declined", subject=_subject(deal), payload={"nda": locked.pk, "side": side}
        )
        _notify(deal, actor=actor, title=_("NDA declined for %(asset)s") % {"asset": deal.asset.title})
    return locked


# Payments ----------------------------------------------------------------------


def deal_payment_record(
    *,
    actor,
    deal: Deal,
    amount: int,
    currency: str,
    date: datetime.date,
    idempotency_key: str,
    note: str = "",
) -> tuple[RevenueEvent, bool]:
    """The asset's managers record a payment received under a signed licence (an
    upfront fee, royalties) as revenue of the asset from this deal; payouts shares
    it out along the lineage. Returns (event, created): the same idempotency key
    again records nothing (payouts' rule). Before signing: Conflict."""
    if _side(actor, deal) != Side.OWNER:
        raise PermissionDenied(_("Only the asset's owners record payments."))
    with transaction.atomic():
        locked = _lock_deal(deal)
        if locked.signed_at is None:
            raise Conflict(_("Payments are recorded under a signed licence."))
        event, created = payouts_services.revenue_record(
            actor=actor,
            asset=locked.asset,
            amount=amount,
            currency=currency,
            date=date,
            idempotency_key=idempotency_key,
            source=RevenueEvent.Source.DEAL,
            deal_id=locked.pk,
            note=note,
        )
        if created:
            entry_append(
                actor=actor,
                type="deal.payment_recorded",
                subject=_subject(locked),
                payload={"revenue_event": event.pk},
            )
    return event, created
