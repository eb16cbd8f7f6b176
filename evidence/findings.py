"""The findings table (the review's Table 3, and the studies added in updates), sortable and filterable in the
browser. Each row says where the study comes from: the published review, or an update with its id and date.

What tables.js writes (the status line, the pager's labels, the download button's message) comes from the
page, in its language: the template puts the messages on the table as data-* attributes."""

from __future__ import annotations

from markupsafe import Markup

from . import whats_new
from .context import Context, relative_url
from .i18n import N_
from .models import ADDED_IN, NOT_REPORTED, PUBLISHED_REVIEW, REVIEW_ORIGIN, language_name

PAGE = "findings.md"
PAGE_SIZE = 50
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
    """What tables.js writes, in the page's language, for data-* attributes of the table: `{num}` and `{shown}`
    stand for numbers it fills in; `-one` and `-other` are the plural forms (Intl.PluralRules' categories)."""
    return {
        "status-one": ctx.ngettext("%(num)s study", "%(num)s studies", 1, num="{num}"),
        "status-other": ctx.ngettext("%(num)s study", "%(num)s studies", 2, num="{num}"),
        "status-filtered-one": ctx.ngettext(
            "%(shown)s of %(num)s study", "%(shown)s of %(num)s studies", 1, num="{num}", shown="{shown}"
        ),
        "status-filtered-other": ctx.ngettext(
            "%(shown)s of %(num)s study", "%(shown)s of %(num)s studies", 2, num="{num}", shown="{shown}"
        ),
        "page-label": ctx._("Page %(num)s", num="{num}"),
        "download-failed": ctx._("The rows could not be downloaded: the file of all studies is on the Data page."),
    }


def page(ctx: Context) -> str:
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
        rows=rows(ctx),
        page_size=PAGE_SIZE,
        messages=messages(ctx),
        years=[(y, y) for y in years],
        trends=[(t.id, t.name) for t in ctx.review.trends],
        groups=[(g.id, g.name) for g in ctx.review.groups] + ([(NO_GROUP, ctx._(NO_GROUP_LABEL))] if ctx.added else []),
        languages=languages,
        origins=[(REVIEW_ORIGIN, ctx._(PUBLISHED_REVIEW))]
        + [(u.id, ctx._(ADDED_IN, update=u.id, date=ctx.date(u.date))) for u in updates],
        whats_new_href=relative_url(PAGE, whats_new.PAGE),
        csv_href=ctx.shared_url(PAGE, "data/studies.csv"),
        download_name=DOWNLOAD_NAME,
    )


def write(writer, ctx: Context) -> None:
    writer.write(PAGE, page(ctx))
