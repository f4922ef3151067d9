"""Request and response shapes of the registry API (assets, versions, files, grants, needs).

An asset answers in one of three shapes, told apart by `access`:

    AssetTeaserView   access "teaser"   title, summary, codes... no details
    AssetFullView     access "full"     + details, ip_records, attachments
    AssetManageView   access "manage"   + withdrawn_by_operator (the owners' own state)

so a teaser answer cannot carry the confidential fields even by mistake: the
schema has no place for them. Lists carry `AssetTeaserOut` items only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from conceptcloud.core.api import InputSchema, QuerySchema, patch_schema
from conceptcloud.registry.models import Asset, IpRecord, Need
from conceptcloud.registry.vocab import IP_OFFICES

AssetKind = Literal[tuple(Asset.Kind.values)]
Visibility = Literal[tuple(Asset.Visibility.values)]
AssetStatus = Literal[tuple(Asset.Status.values)]
Availability = Literal[tuple(Asset.Availability.values)]
IpOffice = Literal[tuple(IP_OFFICES)]
IpKind = Literal[tuple(IpRecord.Kind.values)]
IpStatus = Literal[tuple(IpRecord.Status.values)]
NeedStatus = Literal[tuple(Need.Status.values)]
DealType = Literal[tuple(Need.DealType.values)]
Language = Literal["en", "ja"]



def _sdgs():
    return Field(default_factory=list, description="Sustainable Development Goals, numbers 1 to 17.", examples=[[7, 13]])


def _countries():
    return Field(default_factory=list, description="ISO 3166-1 alpha-2 codes.", examples=[["JP", "KE"]])


class IpRecordIn(InputSchema):
    office: IpOffice = Field(description="The office: JP, US, EP, WO, CN, KR, GB, DE or OTHER.", examples=["JP"])
    number: str = Field(max_length=40, description="Application, patent or registration number.", examples=["JP2021-123456"])
    kind: IpKind = Field(examples=["patent"])
    status: IpStatus = Field(examples=["granted"])
    filing_date: date | None = None
    expiry_date: date | None = None


class IpRecordOut(Schema):
    office: str
    number: str
    kind: str
    status: str
    filing_date: date | None
    expiry_date: date | None


class AssetFields(InputSchema):
    """What an asset's owners write and may change later."""

    kind: AssetKind = Field(examples=["technology"])
    title: str = Field(max_length=300, examples=["Gear bearing drive"])
    summary: str = Field(
        max_length=2000,
        description="The non-confidential teaser everyone who can see the asset reads.",
        examples=["A gear and a bearing in one compact unit for robot joints."],
    )
    details: str = Field(
        "",
        max_length=100_000,
        description="Details: visible only with full access (see `visibility`).",
        examples=["Tolerances, materials and test results."],
    )
    language: Language = "en"
    visibility: Visibility = Field(
        "public",
        description="public: details for anyone; members: for signed-in people; "
        "confidential: for the owners and people granted access.",
    )
    trl: int | None = Field(None, description="Technology readiness level, 1 to 9.", examples=[4])
    sdgs: list[int] = _sdgs()
    cpc_codes: list[str] = Field(
        default_factory=list, description="Cooperative Patent Classification symbols.", examples=[["F16H1/32"]]
    )
    keywords: list[str] = Field(default_factory=list, examples=[["robotics", "gears"]])
    countries_developed: list[str] = _countries()
    countries_deployed: list[str] = _countries()
    availability: list[Availability] = Field(default_factory=list, examples=[["licence", "collaboration"]])
    rights_statement: str = Field(
        "",
        description="A Creative Commons licence or RightsStatements.org statement URI.",
        examples=["https://creativecommons.org/licenses/by/4.0/"],
    )
    reference: str = Field("", max_length=80, description="The owner's own reference, e.g. a case number.")
    ip_records: list[IpRecordIn] = Field(default_factory=list, description="Patents and other registrations.")


class AssetIn(AssetFields):
    owner_org: str = Field(
        "",
        description="Slug of an organisation you belong to that owns the asset; empty: you own it yourself.",
        examples=["tokyo-tlo"],
    )
    publish: bool = Field(True, description="Publish at once (true) or keep as a draft only its owners see.")


class AssetPatch(patch_schema(AssetFields, name="AssetFieldsPatch")):
    note: str = Field("", max_length=300, description="A note on the change, kept with the new version.")


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int = Field(description="Bytes.")
    sha256: str
    created_at: datetime
    url: str = Field(description="Where to download the file.")


