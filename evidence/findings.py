"""The findings table (the review's Table 3), sortable and filterable in the browser."""

from __future__ import annotations

from markupsafe import Markup

from .context import Context
from .models import LANGUAGES

PAGE = "findings.md"
PAGE_SIZE = 50
NO_LANGUAGE = "none"


def _language(study) -> tuple[str, str]:
    if not study.language:
        return NO_LANGUAGE, "not reported"
    return study.language, LANGUAGES.get(study.language, study.language)


def rows(ctx: Context) -> list[dict]:
    result = []
    for index, study in enumerate(ctx.ordered):
        language, language_name = _language(study)
        result.append(
            {
                "year": study.year,
                "trend_ids": " ".join(study.trends),
                "group": study.group,
                "language": language,
                "sort": f"{index:06d}",
                "citation": ctx.study_link(PAGE, study),
                "title": study.title,
                "trends": Markup("; ").join(ctx.trend_link(PAGE, t) for t in study.trends),
                "group_link": ctx.group_link(PAGE, study.group),
                "language_name": language_name,
                "finding": study.finding,
            }
        )
    return result


def page(ctx: Context) -> str:
    years = sorted({s.year for s in ctx.studies})
    languages = sorted({_language(s) for s in ctx.studies}, key=lambda pair: (pair[0] == NO_LANGUAGE, pair[1]))
    return ctx.render(
        "findings.md.j2",
        count=len(ctx.studies),
        rows=rows(ctx),
        page_size=PAGE_SIZE,
        years=[(y, y) for y in years],
        trends=[(t.id, t.name) for t in ctx.review.trends],
        groups=[(g.id, g.name) for g in ctx.review.groups],
        languages=languages,
    )


def write(writer, ctx: Context) -> None:
    writer.write(PAGE, page(ctx))
