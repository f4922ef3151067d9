"""Request and response shapes of the accounts API: organisations, people, tokens.

Public shapes never carry e-mail addresses; only `ProfileOut` (your own
profile) does. A token's secret appears once, in `TokenCreated`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from conceptcloud.accounts.models import Membership, Organisation
from conceptcloud.core.api import InputSchema, QuerySchema, patch_schema

OrganisationKind = Literal[tuple(Organisation.Kind.values)]
Role = Literal[tuple(Membership.Role.values)]


class OrganisationIn(InputSchema):
    name: str = Field(max_length=200, examples=["Tokyo University TLO"])
    kind: OrganisationKind = Field(examples=["tlo"])
    country: str = Field(description="ISO 3166-1 alpha-2 code.", examples=["JP"])
    website: str = Field("", examples=["https://tlo.example.ac.jp/"])
    ror_id: str = Field("", description="Research Organization Registry id (9 characters).", examples=["057zh3y96"])
    description: str = Field("", max_length=5000)


OrganisationPatch = patch_schema(OrganisationIn, name="OrganisationPatch")


class OrganisationOut(Schema):
    slug: str = Field(description="The organisation's id in URLs.")
    url: str
    name: str
    kind: str
    country: str
    website: str
    ror_id: str
    description: str
    created_at: datetime


class OrganisationQuery(QuerySchema):
    q: str = Field("", max_length=100, description="Words in the name or description.")
    kind: OrganisationKind | None = None
    country: str = Field("", description="ISO 3166-1 alpha-2 code.")


class MemberOut(Schema):
    username: str
    display_name: str
    role: str
    since: datetime


class InvitationIn(InputSchema):
    email: str = Field(max_length=254, examples=["hanako@example.org"])
    role: Role = "member"


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    created_at: datetime
    expires_at: datetime


class PersonOut(Schema):
    username: str
    url: str
    display_name: str
    affiliation: str
    country: str
    languages: list[str] = Field(description="ISO 639-1 codes.")
    skills: list[str]
    bio: str
    orcid: str
    show_praise: bool = Field(description="Whether the person's name appears in the lists of who praised an asset.")


class ProfileOut(PersonOut):
    email: str


class PersonQuery(QuerySchema):
    q: str = Field("", max_length=100, description="Words in the name, username, affiliation or skills.")
    country: str = ""
    skill: str = Field("", max_length=60)
    sort: str = Field("", description="Empty for by username; reputation for the highest first.")
    standing: str = Field("", description="top10, top25 or top50 by reputation.")


class ProfileIn(InputSchema):
    display_name: str = Field("", max_length=120, examples=["Hanako Yamada"])
    affiliation: str = Field("", max_length=200, examples=["Tokyo University TLO"])
    country: str = Field("", description="ISO 3166-1 alpha-2 code.", examples=["JP"])
    languages: list[str] = Field(default_factory=list, description="ISO 639-1 codes.", examples=[["ja", "en"]])
    skills: list[str] = Field(default_factory=list, examples=[["licensing", "robotics"]])
    bio: str = Field("", max_length=2000)
    orcid: str = Field("", description="ORCID iD, 0000-0000-0000-000X.", examples=["0000-0002-1825-0097"])
    show_praise: bool = Field(True, description="Show your name in the lists of who praised an asset.")


ProfilePatch = patch_schema(ProfileIn, name="ProfilePatch")


class TokenIn(InputSchema):
    name: str = Field(max_length=100, description="What the token is for.", examples=["nightly import script"])


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The first characters of the secret, to recognise it.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    secret: str = Field(description="Send as 'Authorization: Bearer <secret>'. Shown only now: store it safely.")
