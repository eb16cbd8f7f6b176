"""The open-data downloads under data/, their metadata (datapackage.json), and the Data page that describes them."""

from __future__ import annotations

import json

from babel.lists import format_list
from markupsafe import Markup

from . import checklist_page, exports, prisma
from .context import Context, relative_url
from .i18n import DEFAULT, N_
from .markup import escape, link

PAGE = "data.md"
FOLDER = "data"

# name: (what it holds, what opens it). In English in datapackage.json; the Data page shows them in its language.
DESCRIPTIONS = {
    "studies.csv": (
        N_(
            "One row per study, every field; lists joined with '; '. The origin column says whether a study is the "
            "published review's or was added in an update (`update`, `update_date`)."
        ),
        N_("Excel, LibreOffice, R (read.csv), pandas"),
    ),
    "studies.json": (
        N_(
            "One record per study, every field, with its APA reference, page and origin (the published review, or "
            "an update with its date)."
        ),
        N_("R (jsonlite), Python, any JSON tool"),
    ),
    "review.json": (
        N_(
            "The review: citation, questions, method, criteria, PRISMA counts, trends, groups, conclusions and "
            "updates; counts from the study files (the published review's, and apart those of each update); and "
            "the date the data are as of."
        ),
        N_("R (jsonlite), Python"),
    ),
    "references.bib": (N_("The included studies as BibTeX."), N_("Zotero, JabRef, LaTeX")),
    "references.ris": (N_("The included studies as RIS."), N_("Zotero, Mendeley, EndNote")),
    "references.json": (N_("The included studies as CSL-JSON."), N_("Zotero, Pandoc, citeproc")),
    "prisma.csv": (
        N_(
            "PRISMA flow counts in the PRISMA2020 app's CSV layout, as the diagram shows them (with updates, the "
            "review as updated); NA where not reported or not applicable."
        ),
        N_("PRISMA2020 app or R package"),
    ),
    "prisma-review.csv": (
        N_("The published review's own PRISMA flow counts, as before any update, in the same layout."),
        N_("PRISMA2020 app or R package"),
    ),
    "datapackage.json": (
        N_(
            "Metadata of these files: their licence, the review they come from, and each file's format "
            "and size (a Frictionless Data Package)."
        ),
        N_("Frictionless tools, R (frictionless), any JSON tool"),
    ),
    checklist_page.CSV_FILE: (
        N_(
            "The PRISMA 2020 reporting checklist and the checklist for abstracts: one row per item, with this site's "
            "status, the review's words and what is missing."
        ),
        N_("Excel, LibreOffice, R (read.csv), pandas"),
    ),
    checklist_page.JSON_FILE: (
        N_("The same checklists, with their sources, the counts per status, and each item's Spanish name."),
        N_("R (jsonlite), Python, any JSON tool"),
    ),
}

# The licence of the site's data and prose (LICENSE-DATA in the repository), and what it does not cover.
LICENSE = {
    "name": "CC-BY-4.0",
    "title": N_("Creative Commons Attribution 4.0 International"),
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
    studies = ctx.source_ordered
    # Each study's rows and entries, made again only for a study whose content changed (see exports.fragments).
    parts = exports.fragments(ctx.source_review, studies, ctx.refs, ctx.cache)
    made = {
        "studies.csv": exports.studies_csv(studies, parts),
        "studies.json": exports.studies_json(ctx.source_review, studies, ctx.refs, parts),
        "review.json": exports.review_json(ctx.source_review, studies, ctx.reconciliation, ctx.as_of),
        "references.bib": exports.references_bib(studies, parts),
        "references.ris": exports.references_ris(studies, parts),
        "references.json": exports.references_csl_json(studies, parts),
        "prisma.csv": prisma.prisma_csv(ctx.source_review, ctx.source_ordered),
        checklist_page.CSV_FILE: checklist_page.checklist_csv(ctx.source_review),
        checklist_page.JSON_FILE: checklist_page.checklist_json(ctx.source_review),
    }
    if ctx.source_review.updates:  # prisma.csv is then the review as updated; this one keeps the review's own flow
        made["prisma-review.csv"] = prisma.prisma_csv(ctx.source_review)
    return made


def _size(ctx: Context, n: int) -> str:
    if n >= 1024:
        return ctx._("%(size)s KB", size=ctx.language.number(n / 1024, "#,##0.0"))
    return ctx.ngettext("%(num)s byte", "%(num)s bytes", n, num=ctx.number(n))


def write_files(writer, ctx: Context) -> None:
    """The downloads, from the default edition's context, into its data/ (the writer's folder is that edition's)."""
    made = files(ctx)
    made["datapackage.json"] = datapackage(ctx, made)  # last: its presence says the set is written
    for name, content in made.items():
        writer.write(f"{FOLDER}/{name}", content)


def write(writer, ctx: Context) -> None:
    """The downloads, once, in the default edition (they are language-neutral: written here when that edition's
    turn comes, unless generate had another process write them first); the Data page in every edition, with the
    sizes of that one set."""
    written = {name: f"{DEFAULT.lang}/{FOLDER}/{name}" for name in DESCRIPTIONS}
    if ctx.edition is DEFAULT and written["datapackage.json"] not in writer.kept:
        write_files(writer, ctx)
    sizes = {name: writer.size(path) for name, path in written.items() if path in writer.kept}
    downloads = [
        {
            "name": name,
            "href": ctx.shared_url(PAGE, f"{FOLDER}/{name}"),
            "what": ctx._(DESCRIPTIONS[name][0]),
            "use": ctx._(DESCRIPTIONS[name][1]),
            "size": _size(ctx, sizes[name]),
        }
        for name in DESCRIPTIONS
        if name in sizes
    ]
    writer.write(
        PAGE,
        ctx.render(
            "data.md.j2",
            downloads=downloads,
            fields_url=relative_url(PAGE, "fields.md"),
            license={**LICENSE, "title": ctx._(LICENSE["title"])},
            about_url=relative_url(PAGE, "about.md"),
            **_review_words(ctx),
        ),
    )


def _review_words(ctx: Context) -> dict:
    """Who wrote the review, for the Data page's statement about the words it quotes."""
    citation = ctx.review.citation
    names = [" ".join(filter(None, (a.get("given"), a.get("family")))) for a in citation.get("authors", [])]
    doi = citation.get("doi")
    title = escape(citation["title"])
    return {
        "review_authors": format_list(names, locale=ctx.language.locale) if names else ctx._("its authors"),
        # The review's title is in English; on another edition it says so.
        "review_title": title if ctx.lang == "en" else Markup(f'<span lang="en">{title}</span>'),
        "review_journal": citation.get("journal") or ctx._("its journal"),
        "review_link": link(f"https://doi.org/{doi}", f"DOI {doi}") if doi else ctx._("DOI not reported"),
    }
