"""Pages about the review as a whole: home, charts, method, PRISMA, conclusions."""

from __future__ import annotations

import re

from markupsafe import Markup

from . import charts, checklist_page, prisma, references, whats_new
from .context import Context, relative_url
from .i18n import N_
from .models import NOT_REPORTED

REPORTED = N_("reported by the review")
COUNTED = N_("counted from the study files")

CHART_FOLDER = "assets/charts"
DIMENSIONS = {
    "by-database": N_("Database"),
    "by-language": N_("Language"),
    "by-year": N_("Year"),
    "by-trend": N_("Trend"),
}
SECTIONS = {
    "previous": N_("Previous studies"),
    "identification": N_("Identification"),
    "screening": N_("Screening"),
    "other_methods": N_("Other methods"),
    "included": N_("Included"),
}
# Counts that are not numbers, as review.yml writes them; shown in the reader's language.
WORDS = {NOT_REPORTED: N_("not reported"), prisma.NOT_APPLICABLE: N_("not applicable")}


def _count(ctx: Context, value) -> str:
    """A count as the reader's locale writes it; "not reported" and "not applicable" in the reader's language."""
    if isinstance(value, int) and not isinstance(value, bool):
        return ctx.number(value)
    return ctx._(WORDS[value]) if value in WORDS else str(value)


def _translation(obj, raw: dict | None, name: str) -> str | None:
    """This site's translation of one of the review's verbatim fields (`<name>_es`), when there is one: an
    attribute of the model, else a key of its review.yml entry."""
    value = getattr(obj, f"{name}_es", None) if obj is not None else None
    if value is None and raw:
        value = raw.get(f"{name}_es")
    return value or None


def _size(svg: str) -> tuple[int, int]:
    """Width and height in CSS pixels of a matplotlib SVG (sized in points)."""
    found = re.search(r'width="([0-9.]+)pt" height="([0-9.]+)pt"', svg)
    return (round(float(found[1]) * 4 / 3), round(float(found[2]) * 4 / 3)) if found else (640, 360)


def chart_data(ctx: Context) -> list[charts.Chart]:
    """The charts in this edition's language."""
    return charts.chart_data(ctx.review, ctx.studies, ctx.language)


def chart_views(ctx: Context, page: str) -> list[dict]:
    views = []
    for chart in chart_data(ctx):
        width, height = _size(ctx.chart_svg(chart))
        views.append(
            {
                "width": width,
                "height": height,
                "id": chart.id,
                "title": chart.title,
                "caption": chart.caption,
                "note": chart.note,
                "alt": chart.alt,
                "rows": chart.rows,
                "dimension": ctx._(DIMENSIONS[chart.id]) if chart.id in DIMENSIONS else ctx._("Value"),
                "src": relative_url(page, f"{CHART_FOLDER}/{chart.id}.svg"),
                "source": chart.source,
                # (label, the review's count, the added count) when updates added studies; else (label, count).
                "table": [(label, n, a) for (label, n), a in zip(chart.rows, chart.added)]
                if chart.added
                else chart.rows,
                "added": bool(chart.added),
            }
        )
    return views


def _year_span(ctx: Context, studies) -> str:
    years = [s.year for s in studies]
    return f"{min(years)}–{max(years)}" if years else ctx._(WORDS[NOT_REPORTED])


def _plural(value) -> int:
    """The number that chooses a label's plural form: a count that is not a number takes the plural."""
    return value if isinstance(value, int) else 2


def counters(ctx: Context) -> list[dict]:
    """The home page's numbers, each with where it comes from; the review's and the updates' apart."""
    review = ctx.review
    reported, counted = ctx._(REPORTED), ctx._(COUNTED)
    included = review.included_reported
    found = [
        {
            "number": _count(ctx, included),
            "label": ctx.ngettext(
                "study in the published review", "studies in the published review", _plural(included)
            ),
            "source": reported,
        },
    ]
    if review.updates:
        found.append(
            {
                "number": _count(ctx, len(ctx.added)),
                "label": ctx.ngettext(
                    "added since, as of %(date)s",
                    "added since, as of %(date)s",
                    len(ctx.added),
                    date=ctx.date(ctx.as_of.date),
                ),
                "source": counted,
            },
        )
    records = review.prisma["identification"]["database_results"]
    found += [
        {
            "number": _count(ctx, records),
            "label": ctx.ngettext("record identified", "records identified", _plural(records)),
            "source": reported,
        },
        {
            "number": _count(ctx, len(review.databases)),
            "label": ctx.ngettext("database searched", "databases searched", len(review.databases)),
            "source": reported,
        },
        {"number": _year_span(ctx, ctx.review_studies), "label": ctx._("publication years"), "source": counted},
        {
            "number": _count(ctx, len(review.trends)),
            "label": ctx.ngettext("trend", "trends", len(review.trends)),
            "source": reported,
        },
    ]
    return found


