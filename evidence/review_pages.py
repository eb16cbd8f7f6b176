"""Pages about the review as a whole: home, charts, method, PRISMA, conclusions."""

from __future__ import annotations

import re

from markupsafe import Markup

from . import charts, checklist_page, prisma, references, whats_new
from .context import Context, relative_url
from .models import NOT_REPORTED

REPORTED = "reported by the review"
COUNTED = "counted from the study files"

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
                "source": chart.source,
                # (label, the review's count, the added count) when updates added studies; else (label, count).
                "table": [(label, n, a) for (label, n), a in zip(chart.rows, chart.added)]
                if chart.added
                else chart.rows,
                "added": bool(chart.added),
            }
        )
    return views


def _year_span(studies) -> str:
    years = [s.year for s in studies]
    return f"{min(years)}–{max(years)}" if years else NOT_REPORTED


def counters(ctx: Context) -> list[dict]:
    """The home page's numbers, each with where it comes from; the review's and the updates' apart."""
    review = ctx.review
    found = [
        {"number": review.included_reported, "label": "studies in the published review", "source": REPORTED},
    ]
    if review.updates:
        found.append(
            {"number": len(ctx.added), "label": f"added since, as of {ctx.as_of.date}", "source": COUNTED},
        )
    found += [
        {
            "number": review.prisma["identification"]["database_results"],
            "label": "records identified",
            "source": REPORTED,
        },
        {"number": len(review.databases), "label": "databases searched", "source": REPORTED},
        {"number": _year_span(ctx.review_studies), "label": "publication years", "source": COUNTED},
        {"number": len(review.trends), "label": "trends", "source": REPORTED},
    ]
    return found


def home(ctx: Context) -> str:
    review = ctx.review
    questions = {q["id"]: q["text"] for q in review.raw["questions"]}
    return ctx.render(
        "index.md.j2",
        review_title=review.citation["title"],
        question=questions.get("general") or next(iter(questions.values())),
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
        tally=whats_new.tally(ctx) if ctx.review.updates else None,
        whats_new_href=relative_url("method.md", whats_new.PAGE),
        assessed=checklist_page.assessed(ctx.review),
        heads=checklist_page.status_heads(),
        summaries=checklist_page.summaries(ctx.review, relative_url("method.md", checklist_page.PAGE)),
        checklist_href=relative_url("method.md", checklist_page.PAGE),
    )


# The stages of the diagram for updated reviews, by section, in the template's order.
UPDATED_SECTIONS = {
    "previous": ("Previous studies", ("previous_studies", "previous_reports")),
    "identification": (
        "Identification of new studies",
        ("database_results", "register_results", "duplicates", "excluded_automatic", "excluded_other"),
    ),
    "screening": (
        "Screening of new studies",
        (
            "records_screened",
            "records_excluded",
            "dbr_sought_reports",
            "dbr_notretrieved_reports",
            "dbr_assessed",
            "dbr_excluded",
        ),
    ),
    "included": ("Included", ("new_studies", "new_reports", "total_studies", "total_reports")),
}


def _n(value) -> str:
    return "; ".join(f"{r['reason']}: {r['n']}" for r in value) if isinstance(value, list) else str(value)


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
                        "stage": label,
                        "box": described.get(key, key),
                        "n": _n(drawn.counts[key]),
                        "source": drawn.sources[key],
                    }
                )
    return stages


def prisma_page(ctx: Context) -> str:
    data = ctx.review.prisma
    page = "prisma.md"
    findings_href = relative_url(page, "findings.md")
    published = prisma.flow(ctx.review)
    updated = prisma.flow(ctx.review, ctx.studies) if ctx.review.updates else None
    return ctx.render(
        "prisma.md.j2",
        updated=updated is not None,
        tally=whats_new.tally(ctx),
        updated_svg=Markup(prisma.prisma_svg(ctx.review, findings_href=findings_href, studies=ctx.studies))
        if updated
        else None,
        updated_stages=_stages(ctx, updated, updated=True) if updated else [],
        stages=_stages(ctx, published),
        quotes=data.get("quotes", []),
        notes=data.get("notes"),
        checklist_href=relative_url(page, checklist_page.PAGE),
        whats_new_href=relative_url(page, whats_new.PAGE),
        csv_href=ctx.shared_url(page, "data/prisma.csv"),
        review_csv_href=ctx.shared_url(page, "data/prisma-review.csv"),
        prisma_svg=Markup(
            prisma.prisma_svg(ctx.review, findings_href=findings_href, ident="prisma-review" if updated else "prisma")
        ),
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
