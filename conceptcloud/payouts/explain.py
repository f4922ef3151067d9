"""Why a line pays what it pays, in words: one wording for the statement page, its
CSV and the API.

    asset_name(ref)                      “Title” (#12), or “an asset you cannot see (#12)”
    path_text(explanation, earning=)     “Water kit” (#5) → 50% to “Still” (#4) → … → 20% to “Root” (#1)
    explanation_text(explanation, earning=, own=)
                                         one sentence per asset the money came through
    more_text(count)                     the assets a line came through beyond those it names
    statement_csv_rows(lines)            a statement's lines as CSV rows, header first
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from conceptcloud.lineage.forms import percent_text
from conceptcloud.payouts.money import major_text
from conceptcloud.payouts.selectors import AssetRef, Explanation, StatementLine


def _percent(bp: int) -> str:
    return f"{percent_text(bp)}%"


def asset_name(ref: AssetRef) -> str:
    if ref.visible:
        return _("“%(title)s” (#%(id)d)") % {"title": ref.title, "id": ref.asset_id}
    return _("an asset you cannot see (#%(id)d)") % {"id": ref.asset_id}


def path_text(explanation: Explanation, *, earning: AssetRef) -> str:
    """The heaviest path up from the earning asset, each hop with its link's royalty;
    the middle of a long path is shown as “…”."""
    parts = [asset_name(earning)]
    hops = explanation.path
    cut = len(hops) // 2 if explanation.path_length > len(hops) else None
    for n, hop in enumerate(hops):
        if n == cut:
            parts.append(
                ngettext("… %(count)d more link …", "… %(count)d more links …", explanation.path_length - len(hops))
                % {"count": explanation.path_length - len(hops)}
            )
        parts.append(
            _("%(percent)s to %(asset)s") % {"percent": _percent(hop.royalty_bp), "asset": asset_name(hop.asset)}
        )
    return " → ".join(parts)


def explanation_text(explanation: Explanation, *, earning: AssetRef, own: bool = True) -> str:
    """One sentence: whose share of which asset, and how the revenue reached that asset.

    `own`: said to the recipient ("Your share ..." on a statement); otherwise of the
    recipient ("A share of ..." on an event's page, for the earning asset's owners).
    """
    values = {
        "share": _percent(explanation.share_bp),
        "asset": asset_name(explanation.asset),
        "kept": _percent(explanation.kept_bp),
        "percent": f"{explanation.percent}%",
    }
    if explanation.direct:
        if own:
            return _("Your share %(share)s of %(asset)s, whose contributors keep %(kept)s of its revenue.") % values
        return _("A share of %(share)s of %(asset)s, whose contributors keep %(kept)s of its revenue.") % values
    values["path"] = path_text(explanation, earning=earning)
    if own:
        text = (
            _(
                "Your share %(share)s of %(asset)s (its contributors keep %(kept)s), which received %(percent)s of "
                "this revenue along %(path)s."
            )
            % values
        )
    else:
        text = (
            _(
                "A share of %(share)s of %(asset)s (its contributors keep %(kept)s), which received %(percent)s of "
                "this revenue along %(path)s."
            )
            % values
        )
    if explanation.paths > 1:
        text += " " + ngettext(
            "%(count)s path leads there; the heaviest is shown.",
            "%(count)s paths lead there; the heaviest is shown.",
            explanation.paths,
        ) % {"count": f"{explanation.paths:,}"}
    return text


CSV_HEADER = [
    "line",
    "date",
    "kind",
    "amount",
    "currency",
    "amount_minor_units",
    "asset_id",
    "asset_title",
    "event",
    "reference",
    "explanation",
]


def _cell(text: str) -> str:
    # A spreadsheet runs a cell that starts with = + - @ (or a tab or return) as a formula.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def more_text(count: int) -> str:
    """What a line says of the assets it came through beyond those it names."""
    return ngettext(
        "It also came through %(count)s more asset further up the lineage.",
        "It also came through %(count)s more assets further up the lineage.",
        count,
    ) % {"count": f"{count:,}"}


def statement_csv_rows(lines: Iterable[StatementLine]) -> Iterator[list[str]]:
    """A statement's lines as CSV rows, header first: the same lines and words as the page."""
    yield CSV_HEADER
    for line in lines:
        earning = line.earning_asset
        yield [
            str(line.line_id),
            line.date.isoformat(),
            line.kind,
            major_text(line.amount, line.currency),
            line.currency,
            str(line.amount),
            str(earning.asset_id) if earning else "",
            _cell(earning.title or "") if earning else "",
            str(line.event_id or ""),
            _cell(line.payout_reference),
            _cell(
                " ".join(
                    [explanation_text(e, earning=earning) for e in line.explanations]
                    + ([more_text(line.more_sources)] if line.more_sources else [])
                )
            ),
        ]
