"""The findings table (the review's Table 3, and the studies added in updates), sortable and filterable in the
browser. Each row says where the study comes from: the published review, or an update with its id and date."""

from __future__ import annotations

from markupsafe import Markup

from . import whats_new
from .context import Context, relative_url
from .models import PUBLISHED_REVIEW, REVIEW_ORIGIN, language_name

PAGE = "findings.md"
PAGE_SIZE = 50
NO_LANGUAGE = "none"
NO_GROUP = "none"


def _language(study) -> tuple[str, str]:
    if not study.language:
        return NO_LANGUAGE, "not reported"
    return study.language, language_name(study.language)


def rows(ctx: Context) -> list[dict]:
    result = []
    for index, study in enumerate(ctx.ordered):
        language, language_name = _language(study)
        origin = study.origin
        result.append(
            {
                "year": study.year,
                "trend_ids": " ".join(study.trends),
                "group": study.group or NO_GROUP,
                "language": language,
                "origin": origin.key,
                "added": origin.added,
                "origin_sort": f"{origin.date or '0000-00-00'} {origin.key}",
                "origin_label": ctx.update_link(PAGE, origin.update) if origin.added else PUBLISHED_REVIEW,
                "origin_date": origin.date,
                "sort": f"{index:06d}",
                "citation": ctx.study_link(PAGE, study),
                "title": study.title,
                "trends": Markup("; ").join(ctx.trend_link(PAGE, t) for t in study.trends),
                "group_link": ctx.group_link(PAGE, study.group) if study.group else None,
                "language_name": language_name,
                "finding": study.finding,
            }
        )
    return result


def page(ctx: Context) -> str:
    years = sorted({s.year for s in ctx.studies})
    languages = sorted({_language(s) for s in ctx.studies}, key=lambda pair: (pair[0] == NO_LANGUAGE, pair[1]))
    updates = whats_new.newest_first(ctx.review.updates)
    return ctx.render(
        "findings.md.j2",
        count=len(ctx.studies),
        review_count=len(ctx.review_studies),
        added_count=f"{len(ctx.added)} stud{'y' if len(ctx.added) == 1 else 'ies'}",
        tally=whats_new.tally(ctx) if updates else None,
        rows=rows(ctx),
        page_size=PAGE_SIZE,
        years=[(y, y) for y in years],
        trends=[(t.id, t.name) for t in ctx.review.trends],
        groups=[(g.id, g.name) for g in ctx.review.groups]
        + ([(NO_GROUP, "None (added in an update)")] if ctx.added else []),
        languages=languages,
        origins=[(REVIEW_ORIGIN, PUBLISHED_REVIEW)] + [(u.id, f"Added in {u.id} ({u.date})") for u in updates],
        whats_new_href=relative_url(PAGE, whats_new.PAGE),
    )


def write(writer, ctx: Context) -> None:
    writer.write(PAGE, page(ctx))
