"""Request and response shapes of the payouts API (revenue events, refunds, payouts,
statements).

Amounts are integers in the currency's minor units (cents for EUR, yen for JPY:
`minor_units` says how many decimals the currency has); `display` is the same
amount formatted for the request's language. Percentages of royalties and shares
are basis points (10000 = 100%); `percent` of an explanation is the percentage of
the event's revenue that reached an asset, to 6 significant digits, and
`fraction` the same exactly ("n/d") where it is short.
"""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from conceptcloud.core.api import InputSchema, QuerySchema
from conceptcloud.core.pagination import Page
from conceptcloud.lineage.schemas import AssetRefOut

AMOUNT_HELP = "Minor units of the currency (cents, yen): a whole number from 1 to 2^53 − 1."


class RevenueIn(InputSchema):
    amount: int = Field(strict=True, description=AMOUNT_HELP, examples=[125050])
    currency: str = Field(description="ISO 4217 code.", examples=["EUR"])
    date: datetime.date | None = Field(None, description="When the money was received; today when left out.")
    idempotency_key: str = Field(
        max_length=100,
        description="Unique to this payment on this asset (e.g. the bank transaction number): sending the same "
        "key again returns the first event (200) and pays nothing twice.",
        examples=["bank-2026-01-15-0042"],
    )
    note: str = Field("", max_length=300, description="For the asset's owners only.")


class RefundIn(InputSchema):
    amount: int = Field(strict=True, description="How much to give back, " + AMOUNT_HELP, examples=[5000])
    currency: str | None = Field(None, description="Must be the event's currency; the event's when left out.")
    date: datetime.date | None = Field(None, description="When the money was refunded; today when left out.")
    idempotency_key: str = Field(max_length=100, examples=["refund-2026-02-01"])
    note: str = Field("", max_length=300)


class PayoutIn(InputSchema):
    account: str = Field(
        description="Whose balance: `user:<username>` (the operator) or `org:<slug>` (its admins, the operator).",
        examples=["org:kansai-tlo"],
    )
    amount: int = Field(strict=True, description=AMOUNT_HELP, examples=[40000])
    currency: str = Field(examples=["EUR"])
    idempotency_key: str = Field(max_length=100, examples=["transfer-7731"])
    reference: str = Field("", max_length=200, description="How the money was sent, e.g. a transfer reference.")


class StatementQuery(QuerySchema):
    account: str = Field(
        "me",
        description="`me` (default), `org:<slug>` for an organisation you administer; the operator also "
        "`user:<username>`.",
    )


class MoneyOut(Schema):
    amount: int = Field(description="Minor units.")
    currency: str
    minor_units: int = Field(description="Decimals of the currency (2 for EUR, 0 for JPY).")
    display: str = Field(description="Formatted for the request's language.", examples=["€1,250.50"])


class HopOut(Schema):
    asset: AssetRefOut
    royalty_bp: int = Field(description="Royalty of the link up to this asset.")


class ExplanationOut(Schema):
    asset: AssetRefOut = Field(description="The asset whose contributors were paid.")
    direct: bool = Field(description="It is the asset that earned the revenue.")
    percent: str = Field(description="Percentage of the event's revenue that reached the asset.", examples=["5"])
    fraction: str | None = Field(description="The same exactly, as n/d, when short.", examples=["1/20"])
    kept_bp: int = Field(description="What the asset's contributors keep of what reaches it.")
    share_bp: int = Field(description="The recipient's share of that.")
    path: list[HopOut] = Field(
        description="The heaviest path up from the earning asset (the middle of a long one left out)."
    )
    path_length: int = Field(description="Links on that path.")
    paths: int = Field(description="How many paths reach the asset (at most 10^12 is counted).")
    text: str = Field(description="The same in words, in the request's language.")


class StatementLineOut(Schema):
    id: int
    kind: str = Field(description="revenue, refund or payout", examples=["revenue"])
    date: datetime.date
    created_at: datetime.datetime
    amount: MoneyOut = Field(description="Positive: paid to the account; negative: taken from it.")
    asset: AssetRefOut | None = Field(description="The asset that earned the revenue (null for a payout).")
    event: int | None
    reference: str = Field(description="A payout's reference.")
    explanations: list[ExplanationOut] = Field(description="At most 50, nearest the earning asset first.")
    more_sources: int = Field(description="Further assets the money came through, not listed.")


class StatementOut(Page[StatementLineOut]):
    account: str = Field(examples=["me"])
    label: str = Field(description="The person's or organisation's name.")
    kind: str = Field(description="user or org")
    balances: list[MoneyOut] = Field(description="What has not been paid out, per currency.")


class StatementOwnerOut(Schema):
    account: str
    label: str
    kind: str
    balances: list[MoneyOut]


class RevenueEventOut(Schema):
    id: int
    asset: int
    amount: MoneyOut = Field(description="Negative for a refund.")
    date: datetime.date
    source: str = Field(description="deal or manual")
    deal: int | None
    refund_of: int | None
    idempotency_key: str
    note: str
    recorded_by: str
    created_at: datetime.datetime
    distributed: bool = Field(description="Its lines are posted (a large lineage is shared out by a task).")
    refunded: MoneyOut | None = Field(description="Refunded so far (revenue only).")
    refundable: MoneyOut | None = Field(description="What remains to be refunded (revenue only).")


class RecipientLineOut(Schema):
    recipient: str = Field(description="The person's or organisation's name.")
    amount: MoneyOut
    remaining: MoneyOut = Field(description="After the refunds so far.")
    explanations: list[ExplanationOut] = Field(description="At most 50, nearest the earning asset first.")
    more_sources: int = Field(description="Further assets the money came through, not listed.")


class RevenueEventDetailOut(RevenueEventOut):
    lines: list[RecipientLineOut]


class PayoutOut(Schema):
    id: int
    account: str
    amount: MoneyOut
    reference: str
    recorded_by: str
    created_at: datetime.datetime
