"""Browser-verified pages: the built site as a reader's browser sees it.

One build per session, in a throw-away copy of the repository with one extra
study, studies/payload-2023.yml, whose every text field carries script, HTML,
Markdown and template payloads, and the living review's contract example of
CONTRIBUTING.md (an update in review.yml and the study it adds), with a second
update whose description carries the payloads. The site is built and served as GitHub Pages
serves a project's site: under /digital-government-review/ (SITE_URL), with
404.html and status 404 for any other address; REPO_URL is set as the workflows
set it. It is served on 127.0.0.1 and driven with Chromium through Playwright
(Debian's, or the one the CHROMIUM variable names):

1. every page loads without console errors and without any request leaving
   127.0.0.1 (the theme's GitHub stars widget is answered locally);
2. the payloads display as text and never execute, on the pages and in search,
   and the downloads carry them inert;
3. axe-core finds no WCAG 2.1 A/AA violation in the page content, in the light
   and the dark colour scheme;
4. every internal link and #anchor resolves, and the 404 page works at any
   depth under the sub-path; sitemap.xml lists every page with its address;
5. the Nu HTML Checker (vnu.jar from npm, `npm ci`) finds no error and no
   warning but one known finding of the theme (ALLOWED below).

Without Chromium, Java or vnu.jar these tests skip; under CI=true they fail.
"""

from __future__ import annotations

import csv
import functools
import html.parser
import http.server
import io
import json
import re
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import pytest

from conftest import ROOT, run_cli, unavailable
from evidence.i18n import EDITIONS
from test_site import copy_repo
from test_updates_check import STUDY, UPDATE

VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The theme's repository widget would ask GitHub for the stars and forks of repo_url; overrides/partials/source.html
# keeps the link and drops the request. Should one be made, it is answered here and the test below fails.
GITHUB_API = "https://api.github.com/"
# As the workflows set it, and the path GitHub Pages serves the site under.
REPO = "example/digital-government-review"
PREFIX = "/digital-government-review/"


# --- The payload study ------------------------------------------------------------------------------------------

# Each text field carries all of these (the short fields a shorter set). They display as text or the suite fails.
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG = '"><svg onload=alert(1)>'
GLOBAL = '<img src=x onerror="window.__pwned=1">'
TEMPLATE = "{{ 7*7 }}"
ATTR_LIST = '{: onclick="alert(1)" }'
MD_LINK = "[x](javascript:alert(1))"
PAYLOAD = f"{SCRIPT} {IMG} {SVG} {TEMPLATE} {ATTR_LIST} {MD_LINK} **bold** <!-- --> &amp; `tick`"  # 174 characters
LONG = f"{PAYLOAD} {GLOBAL} {{% raw %}} ${{window.__pwned=2}} | cell | <b>b</b> _u_ \\*"
SHORT = f"{SCRIPT}{IMG}{{{{7*7}}}}**b**`t`"  # for fields of at most 100 characters
# Shown literally wherever the title, finding or notes are printed.
LITERALS = [SCRIPT, IMG, SVG, TEMPLATE, ATTR_LIST, MD_LINK, "**bold**", "<!-- -->", "&amp;", "`tick`"]

PAYLOAD_STUDY = {
    "id": "payload-2023",
    "title": f"Title \U0001f600 {LONG}",  # and a character beyond U+FFFF, which front matter must keep
    "original_title": f'=HYPERLINK("https://example.org/") {LONG}',
    "language": "es",
    "year": 2023,
    "authors": [{"family": f"=Family {SHORT}", "given": f"Given {SHORT}"}, {"family": SVG}],
    "type": "journal-article",
    "journal": f"Journal {LONG}",
    "publisher": f"Publisher {PAYLOAD}",
    "volume": "<b>1</b>",
    "issue": "{{2}}",
    "pages": "1-2",
    "license": SHORT,
    "indexed_in": [f"Index {PAYLOAD}"],
    "countries": [f"@Country {SHORT}"],
    # The schema allows no quote or angle bracket in an address; the site's own rule drops those with an apostrophe.
    "url": "https://example.org/payload?q='onmouseover=alert(1)//&x={{7*7}}",
    "finding": f"+Finding {LONG}",
    "trends": ["citizen-perception"],
    "group": "challenges",
    "notes": f"-Notes {LONG}",
    "sources": ["https://example.org/source?a=1&b=2", "https://example.org/javascript:alert(1)"],
}


def payload_yaml() -> str:
    """The study as YAML: every string a JSON string, which YAML reads as a double-quoted scalar."""

    def value(v, indent):
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        if isinstance(v, int):
            return str(v)
        if isinstance(v, list) and all(isinstance(i, str) for i in v):
            return "\n" + "".join(f"{indent}  - {json.dumps(i, ensure_ascii=False)}\n" for i in v).rstrip("\n")
        lines = []
        for item in v:
            first = True
            for key, sub in item.items():
                lines.append(f"{indent}  {'- ' if first else '  '}{key}: {json.dumps(sub, ensure_ascii=False)}")
                first = False
        return "\n" + "\n".join(lines)

    return "".join(f"{key}: {value(v, '')}\n" for key, v in PAYLOAD_STUDY.items())


def test_payload_lengths_fit_the_schema():
    schema = json.loads((ROOT / "schema" / "study.schema.json").read_text(encoding="utf-8"))["properties"]
    for key, v in PAYLOAD_STUDY.items():
        limit = schema[key].get("maxLength") or schema[key].get("items", {}).get("maxLength")
        for text in v if isinstance(v, list) else [v]:
            if isinstance(text, str) and limit:
                assert len(text) <= limit, key


