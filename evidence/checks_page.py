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
            text = check.status + (f" ({check.value})" if check.status != MET and check.value else "")
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
    )


def write(writer, ctx: Context) -> None:
    writer.write(PAGE, page(ctx))
