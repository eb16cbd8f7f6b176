"""The Reporting checklist page, and the checklist as CSV and JSON downloads."""

from __future__ import annotations

import csv
import io

from markupsafe import Markup

from . import checklist
from .checklist import ABSTRACT_SECTIONS, NOT_APPLICABLE, NOT_REPORTED, PARTLY, REPORTED, SECTIONS, STATUSES
from .context import Context, relative_url
from .exports import _cell, _json
from .i18n import N_, SOURCE
from .markup import escape, link
from .models import ChecklistItem, Review

PAGE = "checklist.md"
CSV_FILE, JSON_FILE = "prisma-checklist.csv", "prisma-checklist.json"
# status: (symbol, label, CSS class). The symbol and the label say it; the colour only repeats it. The labels,
# the sections' names and the captions are translated in the templates (`_(…)`), which the Method page shares.
SHOWN = {
    REPORTED: ("✓", N_("Reported"), "cl-reported"),
    PARTLY: ("◐", N_("Partly reported"), "cl-partly"),
    NOT_REPORTED: ("✗", N_("Not reported"), "cl-not-reported"),
    NOT_APPLICABLE: ("–", N_("Not applicable"), "cl-na"),
}


# --- Downloads ---------------------------------------------------------------------------------------------------

CSV_FIELDS = (
    "checklist",
    "item",
    "section",
    "name",
    "name_es",
    "text",
    "text_es",
    "status",
    "quotes",
    "missing",
    "missing_es",
    "why_not_applicable",
    "why_not_applicable_es",
)


def _quotes_cell(item: ChecklistItem) -> str:
    """Each quote with its place, one per line."""
    return "\n".join(f"“{q.text}” ({q.place})" for q in item.quotes)


def _both(review: Review):
    return (("PRISMA 2020", review.checklist), ("PRISMA 2020 for Abstracts", review.abstract_checklist))


