"""Pages that list every study stay light at any number of studies: generation only, on a synthetic evidence base of a
few hundred studies (benchmarks/synthetic.py) with one study whose title and finding carry markup.

- The findings page holds the first page of its pager in its HTML; findings.json beside it holds every row, the very
  rows the page would write, each edition its own in its language; the page names its index with its digest.
- The reference list goes on over pages of reference_page.PAGE_SIZE with plain links, every study on exactly one.
- The data checks page and a trend's page hold the first rows of a long table, and their index all of them.
- The trend index names a bounded number of studies in each cell, with a link to the rest.
- Every index holds every row of its tables exactly as `tree` reads the row the template wrote, and what the rows
  repeat only once.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path

import pytest
import yaml

from benchmarks import synthetic
from evidence import generate as generate_module
from evidence import lists, reference_page, trends
from evidence.cache import Cache
from evidence.context import Context
from evidence.dataset import load
from evidence.generate import generate
from evidence.problems import has_errors
from evidence.references import sort_key

N = 300
REFERENCES_PAGE = 120  # the reference list's page, shortened so that a few hundred studies fill three pages
MARKUP = "<img src=x onerror=alert(1)> &amp; **bold** {{ 7*7 }} <b>b</b>"
HOSTILE = {
    "id": "zzz-hostile-2021",
    "title": f"Hostile title {MARKUP}",
    "year": 2021,
    "authors": [{"family": "Zúñiga <i>x</i>", "given": "Ana"}],
    "finding": f"Hostile finding {MARKUP}.",
    "trends": ["citizen-perception"],
    "group": "challenges",
    "language": "es",
}
EDITIONS = ("es", "en")
PART = 120  # rows of a table in one part of an index, shortened so that a few hundred studies fill three parts
WRITTEN = "index-rows"  # beside docs/: the rows the template wrote for each index, as generate gave them to it


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The synthetic repository and its generated docs/, generated once for the module."""
    root = synthetic.make(tmp_path_factory.mktemp("lists") / "repo", N)
    (root / "studies" / f"{HOSTILE['id']}.yml").write_text(
        yaml.safe_dump(HOSTILE, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    written = root / WRITTEN
    written.mkdir()
    write_index = lists.write_index

    def recording(writer, ctx, page, index, tables):
        # In a file, as the other edition is written in a process of its own.
        name = (writer.folder + index).replace("/", "~")
        (written / name).write_text(json.dumps({t.id: t.rows() for t in tables}), encoding="utf-8")
        write_index(writer, ctx, page, index, tables)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reference_page, "PAGE_SIZE", REFERENCES_PAGE)
        patch.setattr(lists, "PART", PART)
        patch.setattr(lists, "write_index", recording)
        data = load(root, Cache(None))
        assert not has_errors(data.problems), [p.text() for p in data.problems]
        generate(data, Cache(None))
    ordered = [s.id for s in sorted(data.studies, key=sort_key)]
    assert len(ordered) == N + 1
    return root / "docs", data, ordered


def _rows(page: str, table_id: str) -> list[str]:
    """The rows of a table of a generated page, as written."""
    found = re.search(rf'<table [^>]*id="{table_id}"[^>]*>.*?<tbody>\n(.*?)</tbody>', page, re.S)
    assert found, table_id
    return re.findall(r"<tr[ >].*?</tr>", found[1], re.S)


def _index(docs: Path, lang: str, page: str, name: str) -> tuple[dict, str]:
    """The index a generated page names, checked against its digest, and the address the page gives."""
    text = (docs / lang / page).read_text(encoding="utf-8")
    address = re.search(r'data-index="([^"]+)"', text)[1]
    path, digest = html.unescape(address).split("?v=")
    content = (docs / lang / name).read_bytes()
    assert digest == hashlib.sha256(content).hexdigest()[:12]
    index = json.loads(content)
    tables = dict.fromkeys(table for part in index["parts"] for table in part["tables"])
    return {table: lists.rows_of(index, table) for table in tables}, path


def _text(node) -> str:
    if isinstance(node, str):
        return node
    return "".join(_text(child) for child in node[2:])


def _elements(node):
    if isinstance(node, list):
        yield node
        for child in node[2:]:
            yield from _elements(child)


def _cells(row: list) -> list:
    return [c for c in row[2:] if isinstance(c, list) and c[0] in ("td", "th")]


@pytest.mark.parametrize("lang", EDITIONS)
def test_the_findings_page_holds_its_first_page_and_the_index_every_study(built, lang):
    docs, data, ordered = built
    page = (docs / lang / "findings.md").read_text(encoding="utf-8")
    rows = _rows(page, "findings-table")
    assert len(rows) == lists.PAGE_SIZE == 50
    assert [re.search(r'data-id="([^"]+)"', r)[1] for r in rows] == ordered[:50]
    assert f'data-page-size="50" data-total="{N + 1}"' in page
    # Without JavaScript: how many studies there are, and where they all are.
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    number = "301"
    assert f"the first 50 rows of the {number} studies" in text or f"que tiene {number} estudios" in text
    csv = "../../data/studies.csv" if lang == "en" else "../data/studies.csv"
    assert f'<a href="{csv}">studies.csv</a>' in page

    index, path = _index(docs, lang, "findings.md", "findings.json")
    assert path == "../findings.json"
    assert list(index) == ["findings-table"]
    every = index["findings-table"]
    assert [row[1]["data-id"] for row in every] == ordered
    # The page's rows are the index's first rows, exactly.
    assert [lists.tree(r) for r in rows] == every[:50]
    studies = {s.id: s for s in data.studies}
    for row in every:
        tag, attributes = row[0], row[1]
        study = studies[attributes["data-id"]]
        assert tag == "tr"
        assert attributes["data-year"] == str(study.year)
        assert attributes["data-trends"] == " ".join(study.trends)
        assert attributes["data-group"] == (study.group or "none")
        assert attributes["data-language"] == (study.language or "none")
        assert attributes["data-origin"] == "review"
        cells = _cells(row)
        assert len(cells) == 8
        assert [c[1]["data-label"] for c in cells] == (
            ["Study", "Origin", "Title", "Year", "Trends", "Group", "Language", "Finding"]
            if lang == "en"
            else ["Estudio", "Origen", "Título", "Año", "Tendencias", "Grupo", "Idioma", "Hallazgo"]
        )
        link = cells[0][2]
        assert link[0] == "a" and link[1]["href"] == f"../studies/{study.id}/"
        assert _text(cells[3]) == str(study.year)
        assert " ".join(study.finding.split()) in _text(cells[7])
        if lang == "es" and study.language != "es":
            assert "Traducción no oficial de este sitio:" in _text(cells[7])
    # Each edition's words: the language's name, the origin.
    first = next(row for row in every if row[1]["data-language"] == "es")
    assert _text(_cells(first)[6]) == ("Spanish" if lang == "en" else "español")
    assert _text(_cells(first)[1]) == ("Published review" if lang == "en" else "Revisión publicada")


@pytest.mark.parametrize("lang", EDITIONS)
def test_the_index_holds_markup_of_the_data_as_text(built, lang):
    """The hostile study's title and finding are texts of the index, character for character; no element of the
    index comes from them."""
    docs, _, _ = built
    index, _ = _index(docs, lang, "findings.md", "findings.json")
    row = next(r for r in index["findings-table"] if r[1]["data-id"] == HOSTILE["id"])
    cells = _cells(row)
    assert HOSTILE["title"] in _text(cells[2])
    assert HOSTILE["finding"] in _text(cells[7])
    assert "Zúñiga <i>x</i>" in _text(cells[0])
    tags = {node[0] for r in index["findings-table"] for node in _elements(r)}
    assert tags <= {"tr", "td", "a", "span"}, tags
    names = {name for r in index["findings-table"] for node in _elements(r) for name in node[1]}
    assert not [name for name in names if name.startswith("on")], names


def test_the_references_go_on_over_pages_with_every_study_on_one(built):
    docs, _, ordered = built
    for lang in EDITIONS:
        paths = ["references.md", "references/2.md", "references/3.md"]
        assert not (docs / lang / "references" / "4.md").exists()
        seen = []
        for number, path in enumerate(paths, 1):
            page = (docs / lang / path).read_text(encoding="utf-8")
            ids = re.findall(r'<li id="([^"]+)">', page)
            assert len(ids) == (REFERENCES_PAGE if number < 3 else N + 1 - 2 * REFERENCES_PAGE)
            start = (number - 1) * REFERENCES_PAGE + 1
            assert ('<ol class="references">' if start == 1 else f'<ol class="references" start="{start}">') in page
            # Each page links every other one, and says which it is.
            links = re.findall(r'<li><a href="([^"]+)">', page)
            assert len(links) == 2 and "aria-current" in page
            seen += ids
        assert seen == ordered
    second = (docs / "en" / "references" / "2.md").read_text(encoding="utf-8")
    assert 'title: "References, page 2 of 3"' in second
    assert '<a href="../../references/">Page 1</a>' in second and '<a href="../../references/3/">Page 3</a>' in second
    assert '<a class="to-study" href="../../studies/' in second
    assert 'href="../../../data/references.bib"' in second


@pytest.mark.parametrize("lang", EDITIONS)
def test_the_data_checks_page_holds_the_first_rows_and_its_index_all(built, lang):
    docs, _, ordered = built
    page = (docs / lang / "checks.md").read_text(encoding="utf-8")
    rows = _rows(page, "criteria-table")
    assert len(rows) == 50
    index, path = _index(docs, lang, "checks.md", "checks.json")
    assert path == "../checks.json"
    every = index["criteria-table"]
    assert [lists.tree(r) for r in rows] == every[:50]
    hrefs = [_cells(r)[0][2][1]["href"] for r in every]
    assert hrefs == [f"../studies/{i}/" for i in ordered]
    assert all(len(_cells(r)) == 6 for r in every)  # study, origin, the four criteria
    incomplete = _rows(page, "incomplete-table")
    assert len(incomplete) == 50 and len(index["incomplete-table"]) > 50
    assert [lists.tree(r) for r in incomplete] == index["incomplete-table"][:50]


@pytest.mark.parametrize("lang", EDITIONS)
def test_the_trends_stay_light_and_every_study_of_a_trend_is_in_its_page_or_index(built, lang):
    docs, data, ordered = built
    index_page = (docs / lang / "trends" / "index.md").read_text(encoding="utf-8")
    # Each cell, each trend's row and each group names at most CELL_LIMIT studies, and links to the rest.
    cells = re.findall(r"<td>(.*?)</td>", index_page) + re.findall(r"<p>(<a href=\"\.\./studies/.*?)</p>", index_page)
    assert len(cells) > 8 * 8
    for cell in cells:
        assert len(re.findall(r'href="\.\./studies/', cell)) <= trends.CELL_LIMIT, cell[:200]
    for trend in data.review.trends:
        assert re.search(
            rf'<a href="\.\./trends/{trend.id}/">and \d+ more</a>|<a href="\.\./trends/{trend.id}/">y \d+ más</a>',
            index_page,
        )
    for group in data.review.groups:
        assert f"../findings/?group={group.id}" in index_page
    ctx = Context(data.review, data.studies, data.reconciliation, None, None, Cache(None))
    long = 0
    for trend in data.review.trends:
        members = {m.study for m in ctx.memberships if m.trend == trend.id}
        members = [i for i in ordered if i in members]
        page = (docs / lang / "trends" / f"{trend.id}.md").read_text(encoding="utf-8")
        rows = _rows(page, "trend-studies") if 'id="trend-studies"' in page else None
        if len(members) > lists.PAGE_SIZE:
            long += 1
            assert len(rows) == lists.PAGE_SIZE
            index, _ = _index(docs, lang, f"trends/{trend.id}.md", f"trends/{trend.id}.json")
            every = index["trend-studies"]
            assert [lists.tree(r) for r in rows] == every[: lists.PAGE_SIZE]
            assert [_cells(r)[0][2][1]["href"] for r in every] == [f"../../studies/{i}/" for i in members]
        else:
            assert not (docs / lang / "trends" / f"{trend.id}.json").exists() and rows is None
            assert len(re.findall(r'<tr><th scope="row">', page)) == len(members)
    assert long >= 2


def _written_in_full(part: dict):
    """Every element a part of an index writes in full, in its pool or in its tables' columns, as JSON."""

    def elements(value):
        if isinstance(value, list):
            yield json.dumps(value, ensure_ascii=False)
            for child in value[2:]:
                yield from elements(child)

    for entry in part["pool"]:
        yield from elements(entry)
    for table in part["tables"].values():
        for column in table["children"]:
            for value in column:
                yield from elements(value)


@pytest.mark.parametrize("lang", EDITIONS)
def test_every_index_holds_every_row_exactly_and_what_the_rows_repeat_once(built, lang):
    """Each index of the edition (findings, checks, every long trend) gives back, through its pool, every row the
    template wrote for its tables, in order, each as `tree` reads it, its attributes in their order; an element
    that many rows hold (a year's cell, a column's label, "unofficial translation: not yet translated") is written
    once, in the pool, and the rows refer to it by its number."""
    docs, _, _ = built
    written = sorted((docs.parent / WRITTEN).glob(f"{lang}~*"))
    names = [path.name.split("~", 1)[1].replace("~", "/") for path in written]
    assert "findings.json" in names and "checks.json" in names
    assert len([name for name in names if name.startswith("trends/")]) >= 2
    for path, name in zip(written, names):
        text = (docs / lang / name).read_text(encoding="utf-8")
        index = json.loads(text)
        tables = json.loads(path.read_text(encoding="utf-8"))
        parts = index["parts"]
        # Part after part, the next PART rows of each table that has any left.
        assert len(parts) == -(-max(len(rows) for rows in tables.values()) // PART), name
        for number, part in enumerate(parts):
            start = number * PART
            assert list(part["tables"]) == [table for table, rows in tables.items() if len(rows) > start], name
            for table, stored in part["tables"].items():
                assert stored["rows"] == len(tables[table][start : start + PART])
            full = list(_written_in_full(part))
            assert len(full) == len(set(full)), f"{name}: an element written twice in a part"
            assert part["pool"], name
        for table, rows in tables.items():
            # As JSON, which sees the order of the attributes (as the browser's rows do) where == does not.
            assert json.dumps(lists.rows_of(index, table)) == json.dumps([lists.tree(row) for row in rows]), name
        assert len(text) < sum(len(row) for rows in tables.values() for row in rows), name  # less than the HTML
    if lang == "es":
        findings = (docs / lang / "findings.json").read_text(encoding="utf-8")
        rows = json.loads((docs.parent / WRITTEN / "es~findings.json").read_text(encoding="utf-8"))["findings-table"]
        label = "Traducción no oficial de este sitio:"
        assert sum(row.count(label) for row in rows[:PART]) > 10
        assert findings.count(label) == len(json.loads(findings)["parts"]) == 3  # once in each part


def test_an_index_stores_what_its_rows_repeat_once_and_gives_them_back():
    """A few rows by hand: a subtree many rows hold is one entry of the pool, referred to by its number; a row
    whose attributes start with one the others lack keeps their order; the rows come back exactly."""
    repeated = '<span class="translation"><span class="label">Not yet &lt;translated&gt;</span> <b>!</b></span>'
    rows = [
        f'<tr data-year="2021" data-id="a"><td data-label="Title">One {repeated}</td><td>x</td></tr>',
        f'<tr class="added" data-year="2021" data-id="b"><td data-label="Title">Two {repeated}</td></tr>',
        f'<tr data-year="2022" data-id="c"><td data-label="Title">Three {repeated}</td><td>y<br>z</td></tr>',
    ]
    text = lists.index_json({"t": rows})
    part = json.loads(text)
    index = {"parts": [part]}
    assert json.dumps(lists.rows_of(index, "t")) == json.dumps([lists.tree(row) for row in rows])
    assert lists.tree(rows[1])[1] == {"class": "added", "data-year": "2021", "data-id": "b"}
    assert list(lists.rows_of(index, "t")[1][1]) == ["class", "data-year", "data-id"]
    # The subtree is in the pool once, and each title cell ends with its number.
    number = part["pool"].index(lists.tree(repeated))
    assert [cell[-1] for cell in part["tables"]["t"]["children"][0]] == [number] * 3
    assert text.count("Not yet <translated>") == 1


def test_after_an_edit_only_the_part_of_the_edited_study_is_made_again(tmp_path, monkeypatch):
    """An index is made of parts that come from the cache when their rows are written from the same items: after an
    edit to one study's finding, each edition makes again the one part of the findings index that holds it, and
    nothing else of any index; what it writes is what a run without a cache writes."""
    root = synthetic.make(tmp_path / "repo", N)
    monkeypatch.setattr(lists, "PART", PART)
    monkeypatch.setattr(generate_module, "PARALLEL_FROM", N + 1)  # one process, so that every part is counted here
    made = []
    index_json = lists.index_json

    def counting(tables):
        made.append(sorted(tables))
        return index_json(tables)

    monkeypatch.setattr(lists, "index_json", counting)
    generate(load(root, Cache(tmp_path / "cache")), Cache(tmp_path / "cache"))
    assert made
    ordered = [s.id for s in sorted(load(root, Cache(None)).studies, key=sort_key)]
    edited = root / "studies" / f"{ordered[PART + 10]}.yml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("finding: ", "finding: Edited. ", 1), encoding="utf-8")

    made.clear()
    generate(load(root, Cache(tmp_path / "cache")), Cache(tmp_path / "cache"))
    assert made == [["findings-table"]] * 2  # the Spanish edition's, the English one's
    cached = {lang: (root / "docs" / lang / "findings.json").read_bytes() for lang in EDITIONS}
    assert all(b"Edited. " in text for text in cached.values())
    generate(load(root, Cache(None)), Cache(None))
    assert {lang: (root / "docs" / lang / "findings.json").read_bytes() for lang in EDITIONS} == cached
