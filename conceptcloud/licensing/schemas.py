"""Request and response shapes of the licensing API (offers, deals, messages, NDAs).

Money is in integer minor units of an ISO 4217 currency (JPY 150000 = ¥150,000;
USD 150050 = $1,500.50); percentages are integer basis points (10000 = 100%).
An offer's fields left out of a request take the values of its `template`.
"""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from conceptcloud.core.api import InputSchema, QuerySchema
from conceptcloud.licensing.models import Acceptance, Derivatives, Exclusivity, Nda, Stage, Template
from conceptcloud.lineage.schemas import AssetRefOut

TemplateName = Literal[tuple(Template.values)]
StageName = Literal[tuple(Stage.values)]


class TermsIn(InputSchema):
    exclusivity: Literal[tuple(Exclusivity.values)] = Field(Exclusivity.NON_EXCLUSIVE.value, examples=["non-exclusive"])
    field_of_use: str = Field("", description="Empty: every field.", examples=["Medical devices"])
    territories: list[str] = Field(
        default_factory=list, description="ISO 3166-1 alpha-2 codes; empty: worldwide.", examples=[["JP", "US"]]
    )
    duration_months: int | None = Field(None, description="Null: perpetual.", examples=[60])
    currency: str = Field(
        "", description="ISO 4217 code of the fee and ceiling; empty when nothing is charged.", examples=["JPY"]
    )
    upfront_fee: int = Field(0, description="Minor units of `currency`.", examples=[1500000])
    fee_deferral_months: int = Field(0, description="Months after signing before fees fall due (startup licences).")
    royalty_bp: int = Field(0, description="Running royalty on net sales, basis points.", examples=[300])
    derivative_royalty_bp: int = Field(
        0,
        description="What each asset built on this one owes it, basis points: the asset's lineage term.",
        examples=[500],
    )
    revenue_ceiling: int | None = Field(
        None, description="Minor units; the licensee revenue the licence covers. Null: no ceiling."
    )
    commercial_use: bool = True
    derivatives: Literal[tuple(Derivatives.values)] = Field(Derivatives.ALLOWED.value, examples=["approval"])
    attribution_required: bool = False
    sublicensing: bool = False
    cc_licence: str = Field(
        "",
        description="A Creative Commons licence URI (works only).",
        examples=["https://creativecommons.org/licenses/by/4.0/"],
    )


class OfferIn(TermsIn):
    template: TemplateName = Field(
        Template.CUSTOM.value, description="Fields you leave out take this template's values.", examples=["express"]
    )
    title: str = Field("", description="Defaults to the template's name.", examples=["Standard licence"])
    notes: str = Field("", description="Shown with the offer to everyone who may see the asset.")
    acceptance: Literal[tuple(Acceptance.values)] = Field(
        Acceptance.NEGOTIATION.value,
        description="express: any signed-in person accepts it in one step; negotiation: by inquiry.",
    )


class TermsOut(Schema):
    exclusivity: str
    field_of_use: str
    territories: list[str]
    duration_months: int | None
    currency: str
    upfront_fee: int
    fee_deferral_months: int
    royalty_bp: int
    derivative_royalty_bp: int
    revenue_ceiling: int | None
    commercial_use: bool
    derivatives: str
    attribution_required: bool
    sublicensing: bool
    cc_licence: str


class TemplateOut(Schema):
    template: str
    label: str
    title: str
    acceptance: str
    terms: TermsOut


class OfferOut(Schema):
    id: int
    asset: AssetRefOut
    template: str
    title: str
    notes: str
    acceptance: str
    status: Literal["open", "withdrawn"]
    terms: TermsOut
    created_at: datetime
    withdrawn_at: datetime | None


class AcceptIn(InputSchema):
    organisation: str | None = Field(
        None,
        description="Slug of the organisation you act for (you must be a member); null: yourself.",
        examples=["acme-robotics"],
    )


class InquiryIn(InputSchema):
    message: str = Field(description="The first message of the thread; only the owners read it.", max_length=5000)
    offer_id: int | None = Field(None, description="One of the asset's open offers the inquiry is about.")
    organisation: str | None = Field(None, description="Slug of the organisation you act for.")


class NdaOut(Schema):
    id: int
    status: Literal[tuple(Nda.Status.values)]
    term_months: int
    text: str
    proposed_by: str
    owner_accepted_by: str | None
    owner_accepted_at: datetime | None
    seeker_accepted_at: datetime | None
    created_at: datetime
    decided_at: datetime | None


class DealOut(Schema):
    id: int
    asset: AssetRefOut
    offer_id: int | None
    origin: Literal["inquiry", "express"]
    stage: StageName
    side: Literal["owner", "seeker"] = Field(description="Your side of the deal.")
    seeker: str
    seeker_org: str | None
    terms: TermsOut
    moves: list[str] = Field(description="The stages you may move the deal to now.")
    nda: NdaOut | None = Field(description="The NDA proposed or in force, if any.")
    access_granted: bool = Field(description="The deal's NDA gave the seeker access to the asset's details.")
    created_at: datetime
    stage_changed_at: datetime
    signed_at: datetime | None
    ended_at: datetime | None


class DealQuery(QuerySchema):
    stage: StageName | None = Field(None, description="Only deals at this stage.")


class MoveIn(InputSchema):
    stage: str = Field(description="The stage to move to.", examples=["evaluation"])


class MessageIn(InputSchema):
    body: str = Field(max_length=5000, examples=["Could we have a field-of-use limited to medical devices?"])


class MessageOut(Schema):
    id: int
    author: str
    side: Literal["owner", "seeker"]
    body: str
    created_at: datetime


class NdaProposeIn(InputSchema):
    term_months: int = Field(36, description="How long the duty of confidentiality lasts, 1 to 120 months.")


class PaymentIn(InputSchema):
    amount: int = Field(strict=True, description="Minor units of `currency`, above zero.", examples=[150000])
    currency: str = Field(examples=["JPY"])
    date: dt.date = Field(description="When it was received.")
    idempotency_key: str = Field(
        max_length=100, description="Your key for this payment: sending it again records nothing more."
    )
    note: str = Field("", max_length=300, description="For the owners' own records.")


class PaymentOut(Schema):
    revenue_event: int = Field(description="The asset's revenue event (payouts) the payment became.")
    created: bool = Field(description="False when this idempotency key was recorded before.")
    amount: int
    currency: str
    date: dt.date
