"""The trend index with its evidence matrices, and one page per trend."""

from __future__ import annotations

from urllib.parse import urlencode

from markupsafe import Markup

from .context import Context, relative_url
from .markup import escape

INDEX = "trends/index.md"


CELL_LIMIT = 12  # studies listed in one matrix cell; the rest are one link away, in the filtered findings table


def _citations(ctx: Context, page: str, studies, more: dict | None = None) -> Markup:
    """Linked in-text citations; past CELL_LIMIT (when `more` gives the filters), a link to the rest."""
    if not studies:
        return Markup('<span class="empty">none</span>')
    shown = studies if more is None or len(studies) <= CELL_LIMIT else studies[:CELL_LIMIT]
    links = Markup("; ").join(ctx.study_link(page, s) for s in shown)
    if len(shown) < len(studies):
        url = relative_url(page, "findings.md") + "?" + urlencode(more)
        links += Markup(f'; <a href="{escape(url)}">and {len(studies) - len(shown)} more</a>')
    return links


def index_page(ctx: Context) -> str:
    years = ctx.review.years(ctx.studies)
    trends, by_year, by_group = [], [], []
    for trend in ctx.review.trends:
        studies = ctx.studies_of_trend(trend.id)
        link = ctx.trend_link(INDEX, trend.id)
        trends.append({"link": link, "count": len(studies), "citations": _citations(ctx, INDEX, studies)})
        by_year.append(
            {
                "label": link,
                "cells": [
                    _citations(ctx, INDEX, [s for s in studies if s.year == y], {"trends": trend.id, "year": y})
                    for y in years
                ],
            }
        )
        by_group.append(
            {
                "label": link,
                "cells": [
                    _citations(ctx, INDEX, [s for s in studies if s.group == g.id], {"trends": trend.id, "group": g.id})
                    for g in ctx.review.groups
                ],
            }
        )
    groups = []
    for group in ctx.review.groups:
        studies = ctx.studies_of_group(group.id)
        groups.append(
            {
                "id": group.id,
                "name": group.name,
                "reported": group.reported_count,
                "coded": len(studies),
                "passage": group.passage,
                "ours": group.ours,
                "silent": next(
                    (
                        c.note
                        for c in ctx.reconciliation.counts
                        if c.topic == "group" and c.key == group.id and not group.ours
                    ),
                    "",
                ),
                "citations": _citations(ctx, INDEX, studies),
            }
        )
    return ctx.render(
        "trend_index.md.j2",
        trends=trends,
        years=years,
        by_year=by_year,
        group_heads=[g.name for g in ctx.review.groups],
        by_group=by_group,
        groups=groups,
        checks_url=relative_url(INDEX, "checks.md"),
    )


NAME_REASON = (
    "The name of this trend is this site's label, taken from the words of its paragraphs: the review gives its "
    "trends no names."
)
PASS_LABELS = {"first": "First pass (paragraphs 9 to 16)", "second": "Second pass (paragraphs 19 to 25)"}
NOT_IN_PASS = {
    "first": "The first pass has no paragraph on this trend.",
    "second": "The second pass has no paragraph on this trend.",
}


OWN = "Not a study of the published review: its own file puts it in this trend."


def _cited(paragraphs) -> str:
    """The paragraphs that cite a study; one this site attached to the trend says so."""
    places = [
        p.place.replace("Discussion, ", "") + (" (attached to this trend by this site)" if p.ours else "")
        for p in paragraphs
    ]
    return "; ".join(places) or "not cited"


def trend_page(ctx: Context, trend) -> str:
    page = f"trends/{trend.id}.md"
    members = {m.study: m for m in ctx.memberships if m.trend == trend.id}
    studies = [s for s in ctx.ordered if s.id in members]
    items = [
        {
            "link": ctx.study_link(page, s),
            "title": s.title,
            "first": _cited(members[s.id].first),
            "second": _cited(members[s.id].second),
            "ours": members[s.id].ours,
            "own": f"{s.origin.label}: assigned to this trend in that update, not by the review."
            if s.added
            else OWN
            if members[s.id].own
            else None,
        }
        for s in studies
    ]
    conclusions = [
        {
            "label": f"{c.number}. {c.title}",
            "href": relative_url(page, "conclusions.md") + f"#conclusion-{c.number}",
            "reason": link.reason,
        }
        for c in ctx.review.conclusions
        for link in c.links
        if trend.id in link.trends
    ]
    passes = [
        {"id": name, "label": PASS_LABELS[name], "paragraphs": paragraphs, "empty": NOT_IN_PASS[name]}
        for name, paragraphs in trend.passes.items()
    ]
    return ctx.render(
        "trend.md.j2",
        trend=trend,
        name_reason=NAME_REASON,
        passes=passes,
        passes_differ=trend.passes_differ,
        count=len(studies),
        items=items,
        conclusions=conclusions,
        index_url=relative_url(page, INDEX),
    )


def write(writer, ctx: Context) -> None:
    writer.write(INDEX, index_page(ctx))
    for trend in ctx.review.trends:
        writer.write(f"trends/{trend.id}.md", trend_page(ctx, trend))
