"""The data checks page: the checker's reconciliation findings, for readers."""

from __future__ import annotations

from .context import Context
from .markup import join
from .reconcile import CONSISTENT, DIFFERS, MET, NOT_KNOWN

PAGE = "checks.md"
TOPICS = {
    "included": "Included studies",
    "database": "Per database",
    "group": "Per discussion group",
    "year": "Per year",
}


def pass_differences(ctx: Context) -> list[dict]:
    """Every difference between the Discussion's two passes, trend by trend: which trends and which studies
    each pass has (computed), and what they say (this site's reading, recorded in review.yml)."""
    rows = []
    for trend in ctx.review.trends:
        found = []
        places = {name: "; ".join(p.place for p in paragraphs) for name, paragraphs in trend.passes.items()}
        for name, other in (("first", "second"), ("second", "first")):
            if places[name] and not places[other]:
                found.append(f"Only the {name} pass has a paragraph on this trend ({places[name]}).")
        if places["first"] and places["second"]:
            for m in ctx.memberships:
                if m.trend == trend.id and len(m.passes) == 1:
                    name = m.passes[0]
                    cited = "; ".join(p.place for p in getattr(m, name))
                    found.append(f"{ctx.citation(ctx.by_id[m.study])} is cited only in the {name} pass ({cited}).")
        rows.append({"link": ctx.trend_link(PAGE, trend.id), "computed": found, "ours": trend.passes_differ})
    return rows


def page(ctx: Context) -> str:
    result = ctx.reconciliation
    counts = [
        {
            "topic": TOPICS.get(c.topic, c.topic),
            "subject": c.subject,
            "reported": c.reported,
            "coded": "not recorded" if c.coded is None else c.coded,
            "status": c.status,
            "note": c.note,
            "css": {CONSISTENT: "ok", DIFFERS: "differs"}.get(c.status, "unknown"),
        }
        for c in result.counts
    ]
    notes = [row["note"] for row in counts]
    for index in range(1, len(counts)):  # a note repeated on the next row is shown once
        if notes[index] and notes[index] == notes[index - 1]:
            counts[index]["note"] = "As above."
    checks = {(c.study, c.criterion): c for c in result.criteria}
    numbers = sorted(
        {c.number for c in ctx.review.criteria if c.field}
        | {c.number for u in ctx.review.updates for c in u.criteria if c.field}
    )
    rows = []
    for study in ctx.review_studies + ctx.added:
        cells = []
        for number in numbers:
            check = checks.get((study.id, number))
            if check is None:
                cells.append({"text": "not a criterion for it", "css": "unknown"})
                continue
            text = check.status + (f" ({check.checked})" if check.checked else "")
            if check.changed_by:
                text += f" [as {check.changed_by} changed it]"
            cells.append({"text": text, "css": {MET: "met", NOT_KNOWN: "unknown"}.get(check.status, "not-met")})
        rows.append({"link": ctx.study_link(PAGE, study), "origin": study.origin.label, "cells": cells})
    by_id = ctx.by_id
    added = {s.id for s in ctx.added}
    return ctx.render(
        "checks.md.j2",
        counts=counts,
        criteria_heads=[f"Criterion {n}" for n in numbers],
        criteria_rows=rows,
        not_met_count=len({c.study for c in result.criteria if c.status not in (MET, NOT_KNOWN)} - added),
        not_met_added=len({c.study for c in result.criteria if c.status not in (MET, NOT_KNOWN)} & added),
        updated=bool(ctx.review.updates),
        variants=[
            {"link": ctx.study_link(PAGE, by_id[v.study]), "cited_as": v.cited_as, "also": join(v.also, "; ")}
            for v in result.variants
        ],
        incomplete=[{"link": ctx.study_link(PAGE, by_id[i]), "missing": join(m)} for i, m in result.incomplete],
        passes=pass_differences(ctx),
    )


def write(writer, ctx: Context) -> None:
    writer.write(PAGE, page(ctx))