def checklist_csv(review: Review) -> bytes:
    """One row per item of both checklists; UTF-8 with BOM and CRLF, for spreadsheets."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for name, items in _both(review):
        for i in items:
            writer.writerow(
                [
                    _cell(v)
                    for v in (
                        name,
                        i.item,
                        i.section,
                        i.name,
                        i.name_es,
                        i.text,
                        i.text_es,
                        i.status,
                        _quotes_cell(i),
                        i.missing,
                        i.missing_es,
                        i.why_not_applicable,
                        i.why_not_applicable_es,
                    )
                ]
            )
    return out.getvalue().encode("utf-8-sig")


def _record(item: ChecklistItem) -> dict:
    record = {
        "item": item.item,
        "section": item.section,
        "name": item.name,
        "name_es": item.name_es,
        "text": item.text,
        "text_es": item.text_es,
        "status": item.status,
        "quotes": [{"text": q.text, "place": q.place, "text_es": q.text_es} for q in item.quotes],
    }
    for key in ("missing", "missing_es", "why_not_applicable", "why_not_applicable_es"):
        if getattr(item, key):
            record[key] = getattr(item, key)
    return record


def _counted(items, sections) -> dict:
    found = checklist.summary(items, sections)
    return {"all": found["counts"], **{row["section"]: row["counts"] for row in found["rows"]}}


def checklist_json(review: Review) -> str:
    """Where the wording comes from and how it was assessed, the counts per status, and every item."""
    about = {k: v for k, v in review.raw.get("reporting", {}).items() if k not in checklist.CHECKLISTS}
    summary = {
        "items": _counted(review.checklist, SECTIONS),
        "abstract_items": _counted(review.abstract_checklist, ABSTRACT_SECTIONS),
    }
    return _json(
        {
            **about,
            "summary": summary,
            "items": [_record(i) for i in review.checklist],
            "abstract_items": [_record(i) for i in review.abstract_checklist],
        }
    )


# --- The page and the Method page's summary -------------------------------------------------------------------------


def status_heads() -> list[dict]:
    return [{"symbol": SHOWN[s][0], "label": SHOWN[s][1], "css": SHOWN[s][2]} for s in STATUSES]


def summary_view(items, sections: dict[str, str], caption: str, prefix: str, href: str) -> dict:
    """A summary table: one row per section, linked to it on the checklist page (at `href`), and one for all items."""
    found = checklist.summary(items, sections)
    rows = [
        {
            "label": row["label"],
            "href": Markup(f"{escape(href)}#{prefix}section-{_slug(row['section'])}"),
            "counts": [row["counts"][s] for s in STATUSES],
            "total": row["total"],
        }
        for row in found["rows"]
    ]
    return {"caption": caption, "rows": rows, "counts": [found["counts"][s] for s in STATUSES], "total": found["total"]}


def _slug(section: str) -> str:
    return section.replace(" ", "-")


def summaries(review: Review, href: str) -> list[dict]:
    """The summary tables of both checklists, linking to `href` (the checklist page's address from here)."""
    return [
        summary_view(review.checklist, SECTIONS, N_("PRISMA 2020 checklist"), "", href),
        summary_view(review.abstract_checklist, ABSTRACT_SECTIONS, N_("PRISMA 2020 for Abstracts"), "abstract-", href),
    ]


def _in(item: ChecklistItem, field: str, lang: str) -> tuple[str | None, str | None]:
    """A field of an item in the edition's language, and the lang attribute it needs: this site's translation
    (`<field>_es`) where the data have it, else the English with lang="en"."""
    english = getattr(item, field)
    if lang == SOURCE or not english:
        return english, None
    translated = getattr(item, f"{field}_{lang}", None)
    return (translated, None) if translated else (english, SOURCE)


def _item_view(item: ChecklistItem, prefix: str, lang: str = SOURCE) -> dict:
    symbol, label, css = SHOWN[item.status]
    name, name_lang = _in(item, "name", lang)
    text, text_lang = _in(item, "text", lang)
    note, note_lang = _in(item, "why_not_applicable" if item.status == NOT_APPLICABLE else "missing", lang)
    return {
        "id": f"{prefix}item-{item.item}",
        "item": item.item,
        "name": name,
        "name_lang": name_lang,
        "text": text,
        "text_lang": text_lang,
        "symbol": symbol,
        "status": label,
        "css": css,
        "quotes": item.quotes,
        "note_label": N_("Not applicable because") if item.status == NOT_APPLICABLE else N_("Missing"),
        "note": note,
        "note_lang": note_lang,
    }


def _sections(items, sections: dict[str, str], prefix: str, lang: str = SOURCE) -> list[dict]:
    return [
        {
            "id": f"{prefix}section-{_slug(key)}",
            "label": label,
            "entries": [_item_view(i, prefix, lang) for i in items if i.section == key],
        }
        for key, label in sections.items()
        if any(i.section == key for i in items)
    ]


def assessed(review: Review) -> bool:
    """Whether review.yml records the reporting assessment (`reporting`)."""
    return "reporting" in review.raw


def page(ctx: Context) -> str:
    review = ctx.review
    about = review.raw.get("reporting", {})
    return ctx.render(
        "checklist.md.j2",
        assessed=assessed(review),
        heads=status_heads(),
        summaries=summaries(review, ""),
        main=_sections(review.checklist, SECTIONS, "", ctx.lang),
        abstract=_sections(review.abstract_checklist, ABSTRACT_SECTIONS, "abstract-", ctx.lang),
        assessment=about.get("assessment", ""),
        # The statement's citation, in English (its title) on every edition.
        statement=Markup('<span lang="en">%s</span>') % link(about.get("statement_url"), about.get("statement", "")),
        license=link(about.get("license_url"), about.get("license", "")),
        wording=about.get("wording", ""),
        translation_note=about.get("translation_note", ""),
        csv_href=ctx.shared_url(PAGE, f"data/{CSV_FILE}"),
        json_href=ctx.shared_url(PAGE, f"data/{JSON_FILE}"),
        method_href=relative_url(PAGE, "method.md"),
        prisma_href=relative_url(PAGE, "prisma.md"),
    )


def write(writer, ctx: Context) -> None:
    writer.write(PAGE, page(ctx))
