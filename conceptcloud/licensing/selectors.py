"""Every read of licence offers and deals, through the asset visibility rule.

    offers_for_asset(view=)             an asset's offers for the viewer of an AssetView:
                                        open ones for everyone who sees the asset's teaser,
                                        withdrawn ones too for its managers
    offer_get_for_user(offer_id=, user=)   NotFound unless the viewer sees the asset
    deal_side(deal=, user=)             "owner" (the asset's managers), "seeker", or None
    deal_get_for_user(deal_id=, user=)  a DealView for the two sides; NotFound for anyone else
    deals_for_user(user=, stage=)       the viewer's deals, on either side ("my deals")
    deals_managed_by(user=)             deals on the assets the viewer manages (the dashboard)
    deal_messages(view=), deal_nda(view=), deal_ndas(view=)
    deal_moves(view=)                   the stages the viewer may move the deal to now
    open_deal_for_seeker(asset=, user=) the viewer's own deal on an asset that is not over yet
    deal_payments(view=)                the revenue recorded under the deal (its owner side only)

A deal (and its thread and NDAs) is visible only to its seeker and to the
managers of its asset (registry.selectors.asset_access == MANAGE); everyone
else gets the same NotFound as for an absent deal.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from conceptcloud.core.errors import NotFound
from conceptcloud.licensing.models import (
    OPEN_STAGES,
    TRANSITIONS,
    Deal,
    DealMessage,
    LicenceOffer,
    Nda,
    Side,
    Stage,
)
from conceptcloud.payouts import selectors as payouts_selectors
from conceptcloud.payouts.models import RevenueEvent
from conceptcloud.registry.models import Asset
from conceptcloud.registry.selectors import Access, AssetView, asset_access, assets_managed_q


def _is_active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


# Offers ------------------------------------------------------------------------


def offers_for_asset(*, view: AssetView) -> QuerySet[LicenceOffer]:
    """The asset's offers, newest first: open ones for whoever may see the asset
    (its teaser is enough), withdrawn ones too for its managers."""
    offers = LicenceOffer.objects.filter(asset=view.asset).order_by("-created_at", "-id")
    if not view.can_manage:
        offers = offers.filter(status=LicenceOffer.Status.OPEN)
    return offers


def offer_get_for_user(*, offer_id: int, user) -> LicenceOffer:
    """An offer, for those who may see its asset; a withdrawn one for its managers only."""
    try:
        offer = LicenceOffer.objects.select_related("asset", "asset__owner_org", "asset__owner_user").get(pk=offer_id)
    except (LicenceOffer.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such offer.")) from None
    access = asset_access(asset=offer.asset, user=user)
    if access == Access.NONE or (offer.status != LicenceOffer.Status.OPEN and access != Access.MANAGE):
        raise NotFound(_("No such offer."))
    return offer


def open_offer_royalties(*, asset: Asset) -> set[int]:
    """The derivative royalties stated by the asset's open offers that allow derivatives."""
    offers = LicenceOffer.objects.filter(asset=asset, status=LicenceOffer.Status.OPEN).exclude(
        derivatives="not-allowed"
    )
    return set(offers.values_list("derivative_royalty_bp", flat=True))


# Deals -------------------------------------------------------------------------


def deal_side(*, deal: Deal, user) -> str | None:
    """Which side of the deal the user is on: the asset's managers are the owner side."""
    if not _is_active(user):
        return None
    if asset_access(asset=deal.asset, user=user) == Access.MANAGE:
        return Side.OWNER
    if deal.seeker_id == user.id:
        return Side.SEEKER
    return None


@dataclass(frozen=True)
class DealView:
    deal: Deal
    side: str  # Side.OWNER or Side.SEEKER: who is looking

    @property
    def is_owner(self) -> bool:
        return self.side == Side.OWNER

    @property
    def asset(self) -> Asset:
        return self.deal.asset