# --- Build and serve --------------------------------------------------------------------------------------------


class _Pages(http.server.SimpleHTTPRequestHandler):
    """GitHub Pages for a project site: the files under PREFIX; at any other address, 404.html with status 404."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = unquote(urlsplit(self.path).path)
        if path + "/" == PREFIX:
            return self._redirect(PREFIX)
        if not path.startswith(PREFIX):
            return self._not_found()
        target = Path(self.directory) / path[len(PREFIX) :]
        if target.is_dir() and not path.endswith("/"):
            return self._redirect(path + "/")
        if target.is_dir():
            target = target / "index.html"
        if ".." in Path(path).parts or not target.is_file():
            return self._not_found()
        self.path = "/" + self.path[len(PREFIX) :]
        return super().send_head()

    def _redirect(self, location: str):
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()
        return None

    def _not_found(self):
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """The browser leaving a page mid-download is not an error of the site."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def served(tmp_path_factory):
    """The repository copy's folder and the address its site/ is served at, under PREFIX."""
    root = tmp_path_factory.mktemp("browser") / "repo"
    server = _Server(("127.0.0.1", 0), functools.partial(_Pages, directory=str(root / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def site(served) -> Path:
    """The site, built once from the real data plus the payload study, for the address it is served at."""
    root, address = served
    copy_repo(root)
    (root / "studies" / "payload-2023.yml").write_text(payload_yaml(), encoding="utf-8")
    (root / "studies" / "quispe-2024.yml").write_text(STUDY, encoding="utf-8")
    with (root / "review.yml").open("a", encoding="utf-8") as review:
        review.write(UPDATE + f"  - id: update-2025-2\n    date: 2025-07-01\n    description: {json.dumps(LONG)}\n")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SITE_URL", address)
        env.setenv("REPO_URL", f"https://github.com/{REPO}")
        checked = run_cli(root, "check")
        assert checked.returncode == 0 and "\n0 errors" in "\n" + checked.stdout, checked.stdout + checked.stderr
        result = run_cli(root, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "site"


@pytest.fixture(scope="session")
def base_url(site, served):
    return served[1]


def site_pages(site: Path) -> list[str]:
    """Every page of both editions, as a path relative to the site root: each folder's index.html, and each
    edition's 404.html."""
    pages = sorted(p.parent.relative_to(site).as_posix() + "/" for p in site.rglob("index.html"))
    return [p if p != "./" else "" for p in pages] + [f"{e.path}404.html" for e in EDITIONS]


class Visit:
    """One browser context; records console errors, page errors, dialogs and requests that would leave the site."""

    def __init__(self, browser, base_url: str, color_scheme: str = "light"):
        self.base = base_url
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=color_scheme)
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.blocked: list[str] = []
        self.missing: list[str] = []
        self.answered: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text} {m.location}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("dialog", self._dialog)
        self.page.on("response", lambda r: r.status >= 400 and self.missing.append(f"{r.status} {r.url}"))
        # Requests that got no answer; not those blocked above, nor those the browser cancelled by leaving the page.
        self.failed: list[str] = []
        self.page.on(
            "requestfailed",
            lambda r: (
                r.url not in self.blocked
                and r.failure != "net::ERR_ABORTED"
                and self.failed.append(f"{r.url} {r.failure}")
            ),
        )

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.base):
            route.continue_()
        elif url.startswith(GITHUB_API):
            self.answered.append(url)
            body = {"tag_name": "v1.0.0"} if url.endswith("/latest") else {"stargazers_count": 0, "forks_count": 0}
            route.fulfill(
                status=200,
                content_type="application/json",
                body=json.dumps(body),
                headers={"Access-Control-Allow-Origin": "*"},
            )
        else:
            self.blocked.append(url)
            route.abort()

    def open(self, path: str, wait_until: str = "load"):
        self.page.goto(self.base + path, wait_until=wait_until)
        return self.page

    def close(self):
        self.context.close()


# --- 1, 3, 4: every page, once per colour scheme ----------------------------------------------------------------

# Collected in the page, after the theme's scripts ran: the links (resolved against the page) and the ids.
COLLECT = """() => ({
  links: Array.from(document.querySelectorAll('a'), a => a.getAttribute('href') ?? a.getAttribute('xlink:href'))
    .filter(href => href !== null).map(href => new URL(href, document.baseURI).href),
  scheme: document.body.getAttribute('data-md-color-scheme'),
})"""


def _axe():
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        unavailable("axe-playwright-python is not installed (pip install -r requirements-dev.txt)")
    return Axe()


@pytest.fixture(scope="session")
def crawl(browser, base_url, site):
    """Visit every page in the light and the dark scheme; record what each test below asserts on."""
    axe = _axe()
    results = {}
    for scheme in ("light", "dark"):
        visit = Visit(browser, base_url, scheme)
        try:
            for path in site_pages(site):
                before = (
                    len(visit.errors),
                    len(visit.blocked),
                    len(visit.dialogs),
                    len(visit.missing),
                    len(visit.answered),
                )
                page = visit.open(path)
                found = page.evaluate(COLLECT)
                report = axe.run(
                    page,
                    context=".md-content",
                    options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
                )
                violations = report.response["violations"]
                results[scheme, path] = {
                    "errors": visit.errors[before[0] :],
                    "blocked": visit.blocked[before[1] :],
                    "dialogs": visit.dialogs[before[2] :],
                    "missing": visit.missing[before[3] :],
                    "answered": visit.answered[before[4] :],
                    "links": found["links"],
                    "scheme": found["scheme"],
                    "violations": violations,
                }
        finally:
            visit.close()
    return results


def test_every_page_is_visited(crawl, site):
    pages = site_pages(site)
    assert len(pages) >= 30 and "studies/payload-2023/" in pages and "" in pages
    assert set(crawl) == {(scheme, path) for scheme in ("light", "dark") for path in pages}
    # The dark run really ran in the theme's dark scheme.
    assert {r["scheme"] for (scheme, _), r in crawl.items() if scheme == "dark"} == {"slate"}
    assert {r["scheme"] for (scheme, _), r in crawl.items() if scheme == "light"} == {"default"}


def test_no_console_errors(crawl):
    problems = [f"{path or '/'} ({scheme}): {e}" for (scheme, path), r in crawl.items() for e in r["errors"]]
    assert not problems, "\n".join(problems)


def test_no_request_leaves_the_site(crawl):
    problems = [f"{path or '/'}: {url}" for (scheme, path), r in crawl.items() for url in r["blocked"]]
    assert not problems, "requests to other hosts:\n" + "\n".join(problems)
    # Not even the theme's repository widget asks GitHub about repo_url: everything comes from site/.
    answered = [url for r in crawl.values() for url in r["answered"]]
    assert answered == [], answered


def test_no_missing_resources(crawl):
    problems = [f"{path or '/'}: {m}" for (scheme, path), r in crawl.items() for m in r["missing"]]
    assert not problems, "\n".join(problems)


def test_no_dialogs_anywhere(crawl):
    problems = [f"{path or '/'}: {d}" for (scheme, path), r in crawl.items() for d in r["dialogs"]]
    assert not problems, "\n".join(problems)


def _axe_problems(crawl, scheme: str) -> list[str]:
    problems = []
    for (s, path), r in sorted(crawl.items()):
        if s != scheme:
            continue
        for v in r["violations"]:
            nodes = v["nodes"]
            if nodes:
                targets = "; ".join(" ".join(map(str, n["target"])) for n in nodes[:5])
                problems.append(
                    f"{path or '/'}: {v['id']} ({v['impact']}, {len(nodes)} nodes): {v['help']} -- {targets}"
                )
    return problems


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_wcag_violations(crawl, scheme):
    problems = _axe_problems(crawl, scheme)
    assert not problems, f"axe-core, {scheme} scheme:\n" + "\n".join(problems)


class _Ids(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value is not None:
                self.ids.add(value)


@functools.cache
def _ids(file: Path) -> frozenset[str]:
    parser = _Ids()
    parser.feed(file.read_text(encoding="utf-8"))
    return frozenset(parser.ids)


def test_every_internal_link_and_anchor_resolves(crawl, site, base_url):
    problems = set()
    checked = 0
    for (scheme, path), r in crawl.items():
        if scheme != "light":
            continue
        for link in r["links"]:
            if not link.startswith(base_url):
                assert urlsplit(link).scheme in ("https", "mailto"), f"{path}: {link}"
                continue
            checked += 1
            parts = urlsplit(link)
            target = site / unquote(parts.path)[len(PREFIX) :]
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                problems.add(f"{path or '/'}: {link} -> no file {target.relative_to(site)}")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in _ids(target):
                problems.add(
                    f"{path or '/'}: {link} -> no id {unquote(parts.fragment)!r} in {target.relative_to(site)}"
                )
    assert checked > 500
    assert not problems, "\n".join(sorted(problems))


# --- 4: under a sub-path, as GitHub Pages serves a project's site ------------------------------------------------


def test_sitemap_lists_every_page_with_its_address(site, base_url):
    """Each edition has its sitemap (sitemap.xml, en/sitemap.xml); together they list every page."""
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = []
    for edition in EDITIONS:
        root = ElementTree.parse(site / edition.path / "sitemap.xml").getroot()
        locs += [loc.text for loc in root.findall("s:url/s:loc", namespace)]
    pages = [base_url + path for path in site_pages(site) if not path.endswith("404.html")]
    assert sorted(locs) == sorted(pages) and len(locs) == len(set(locs))
    for loc in locs:
        with urllib.request.urlopen(loc, timeout=10) as response:
            assert response.status == 200, loc


def test_the_server_answers_as_pages_does(site, base_url):
    """Guards the tests below: an unknown address gets 404.html with status 404, a page gets itself."""
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(base_url + "studies/no-such-study-2099/", timeout=10)
    assert missing.value.code == 404
    assert missing.value.read() == (site / "404.html").read_bytes()
    with urllib.request.urlopen(base_url.rstrip("/"), timeout=10) as response:
        assert response.url == base_url and response.status == 200


@pytest.mark.parametrize("path", ["no-such-page", "studies/no-such-study-2099/", "a/b/c/d/e/f.html"])
def test_an_unknown_address_shows_the_404_page_with_everything_loaded(browser, base_url, path):
    visit = Visit(browser, base_url)
    try:
        responses = []
        visit.page.on("response", lambda r: responses.append((r.status, r.url)))
        page = visit.open(path, wait_until="networkidle")
        assert (404, base_url + path) in responses
        assert visit.missing == [f"404 {base_url}{path}"], visit.missing
        # The browser logs the page's own status 404 as a console error; nothing else may fail.
        errors = [e for e in visit.errors if f"'url': '{base_url}{path}'" not in e or "status of 404" not in e]
        assert not visit.failed and not visit.blocked and not errors, (visit.failed, visit.blocked, visit.errors)
        loaded = {url.rsplit("/", 1)[-1].split(".")[0] for status, url in responses if status == 200}
        assert {"main", "palette", "bundle", "extra", "tables"} <= loaded, loaded
        assert page.locator("h1").inner_text() == "404: esta página no existe"  # the root 404.html: Spanish
        # The theme's styles applied: the header is laid out, not a bare list.
        assert page.locator(".md-header").evaluate("el => getComputedStyle(el).position") == "sticky"
        home = page.locator("a.md-header__button.md-logo").evaluate("a => a.href")
        assert home == base_url
        # Search works from the 404 page: its index is found under the sub-path.
        query = page.locator('input[data-md-component="search-query"]')
        results = page.locator(".md-search-result__item")
        for _ in range(20):
            query.click()
            query.fill("")
            query.press_sequentially("Huamán", delay=20)
            try:
                results.first.wait_for(state="visible", timeout=1000)
                break
            except Exception:  # noqa: BLE001 - playwright's TimeoutError: try again
                continue
        links = page.eval_on_selector_all(".md-search-result__link", "els => els.map(a => a.href)")
        assert links and all(link.startswith(base_url) for link in links), links
        link = next((link for link in links if link.startswith(base_url + "studies/huaman-2022/")), None)
        assert link, links
        page.goto(link, wait_until="load")
        assert page.url.startswith(base_url + "studies/") and "404" not in page.title()
        assert visit.missing == [f"404 {base_url}{path}"], visit.missing
        errors = [e for e in visit.errors if f"'url': '{base_url}{path}'" not in e or "status of 404" not in e]
        assert not visit.failed and not visit.blocked and not errors, (visit.failed, visit.blocked, visit.errors)
    finally:
        visit.close()


def test_a_study_page_under_the_sub_path_loads_everything(browser, base_url):
    visit = Visit(browser, base_url)
    try:
        page = visit.open("studies/huaman-2022/", wait_until="networkidle")
        assert not visit.missing and not visit.failed and not visit.blocked and not visit.errors
        assert page.locator(".md-header").evaluate("el => getComputedStyle(el).position") == "sticky"
        edit = page.locator("p.edit-study a").evaluate("a => a.href")
        assert edit == f"https://github.com/{REPO}/edit/main/studies/huaman-2022.yml"
        canonical = page.locator('link[rel="canonical"]').evaluate("l => l.href")
        assert canonical == base_url + "studies/huaman-2022/"
    finally:
        visit.close()


def test_charts_and_downloads_are_served_under_the_sub_path(browser, base_url):
    visit = Visit(browser, base_url)
    try:
        page = visit.open("data/", wait_until="networkidle")
        hrefs = page.eval_on_selector_all(".md-content table.downloads a", "els => els.map(a => a.href)")
        assert len(hrefs) >= 7
        for href in hrefs:
            assert href.startswith(base_url + "data/"), href
            with urllib.request.urlopen(href, timeout=10) as response:
                assert response.status == 200 and response.read(), href
        page = visit.open("charts/", wait_until="networkidle")
        images = page.eval_on_selector_all(".md-content img", "els => els.map(i => [i.src, i.naturalWidth])")
        svgs = page.locator(".md-content svg").count()
        assert images or svgs
        assert all(src.startswith(base_url) and width > 0 for src, width in images), images
        assert not visit.missing and not visit.failed and not visit.blocked and not visit.errors
    finally:
        visit.close()


# --- 2: the payloads stay text ----------------------------------------------------------------------------------

THEME_INLINE_SCRIPTS = (
    "__md_scope=new URL(",
    'var palette=__md_get("__palette")',
)

# Everything a payload could have created, found in the live DOM after the page's scripts ran.
INSPECT = """(themeScripts) => {
  const found = [];
  for (const s of document.querySelectorAll('script:not([src])')) {
    const text = s.textContent.trim();
    const config = s.id === '__config' && s.type === 'application/json';
    if (!config && !themeScripts.some(prefix => text.startsWith(prefix))) found.push('inline script: ' + text.slice(0, 80));
  }
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (/^on/i.test(attr.name)) found.push(`<${el.localName} ${attr.name}="${attr.value}">`);
      if (/^\\s*javascript:/i.test(attr.value)) found.push(`<${el.localName} ${attr.name}="${attr.value}">`);
    }
  }
  for (const el of document.querySelectorAll('iframe, object, embed, base, meta[http-equiv], form[action]'))
    found.push('<' + el.localName + '>');
  for (const img of document.querySelectorAll('img')) if (/\\/x$/.test(img.src)) found.push('<img src=x>');
  // What the Markdown or HTML in the payloads would have made: <b>1</b>, **bold**, _u_, `tick`, [x](...).
  const made = {b: ['1', 'b', 'bold'], strong: ['b', 'bold'], em: ['u'], i: ['u'], code: ['t', 'tick'], a: ['x']};
  const content = document.querySelector('.md-content');
  for (const el of content.querySelectorAll(Object.keys(made).join(', '))) {
    const text = el.textContent.trim();
    if (made[el.localName].includes(text)) found.push(`<${el.localName}>${text}`);
  }
  for (const svg of content.querySelectorAll('svg')) if (!svg.closest('.prisma-diagram')) found.push('<svg>');
  return {
    found,
    globals: Object.keys(window).filter(k => /pwned|xss/i.test(k)),
    keys: Object.keys(window),
    text: content.innerText,
    header: (document.querySelector('[data-md-component="header-topic"]') || document.body).innerText,
    title: document.title,
  };
}"""


@pytest.fixture(scope="session")
def visit(browser, base_url):
    v = Visit(browser, base_url)
    yield v
    v.close()


def _inspect(visit: Visit, path: str) -> dict:
    page = visit.open(path)
    return page.evaluate(INSPECT, list(THEME_INLINE_SCRIPTS))


def _assert_inert(visit: Visit, state: dict, where: str):
    assert not visit.dialogs, f"{where}: dialogs fired: {visit.dialogs}"
    assert not state["found"], f"{where}: elements created from payloads: {state['found']}"
    assert not state["globals"], f"{where}: globals set by payloads: {state['globals']}"
    assert not visit.errors, f"{where}: {visit.errors}"
    assert not [u for u in visit.missing if u.endswith("/x")], f"{where}: an <img src=x> was requested"


# Each page in both editions.
PAYLOAD_PAGES = {
    f"{edition.path}{path}": literals
    for edition in EDITIONS
    for path, literals in {
        "studies/payload-2023/": LITERALS,
        "findings/": LITERALS,
        "trends/citizen-perception/": LITERALS,
        "references/": [SCRIPT, IMG, TEMPLATE, MD_LINK, "**bold**", "&amp;"],
        "trends/": [SHORT, SVG],  # in-text citations: the authors' family names
        "checks/": [SHORT, SVG],  # in-text citations, as on the trends page
        "whats-new/": LITERALS,  # the second update's description
    }.items()
}


@pytest.mark.parametrize("path", list(PAYLOAD_PAGES))
def test_payloads_display_as_text_and_never_run(visit, path):
    state = _inspect(visit, path)
    _assert_inert(visit, state, path)
    text = " ".join(state["text"].split())
    missing = [literal for literal in PAYLOAD_PAGES[path] if literal not in text]
    assert not missing, f"{path}: not shown literally: {missing}"


@pytest.mark.parametrize(
    "edition, title",
    [
        ("en/", f"Title \U0001f600 {SCRIPT} {IMG} {SVG}"),
        # The Spanish edition shows a Spanish study's original title first (the payload study is `language: es`).
        ("", f'=HYPERLINK("https://example.org/") {SCRIPT} {IMG} {SVG}'),
    ],
)
def test_payload_study_page_adds_no_globals_and_shows_its_title(visit, edition, title):
    baseline = _inspect(visit, f"{edition}studies/huaman-2022/")
    state = _inspect(visit, f"{edition}studies/payload-2023/")
    _assert_inert(visit, state, f"{edition}studies/payload-2023/")
    assert set(state["keys"]) <= set(baseline["keys"]), set(state["keys"]) - set(baseline["keys"])
    assert title.rsplit(" ", 1)[0] in state["header"]
    assert state["title"].startswith(title)
    text = " ".join(state["text"].split())
    for shown in (
        f"Journal {SCRIPT}",
        f"Publisher {SCRIPT}",
        "<b>1</b>",
        "{{2}}",
        f"Index {SCRIPT}",
        f"@Country {SHORT}",
        f"-Notes {SCRIPT}",
        "=Family",
        '=HYPERLINK("https://example.org/")',
        "window.__pwned=1",
        "{% raw %}",
        "| cell |",
    ):
        assert shown in text, shown
    # The address with an apostrophe stays one quoted attribute value wherever it is a link.
    page = visit.page
    hrefs = page.eval_on_selector_all('a[href*="onmouseover"]', "els => els.map(a => a.getAttribute('href'))")
    assert all(h.startswith("https://example.org/payload?q='onmouseover=alert(1)//&x=") for h in hrefs), hrefs
    assert page.locator('.md-content a[href="https://example.org/source?a=1&b=2"]').count() >= 1
    assert page.get_by_text(SCRIPT, exact=False).first.is_visible()


def _search(visit, path: str, words: str):
    """Type `words` into the search box of the page at `path`; the page once results show (or after trying)."""
    page = visit.open(path)
    query = page.locator('input[data-md-component="search-query"]')
    results = page.locator(".md-search-result__item")
    # The theme loads its index in a web worker; a query typed before the worker is ready is not answered.
    for _ in range(20):
        query.click()
        query.fill("")
        query.press_sequentially(words, delay=20)
        try:
            results.first.wait_for(state="visible", timeout=1000)
            break
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: try again
            continue
    return page


def _found(page) -> list[str]:
    """The pages the search results lead to (without the ?h= highlight and the #section the theme adds)."""
    hrefs = page.eval_on_selector_all(".md-search-result__item a", "els => els.map(a => a.href)")
    return sorted({href.split("?")[0].split("#")[0] for href in hrefs})


def test_search_shows_payloads_as_text(visit):
    page = _search(visit, "", "onerror")
    results = page.locator(".md-search-result__item")
    assert results.count(), "search showed no results for 'onerror'"
    page.wait_for_timeout(300)
    state = page.evaluate(INSPECT, list(THEME_INLINE_SCRIPTS))
    _assert_inert(visit, state, "search")
    shown = " ".join(page.locator(".md-search-result").inner_text().split())
    assert "onerror" in shown and ("<img src=x onerror=alert(1)>" in shown or "onerror=alert(1)" in shown), shown
    assert "&lt;" not in shown and "&#" not in shown, shown


def test_spanish_search_finds_a_study_by_a_word_of_its_translated_finding(visit, base_url):
    """Each edition has its own index: "municipalidad" finds the Spanish translation of Espinoza et al. (2023)'s
    finding ("…implementado por la municipalidad…"), a word its English does not contain; the English edition
    finds the study by the original's "municipality", and not by the Spanish word."""
    found = _found(_search(visit, "", "municipalidad"))
    assert base_url + "studies/espinoza-2023/" in found, found
    assert not [u for u in found if u.startswith(base_url + "en/")], found
    found = _found(_search(visit, "en/", "municipality"))
    assert base_url + "en/studies/espinoza-2023/" in found, found
    page = _search(visit, "en/", "municipalidad")
    assert base_url + "en/studies/espinoza-2023/" not in _found(page)
    assert not visit.errors


def test_findings_table_filters_in_the_browser(visit):
    """tables.js finds the form, the status line and the pager by the table's id (findings-table)."""
    page = visit.open("en/findings/")
    status = page.locator("#findings-table-status")
    total = page.locator("#findings-table tbody tr").count()
    assert status.inner_text() == f"{total} studies"
    page.select_option('form[data-table="findings-table"] select[name="year"]', "2019")
    shown = page.locator("#findings-table tbody tr:not([hidden])").count()
    assert 0 < shown < total and status.inner_text() == f"{shown} of {total} studies"
    page.locator('form[data-table="findings-table"] input[name="q"]').fill("onerror=alert(1)")
    page.select_option('form[data-table="findings-table"] select[name="year"]', "")
    assert page.locator("#findings-table tbody tr:not([hidden])").count() == 1
    assert page.locator("#findings-table thead button.sort").count() == 8
    page.locator('form[data-table="findings-table"] input[name="q"]').fill("")
    page.select_option('form[data-table="findings-table"] select[name="origin"]', "update-2025-1")
    assert page.locator("#findings-table tbody tr:not([hidden])").count() == 1
    assert status.inner_text() == f"1 of {total} studies"
    assert not visit.errors and not visit.dialogs


# --- A long table: the page holds its first rows, its index (findings.json) all of them --------------------------

ROWS = 3  # rows a findings page keeps in these tests, as a page of thousands of studies keeps its first page


def first_page_only(page: str, keep: int = ROWS) -> str:
    """A built findings page as it is with thousands of studies: its first `keep` rows, a pager of `keep` rows, and
    its index (findings.json) for the others."""
    head, rest = page.split("<tbody>", 1)
    body, tail = rest.split("</tbody>", 1)
    rows = re.findall(r"<tr[ >].*?</tr>", body, re.S)
    assert len(rows) > keep and f'data-total="{len(rows)}"' in head and "data-index=" in head
    head = re.sub(r'data-page-size="\d+"', f'data-page-size="{keep}"', head)
    return head + "<tbody>\n" + "\n".join(rows[:keep]) + "\n</tbody>" + tail


def serve_first_page_only(page, site: Path, url: str, edition: str) -> str:
    """Answer the findings page of `edition`, at `url`, with its first rows only; return the page as built."""
    full = (site / edition / "findings" / "index.html").read_text(encoding="utf-8")
    short = first_page_only(full)
    page.route(url, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=short))
    return full


# The rows of the findings table: in the live page, and in a page's HTML as the browser parses it.
LIVE_ROWS = "() => Array.from(document.querySelectorAll('#findings-table tbody tr'), tr => tr.outerHTML)"
PAGE_ROWS = """(html) => Array.from(
  new DOMParser().parseFromString(html, 'text/html').querySelectorAll('#findings-table tbody tr'), tr => tr.outerHTML)"""


def in_parts(text: str, size: int) -> str:
    """An index of one part (evidence/lists.py) as parts of `size` rows, each with the whole pool, as an index of
    thousands of studies comes."""
    (part,) = json.loads(text)["parts"]
    ((table, stored),) = part["tables"].items()
    parts = []
    for start in range(0, stored["rows"], size):
        rows = min(size, stored["rows"] - start)
        columns = {
            "tag": stored["tag"],
            "rows": rows,
            "attributes": {name: column[start : start + rows] for name, column in stored["attributes"].items()},
            "children": [column[start : start + rows] for column in stored["children"]],
        }
        parts.append({"pool": part["pool"], "tables": {table: columns}})
    return json.dumps({"parts": parts}, ensure_ascii=False)


@pytest.mark.parametrize("part_size", [None, 5])
@pytest.mark.parametrize("edition", [e.path for e in EDITIONS])
def test_rows_from_the_index_are_the_rows_of_the_page(visit, site, base_url, edition, part_size):
    """With only its first rows in the page, the findings page loads without its index; turning the pages fetches
    it once and shows every other row exactly as the page writes it (same cells, links, lang attributes, labels),
    the payload study's included, whose text stays text; the same when the index comes in parts, as it does for
    thousands of studies."""
    from playwright.sync_api import expect

    url = base_url + edition + "findings/"
    full = serve_first_page_only(visit.page, site, url, edition)
    index = re.compile(r"/findings\.json\?v=")
    if part_size:
        parted = in_parts((site / edition / "findings.json").read_text(encoding="utf-8"), part_size)
        assert len(json.loads(parted)["parts"]) == 4
        visit.page.route(index, lambda route: route.fulfill(status=200, content_type="application/json", body=parted))
    fetched = []

    def record(request):
        if "findings.json" in request.url:
            fetched.append(request.url)

    visit.page.on("request", record)
    try:
        page = visit.open(edition + "findings/")
        expected = page.evaluate(PAGE_ROWS, full)
        assert len(expected) == 18 and page.evaluate(LIVE_ROWS) == expected[:ROWS]
        assert not fetched  # the page loads without its index
        pages = -(-len(expected) // ROWS)
        assert page.locator("nav.table-pager button").count() == pages
        shown = []
        for n in range(pages):
            page.locator("nav.table-pager button").nth(n).click()
            expect(page.locator('nav.table-pager button[aria-current="page"]')).to_have_text(str(n + 1))
            shown += page.evaluate(LIVE_ROWS)
        assert shown == expected
        assert len(fetched) == 1 and "/findings.json?v=" in fetched[0]
        page.locator('form[data-table="findings-table"] input[name="q"]').fill("onerror=alert(1)")
        expect(page.locator("#findings-table tbody tr")).to_have_count(1)
        state = page.evaluate(INSPECT, list(THEME_INLINE_SCRIPTS))
        _assert_inert(visit, state, url)
        text = " ".join(state["text"].split())
        assert not [literal for literal in LITERALS if literal not in text]
    finally:
        visit.page.remove_listener("request", record)
        visit.page.unroute(url)
        if part_size:
            visit.page.unroute(index)


# An index that tries, through its pools (evidence/lists.py), what tables.js's allow-list refuses: elements other than
# those of a row, attributes other than class, lang, href, scope, colspan, rowspan and data-*, javascript: links. Its
# second part numbers its own pool, and its third holds no row of the findings table.
HOSTILE_INDEX = {
    "parts": [
        {
            "pool": [
                "javascript:window.__pwned=1",
                {"data-label": "Pooled", "href": 0, "onclick": "window.__pwned=2"},
                ["script", {}, "window.__pwned=3"],
                ["img", {"src": "x", "onerror": "window.__pwned=4"}],
                "iframe",
                [4, {"src": "javascript:window.__pwned=5"}],
                {"class": "pooled", "style": "display:none", "onmouseover": "window.__pwned=6"},
                ["span", 6, "Text from the pool", 2, 3, 5],
                ["a", 1, "Link from the pool"],
            ],
            "tables": {
                "findings-table": {
                    "tag": "tr",
                    "rows": 2,
                    "attributes": {"data-id": ["one", "two"], "onclick": [0, 0]},
                    "children": [[["td", {}, 8], ["td", 6, 7]], [7, ["td", 1, "plain"]]],
                }
            },
        },
        {
            "pool": ["javascript:window.__pwned=8", "Another link"],
            "tables": {
                "findings-table": {
                    "tag": "tr",
                    "rows": 1,
                    "attributes": {"data-id": ["three"], "onclick": [0]},
                    "children": [
                        [["td", {}, ["a", {"href": ["javascript:window.__pwned=7"]}, "Array link"]]],
                        [["td", {}, ["a", {"href": 0}, 1]]],
                    ],
                }
            },
        },
        {
            "pool": ["Not of this table"],
            "tables": {"criteria-table": {"tag": "tr", "rows": 1, "attributes": {}, "children": [[0]]}},
        },
    ]
}
# Indexes tables.js gives up on, and says so: numbers that stand for no entry before them in their part's pool (one
# that would in the part before), and an index without parts.
BROKEN_INDEXES = [
    {
        "parts": [
            {
                "pool": [["span", {}, 0]],
                "tables": {"findings-table": {"tag": "tr", "rows": 1, "attributes": {}, "children": [[0]]}},
            }
        ]
    },
    {
        "parts": [
            {
                "pool": [["span", {}, 1], "x"],
                "tables": {"findings-table": {"tag": "tr", "rows": 1, "attributes": {}, "children": [[1]]}},
            }
        ]
    },
    {
        "parts": [
            {
                "pool": ["x"],
                "tables": {"findings-table": {"tag": "tr", "rows": 1, "attributes": {}, "children": [[0]]}},
            },
            {"pool": [], "tables": {"findings-table": {"tag": "tr", "rows": 1, "attributes": {}, "children": [[0]]}}},
        ]
    },
    {"pool": ["x"], "tables": {"findings-table": {"tag": "tr", "rows": 1, "attributes": {}, "children": [[0]]}}},
]
TABLE_BODY = """() => {
  const body = document.querySelector('#findings-table tbody');
  const found = [];
  for (const el of body.querySelectorAll('*')) {
    if (!['tr', 'td', 'th', 'a', 'span', 'p', 'i', 'em', 'b', 'strong', 'code', 'br'].includes(el.localName)) {
      found.push('<' + el.localName + '>');
    }
    for (const attr of el.attributes) {
      if (!/^(class|lang|href|scope|colspan|rowspan|data-[a-z0-9-]+)$/.test(attr.name)) found.push(attr.name);
      if (/javascript:/i.test(attr.value)) found.push(attr.name + '=' + attr.value);
    }
  }
  return {
    found,
    rows: body.rows.length,
    text: body.textContent,
    labels: Array.from(body.querySelectorAll('td[data-label]'), td => td.getAttribute('data-label')),
    pooled: body.querySelectorAll('span.pooled').length,
    hrefs: Array.from(body.querySelectorAll('a'), a => a.getAttribute('href')),
    pwned: window.__pwned === undefined ? null : String(window.__pwned),
  };
}"""


def test_an_index_brings_nothing_the_allow_list_refuses_through_its_pool(visit, site, base_url):
    """Whatever an index's pool holds goes through the allow-list of tables.js as the rest of the index: an index
    answered in place of findings.json, whose pool brings a script, an image with onerror, an iframe named by a
    number, on* and style attributes and javascript: links (as a text of the pool, or as a list), gives rows with
    the pool's texts and allowed attributes only; an index whose numbers stand for no entry before them is not
    read, and the status says the other studies could not be loaded."""
    from playwright.sync_api import expect

    url = base_url + "en/findings/"
    serve_first_page_only(visit.page, site, url, "en/")
    answer = {"index": HOSTILE_INDEX}
    index = re.compile(r"/findings\.json\?v=")
    visit.page.route(
        index,
        lambda route: route.fulfill(status=200, content_type="application/json", body=json.dumps(answer["index"])),
    )
    try:
        page = visit.open("en/findings/")
        page.locator("nav.table-pager button").first.click()
        expect(page.locator("#findings-table tbody tr")).to_have_count(3)
        body = page.evaluate(TABLE_BODY)
        assert not body["found"] and body["pwned"] is None and not visit.dialogs, body
        text = " ".join(body["text"].split())
        assert "Text from the pool" in text and "Link from the pool" in text and "Another link" in text, text
        assert body["labels"] == ["Pooled"] and body["pooled"] == 2
        assert body["hrefs"] == [None, None, None], body["hrefs"]
        assert not visit.errors
        for broken in BROKEN_INDEXES:
            answer["index"] = broken
            page = visit.open("en/findings/")
            page.locator("nav.table-pager button").first.click()
            failed = page.locator("#findings-table").get_attribute("data-index-failed")
            expect(page.locator("#findings-table-status")).to_have_text(failed)
            assert page.evaluate(TABLE_BODY)["rows"] == ROWS  # the page's own rows stay
        assert not visit.errors and not visit.dialogs
    finally:
        visit.page.unroute(index)
        visit.page.unroute(url)


# --- 2: the downloads carry the payloads inert ------------------------------------------------------------------

FORMULA = ("=", "+", "-", "@", "\t", "\r")


def test_csv_neutralises_formulas(site):
    rows = list(csv.reader(io.StringIO((site / "data" / "studies.csv").read_text(encoding="utf-8-sig"), newline="")))
    header, body = rows[0], rows[1:]
    record = next(dict(zip(header, row)) for row in body if row[header.index("id")] == "payload-2023")
    assert record["original_title"].startswith("'=HYPERLINK(")
    assert record["finding"].startswith("'+Finding ")
    assert record["notes"].startswith("'-Notes ")
    assert record["countries"].startswith("'@Country ")
    assert record["authors"].startswith("'=Family ")
    assert record["title"] == PAYLOAD_STUDY["title"]
    for row in body:
        for cell in row:
            assert not cell.startswith(FORMULA), cell


def test_json_exports_round_trip(site):
    studies = json.loads((site / "data" / "studies.json").read_text(encoding="utf-8"))
    record = next(s for s in studies if s["id"] == "payload-2023")
    for key, value in PAYLOAD_STUDY.items():
        if key == "authors":
            assert [{k: v for k, v in a.items() if v is not None} for a in record[key]] == value
        else:
            assert record[key] == value, key
    csl = json.loads((site / "data" / "references.json").read_text(encoding="utf-8"))
    item = next(i for i in csl if i["id"] == "payload-2023")
    assert SCRIPT in json.dumps(item, ensure_ascii=False)


# --- 5: the Nu HTML Checker -------------------------------------------------------------------------------------

# The one finding allowed, from the theme: Material writes autocomplete="off" on its checkbox toggles
# (<input class="md-toggle" type="checkbox" ... autocomplete="off"> for the drawer and the search), which HTML
# allows only on text-like inputs. Only this message, only on a checkbox with autocomplete="off", is accepted.
ALLOWED = [
    (
        re.compile(r"^Attribute “autocomplete” is only allowed when the input type is "),
        re.compile(r'<input[^>]*type="checkbox"[^>]*autocomplete="off"'),
    ),
]


def _allowed(message: dict) -> bool:
    return any(
        text.search(message.get("message", "")) and extract.search(message.get("extract", ""))
        for text, extract in ALLOWED
    )


def test_html_validates(site):
    """Every HTML file of the site: no error and no warning but the theme's one known finding."""
    java = shutil.which("java")
    if not java:
        unavailable("java is not installed (apt-get install default-jre-headless)")
    if not VNU_JAR.exists():
        unavailable(f"{VNU_JAR.relative_to(ROOT)} is missing (make test runs npm ci)")
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--skip-non-html", str(site)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        messages = json.loads(result.stderr)["messages"]
    except ValueError:
        pytest.fail(f"vnu.jar did not report (exit {result.returncode}): {result.stderr[-2000:]}")
    found = [
        m
        for m in messages
        if (m.get("type") in ("error", "non-document-error") or m.get("subType") == "warning") and not _allowed(m)
    ]
    report = "\n".join(
        f"{m.get('url', '').split('/site/')[-1]}:{m.get('lastLine')}: {m.get('type')}: "
        f"{m.get('message')} | {m.get('extract', '').strip()}"
        for m in found
    )
    assert not found, f"{len(found)} problems:\n{report}"


def test_numbers_are_written_as_the_browser_writes_them(browser):
    """The build writes a number as tables.js writes the counts it changes (Intl.NumberFormat, with CLDR's minimum
    grouping digits: Spanish "5000" but "12.500"), so that one page never shows both "5000" and "5.000"; sizes with
    one decimal ("4350,1 KB") alike."""
    from evidence.i18n import Language

    values = [7, 999, 1000, 1991, 5000, 9999, 10000, 12500, 1234567, 2.5, 4350.12, 10406.0]
    page = browser.new_page()
    try:
        for edition in EDITIONS:
            language = Language(edition.lang)
            written = page.evaluate(
                """([lang, values]) => [
                  values.map(v => new Intl.NumberFormat(lang).format(v)),
                  values.map(v => new Intl.NumberFormat(lang, {minimumFractionDigits: 1, maximumFractionDigits: 1})
                    .format(v)),
                ]""",
                [edition.lang, values],
            )
            assert written == [
                [language.number(v) for v in values],
                [language.number(v, "#,##0.0") for v in values],
            ], edition.lang
    finally:
        page.close()
