"""The trend index with its evidence matrices, and one page per trend.

The index names at most CELL_LIMIT studies in a cell, a trend's row or a group's list, with a link to the rest: the
trend's page, or the findings table filtered to them, so that it stays light however many studies there are. A
trend's page lists all its studies; past lists.PAGE_SIZE, the page holds the first ones and trends/<id>.json all of
them (see lists.py)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from markupsafe import Markup

from . import lists
from .context import Context, relative_url
from .i18n import N_
from .markup import escape
from .models import NOT_REPORTED

INDEX = "trends/index.md"


CELL_LIMIT = 12  # studies listed in one cell of the index; the rest are one link away


def _findings(page: str, filters: dict) -> str:
    """The findings table, filtered."""
    return relative_url(page, "findings.md") + "?" + urlencode(filters)


def _citations(ctx: Context, page: str, studies, more: str | None = None) -> Markup:
    """Linked in-text citations; past CELL_LIMIT (when `more` is the address of them all), a link to the rest."""
    if not studies:
        return Markup('<span class="empty">{}</span>').format(escape(ctx._("none")))
    shown = studies if more is None or len(studies) <= CELL_LIMIT else studies[:CELL_LIMIT]
    links = Markup("; ").join(ctx.study_link(page, s) for s in shown)
    if len(shown) < len(studies):
        rest = ctx.ngettext("and %(num)s more", "and %(num)s more", len(studies) - len(shown))
        links += Markup(f'; <a href="{escape(more)}">{escape(rest)}</a>')
    return links


def index_page(ctx: Context) -> str:
    years = ctx.review.years(ctx.studies)
    trends, by_year, by_group = [], [], []
    for trend in ctx.review.trends:
        studies = ctx.studies_of_trend(trend.id)
        link = ctx.trend_link(INDEX, trend.id)
        trend_url = relative_url(INDEX, f"trends/{trend.id}.md")
        trends.append({"link": link, "count": len(studies), "citations": _citations(ctx, INDEX, studies, trend_url)})
        by_year.append(
            {
                "label": link,
                "cells": [
                    _citations(
                        ctx,
                        INDEX,
                        [s for s in studies if s.year == y],
                        _findings(INDEX, {"trends": trend.id, "year": y}),
                    )
                    for y in years
                ],
            }
        )
        by_group.append(
            {
                "label": link,
                "cells": [
                    _citations(
                        ctx,
                        INDEX,
                        [s for s in studies if s.group == g.id],
                        _findings(INDEX, {"trends": trend.id, "group": g.id}),
                    )
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
                "reported": ctx.number(group.reported_count)
                if isinstance(group.reported_count, int)
                else ctx._("not reported")
                if group.reported_count == NOT_REPORTED
                else group.reported_count,
                "coded": ctx.number(len(studies)),
                "passage": _quote(group.passage),
                "ours": group.ours,
                # What the review leaves open about one of its groups (its own readings are shown apart).
                "silent": "" if group.ours else ctx.group_note(group),
                "citations": _citations(ctx, INDEX, studies, _findings(INDEX, {"group": group.id})),
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


NAME_REASON = N_(
    "The name of this trend is this site's label, taken from the words of its paragraphs: the review gives its "
    "trends no names."
)
PASS_LABELS = {"first": N_("First pass (paragraphs 9 to 16)"), "second": N_("Second pass (paragraphs 19 to 25)")}
NOT_IN_PASS = {
    "first": N_("The first pass has no paragraph on this trend."),
    "second": N_("The second pass has no paragraph on this trend."),
}


OWN = N_("Not a study of the published review: its own file puts it in this trend.")
_PARAGRAPHS = re.compile(r"Discussion, paragraph(?P<plural>s?) (?P<number>.+)\Z")


def _paragraph(ctx: Context, place: str) -> str:
    """A paragraph of the Discussion without the section's name ("paragraph 9"); another place in full."""
    found = _PARAGRAPHS.match(place)
    if not found:
        return ctx.language.place(place)
    if found["plural"]:
        return ctx._("paragraphs %(range)s", range=found["number"])
    return ctx._("paragraph %(number)s", number=found["number"])


def _cited(ctx: Context, paragraphs) -> str:
    """The paragraphs that cite a study; one this site attached to the trend says so."""
    places = [
        _paragraph(ctx, p.place) + (" " + ctx._("(attached to this trend by this site)") if p.ours else "")
        for p in paragraphs
    ]
    return "; ".join(places) or ctx._("not cited")


def _added(ctx: Context, study) -> str:
    """Why a study added in an update is in a trend of the review."""
    origin = ctx._("Added in %(update)s (%(date)s)", update=study.origin.update, date=ctx.date(study.origin.date))
    return ctx._("%(origin)s: assigned to this trend in that update, not by the review.", origin=origin)


def _quote(paragraph) -> dict:
    """A paragraph of the review for _review_quote.md.j2: its words, this site's translation, where it stands."""
    return {"text": paragraph.text, "text_es": getattr(paragraph, "text_es", None), "place": paragraph.place}


def trend_page(ctx: Context, trend, writer=None) -> str:
    """A trend's page; with a writer, also the index of its studies when they are more than its page holds."""
    page = f"trends/{trend.id}.md"
    members = {m.study: m for m in ctx.memberships if m.trend == trend.id}
    studies = [s for s in ctx.ordered if s.id in members]
    items = [
        {
            "link": ctx.study_link(page, s),
            "title": ctx.title(s),
            "first": _cited(ctx, members[s.id].first),
            "second": _cited(ctx, members[s.id].second),
            "ours": members[s.id].ours,
            "own": _added(ctx, s) if s.added else ctx._(OWN) if members[s.id].own else None,
        }
        for s in studies
    ]
    conclusions = [
        {
            "label": Markup('{}. <span lang="en">{}</span>').format(c.number, escape(c.title)),
            "href": relative_url(page, "conclusions.md") + f"#conclusion-{c.number}",
            "reason": link.reason,
        }
        for c in ctx.review.conclusions
        for link in c.links
        if trend.id in link.trends
    ]
    passes = [
        {
            "id": name,
            "label": ctx._(PASS_LABELS[name]),
            "paragraphs": [{**_quote(p), "ours": p.ours} for p in paragraphs],
            "empty": ctx._(NOT_IN_PASS[name]),
        }
        for name, paragraphs in trend.passes.items()
    ]
    row = ctx.env.get_template("_trend_row.md.j2").module.study_row
    table = lists.Table("trend-studies", items, row)
    if writer is not None and table.long:
        lists.write_index(writer, ctx, page, f"trends/{trend.id}.json", [table])
    return ctx.render(
        "trend.md.j2",
        trend=trend,
        name_reason=ctx._(NAME_REASON),
        passes=passes,
        passes_differ=trend.passes_differ,
        count=len(studies),
        table=table,
        messages=lists.messages(ctx),
        csv_href=ctx.shared_url(page, "data/studies.csv"),
        data_href=relative_url(page, "data.md"),
        references_href=relative_url(page, "references.md"),
        conclusions=conclusions,
        index_url=relative_url(page, INDEX),
    )


def write(writer, ctx: Context) -> None:
    writer.write(INDEX, index_page(ctx))
    for trend in ctx.review.trends:
        writer.write(f"trends/{trend.id}.md", trend_page(ctx, trend, writer))
