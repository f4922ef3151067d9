"""Request and response shapes of the lineage API (terms, contributors, share
proposals, derivation links, the lineage graph).

Percentages are integer basis points: 10000 = 100%. An asset another party
may not see is named by id alone (`AssetRefOut` with `title` and `url` null).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from conceptcloud.core.api import InputSchema
from conceptcloud.lineage.models import (
    FULL_SHARE,
    MAX_PARENTS,
    Derivation,
    LineageTerms,
    Role,
    ShareProposal,
)
from conceptcloud.registry.schemas import AssetIn

RoleName = Literal[tuple(Role.values)]
Agreement = Literal[tuple(LineageTerms.Agreement.values)]


class TermsIn(InputSchema):
    derivative_royalty_bp: int = Field(
        ge=0, le=FULL_SHARE, description="Royalty asked of each asset built on this one, in basis points.", examples=[500]
    )
    derivatives_need_approval: bool = Field(description="Links to this asset wait for the owners' approval.")
    share_changes_need: Agreement = Field(
        description="owner: the owners change contributor shares alone; contributors: every current "
        "contributor must agree.",
        examples=["contributors"],
    )


class TermsOut(Schema):
    derivative_royalty_bp: int
    derivatives_need_approval: bool
    share_changes_need: str


class ContributorOut(Schema):
    username: str
    display_name: str
    role: str
    share_bp: int
    implicit: bool = Field(description="No shares were set yet: the registrant counts as originator with 100%.")


class ContributionIn(InputSchema):
    username: str = Field(examples=["hanako"])
    role: RoleName = Field(examples=["originator"])
    share_bp: int = Field(description="Basis points, 1 to 10000.", examples=[6000])


class ContributionOut(Schema):
    user: str
    role: str
    share_bp: int


class ProposalIn(InputSchema):
    contributions: list[ContributionIn] = Field(
        description="The full new set: every contributor once, shares adding up to exactly 10000.",
        examples=[[{"username": "hanako", "role": "originator", "share_bp": 6000},
                   {"username": "taro", "role": "improver", "share_bp": 4000}]],
    )


class AssetRefOut(Schema):
    id: int
    title: str | None = Field(description="Null when you may not see the asset.")
    url: str | None = Field(description="The asset in the API; null when you may not see it.")


class ShareProposalOut(Schema):
    id: int
    asset: AssetRefOut
    proposed_by: str
    contributions: list[ContributionOut]
    needed: list[str] = Field(description="Whose agreement the proposal needs (empty: the owners decided).")
    agreed: list[str]
    waiting_for: list[str]
    status: Literal[tuple(ShareProposal.Status.values)]
    created_at: datetime
    decided_at: datetime | None


class DerivativeIn(AssetIn):
    combine_with: list[int] = Field(
        default_factory=list,
        max_length=MAX_PARENTS,
        description="Other assets the new one combines with the asset in the path (ids); "
        "empty: it improves that asset alone.",
        examples=[[42]],
    )


class ParentIn(InputSchema):
    parent_id: int = Field(description="The asset this one builds on.", examples=[42])


class DerivationOut(Schema):
    id: int
    parent: AssetRefOut
    child: AssetRefOut
    relation: Literal[tuple(Derivation.Relation.values)]
    royalty_bp: int
    status: Literal[tuple(Derivation.Status.values)]
    requested_by: str
    decided_by: str | None
    created_at: datetime
    decided_at: datetime | None


class DerivativeOut(Schema):
    asset: AssetRefOut
    links: list[DerivationOut]


class LineageNodeOut(Schema):
    id: int
    title: str | None = Field(description="Null for an asset you may not see (a placeholder).")
    kind: str | None
    url: str | None
    visible: bool
    depth: int = Field(description="Longest path to the asset asked about: ancestors negative, descendants positive.")
    first_idea: bool = Field(description="The earliest registered root among the asset and its ancestors.")
    focus: bool


class LineageEdgeOut(Schema):
    parent_id: int
    child_id: int
    relation: str
    royalty_bp: int
    status: str


class LineageGraphOut(Schema):
    focus: int
    first_idea: int
    nodes: list[LineageNodeOut]
    edges: list[LineageEdgeOut]
