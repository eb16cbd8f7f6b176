"""The two editions: one catalogue per language, complete; Spanish pages free of English interface text; the
review's words marked as English, with this site's translation labelled; every page paired with its counterpart."""

from __future__ import annotations

import gzip
import html
import html.parser
import json
import re
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urljoin
from xml.etree import ElementTree

import pytest
import yaml
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from conftest import ROOT, run_cli
from evidence import i18n
from test_site import copy_repo

# --- The catalogue ----------------------------------------------------------------------------------------------


def extracted() -> dict[str, list[str]]:
    """Every message the templates and the code mark, as `make messages` extracts them: msgid -> where."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[str, list[str]] = {}
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    for filename, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        ids = message if isinstance(message, tuple) else (message,)
        found.setdefault(ids, []).append(filename)
    return found


@pytest.fixture(scope="module")
def catalogue():
    with i18n.catalogue_path("es").open("rb") as handle:
        return read_po(handle, locale="es")


@pytest.fixture(scope="module")
def messages():
    return extracted()


PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")
TAG = re.compile(r"</?([a-z]+)\b")


def test_every_message_has_its_spanish_translation(catalogue, messages):
    missing = []
    for ids, where in messages.items():
        entry = catalogue.get(ids[0])
        translated = (
            entry and not entry.fuzzy and all(entry.string if isinstance(entry.string, tuple) else [entry.string])
        )
        if not translated:
            missing.append(f"{ids[0]!r} ({', '.join(sorted(set(where)))})")
    assert not missing, "messages without a Spanish translation (run `make messages`, then translate):\n" + "\n".join(
        missing
    )


def test_translations_keep_the_placeholders_and_markup(catalogue):
    wrong = []
    for entry in catalogue:
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for string in strings:
            if not string:
                continue
            if sorted(PLACEHOLDER.findall(ids[-1])) != sorted(PLACEHOLDER.findall(string)) and not (
                len(ids) == 2 and set(PLACEHOLDER.findall(string)) <= set(PLACEHOLDER.findall(ids[-1]))
            ):
                wrong.append(f"placeholders differ: {ids[0]!r} -> {string!r}")
            if sorted(TAG.findall(ids[-1])) != sorted(TAG.findall(string)):
                wrong.append(f"markup differs: {ids[0]!r} -> {string!r}")
    assert not wrong, "\n".join(wrong)


def test_the_catalogue_holds_no_message_the_site_no_longer_writes(catalogue, messages):
    known = {ids[0] for ids in messages}
    stale = [
        entry.id
        for entry in catalogue
        if entry.id and (entry.id if isinstance(entry.id, str) else entry.id[0]) not in known
    ]
    assert not stale, f"obsolete messages (run `make messages`): {stale}"


def test_a_message_is_translated_and_its_values_escaped():
    from evidence.markup import environment

    env = environment(i18n.Language("es"))
    page = env.from_string('{% trans title=title %}Findings of {{ title }}{% endtrans %} {{ _("The review") }}')
    out = page.render(title="<b>*x*</b>")
    assert "&#60;b&#62;&#42;x&#42;" in out and "<b>" not in out  # escaped for HTML and Markdown alike
    assert out.endswith("La revisión")


def test_places_and_dates_are_written_in_the_reader_s_language():
    spanish, english = i18n.Language("es"), i18n.Language("en")
    assert spanish.place("Discussion, paragraph 9") == "Discusión, párrafo 9"
    assert english.place("Discussion, paragraph 9") == "Discussion, paragraph 9"
    assert spanish.place("Table 3") == "Tabla 3"
    assert spanish.place("somewhere else") == "somewhere else"
    assert spanish.date("2025-06-30") == "30 de junio de 2025"
    assert english.date("2025-06-30") == "June 30, 2025"


# --- The built editions -----------------------------------------------------------------------------------------


class _Text(html.parser.HTMLParser):
    """The text a reader sees, without what is marked as another language or is not prose."""

    # Not prose, or (<title>) the page's title, which its <h1> shows marked with its language.
    SKIP = {"script", "style", "code", "pre", "svg", "template", "kbd", "title"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, lang: str):
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.stack: list[bool] = []  # per open element: is its text excluded?
        self.text: list[str] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        excluded = bool(self.stack and self.stack[-1])
        lang = attrs.get("lang")
        if tag in self.SKIP or (lang and lang.split("-")[0] != self.lang and tag != "html"):
            excluded = True
        if "md-header__topic" in (attrs.get("class") or ""):  # the theme's header repeats the page's title
            excluded = True
        if not excluded:
            self.attributes += [attrs[a] for a in ("aria-label", "title", "placeholder", "alt") if attrs.get(a)]
        if tag not in self.VOID:
            self.stack.append(excluded)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.text.append(data)


def visible(page: str, lang: str) -> str:
    parser = _Text(lang)
    parser.feed(page)
    return " ".join(parser.text + parser.attributes)


# Words that are English and not Spanish: one of them outside a lang="en" element is English interface text.
ENGLISH = re.compile(
    r"\b(the|and|of|with|this|that|these|which|from|not|reported|study|studies|review|findings?|trends?|"
    r"page|download|published|update[sd]?|added|search|checks?)\b",
    re.IGNORECASE,
)


# Kept in English inside Spanish text, by rule: the review's citation forms ("Rodríguez and López (2023)"), and the
# English title APA gives in brackets after a Spanish one.
CITATION = re.compile(r"\b[A-ZÁÉÍÓÚÑ][\w-]+ and [A-ZÁÉÍÓÚÑ][\w-]+ \(\d{4}\)")
BRACKETED = re.compile(r"\[[^\]]*\]")
FILE_NAME = re.compile(r"[\w.-]+\.(?:csv|json|yml|bib|ris|xml|zip)\b")  # studies.csv, review.yml


def english_words(page: str) -> list[str]:
    text = FILE_NAME.sub(" ", BRACKETED.sub(" ", CITATION.sub(" ", visible(page, "es"))))
    return sorted({m.group(0).lower() for m in ENGLISH.finditer(text)})


def test_the_english_word_check_finds_english():
    """The check below could fail: an English sentence outside a lang="en" element is found."""
    assert english_words('<html lang="es"><p>Hallazgos de the review</p></html>') == ["review", "the"]
    assert english_words('<html lang="es"><p>Hallazgos <span lang="en">of the review</span></p></html>') == []
    assert english_words('<html lang="es"><button aria-label="Search">x</button></html>') == ["search"]


# Names of journals, series and publishers, and original titles of unknown language, are data in their own language,
# not the site's interface text; so are the notes, which name journals. In the copy built here they are replaced or
# left out, so that an English word left on a Spanish page is the site's own.
NAMES = ("journal", "proceedings", "series", "event", "publisher")
LEFT_OUT = ("notes", "notes_es")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = copy_repo(tmp_path_factory.mktemp("editions") / "repo")
    for file in (root / "studies").glob("[!_]*.yml"):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        for name in NAMES:
            if name in data:
                data[name] = f"Revista {name}"
        if data.get("original_title") and not data.get("language"):
            data["original_title"] = "Título original"
        for name in LEFT_OUT:
            data.pop(name, None)
        file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SITE_URL", "https://example.github.io/review/")
        env.setenv("SOURCE_DATE_EPOCH", "1735689600")
        result = run_cli(root, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "site"


def pages(site: Path, lang: str) -> dict[str, Path]:
    """The HTML pages of one edition, by their path inside it."""
    base = site / i18n.edition(lang).path
    found = {p.relative_to(base).as_posix(): p for p in base.rglob("*.html")}
    if lang == i18n.DEFAULT.lang:
        found = {k: v for k, v in found.items() if not k.startswith(tuple(e.path for e in i18n.EDITIONS if e.path))}
    return found


def test_every_page_has_its_counterpart_in_the_other_edition(built):
    spanish, english = pages(built, "es"), pages(built, "en")
    assert len(spanish) > 30
    assert sorted(spanish) == sorted(english)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_each_page_says_its_language_and_its_switcher_leads_to_its_counterpart(built, lang):
    for path, file in pages(built, lang).items():
        page = file.read_text(encoding="utf-8")
        assert f'<html lang="{lang}"' in page, path
        # No <link rel="alternate"> in <head>: the theme's script would fetch sitemap.xml beside each one.
        assert 'rel="alternate"' not in page, path
        if path == "404.html":
            continue
        url = path[: -len("index.html")]
        for other in i18n.EDITIONS:
            href = re.search(rf'<a href="([^"]*)" hreflang="{other.lang}" lang="{other.lang}"', page)[1]
            target = (file.parent / href).resolve() / "index.html"
            assert target == (built / other.path / url / "index.html").resolve(), (path, href)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_each_sitemap_pairs_every_page_with_its_counterpart(built, lang):
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ElementTree.parse(built / i18n.edition(lang).path / "sitemap.xml").getroot()
    urls = root.findall("s:url", namespace)
    assert len(urls) == len(pages(built, lang)) - 1  # every page but 404.html
    base = "https://example.github.io/review/"
    for url in urls:
        loc = url.find("s:loc", namespace).text
        page = loc.removeprefix(base + i18n.edition(lang).path)
        links = {link.get("hreflang"): link.get("href") for link in url.findall("x:link", namespace)}
        assert links == {
            **{e.lang: f"{base}{e.path}{page}" for e in i18n.EDITIONS},
            "x-default": f"{base}{page}",
        }, loc
        assert links[lang] == loc


@pytest.mark.parametrize(
    "base", ["http://127.0.0.1:8000/", "https://example.github.io/review/en/", "http://host//a/./b/../c/"]
)
def test_the_sitemap_gives_each_page_the_address_mkdocs_makes(base):
    """The hook writes the sitemap: a page's address is urljoin's, as MkDocs makes it (taken a quicker way for a
    plain relative path)."""
    from evidence import mkdocs_hooks

    editions = [{"lang": "es", "url": "https://x/"}, {"lang": "en", "url": "https://x/en/"}]
    config = SimpleNamespace(site_url=base, extra={"editions": editions})
    pages = ["", "about/", "studies/vicente-2022/", "trends/index/", "%C3%B1o/", "a.html", "../up/", "b//c/"]
    found = [html.unescape(loc) for loc in re.findall(r"<loc>(.*?)</loc>", mkdocs_hooks.sitemap(config, pages))]
    assert found == [urljoin(base, page) for page in pages]


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_each_edition_has_its_own_search_index_in_its_language(built, lang):
    index = json.loads((built / i18n.edition(lang).path / "search" / "search_index.json").read_text("utf-8"))
    assert index["config"]["lang"] == [lang]
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    assert "about/" in locations and "findings/" not in locations  # the findings page is kept out of search


def test_the_downloads_are_one_set_at_the_root(built):
    assert (built / "data" / "studies.csv").is_file()
    assert [p.name for p in (built / "en" / "data").iterdir()] == ["index.html"]  # the Data page, no downloads


def test_no_english_interface_text_on_a_spanish_page(built):
    """Outside what is marked lang="en" (the review's words, English titles), a Spanish page is in Spanish."""
    found = {}
    for path, file in pages(built, "es").items():
        words = english_words(file.read_text(encoding="utf-8"))
        if words:
            found[path] = words
    assert not found, "\n".join(f"{path}: {', '.join(words)}" for path, words in sorted(found.items()))


def transferred(site: Path, page: Path) -> int:
    """Bytes a reader's browser fetches for a page, gzip-compressed as a server sends them: the page and every
    local stylesheet, script and image it loads (the search index aside: it is fetched when search is used)."""
    html = page.read_text(encoding="utf-8")
    total = len(gzip.compress(html.encode(), mtime=0))
    for ref in set(re.findall(r'(?:href|src)="([^"#?]+\.(?:css|js|svg|png))"', html)):
        # The 404 page names its assets by absolute path (under the site's address, /review/ here).
        asset = (
            (site / ref.removeprefix("/review/")).resolve() if ref.startswith("/") else (page.parent / ref).resolve()
        )
        if asset.is_file() and site.resolve() in asset.parents:
            total += len(gzip.compress(asset.read_bytes(), mtime=0))
    return total


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_page_weighs_at_most_250_kb_transferred(built, lang):
    heavy = {path: transferred(built, file) for path, file in pages(built, lang).items()}
    assert min(heavy.values()) > 50_000  # the theme's script and stylesheet are counted
    assert not {path: size for path, size in heavy.items() if size > 250 * 1024}


LABEL = '<span class="translation-label">Traducción no oficial de este sitio:</span> '


def _shown(page: Path) -> str:
    """A built page's HTML with character references decoded, so that data can be looked for as written."""
    return html.unescape(page.read_text(encoding="utf-8"))


def test_the_review_s_words_are_marked_english_and_each_translation_is_labelled(built):
    """On the Spanish edition, every finding and every trend paragraph of the review stands in an element marked
    lang="en", and this site's translation of it follows under its label, as the data give it."""
    review = yaml.safe_load((ROOT / "review.yml").read_text(encoding="utf-8"))
    checked = 0
    for file in sorted((ROOT / "studies").glob("[!_]*.yml")):
        study = yaml.safe_load(file.read_text(encoding="utf-8"))
        page = _shown(built / "studies" / study["id"] / "index.html")
        finding, translation = " ".join(study["finding"].split()), " ".join(study["finding_es"].split())
        assert f'<p lang="en">{finding}</p>' in page, study["id"]
        assert f'<p class="translation">{LABEL}{translation}</p>' in page, study["id"]
        checked += 1
    for trend in review["trends"]:
        page = _shown(built / "trends" / trend["id"] / "index.html")
        for paragraph in trend["first_pass"] + trend["second_pass"]:
            text, translation = " ".join(paragraph["text"].split()), " ".join(paragraph["text_es"].split())
            assert f'<p lang="en">{text}</p>' in page, paragraph["place"]
            assert f'<p class="translation">{LABEL}{translation}</p>' in page, paragraph["place"]
            checked += 1
    assert checked == 16 + 15  # the 16 findings, and the trend paragraphs of both passes (9 to 16, 19 to 25)