class AssetTeaserOut(Schema):
    id: int
    url: str = Field(description="This asset in the API.")
    kind: str
    title: str
    summary: str
    language: str
    visibility: str
    status: str
    trl: int | None
    sdgs: list[int]
    cpc_codes: list[str]
    keywords: list[str]
    countries_developed: list[str]
    countries_deployed: list[str]
    availability: list[str]
    rights_statement: str
    reference: str
    owner_org: str | None = Field(description="Slug of the owning organisation.")
    owner_user: str | None = Field(description="Username of the owning person, for assets owned by a person.")
    version: int
    created_at: datetime
    updated_at: datetime


class AssetTeaserView(AssetTeaserOut):
    access: Literal["teaser"] = Field(description="You see the teaser only: details, IP records and files are hidden.")


class AssetFullView(AssetTeaserOut):
    access: Literal["full"] = Field(description="You may read everything: details, IP records and files.")
    details: str
    ip_records: list[IpRecordOut]
    attachments: list[AttachmentOut]


class AssetManageView(AssetFullView):
    access: Literal["manage"] = Field(description="You may read everything and change it.")
    withdrawn_by_operator: bool = Field(
        description="The operator withdrew the asset: only the operator can change its status until they review it."
    )


AssetOut = Annotated[AssetManageView | AssetFullView | AssetTeaserView, Field(discriminator="access")]


class AssetQuery(QuerySchema):
    q: str = Field(
        "", max_length=200,
        description="Words in the title, summary, keywords (and details where you may read them).",
    )
    kind: AssetKind | None = None
    sdg: int | None = Field(None, ge=1, le=17)
    country: str = Field("", description="ISO 3166-1 alpha-2 code (developed or deployed in).")
    availability: Availability | None = None
    organisation: str = Field("", description="Owning organisation's slug.")
    status: AssetStatus | None = Field(None, description="Drafts and withdrawn assets appear only to their owners.")
    sort: str = Field("newest", description="newest, updated, title, praise (most praised first) or reputation.")
    standing: str = Field("", description="praised (at least one praise), or top10, top25, top50 by reputation.")


class AssetStatusIn(InputSchema):
    status: AssetStatus = Field(examples=["withdrawn"])
    reason: str = Field("", max_length=300, examples=["Superseded by a newer design."])


class VersionOut(Schema):
    number: int
    created_at: datetime
    author: str
    note: str
    snapshot: dict[str, Any] = Field(description="The asset's state in this version, within your access.")


class ChangeOut(Schema):
    field: str
    before: Any
    after: Any


class VersionDiffOut(VersionOut):
    changes: list[ChangeOut] = Field(description="Fields that differ from the version before.")


class GrantIn(InputSchema):
    username: str = Field(examples=["hanako"])
    reason: str = Field("", max_length=200, examples=["NDA of 2025-04-01"])


class GrantOut(Schema):
    username: str
    reason: str
    granted_by: str
    created_at: datetime


class NeedFields(InputSchema):
    title: str = Field(max_length=300, examples=["Low-cost water purification for rural clinics"])
    description: str = Field(max_length=100_000, examples=["We look for a technology that..."])
    sdgs: list[int] = _sdgs()
    countries: list[str] = _countries()
    region: str = Field("", max_length=100)
    sector: str = Field("", max_length=100, examples=["Health"])
    deal_types: list[DealType] = Field(default_factory=list, examples=[["licence"]])
    budget_min: int | None = Field(None, ge=0, description="Whole units of `budget_currency`.")
    budget_max: int | None = Field(None, ge=0)
    budget_currency: str = Field("", description="ISO 4217 code.", examples=["JPY"])
    deadline: date | None = None
    reference: str = Field("", max_length=80)


class NeedIn(NeedFields):
    seeker_org: str = Field(description="Slug of an organisation you belong to.", examples=["kenya-water-ngo"])


NeedPatch = patch_schema(NeedFields, name="NeedPatch")


class NeedOut(Schema):
    id: int
    url: str
    title: str
    description: str
    seeker_org: str
    seeker_org_name: str
    sdgs: list[int]
    countries: list[str]
    region: str
    sector: str
    deal_types: list[str]
    budget_min: int | None
    budget_max: int | None
    budget_currency: str
    deadline: date | None
    status: str
    reference: str
    created_at: datetime
    updated_at: datetime


class NeedQuery(QuerySchema):
    q: str = Field("", max_length=200)
    sdg: int | None = Field(None, ge=1, le=17)
    country: str = ""
    status: NeedStatus | None = None
    organisation: str = Field("", description="Seeking organisation's slug.")
    deal_type: DealType | None = None


class NeedStatusIn(InputSchema):
    status: NeedStatus = Field(examples=["solved"])
