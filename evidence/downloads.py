"""The open-data downloads under data/, and the Data page that describes them."""
from __future__ import annotations

from . import checklist_page, exports, prisma
from .context import Context, relative_url

PAGE = "data.md"
FOLDER = "data"

# name: (what it holds, what opens it)
DESCRIPTIONS = {
    "studies.csv": ("One row per study, every field; lists joined with '; '.", "Excel, LibreOffice, R (read.csv), pandas"),
    "studies.json": ("One record per study, every field, with its APA reference and page.", "R (jsonlite), Python, any JSON tool"),
    "review.json": ("The review: citation, questions, method, criteria, PRISMA counts, trends, groups, conclusions, and counts derived from the studies.", "R (jsonlite), Python"),
    "references.bib": ("The included studies as BibTeX.", "Zotero, JabRef, LaTeX"),
    "references.ris": ("The included studies as RIS.", "Zotero, Mendeley, EndNote"),
    "references.json": ("The included studies as CSL-JSON.", "Zotero, Pandoc, citeproc"),
    "prisma.csv": ("PRISMA flow counts in the PRISMA2020 app's CSV layout; NA where not reported.", "PRISMA2020 app or R package"),
    checklist_page.CSV_FILE: ("The PRISMA 2020 reporting checklist and the checklist for abstracts: one row per item, with this site's status, the review's words and what is missing.", "Excel, LibreOffice, R (read.csv), pandas"),
    checklist_page.JSON_FILE: ("The same checklists, with their sources, the counts per status, and each item's Spanish name.", "R (jsonlite), Python, any JSON tool"),
}


def files(ctx: Context) -> dict[str, str | bytes]:
    return {
        "studies.csv": exports.studies_csv(ctx.ordered),
        "studies.json": exports.studies_json(ctx.review, ctx.ordered, ctx.refs),
        "review.json": exports.review_json(ctx.review, ctx.ordered, ctx.reconciliation),
        "references.bib": exports.references_bib(ctx.ordered),
        "references.ris": exports.references_ris(ctx.ordered),
        "references.json": exports.references_csl_json(ctx.ordered),
        "prisma.csv": prisma.prisma_csv(ctx.review),
        checklist_page.CSV_FILE: checklist_page.checklist_csv(ctx.review),
        checklist_page.JSON_FILE: checklist_page.checklist_json(ctx.review),
    }


def _size(content: str | bytes) -> str:
    n = len(content.encode("utf-8") if isinstance(content, str) else content)
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} bytes"


def write(writer, ctx: Context) -> None:
    made = files(ctx)
    for name, content in made.items():
        writer.write(f"{FOLDER}/{name}", content)
    downloads = [{"name": name, "href": relative_url(PAGE, f"{FOLDER}/{name}"), "what": DESCRIPTIONS[name][0],
                  "use": DESCRIPTIONS[name][1], "size": _size(made[name])} for name in DESCRIPTIONS]
    writer.write(PAGE, ctx.render("data.md.j2", downloads=downloads, fields_url=relative_url(PAGE, "fields.md")))
