"""Pages about the review as a whole: home, charts, method, PRISMA, conclusions."""

from __future__ import annotations

import re

from markupsafe import Markup

from . import charts, checklist_page, prisma, references
from .context import Context, relative_url
from .models import NOT_REPORTED

CHART_FOLDER = "assets/charts"
DIMENSIONS = {"by-database": "Database", "by-language": "Language", "by-year": "Year", "by-trend": "Trend"}
SECTIONS = {
    "previous": "Previous studies",
    "identification": "Identification",
    "screening": "Screening",
    "other_methods": "Other methods",
    "included": "Included",
}


def _size(svg: str) -> tuple[int, int]:
    """Width and height in CSS pixels of a matplotlib SVG (sized in points)."""
    found = re.search(r'width="([0-9.]+)pt" height="([0-9.]+)pt"', svg)
    return (round(float(found[1]) * 4 / 3), round(float(found[2]) * 4 / 3)) if found else (640, 360)


def chart_views(ctx: Context, page: str) -> list[dict]:
    views = []
    for chart in charts.chart_data(ctx.review, ctx.studies):
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
                "dimension": DIMENSIONS.get(chart.id, "Value"),
                "src": relative_url(page, f"{CHART_FOLDER}/{chart.id}.svg"),
            }
        )
    return views


def _year_span(ctx: Context) -> str:
    years = [s.year for s in ctx.studies]
    return f"{min(years)}–{max(years)}" if years else NOT_REPORTED


def home(ctx: Context) -> str:
    review = ctx.review
    questions = {q["id"]: q["text"] for q in review.raw["questions"]}
    return ctx.render(
        "index.md.j2",
        review_title=review.citation["title"],
        question=questions.get("general") or next(iter(questions.values())),
        counters={
            "studies": len(ctx.studies),
            "identified": review.prisma["identification"]["database_results"],
            "databases": len(review.databases),
            "years": _year_span(ctx),
            "trends": len(review.trends),
        },
        conclusions=len(review.conclusions),
        charts=chart_views(ctx, "index.md"),
        review_reference=Markup(references.review_reference_html(review)),
        citation_note=review.citation.get("notes", ""),
    )


def charts_page(ctx: Context) -> str:
    return ctx.render("charts.md.j2", charts=chart_views(ctx, "charts.md"))


def _check_text(criterion) -> str:
    if not criterion.field:
        return "not checked"
    if criterion.allowed:
        return f"{criterion.field} is one of: {', '.join(criterion.allowed)}"
    return f"{criterion.field} from {criterion.min} to {criterion.max}"


def method(ctx: Context) -> str:
    raw = ctx.review.raw
    totals = [d.included_reported for d in ctx.review.databases]
    return ctx.render(
        "method.md.j2",
        objective=raw.get("objective", ""),
        questions=raw["questions"],
        description=raw["method"].get("description", ""),
        guideline=raw["method"]["reporting_guideline"],
        guideline_note=raw["method"].get("reporting_guideline_note", ""),
        databases=ctx.review.databases,
        databases_total=sum(totals) if all(isinstance(n, int) for n in totals) else NOT_REPORTED,
        databases_quote=raw["method"].get("databases_quote"),
        criteria=[
            {"number": c.number, "inclusion": c.inclusion, "exclusion": c.exclusion, "check": _check_text(c)}
            for c in ctx.review.criteria
        ],
        steps=raw["method"].get("steps", ""),
        prisma_svg=Markup(prisma.prisma_svg(ctx.review, findings_href=relative_url("method.md", "findings.md"))),
        assessed=checklist_page.assessed(ctx.review),
        heads=checklist_page.status_heads(),
        summaries=checklist_page.summaries(ctx.review, relative_url("method.md", checklist_page.PAGE)),
        checklist_href=relative_url("method.md", checklist_page.PAGE),
    )


def prisma_page(ctx: Context) -> str:
    data = ctx.review.prisma
    described = {row["data"]: row["description"] for row in prisma.prisma_rows(ctx.review)}
    stages = []
    for section, label in SECTIONS.items():
        for key, value in (data.get(section) or {}).items():
            n = "; ".join(f"{r['reason']}: {r['n']}" for r in value) if isinstance(value, list) else value
            stages.append({"stage": label, "box": described.get(key, key), "n": n})
    return ctx.render(
        "prisma.md.j2",
        stages=stages,
        quotes=data.get("quotes", []),
        notes=data.get("notes"),
        checklist_href=relative_url("prisma.md", checklist_page.PAGE),
        prisma_svg=Markup(prisma.prisma_svg(ctx.review, findings_href=relative_url("prisma.md", "findings.md"))),
    )


def conclusions(ctx: Context) -> str:
    page = "conclusions.md"
    views = []
    for c in ctx.review.conclusions:
        links = []
        for link in c.links:
            targets = [ctx.trend_link(page, t) for t in link.trends]
            targets += [ctx.group_link(page, g) for g in link.groups]
            targets += [ctx.study_link(page, ctx.by_id[s]) for s in link.studies if s in ctx.by_id]
            links.append({"targets": Markup("; ").join(targets), "reason": link.reason})
        views.append(
            {
                "number": c.number,
                "title": c.title,
                "quote": {"text": f"{c.title}: {c.text}", "place": c.place},
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
    for chart in charts.chart_data(ctx.review, ctx.studies):
        writer.write(f"{CHART_FOLDER}/{chart.id}.svg", ctx.chart_svg(chart))
