"""The open-data downloads under data/, their metadata (datapackage.json), and the Data page that describes them."""

from __future__ import annotations

import json

from . import checklist_page, exports, prisma
from .context import Context, relative_url
from .i18n import DEFAULT
from .markup import join, link

PAGE = "data.md"
FOLDER = "data"

# name: (what it holds, what opens it)
DESCRIPTIONS = {
    "studies.csv": (
        "One row per study, every field; lists joined with '; '. The origin column says whether a study is the "
        "published review's or was added in an update (update, update_date).",
        "Excel, LibreOffice, R (read.csv), pandas",
    ),
    "studies.json": (
        "One record per study, every field, with its APA reference, page and origin (the published review, or "
        "an update with its date).",
        "R (jsonlite), Python, any JSON tool",
    ),
    "review.json": (
        "The review: citation, questions, method, criteria, PRISMA counts, trends, groups, conclusions and "
        "updates; counts from the study files (the published review's, and apart those of each update); and "
        "the date the data are as of.",
        "R (jsonlite), Python",
    ),
    "references.bib": ("The included studies as BibTeX.", "Zotero, JabRef, LaTeX"),
    "references.ris": ("The included studies as RIS.", "Zotero, Mendeley, EndNote"),
    "references.json": ("The included studies as CSL-JSON.", "Zotero, Pandoc, citeproc"),
    "prisma.csv": (
        "PRISMA flow counts in the PRISMA2020 app's CSV layout, as the diagram shows them (with updates, the "
        "review as updated); NA where not reported or not applicable.",
        "PRISMA2020 app or R package",
    ),
    "prisma-review.csv": (
        "The published review's own PRISMA flow counts, as before any update, in the same layout.",
        "PRISMA2020 app or R package",
    ),
    "datapackage.json": (
        "Metadata of these files: their licence, the review they come from, and each file's format "
        "and size (a Frictionless Data Package).",
        "Frictionless tools, R (frictionless), any JSON tool",
    ),
    checklist_page.CSV_FILE: (
        "The PRISMA 2020 reporting checklist and the checklist for abstracts: one row per item, with this site's status, the review's words and what is missing.",
        "Excel, LibreOffice, R (read.csv), pandas",
    ),
    checklist_page.JSON_FILE: (
        "The same checklists, with their sources, the counts per status, and each item's Spanish name.",
        "R (jsonlite), Python, any JSON tool",
    ),
}

# The licence of the site's data and prose (LICENSE-DATA in the repository), and what it does not cover.
LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
MEDIA_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "bib": "application/x-bibtex",
    "ris": "application/x-research-info-systems",
}


def _review_source(ctx: Context) -> dict:
    citation = ctx.source_review.citation
    authors = "; ".join(", ".join(filter(None, (a.get("family"), a.get("given")))) for a in citation.get("authors", []))
    source = {"title": f"{authors}: {citation['title']}. {citation.get('journal', '')}".strip()}
    if citation.get("doi"):
        source["path"] = f"https://doi.org/{citation['doi']}"
    return source


def datapackage(ctx: Context, made: dict[str, str | bytes]) -> str:
    """A Frictionless Data Package descriptor of the downloads: licence, source and one resource per file."""
    resources = []
    for name, content in made.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        extension = name.rsplit(".", 1)[-1]
        resources.append(
            {
                "name": name.lower(),
                "path": name,
                "description": DESCRIPTIONS[name][0],
                "format": extension,
                "mediatype": MEDIA_TYPES[extension],
                "encoding": "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8",
                "bytes": len(data),
            }
        )
    package = {
        "name": "digital-government-peru-evidence",
        "title": "Digital Government in Peru: the evidence",
        "description": (
            "The included studies, references, counts and PRISMA flow of the systematic review cited in `sources`, "
            "as recorded by this site, and the studies added in updates after its publication (each marked with "
            "its update in the origin column). Licensed CC BY 4.0, except the words quoted from the review (its objective, "
            "questions, method, criteria, trends, groups and conclusions, the titles and findings of its Table 3, "
            "and every other passage of its text): those are the review's, quoted word for word and attributed to "
            "it, and remain under the terms on which it was published. Titles of the included studies remain "
            "their authors'."
        ),
        "licenses": [LICENSE],
        "sources": [_review_source(ctx)],
        "resources": resources,
    }
    return json.dumps(package, ensure_ascii=False, indent=2) + "\n"


def files(ctx: Context) -> dict[str, str | bytes]:
    made = {
        "studies.csv": exports.studies_csv(ctx.source_ordered),
        "studies.json": exports.studies_json(ctx.source_review, ctx.source_ordered, ctx.refs),
        "review.json": exports.review_json(ctx.source_review, ctx.source_ordered, ctx.reconciliation, ctx.as_of),
        "references.bib": exports.references_bib(ctx.source_ordered),
        "references.ris": exports.references_ris(ctx.source_ordered),
        "references.json": exports.references_csl_json(ctx.source_ordered),
        "prisma.csv": prisma.prisma_csv(ctx.source_review, ctx.source_ordered),
        checklist_page.CSV_FILE: checklist_page.checklist_csv(ctx.source_review),
        checklist_page.JSON_FILE: checklist_page.checklist_json(ctx.source_review),
    }
    if ctx.source_review.updates:  # prisma.csv is then the review as updated; this one keeps the review's own flow
        made["prisma-review.csv"] = prisma.prisma_csv(ctx.source_review)
    return made


def _size(content: str | bytes) -> str:
    n = len(content.encode("utf-8") if isinstance(content, str) else content)
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} bytes"


def write(writer, ctx: Context) -> None:
    """The downloads, once, in the default edition (they are language-neutral); the Data page in every edition."""
    made = files(ctx)
    made["datapackage.json"] = datapackage(ctx, made)
    if ctx.edition is DEFAULT:
        for name, content in made.items():
            writer.write(f"{FOLDER}/{name}", content)
    downloads = [
        {
            "name": name,
            "href": ctx.shared_url(PAGE, f"{FOLDER}/{name}"),
            "what": DESCRIPTIONS[name][0],
            "use": DESCRIPTIONS[name][1],
            "size": _size(made[name]),
        }
        for name in DESCRIPTIONS
        if name in made
    ]
    writer.write(
        PAGE,
        ctx.render(
            "data.md.j2",
            downloads=downloads,
            fields_url=relative_url(PAGE, "fields.md"),
            license=LICENSE,
            about_url=relative_url(PAGE, "about.md"),
            **_review_words(ctx),
        ),
    )


def _review_words(ctx: Context) -> dict:
    """Who wrote the review, for the Data page's statement about the words it quotes."""
    citation = ctx.review.citation
    names = [" ".join(filter(None, (a.get("given"), a.get("family")))) for a in citation.get("authors", [])]
    doi = citation.get("doi")
    return {
        "review_authors": join(names, " and ") if names else "its authors",
        "review_title": citation["title"],
        "review_journal": citation.get("journal") or "its journal",
        "review_link": link(f"https://doi.org/{doi}", f"DOI {doi}") if doi else "DOI not reported",
    }
