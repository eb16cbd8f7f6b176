"""The findings table (the review's Table 3, and the studies added in updates), sortable and filterable in the
browser. Each row says where the study comes from: the published review, or an update with its id and date.

The page holds the first page of the table's pager; findings.json, beside it, holds every row, which tables.js
fetches when the reader first sorts, filters, turns the page or downloads (see evidence/lists.py). Each edition
has its own, in its language.

What tables.js writes (the status line, the pager's labels, the download button's message) comes from the
page, in its language: the template puts the messages on the table as data-* attributes."""

from __future__ import annotations

from markupsafe import Markup

from . import lists, whats_new
from .context import Context, relative_url
from .i18n import N_
from .models import ADDED_IN, NOT_REPORTED, PUBLISHED_REVIEW, REVIEW_ORIGIN, language_name

PAGE = "findings.md"
INDEX = "findings.json"
TABLE = "findings-table"
PAGE_SIZE = lists.PAGE_SIZE
NO_LANGUAGE = "none"
NO_GROUP = "none"
NO_GROUP_LABEL = N_("None (added in an update)")
DOWNLOAD_NAME = "studies-filtered.csv"


def _language(ctx: Context, study) -> tuple[str, str]:
    if not study.language:
        return NO_LANGUAGE, ctx._(NOT_REPORTED)
    return study.language, language_name(study.language, ctx.lang)


def rows(ctx: Context) -> list[dict]:
    result = []
    for index, study in enumerate(ctx.ordered):
        language, language_name = _language(ctx, study)
        origin = study.origin
        result.append(
            {
                "id": study.id,
                "year": study.year,
                "trend_ids": " ".join(study.trends),
                "group": study.group or NO_GROUP,
                "language": language,
                "origin": origin.key,
                "added": origin.added,
                "origin_sort": f"{origin.date or '0000-00-00'} {origin.key}",
                "origin_label": ctx.update_link(PAGE, origin.update) if origin.added else ctx._(PUBLISHED_REVIEW),
                "origin_date": ctx.date(origin.date),
                "sort": f"{index:06d}",
                "citation": ctx.study_link(PAGE, study),
                "title": study.title,
                "title_es": getattr(study, "title_es", None),
                # On the Spanish edition, a verified Spanish original title comes first (as on the study page).
                "original_title": study.original_title if ctx.original_first(study) else None,
                "trends": Markup("; ").join(ctx.trend_link(PAGE, t) for t in study.trends),
                "group_link": ctx.group_link(PAGE, study.group) if study.group else None,
                "language_name": language_name,
                "finding": study.finding,
                "finding_es": getattr(study, "finding_es", None),
            }
        )
    return result


def messages(ctx: Context) -> dict[str, str]:
    """What tables.js writes, in the page's language, for data-* attributes of the table (see lists.messages)."""
    return {
        **lists.messages(ctx),
        "download-failed": ctx._("The rows could not be downloaded: the file of all studies is on the Data page."),
    }


def columns(ctx: Context) -> list[str]:
    """Each column's name: its heading, and the label of its cell when a narrow screen shows a row as a card."""
    return [
        ctx._("Study"),
        ctx._("Origin"),
        ctx._("Title"),
        ctx._("Year"),
        ctx._("Trends"),
        ctx._("Group"),
        ctx._("Language"),
        ctx._("Finding"),
    ]


def findings_table(ctx: Context) -> lists.Table:
    """The table, its rows written by the one template the page and its index share."""
    row = ctx.env.get_template("_findings_row.md.j2").module.row
    return lists.Table(TABLE, rows(ctx), row, (columns(ctx),), page_size=PAGE_SIZE)


def page(ctx: Context, table: lists.Table | None = None) -> str:
    table = table or findings_table(ctx)
    years = sorted({s.year for s in ctx.studies})
    languages = sorted(
        {_language(ctx, s) for s in ctx.studies}, key=lambda pair: (pair[0] == NO_LANGUAGE, pair[1].casefold())
    )
    updates = whats_new.newest_first(ctx.review.updates)
    return ctx.render(
        "findings.md.j2",
        count=len(ctx.studies),
        review_count=len(ctx.review_studies),
        added_count=len(ctx.added),
        tally=whats_new.tally(ctx) if updates else None,
        table=table,
        columns=columns(ctx),
        messages=messages(ctx),
        years=[(y, y) for y in years],
        trends=[(t.id, t.name) for t in ctx.review.trends],
        groups=[(g.id, g.name) for g in ctx.review.groups] + ([(NO_GROUP, ctx._(NO_GROUP_LABEL))] if ctx.added else []),
        languages=languages,
        origins=[(REVIEW_ORIGIN, ctx._(PUBLISHED_REVIEW))]
        + [(u.id, ctx._(ADDED_IN, update=u.id, date=ctx.date(u.date))) for u in updates],
        whats_new_href=relative_url(PAGE, whats_new.PAGE),
        csv_href=ctx.shared_url(PAGE, "data/studies.csv"),
        data_href=relative_url(PAGE, "data.md"),
        references_href=relative_url(PAGE, "references.md"),
        download_name=DOWNLOAD_NAME,
    )


def write(writer, ctx: Context) -> None:
    found = findings_table(ctx)
    lists.write_index(writer, ctx, PAGE, INDEX, [found])
    writer.write(PAGE, page(ctx, found))
