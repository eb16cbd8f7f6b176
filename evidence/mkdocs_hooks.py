"""MkDocs hook: what the site needs of MkDocs beyond its configuration.

- Pages written as finished HTML (front matter `format: html`: the study pages) are published as they are,
  without being read as Markdown; their table of contents is taken from their headings.
- Each edition's search index holds one entry per study (evidence/search_index.py), in one order.
- The sitemap is written here, a page to a line, each paired with its counterparts in the other editions.
- An incremental build (`mkdocs build --dirty`, which evidence/build.py runs into an empty folder, naming the
  previous site in EVIDENCE_PREVIOUS_SITE) writes there only what changed since the previous site, and records
  every file the edition now has; evidence/build.py then lays that over the previous site and removes what the
  previous site has besides. The study pages that did not change are left out of it altogether (MkDocs would
  otherwise make a page of each, thousands, only to skip it): their lines of the sitemap and their entries of the
  search index are the previous site's. Its result is byte for byte the clean build's
  (tests/test_incremental_site.py).
- The language switcher and the footer's "data as of" sentence.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
import stat
import sys
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from urllib.parse import urljoin

from markupsafe import escape as escape_xml
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_build_date

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from evidence import search_index  # noqa: E402
from evidence.as_of import stamp_of  # noqa: E402
from evidence.build import KEPT, PREVIOUS_SITE  # noqa: E402
from evidence.i18n import DEFAULT, EDITIONS, Language, edition  # noqa: E402

# What the build is (on_startup: the previous site's folder in an incremental build), and what it has done so far.
_state: dict = {"previous": None}
# What MkDocs writes besides the files it lists: the theme's static templates, the search plugin's index, and
# the sitemap (written here).
SITEMAP = "sitemap.xml"
WRITTEN_EVERY_TIME = ["404.html", SITEMAP, f"{SITEMAP}.gz", search_index.INDEX]
# The pages an incremental build leaves out when they did not change (see on_files): the study pages, linked to
# only from HTML (which MkDocs does not check), never in the navigation, and of which no other page shows anything
# MkDocs would take from them.
LEFT_OUT = "studies/"


class _DirtyNotice(logging.Filter):
    """MkDocs warns that a dirty build may leave navigation and links out of date: a warning, which fails a
    strict build. Here nothing a study page or a list shows depends on pages a dirty build skips (they are not
    in the navigation; anything that changes the chrome of every page makes evidence/build.py build clean), and
    the test of incremental builds compares the result with a clean build byte for byte."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


def on_startup(command, dirty):
    """An incremental build is `mkdocs build --dirty` with the previous site named (evidence/build.py); a dirty
    build without it is refused, by the warning _DirtyNotice would have filtered."""
    previous = os.environ.get(PREVIOUS_SITE) if dirty and command == "build" else None
    _state["previous"] = Path(previous) if previous else None
    if previous:
        logging.getLogger("mkdocs.commands.build").addFilter(_DirtyNotice())


def as_of(docs: Path, lang: str) -> str | None:
    """The sentence saying what date the data are as of, in the edition's language, from the generated
    data/review.json of the repository being built (`docs`: its docs/; only the default edition carries it)."""
    stamp = stamp_of(docs / DEFAULT.lang / "data" / "review.json")
    return stamp.sentence(Language(lang)) if stamp else None


def roots(config) -> list[dict]:
    """Each edition's language and address, from this edition's site_url."""
    here = edition(config.theme["language"])
    root = config.site_url[: -len(here.path)] if here.path else config.site_url
    return [{"lang": other.lang, "url": f"{root}{other.path}"} for other in EDITIONS]


def alternates(config, page) -> list[dict]:
    """The language switcher's entries: the same page in each edition, by an address relative to the page (it must
    work wherever the site is served); on the theme's 404 page, served at any address, each edition's home."""
    here = edition(config.theme["language"])
    url = page.url if page else ""
    up = "../" * (url.count("/") + here.path.count("/"))
    return [
        {
            "name": other.name,
            "lang": other.lang,
            "href": (up + other.path + url or "./") if page else root["url"],
            "current": other is here,
        }
        for other, root in zip(EDITIONS, roots(config), strict=True)
    ]


