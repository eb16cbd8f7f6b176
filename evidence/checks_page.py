"""The data checks page: the checker's reconciliation findings, for readers.

The reconciliation is computed once, in English, for the checker and review.json; this page says it in the
edition's language: its statuses and notes are messages of the catalogue, and what comes from review.yml
(group names, this site's readings, what a criterion's check leaves out) is taken from the edition's review.
"""

from __future__ import annotations

from . import lists
from .context import Context, relative_url
from .i18n import N_
from .markup import join
from .models import NOT_REPORTED, PUBLISHED_REVIEW
from .reconcile import CONSISTENT, DIFFERS, MET, NOT_KNOWN

PAGE = "checks.md"
INDEX = "checks.json"  # the rows of its long tables (see lists.py)
TOPICS = {
    "included": N_("Included studies"),
    "database": N_("Per database"),
    "group": N_("Per discussion group"),
    "year": N_("Per year"),
}


def _places(ctx: Context, paragraphs) -> str:
    return "; ".join(ctx.language.place(p.place) for p in paragraphs)


def pass_differences(ctx: Context) -> list[dict]:
    """Every difference between the Discussion's two passes, trend by trend: which trends and which studies
    each pass has (computed), and what they say (this site's reading, recorded in review.yml)."""
    only = {
        "first": N_("Only the first pass has a paragraph on this trend (%(places)s)."),
        "second": N_("Only the second pass has a paragraph on this trend (%(places)s)."),
    }
    cited_only = {
        "first": N_("%(study)s is cited only in the first pass (%(places)s)."),
        "second": N_("%(study)s is cited only in the second pass (%(places)s)."),
    }
    rows = []
    for trend in ctx.review.trends:
        found = []
        places = {name: _places(ctx, paragraphs) for name, paragraphs in trend.passes.items()}
        for name, other in (("first", "second"), ("second", "first")):
            if places[name] and not places[other]:
                found.append(ctx._(only[name], places=places[name]))
        if places["first"] and places["second"]:
            for m in ctx.memberships:
                if m.trend == trend.id and len(m.passes) == 1:
                    name = m.passes[0]
                    cited = _places(ctx, getattr(m, name))
                    study = ctx.citation(ctx.by_id[m.study])
                    found.append(ctx._(cited_only[name], study=study, places=cited))
        rows.append({"link": ctx.trend_link(PAGE, trend.id), "computed": found, "ours": trend.passes_differ})
    return rows


def _value(ctx: Context, value) -> str:
    """A count, or "not reported"."""
    if value == NOT_REPORTED:
        return ctx._(NOT_REPORTED)
    return ctx.number(value) if isinstance(value, int) else str(value)


def _subject_and_note(ctx: Context, count) -> tuple[str, str]:
    """What a count is of, and its note, in the edition's language."""
    if count.topic == "group":
        group = ctx.review.group(count.key)
        return group.name, ctx.group_note(group)
    subject = count.subject if count.topic in ("database", "year") and count.key != "sum" else ctx._(count.subject)
    return subject, ctx._(count.note) if count.note else ""


def origin_label(ctx: Context, study) -> str:
    """ "Published review", or "Added in update-2025-1 (June 30, 2025)"."""
    if not study.added:
        return ctx._(PUBLISHED_REVIEW)
    return ctx._("Added in %(update)s (%(date)s)", update=study.origin.update, date=ctx.date(study.origin.date))


def _criterion_cell(ctx: Context, check, not_checked: str | None) -> dict:
    checked = "; ".join(filter(None, (check.value, not_checked)))
    text = ctx._(check.status) + (f" ({checked})" if checked else "")
    if check.changed_by:
        text += " " + ctx._("[as %(update)s changed it]", update=check.changed_by)
    return {"text": text, "css": {MET: "met", NOT_KNOWN: "unknown"}.get(check.status, "not-met")}


def tables(ctx: Context, criteria_rows: list[dict], incomplete: list[dict]) -> dict[str, lists.Table]:
    """The two tables of the page that list studies, each row written by the one template the page and its index
    share."""
    module = ctx.env.get_template("_checks_rows.md.j2").module
    return {
        "criteria": lists.Table("criteria-table", criteria_rows, module.criteria_row),
        "incomplete": lists.Table("incomplete-table", incomplete, module.incomplete_row),
    }


def page(ctx: Context, writer=None) -> str:
    """The page; with a writer, also the index of its long tables."""
    result = ctx.reconciliation
    counts = []
    for c in result.counts:
        subject, note = _subject_and_note(ctx, c)
        counts.append(
            {
                "topic": ctx._(TOPICS[c.topic]) if c.topic in TOPICS else c.topic,
                "subject": subject,
                "reported": _value(ctx, c.reported),
                "coded": ctx._("not recorded") if c.coded is None else _value(ctx, c.coded),
                "status": ctx._(c.status),
                "note": note,
                "css": {CONSISTENT: "ok", DIFFERS: "differs"}.get(c.status, "unknown"),
            }
        )
    notes = [row["note"] for row in counts]
    for index in range(1, len(counts)):  # a note repeated on the next row is shown once
        if notes[index] and notes[index] == notes[index - 1]:
            counts[index]["note"] = ctx._("As above.")
    checks = {(c.study, c.criterion): c for c in result.criteria}
    numbers = sorted(
        {c.number for c in ctx.review.criteria if c.field}
        | {c.number for u in ctx.review.updates for c in u.criteria if c.field}
    )
    rows = []
    for study in ctx.review_studies + ctx.added:
        not_checked = ctx.not_checked(study.update)
        cells = []
        for number in numbers:
            check = checks.get((study.id, number))
            if check is None:
                cells.append({"text": ctx._("not a criterion for it"), "css": "unknown"})
                continue
            cells.append(_criterion_cell(ctx, check, not_checked.get(number)))
        rows.append({"link": ctx.study_link(PAGE, study), "origin": origin_label(ctx, study), "cells": cells})
    by_id = ctx.by_id
    added = {s.id for s in ctx.added}
    incomplete = [
        {"link": ctx.study_link(PAGE, by_id[i]), "missing": join(ctx._(what) for what in m)}
        for i, m in result.incomplete
    ]
    found = tables(ctx, rows, incomplete)
    long = [t for t in found.values() if t.long]
    if writer is not None and long:
        lists.write_index(writer, ctx, PAGE, INDEX, long)
    return ctx.render(
        "checks.md.j2",
        counts=counts,
        criteria_heads=[ctx._("Criterion %(number)s", number=n) for n in numbers],
        criteria=found["criteria"],
        not_met_count=len({c.study for c in result.criteria if c.status not in (MET, NOT_KNOWN)} - added),
        not_met_added=len({c.study for c in result.criteria if c.status not in (MET, NOT_KNOWN)} & added),
        updated=bool(ctx.review.updates),
        variants=[
            {"link": ctx.study_link(PAGE, by_id[v.study]), "cited_as": v.cited_as, "also": join(v.also, "; ")}
            for v in result.variants
        ],
        incomplete=found["incomplete"],
        messages=lists.messages(ctx),
        data_href=relative_url(PAGE, "data.md"),
        review_json=ctx.shared_url(PAGE, "data/review.json"),
        passes=pass_differences(ctx),
    )


def write(writer, ctx: Context) -> None:
    writer.write(PAGE, page(ctx, writer))
