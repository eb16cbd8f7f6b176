"""Each edition's search index (search/search_index.json), as the theme's search reads it.

The theme's search plugin indexes every section of every page it builds. A study page is left out of it (front
matter `search: exclude`) and stands in the index as one entry, made here from what a reader searches a study
by: its title (and this site's translation of it), its reference and its finding (and the translation).

The index is then written again in one order, page by page in the order of the site's files, so that a build
that rebuilt only some pages (`mkdocs build --dirty`, see evidence/build.py) writes the same index as a clean
build: the entries of a page it did not rebuild are taken from the previous site's index.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

INDEX = "search/search_index.json"

_TAGS = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
# The parts of a study page (templates/study.html.j2) that its entry holds, labels and placeholders left out.
_LABELS = re.compile(r'<span class="(?:translation-label|empty)">.*?</span>', re.S)
_PARTS = re.compile(
    r'<p class="(?:translation|title-review|apa-reference)">(.*?)</p>|<blockquote class="finding">(.*?)</blockquote>',
    re.S,
)
_BEFORE = re.compile(r'<h2 id="in-the-')  # the first section after the finding


def text_of(html: str) -> str:
    """The words of a piece of HTML, tags left out and spaces collapsed (character references kept)."""
    return _SPACE.sub(" ", _TAGS.sub("", html)).strip()


def study_entry(url: str, title: str, content: str) -> dict:
    """The one entry of a study page: `title` as the page has it (escaped HTML), `content` the page's HTML."""
    end = _BEFORE.search(content)
    head = _LABELS.sub("", content[: end.start() if end else len(content)])
    parts = [text_of(a or b) for a, b in _PARTS.findall(head)]
    return {"location": url, "title": title, "text": " ".join(f"<p>{p}</p>" for p in parts if p)}


def page_of(entry: dict) -> str:
    """The page an entry belongs to: its location without the #section."""
    return entry["location"].split("#", 1)[0]


def read(path: Path) -> dict | None:
    """An index as the theme writes it, or None when there is none (or it cannot be read)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("docs"), list):
        return None
    return data


def compose(built: dict, pages: list[str], rebuilt: set[str], own: dict[str, dict], previous: dict | None) -> str:
    """The index to write: `built` is what the theme's plugin wrote in this build, `pages` every page's url in
    the site's order, `rebuilt` the pages this build rendered, `own` the entries made here (by url), and
    `previous` the previous site's index (None in a clean build)."""
    by_page: dict[str, list[dict]] = {}
    for entry in built["docs"]:
        by_page.setdefault(page_of(entry), []).append(entry)
    before: dict[str, list[dict]] = {}
    for entry in (previous or {}).get("docs", []):
        if isinstance(entry, dict) and isinstance(entry.get("location"), str):
            before.setdefault(page_of(entry), []).append(entry)
    docs = []
    for url in pages:
        if url in own:
            docs.append(own[url])
        elif url in rebuilt:
            docs.extend(by_page.get(url, []))
        else:
            docs.extend(before.get(url, []))
    # As the theme writes it (material/plugins/search/plugin.py), but with its characters as they are, not escaped.
    return json.dumps({"config": built["config"], "docs": docs}, separators=(",", ":"), ensure_ascii=False, default=str)