def deal_get_for_user(*, deal_id: int, user) -> DealView:
    """Fetch and authorise: the seeker and the asset's managers. NotFound for anyone else."""
    try:
        deal = Deal.objects.select_related(
            "asset", "asset__owner_org", "asset__owner_user", "offer", "seeker", "seeker_org"
        ).get(pk=deal_id)
    except (Deal.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such deal.")) from None
    side = deal_side(deal=deal, user=user)
    if side is None:
        raise NotFound(_("No such deal."))
    return DealView(deal=deal, side=side)


def deals_for_user(*, user, stage: str = "") -> QuerySet[Deal]:
    """The user's deals as seeker and on the assets they manage, most recently moved first."""
    if not _is_active(user):
        return Deal.objects.none()
    deals = Deal.objects.filter(Q(seeker=user) | assets_managed_q(user=user, prefix="asset__"))
    if stage:
        deals = deals.filter(stage=stage)
    return deals.select_related("asset", "asset__owner_org", "asset__owner_user", "seeker", "seeker_org", "offer")


def deals_managed_by(*, user) -> QuerySet[Deal]:
    """Deals on the assets the user manages (the owner side only)."""
    return Deal.objects.filter(assets_managed_q(user=user, prefix="asset__")).select_related(
        "asset", "seeker", "seeker_org", "offer"
    )


def open_deal_for_seeker(*, asset: Asset, user) -> Deal | None:
    """The user's own deal on the asset that is still before signing, if any."""
    if not _is_active(user):
        return None
    return Deal.objects.filter(asset=asset, seeker=user, stage__in=OPEN_STAGES).order_by("-id").first()


def deals_of_seeker_on_asset(*, asset: Asset, user) -> QuerySet[Deal]:
    if not _is_active(user):
        return Deal.objects.none()
    return Deal.objects.filter(asset=asset, seeker=user).order_by("-id")


def deal_payments(*, view: DealView) -> QuerySet[RevenueEvent]:
    """Revenue events recorded under this deal, newest first: for the owner side only."""
    if not view.is_owner:
        return RevenueEvent.objects.none()
    return payouts_selectors.revenue_events_for_asset(asset=view.deal.asset).filter(deal_ref=view.deal.pk)


def deal_messages(*, view: DealView) -> QuerySet[DealMessage]:
    return view.deal.messages.select_related("author").order_by("created_at", "id")


def deal_nda(*, view: DealView) -> Nda | None:
    """The deal's NDA that is proposed or in force, if any."""
    return deal_live_nda(deal=view.deal)


def deal_live_nda(*, deal: Deal) -> Nda | None:
    return (
        deal.ndas.filter(status__in=[Nda.Status.PROPOSED, Nda.Status.IN_FORCE])
        .select_related("proposed_by", "owner_accepted_by")
        .first()
    )


def deal_ndas(*, view: DealView) -> QuerySet[Nda]:
    return view.deal.ndas.select_related("proposed_by", "owner_accepted_by").order_by("-created_at", "-id")


def nda_get_for_user(*, nda_id: int, user) -> Nda:
    """An NDA, for the two sides of its deal."""
    try:
        nda = Nda.objects.select_related("deal", "deal__asset", "proposed_by", "owner_accepted_by").get(pk=nda_id)
    except (Nda.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such NDA.")) from None
    if deal_side(deal=nda.deal, user=user) is None:
        raise NotFound(_("No such NDA."))
    return nda


def stage_moves(*, deal: Deal, side: str) -> list[str]:
    """The stages `side` may move the deal to from where it is."""
    targets = list(TRANSITIONS[deal.stage])
    if side == Side.SEEKER:
        return [Stage.TERMINATED.value] if deal.stage in OPEN_STAGES else []
    if deal.stage == Stage.NDA:
        nda = deal_live_nda(deal=deal)
        if nda is None or nda.status != Nda.Status.IN_FORCE:
            targets = [t for t in targets if t != Stage.EVALUATION]
    return [str(t) for t in targets]


def deal_moves(*, view: DealView) -> list[str]:
    return stage_moves(deal=view.deal, side=view.side)


def deal_counts_by_stage(*, user) -> dict[str, int]:
    """How many of the user's deals stand at each stage (every stage present)."""
    counts = {stage.value: 0 for stage in Stage}
    for stage in deals_for_user(user=user).values_list("stage", flat=True):
        counts[stage] += 1
    return counts


# History subjects ---------------------------------------------------------------


def offer_subject_visible(key: str, user) -> bool:
    """Entries about an offer are for whoever may see its asset (even once it is withdrawn)."""
    if not key.isdigit():
        return False
    offer = LicenceOffer.objects.select_related("asset").filter(pk=int(key)).first()
    return offer is not None and asset_access(asset=offer.asset, user=user) != Access.NONE


def deal_subject_visible(key: str, user) -> bool:
    """Entries about a deal are for its two sides only."""
    if not key.isdigit():
        return False
    try:
        deal_get_for_user(deal_id=int(key), user=user)
    except NotFound:
        return False
    return True