def on_config(config):
    """Without a repository (REPO_URL unset) there is no edit address either, rather than one with no host.

    An edition other than the default lives under its path (en/) of the site's address.
    The footer of every page says what date the data are as of (see evidence/as_of.py)."""
    if not config.repo_url:
        config.edit_uri = None
    config.theme.static_templates.discard(SITEMAP)  # written by on_post_build
    here = edition(config.theme["language"])
    if here.path and config.site_url and not config.site_url.endswith("/" + here.path):
        config.site_url = config.site_url.rstrip("/") + "/" + here.path
    config.extra["editions"] = roots(config)  # for sitemap.xml: each page's address in every edition
    # The two sentences the theme writes in English whatever its language (overrides/404.html, partials/copyright.html).
    language = Language(here.lang)
    config.extra["not_found"] = language.gettext("404: this page does not exist")
    config.extra["made_with"] = language.gettext("Made with")
    text = as_of(Path(config.docs_dir).parent, here.lang)  # docs_dir: docs/<lang>
    if text:
        config.copyright = f"{config.copyright or ''} {escape(text)}".strip()
    return config


def on_pre_build(config):
    _state.update(index=None, rebuilt=set(), own={}, left_out=[])
    if _state["previous"]:
        _state["index"] = search_index.read(_state["previous"] / search_index.INDEX)


def _unused_theme_files(files, config) -> list:
    """What the theme ships that this site never loads: its source maps (*.map, read only by a browser's developer
    tools) and the search's word splitters and stemmers of languages other than the editions' (its worker loads
    lunr/min/lunr.<lang>.min.js for each search language but English, with lunr.stemmer.support.min.js and
    lunr.multi.min.js; tinyseg.js and wordcut.js only for Japanese and Thai)."""
    keep = {f"lunr.{lang}.min.js" for lang in config.plugins["material/search"].config.lang or []}
    keep |= {"lunr.stemmer.support.min.js", "lunr.multi.min.js"}
    return [
        file
        for file in files
        if file.src_uri.startswith("assets/")
        and (
            file.src_uri.endswith(".map")
            or (file.src_uri.startswith("assets/javascripts/lunr/") and file.name + ".js" not in keep)
        )
    ]


def _modified(file, previous: Path) -> bool:
    """MkDocs' rule (File.is_modified), asked of the previous site rather than of the folder MkDocs writes into:
    a file held in memory, or one the previous site has not, or has older than its source."""
    if file.abs_src_path is None:
        return True
    try:
        before = os.stat(os.path.join(previous, file.dest_uri))
    except OSError:
        return True
    return not stat.S_ISREG(before.st_mode) or before.st_mtime < os.stat(file.abs_src_path).st_mtime


def _page_url(file) -> str:
    """The address of a page, relative to the edition's root, as MkDocs' Page.url gives it ("" for the home)."""
    return "" if file.url in (".", "./") else file.url


def _answer(value: bool):
    return lambda: value


def on_files(files, config):
    """In an incremental build, each file says whether it changed since the previous site (MkDocs asks it before
    reading a page, building it or copying a file, and writes only what did; see on_nav for the pages of the
    navigation). The study pages that did not change are left out (LEFT_OUT), and recorded. The theme's files that
    the site never loads are left out of every build (`_unused_theme_files`)."""
    for file in _unused_theme_files(files, config):
        files.remove(file)
    _state["pages"] = [_page_url(file) for file in files.documentation_pages()]  # every page, in the site's order
    previous = _state["previous"]
    if previous:
        for file in list(files):
            modified = _modified(file, previous)
            if not modified and file.src_uri.startswith(LEFT_OUT) and file.is_documentation_page():
                files.remove(file)
                _state["left_out"].append(file.dest_uri)
            else:
                file.is_modified = _answer(modified)
    _state["files"] = files
    return files


def on_nav(nav, config, files):
    """In an incremental build, a page of the navigation that did not change is read but not built again: every page
    shows the titles of the navigation's pages, which MkDocs knows only of the pages it reads. One whose title is
    not in its front matter (MkDocs takes it from the first heading it renders) is built again."""
    if _state["previous"]:
        for page in nav.pages:
            if not page.file.is_modified():
                page.read_source(config)
                if "title" not in page.meta:
                    page.file.is_modified = _answer(True)
    return nav


_HEADING = re.compile(r'<h([1-6]) id="([^"]+)">(.*?)<a class="headerlink"', re.S)
_ID = re.compile(r'\sid="([^"]+)"')


def _toc_tokens(html: str) -> list[dict]:
    """The table of contents of a page written as HTML, as the Markdown toc extension would make it."""
    tokens: list[dict] = []
    stack: list[dict] = []
    for level, anchor, inner in _HEADING.findall(html):
        token = {"level": int(level), "id": anchor, "name": search_index.text_of(inner), "children": []}
        while stack and stack[-1]["level"] >= token["level"]:
            stack.pop()
        (stack[-1]["children"] if stack else tokens).append(token)
        stack.append(token)
    return tokens


