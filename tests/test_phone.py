"""Tables on a phone, in a real browser: the findings table and its download of the filtered rows, the trends
and record tables.

One build of a throw-away copy of the repository, with the living review's contract example (an update and the
study it adds, tests/test_updates_check.py) and a second added study whose title, finding and notes hold commas,
quotes and line breaks, so that studies.csv has quoted records across several lines. The site is served and
driven with Chromium as tests/test_browser.py does (and skips, or fails under CI, like it when there is none):

1. at 390 px wide the findings page never scrolls sideways: the table is one card per study, each cell labelled
   with its column's name, and the filters stack with targets a finger can tap;
2. "Download these rows (CSV)" gives exactly the rows that pass the filters, every page of the pager included,
   as studies.csv has them (header, byte order mark, quoted fields), in both editions;
3. without JavaScript the button is not shown;
4. when the page holds only the first page of rows (as with thousands of studies), filtering, sorting, the pager,
   the cards and the download work over every study, from the page's index, findings.json, fetched once;
5. the trends table and a study's record tables fit the screen, and break a row's name between words only.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import threading
from pathlib import Path

import pytest

from conftest import run_cli
from evidence.i18n import Language
from test_browser import PREFIX, ROWS, _Pages, _Server, serve_first_page_only
from test_site import copy_repo
from test_updates_check import STUDY, UPDATE

PHONE = {"width": 390, "height": 844}
EDITIONS = ["", "en/"]  # the Spanish edition at the root, the English one under en/
# A second study added in the update, whose fields need CSV quoting: commas, doubled quotes, line breaks.
TRICKY = {
    "id": "tricky-2024",
    "title": 'Services, "one stop" and the rest: a test of quoting',
    "year": 2024,
    "authors": [{"family": "Mamani, Jr.", "given": "Luz"}],
    "finding": 'Offices said "yes, but": one line,\nthen another, with a comma.',
    "trends": ["local-regional"],
    "update": "update-2025-1",
    "notes": 'First line, with a comma;\nsecond line with "quotes"\n\nand a blank line before the third.',
    "sources": ["https://example.org/tricky-2024"],
}
PAGE_SIZE = 3  # the built findings page is given a short pager, so that the filtered rows span several pages


def tricky_yaml() -> str:
    """The study as YAML; every string a JSON string, which YAML reads as a double-quoted scalar."""
    lines = []
    for key, value in TRICKY.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{key}:")
            for item in value:
                lines.append("  - " + "\n    ".join(f"{k}: {json.dumps(v)}" for k, v in item.items()))
        else:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def phone_site(tmp_path_factory):
    """The built site of the copy, with the findings pages' pager shortened, and the address it is served at."""
    root = tmp_path_factory.mktemp("phone") / "repo"
    copy_repo(root)
    (root / "studies" / "quispe-2024.yml").write_text(STUDY, encoding="utf-8")
    (root / "studies" / "tricky-2024.yml").write_text(tricky_yaml(), encoding="utf-8")
    with (root / "review.yml").open("a", encoding="utf-8") as review:
        review.write(UPDATE)
    server = _Server(("127.0.0.1", 0), functools.partial(_Pages, directory=str(root / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    address = f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    try:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("SITE_URL", address)
            env.delenv("REPO_URL", raising=False)
            result = run_cli(root, "build")
        assert result.returncode == 0, result.stdout + result.stderr
        for edition in EDITIONS:
            page = root / "site" / edition / "findings" / "index.html"
            html = page.read_text(encoding="utf-8")
            assert 'data-page-size="50"' in html
            page.write_text(html.replace('data-page-size="50"', f'data-page-size="{PAGE_SIZE}"'), encoding="utf-8")
        yield root / "site", address
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def phone(browser, phone_site):
    """A page in a phone-sized browser context that reaches only the site; page errors are collected."""
    base = phone_site[1]
    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def _studies_csv(site: Path) -> tuple[bytes, list[list[str]]]:
    data = (site / "data" / "studies.csv").read_bytes()
    return data, list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_findings_page_fits_a_phone(phone, phone_site, edition):
    site, base = phone_site
    phone.goto(base + edition + "findings/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    table = phone.locator("#findings-table")
    # Each cell is labelled with its column's heading, in the page's language, and shown as a card.
    headings = table.locator("thead th").all_inner_texts()
    first = table.locator("tbody tr:not([hidden])").first
    labels = first.locator("td").evaluate_all("cells => cells.map(c => getComputedStyle(c, '::before').content)")
    assert labels == [json.dumps(h.strip(), ensure_ascii=False) for h in headings]
    assert first.evaluate("row => getComputedStyle(row).display") == "grid"
    # The finding wraps inside the card.
    finding = first.locator("td").last
    box = finding.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # The filters stack, each across the page, and every control a finger taps is at least 44 px high.
    fields = phone.locator("form.table-filters select, form.table-filters input")
    boxes = [fields.nth(i).bounding_box() for i in range(fields.count())]
    assert all(b["height"] >= 44 for b in boxes)
    assert all(b["width"] >= PHONE["width"] * 0.8 for b in boxes)
    assert all(later["y"] > earlier["y"] for earlier, later in zip(boxes, boxes[1:]))
    targets = phone.locator("button.table-download, nav.table-pager button, #findings-table thead button.sort")
    assert targets.count() > 8
    assert all(targets.nth(i).bounding_box()["height"] >= 44 for i in range(targets.count()))
    assert not phone.errors


# The words of each element's text that the browser broke across two lines (a word with a hyphen may break there).
BROKEN_WORDS = """elements => elements.flatMap(element => {
  const broken = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    for (const word of text.data.matchAll(/[^\\s-]+/g)) {
      const range = document.createRange();
      range.setStart(text, word.index);
      range.setEnd(text, word.index + word[0].length);
      if (range.getClientRects().length > 1) broken.push(word[0]);
    }
  }
  return broken;
})"""


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_trends_table_and_a_study_record_fit_a_phone(phone, phone_site, edition):
    """The trends table and a study's record tables fit the screen, and a trend's or a field's name breaks
    between words only (the theme lets a link break anywhere)."""
    site, base = phone_site
    for page in ("trends/", "studies/huaman-2022/"):
        phone.goto(base + edition + page)
        wraps = phone.locator(".md-content .table-wrap:has(> table.record)")
        assert wraps.count() >= 1, page
        too_wide = wraps.evaluate_all("wraps => wraps.filter(w => w.scrollWidth > w.clientWidth).length")
        assert too_wide == 0, page
        assert phone.locator("table.record th[scope=row]").evaluate_all(BROKEN_WORDS) == [], page
    assert not phone.errors


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_download_holds_exactly_the_filtered_rows(phone, phone_site, edition):
    site, base = phone_site
    original, records = _studies_csv(site)
    header, rows = records[0], records[1:]
    year = header.index("year")
    phone.goto(base + edition + "findings/")
    phone.select_option('form[data-table="findings-table"] select[name="year"]', "2022")
    expected = [r for r in rows if r[year] == "2022"]
    assert len(expected) > PAGE_SIZE  # on more than one page of the pager
    shown = phone.locator("#findings-table tbody tr:not([hidden])").count()
    assert shown == PAGE_SIZE
    with phone.expect_download() as info:
        phone.locator("button.table-download").click()
    download = info.value
    assert download.suggested_filename == "studies-filtered.csv"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") == original.startswith(b"\xef\xbb\xbf")
    got = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert got[0] == header
    assert sorted(got[1:]) == sorted(expected)
    # The origin filter and the text filter, with the added studies: the quoted, multi-line record comes out whole.
    phone.select_option('form[data-table="findings-table"] select[name="year"]', "")
    phone.select_option('form[data-table="findings-table"] select[name="origin"]', "update-2025-1")
    with phone.expect_download() as info:
        phone.locator("button.table-download").click()
    got = list(csv.reader(io.StringIO(Path(info.value.path()).read_bytes().decode("utf-8-sig"), newline="")))
    ids = sorted(r[header.index("id")] for r in got[1:])
    assert ids == ["quispe-2024", "tricky-2024"]
    tricky = next(r for r in got[1:] if r[0] == "tricky-2024")
    assert tricky == next(r for r in rows if r[0] == "tricky-2024")
    assert TRICKY["notes"] in tricky and TRICKY["title"] in tricky
    assert b"\r\n" in data and original.count(b"\r\n") >= len(rows) + 1
    assert not phone.errors


def test_without_javascript_there_is_no_download_button(browser, phone_site):
    site, base = phone_site
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
    page = context.new_page()
    try:
        page.goto(base + "findings/")
        assert page.locator("button.table-download").count() == 1
        assert not page.locator("button.table-download").is_visible()
        assert page.locator("#findings-table tbody tr").count() == len(_studies_csv(site)[1]) - 1
    finally:
        context.close()


@pytest.mark.parametrize("edition", EDITIONS)
def test_a_long_table_filters_sorts_pages_and_downloads_through_its_index(phone, phone_site, edition):
    from playwright.sync_api import expect

    site, base = phone_site
    url = base + edition + "findings/"
    full = serve_first_page_only(phone, site, url, edition)
    body = full.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    order = re.findall(r'<tr [^>]*data-id="([^"]+)"', body)  # the table's rows, in its order
    original, records = _studies_csv(site)
    header, rows = records[0], records[1:]
    years = {r[header.index("id")]: int(r[header.index("year")]) for r in rows}
    assert sorted(order) == sorted(years)
    language = Language("en" if edition else "es")
    total = len(order)

    def status(shown=None):
        if shown is None:
            return language.ngettext("%(num)s study", "%(num)s studies", total, num=total)
        return language.ngettext(
            "%(shown)s of %(num)s study", "%(shown)s of %(num)s studies", total, num=total, shown=shown
        )

    fetched = []
    phone.on("request", lambda request: "findings.json" in request.url and fetched.append(request.url))
    phone.goto(url)
    table = phone.locator("#findings-table")

    def visible():
        return table.locator("tbody tr").evaluate_all("rows => rows.map(row => row.getAttribute('data-id'))")

    assert visible() == order[:ROWS]
    expect(phone.locator("#findings-table-status")).to_have_text(status())
    assert phone.locator("nav.table-pager button").count() == -(-total // ROWS)
    assert not fetched
    # Sorting by year, descending, sorts every study, not those of the page only.
    sort = table.locator("thead button.sort").nth(3)
    sort.click()
    expect(table.locator("thead th").nth(3)).to_have_attribute("aria-sort", "ascending")
    sort.click()
    expect(table.locator("thead th").nth(3)).to_have_attribute("aria-sort", "descending")
    by_year = sorted(order, key=lambda i: years[i], reverse=True)
    assert visible() == by_year[:ROWS]
    # The pager turns over the sorted rows.
    phone.locator("nav.table-pager button").nth(1).click()
    expect(phone.locator('nav.table-pager button[aria-current="page"]')).to_have_text("2")
    assert visible() == by_year[ROWS : 2 * ROWS]
    # Filtering by year over every study; back to the first page.
    phone.select_option('form[data-table="findings-table"] select[name="year"]', "2022")
    expected = [i for i in by_year if years[i] == 2022]
    assert len(expected) > ROWS
    expect(phone.locator("#findings-table-status")).to_have_text(status(len(expected)))
    assert visible() == expected[:ROWS]
    # The rows from the index are cards, each cell labelled with its column's name.
    first = table.locator("tbody tr").first
    assert first.evaluate("row => getComputedStyle(row).display") == "grid"
    headings = table.locator("thead th").all_inner_texts()
    labels = first.locator("td").evaluate_all("cells => cells.map(c => getComputedStyle(c, '::before').content)")
    assert labels == [json.dumps(h.strip(), ensure_ascii=False) for h in headings]
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The download: every filtered row, on every page of the pager, in the table's order, as studies.csv has it.
    with phone.expect_download() as info:
        phone.locator("button.table-download").click()
    got = list(csv.reader(io.StringIO(Path(info.value.path()).read_bytes().decode("utf-8-sig"), newline="")))
    assert got[0] == header
    assert [r[header.index("id")] for r in got[1:]] == expected
    assert [r for r in got[1:]] == [next(row for row in rows if row[0] == i) for i in expected]
    assert len(fetched) == 1
    assert not phone.errors