def home(ctx: Context) -> str:
    review = ctx.review
    questions = {q["id"]: q for q in review.raw["questions"]}
    question = questions.get("general") or next(iter(questions.values()))
    return ctx.render(
        "index.md.j2",
        review_title=review.citation["title"],
        question=question["text"],
        question_es=question.get("text_es"),
        counters=counters(ctx),
        tally=whats_new.tally(ctx),
        updated=bool(review.updates),
        whats_new_href=relative_url("index.md", whats_new.PAGE),
        trend_count=len(review.trends),
        conclusions=len(review.conclusions),
        charts=chart_views(ctx, "index.md"),
        review_reference=Markup(references.review_reference_html(review)),
        citation_note=review.citation.get("notes", ""),
    )


def charts_page(ctx: Context) -> str:
    return ctx.render("charts.md.j2", charts=chart_views(ctx, "charts.md"))


def _check_text(ctx: Context, criterion) -> str:
    if not criterion.field:
        return ctx._("not checked")
    if criterion.allowed:
        return ctx._("%(field)s is one of: %(values)s", field=criterion.field, values=", ".join(criterion.allowed))
    return ctx._("%(field)s from %(min)s to %(max)s", field=criterion.field, min=criterion.min, max=criterion.max)


def method(ctx: Context) -> str:
    raw = ctx.review.raw
    steps = raw["method"]
    totals = [d.included_reported for d in ctx.review.databases]
    raw_criteria = {c["number"]: c for c in raw.get("criteria", [])}
    return ctx.render(
        "method.md.j2",
        objective=raw.get("objective", ""),
        objective_es=raw.get("objective_es"),
        questions=[{"kind": q["kind"], "text": q["text"], "text_es": q.get("text_es")} for q in raw["questions"]],
        description=steps.get("description", ""),
        description_es=steps.get("description_es"),
        guideline=steps["reporting_guideline"],
        guideline_note=steps.get("reporting_guideline_note", ""),
        databases=[
            {"name": d.name, "search_terms": d.search_terms, "included": _count(ctx, d.included_reported)}
            for d in ctx.review.databases
        ],
        databases_total=_count(ctx, sum(totals) if all(isinstance(n, int) for n in totals) else NOT_REPORTED),
        databases_quote=steps.get("databases_quote"),
        databases_quote_es=steps.get("databases_quote_es"),
        criteria=[
            {
                "number": c.number,
                "inclusion": c.inclusion,
                "inclusion_es": _translation(c, raw_criteria.get(c.number), "inclusion"),
                "exclusion": c.exclusion,
                "exclusion_es": _translation(c, raw_criteria.get(c.number), "exclusion"),
                "check": _check_text(ctx, c),
            }
            for c in ctx.review.criteria
        ],
        steps=steps.get("steps", ""),
        steps_es=steps.get("steps_es"),
        prisma_svg=Markup(
            prisma.prisma_svg(ctx.review, findings_href=relative_url("method.md", "findings.md"), language=ctx.language)
        ),
        tally=whats_new.tally(ctx) if ctx.review.updates else None,
        whats_new_href=relative_url("method.md", whats_new.PAGE),
        assessed=checklist_page.assessed(ctx.review),
        heads=checklist_page.status_heads(),
        summaries=checklist_page.summaries(ctx.review, relative_url("method.md", checklist_page.PAGE)),
        checklist_href=relative_url("method.md", checklist_page.PAGE),
    )


# The stages of the diagram for updated reviews, by section, in the template's order.
UPDATED_SECTIONS = {
    "previous": (N_("Previous studies"), ("previous_studies", "previous_reports")),
    "identification": (
        N_("Identification of new studies"),
        ("database_results", "register_results", "duplicates", "excluded_automatic", "excluded_other"),
    ),
    "screening": (
        N_("Screening of new studies"),
        (
            "records_screened",
            "records_excluded",
            "dbr_sought_reports",
            "dbr_notretrieved_reports",
            "dbr_assessed",
            "dbr_excluded",
        ),
    ),
    "included": (N_("Included"), ("new_studies", "new_reports", "total_studies", "total_reports")),
}