def _publish_html(page, html: str):
    """Page.render for a page written as HTML: the body as it is, the toc from its headings."""

    def render(config, files):
        page.content = html
        page.toc = get_toc(_toc_tokens(html))
        page.present_anchor_ids = set(_ID.findall(html))

    return render


def on_page_markdown(markdown, page, config, files):
    if page.meta.get("format") == "html":
        page.render = _publish_html(page, markdown)
    return markdown


def on_page_content(html, page, config, files):
    if page.meta.get("template") == "study.html":
        _state["own"][page.url] = search_index.study_entry(page.url, page.title, html)
    return html


def on_page_context(context, page, config, nav):
    """The language switcher and the hreflang links of this page point to the same page in each edition."""
    config.extra["alternate"] = alternates(config, page)
    _state["rebuilt"].add(page.url)
    return context


_PRE = re.compile(r"(<pre\b.*?</pre>)", re.S)
_INDENT = re.compile(r"\n\s+")


def on_post_page(output, page, config):
    """A study page without the indentation and blank lines of the theme's templates (text in <pre> as it is)."""
    if page.meta.get("template") == "study.html":
        output = "".join(part if i % 2 else _INDENT.sub("\n", part) for i, part in enumerate(_PRE.split(output)))
    return output


def _plain(url: str) -> bool:
    """A relative path that urljoin appends to a base as it is: no scheme, dot segment or empty segment in it."""
    return not url.startswith("/") and "." not in url and ":" not in url and "//" not in url


def sitemap(config, pages: list[str]) -> str:
    """sitemap.xml, a page to a line: each page's canonical address (made as MkDocs makes it), the build's date, and
    its address in every edition (hreflang), the default edition's again as x-default. Written here in every build,
    clean or incremental, from the list of pages alone: an incremental build does not make a page of every study."""
    editions = [(e["lang"], escape_xml(e["url"])) for e in config.extra["editions"]]
    editions.append(("x-default", editions[0][1]))
    date = get_build_date()
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    base = config.site_url
    base = base if not base or base.endswith("/") else base + "/"
    prefix = urljoin(base, "_")[:-1] if base else ""  # what urljoin puts before a plain relative path
    for url in pages if base else []:  # without an address, MkDocs' pages have no canonical one either
        here = escape_xml(url)
        links = "".join(
            f'<xhtml:link rel="alternate" hreflang="{lang}" href="{root}{here}"/>' for lang, root in editions
        )
        loc = prefix + url if url and _plain(url) else urljoin(base, url)  # as MkDocs makes it, with urljoin
        lines.append(f"<url><loc>{escape_xml(loc)}</loc><lastmod>{date}</lastmod>{links}</url>")
    lines.append("</urlset>")
    return "\n".join(lines)


def _write_sitemap(site: Path, text: str) -> None:
    """sitemap.xml and sitemap.xml.gz, dated the build's day as MkDocs dates it. Compressed at gzip's usual level,
    not MkDocs' highest: at 5,000 studies, twice as quick (0.013 s against 0.027 s) for a file 5% larger."""
    path = site / SITEMAP
    path.write_text(text, encoding="utf-8")
    day = int(datetime.fromisoformat(get_build_date()).replace(tzinfo=UTC).timestamp())
    with (
        open(f"{path}.gz", "wb") as handle,
        gzip.GzipFile(fileobj=handle, filename=f"{path}.gz", mode="wb", mtime=day, compresslevel=6) as compressed,
    ):
        compressed.write(text.encode("utf-8"))


def on_post_build(config):
    """The sitemap; the search index in one order, with one entry per study; in an incremental build, the list of
    every file the edition now has, by which evidence/build.py removes what the previous site has besides (KEPT,
    never a site's file)."""
    site = Path(config.site_dir)
    pages = _state["pages"]
    _write_sitemap(site, sitemap(config, pages))
    path = site / search_index.INDEX
    built = search_index.read(path)
    if built is not None:
        text = search_index.compose(built, pages, _state["rebuilt"], _state["own"], _state["index"])
        path.write_text(text, encoding="utf-8")
    if _state["previous"]:
        kept = sorted({f.dest_uri for f in _state["files"]} | set(_state["left_out"]) | set(WRITTEN_EVERY_TIME))
        (site / KEPT).write_text(json.dumps(kept), encoding="utf-8")


def on_template_context(context, template_name, config):
    """The theme's own pages (404.html): each edition's home."""
    config.extra["alternate"] = alternates(config, None)
    return context
