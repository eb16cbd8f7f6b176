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
                "quote": group.quote,
                "notes": group.notes,
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


def trend_page(ctx: Context, trend) -> str:
    page = f"trends/{trend.id}.md"
    studies = ctx.studies_of_trend(trend.id)
    items = [
        {"link": ctx.study_link(page, s), "title": s.title, "group": ctx.review.group(s.group).name} for s in studies
    ]
    conclusions = [f"{c.number}. {c.title}" for c in ctx.review.conclusions if trend.id in c.trends]
    return ctx.render(
        "trend.md.j2",
        trend=trend,
        count=len(studies),
        items=items,
        conclusions=conclusions,
        index_url=relative_url(page, INDEX),
    )


def write(writer, ctx: Context) -> None:
    writer.write(INDEX, index_page(ctx))
    for trend in ctx.review.trends:
        writer.write(f"trends/{trend.id}.md", trend_page(ctx, trend))