def _n(ctx: Context, value) -> str:
    if isinstance(value, list):
        return "; ".join(f"{r['reason']}: {_count(ctx, r['n'])}" for r in value)
    return _count(ctx, value)


def _stages(ctx: Context, drawn: prisma.Flow, updated: bool = False) -> list[dict]:
    """The counts of a diagram as table rows: stage, box, n, and where the number comes from."""
    described = {row["data"]: row["description"] for row in prisma.prisma_rows(ctx.review)}
    stages = []
    if updated:
        sections = list(UPDATED_SECTIONS.values())
    else:
        data = ctx.review.prisma
        sections = [(label, tuple(data.get(section) or {})) for section, label in SECTIONS.items()]
    for label, keys in sections:
        for key in keys:
            if key in drawn.counts:
                stages.append(
                    {
                        "stage": ctx._(label),
                        "box": ctx._(described[key]) if key in described else key,
                        "n": _n(ctx, drawn.counts[key]),
                        "source": ctx._(drawn.sources[key]),
                    }
                )
    return stages


def prisma_page(ctx: Context) -> str:
    data = ctx.review.prisma
    page = "prisma.md"
    findings_href = relative_url(page, "findings.md")
    published = prisma.flow(ctx.review)
    updated = prisma.flow(ctx.review, ctx.studies) if ctx.review.updates else None
    quotes = data.get("quotes", [])
    translated = data.get("quotes_es") or []
    return ctx.render(
        "prisma.md.j2",
        updated=updated is not None,
        tally=whats_new.tally(ctx),
        updated_svg=Markup(
            prisma.prisma_svg(ctx.review, findings_href=findings_href, studies=ctx.studies, language=ctx.language)
        )
        if updated
        else None,
        updated_stages=_stages(ctx, updated, updated=True) if updated else [],
        stages=_stages(ctx, published),
        quotes=[
            {"text": text, "text_es": translated[i] if i < len(translated) else None} for i, text in enumerate(quotes)
        ],
        notes=data.get("notes"),
        checklist_href=relative_url(page, checklist_page.PAGE),
        whats_new_href=relative_url(page, whats_new.PAGE),
        csv_href=ctx.shared_url(page, "data/prisma.csv"),
        review_csv_href=ctx.shared_url(page, "data/prisma-review.csv"),
        prisma_svg=Markup(
            prisma.prisma_svg(
                ctx.review,
                findings_href=findings_href,
                ident="prisma-review" if updated else "prisma",
                language=ctx.language,
            )
        ),
    )


def conclusions(ctx: Context) -> str:
    page = "conclusions.md"
    raw = {c["number"]: c for c in ctx.review.raw.get("conclusions", [])}
    views = []
    for c in ctx.review.conclusions:
        links = []
        for link in c.links:
            targets = [ctx.trend_link(page, t) for t in link.trends]
            targets += [ctx.group_link(page, g) for g in link.groups]
            targets += [ctx.study_link(page, ctx.by_id[s]) for s in link.studies if s in ctx.by_id]
            links.append({"targets": Markup("; ").join(targets), "reason": link.reason})
        title_es = _translation(c, raw.get(c.number), "title")
        text_es = _translation(c, raw.get(c.number), "text")
        views.append(
            {
                "number": c.number,
                "title": c.title,
                "title_es": title_es,
                "quote": {
                    "text": f"{c.title}: {c.text}",
                    "text_es": f"{title_es}: {text_es}" if title_es and text_es else None,
                    "place": c.place,
                },
                "links": links,
            }
        )
    return ctx.render("conclusions.md.j2", conclusions=views)


def write(writer, ctx: Context) -> None:
    writer.write("index.md", home(ctx))
    writer.write("charts.md", charts_page(ctx))
    writer.write("method.md", method(ctx))
    writer.write("prisma.md", prisma_page(ctx))
    writer.write("conclusions.md", conclusions(ctx))
    for chart in chart_data(ctx):
        writer.write(f"{CHART_FOLDER}/{chart.id}.svg", ctx.chart_svg(chart))
