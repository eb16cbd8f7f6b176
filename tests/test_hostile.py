"""Bad input never breaks or defaces the site.

1. A corpus of hostile files (tests/hostile/): each gives exactly the lines it should,
   with the right exit code, no traceback, and nothing in it is ever run.
2. Text that looks like markup, templates, formulas or links, in every field, is
   shown as text at every exit: the Markdown pages (rendered as MkDocs renders them),
   the CSV, JSON, BibTeX and RIS downloads and the chart SVGs.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import shutil
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import bibtexparser
import markdown
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from mkdocs.utils.meta import get_data

from conftest import ROOT, make_repo, run_cli
from evidence.dataset import load
from evidence.generate import generate
from evidence.loader import MAX_FILE_BYTES, read_bytes
from evidence.schema import load_schema
from test_exports import bibtex_decoder

HOSTILE = ROOT / "tests" / "hostile"
CASES = sorted(p for p in HOSTILE.iterdir() if p.suffix in (".yml", ".bin"))
MARKER = "hostile-marker"  # what the Python-tag payloads would `touch` if they ever ran


# --- 1. The corpus ----------------------------------------------------------------------


def expected(case: Path) -> tuple[str, int, list[str]]:
    """Where the case goes, the exit code, and the exact lines, from <case>.expected."""
    lines = case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# as: ") and lines[1].startswith("# exit: "), case
    return lines[0][len("# as: ") :], int(lines[1][len("# exit: ") :]), lines[2:]


def test_corpus_is_complete():
    assert len(CASES) >= 30
    assert sorted(p.stem for p in HOSTILE.glob("*.expected")) == sorted(p.stem for p in CASES)
    assert (HOSTILE / "over-size-cap-2020.yml").stat().st_size > MAX_FILE_BYTES


@pytest.mark.parametrize("case", CASES, ids=[p.stem for p in CASES])
def test_hostile_file(tmp_path, case):
    target, code, lines = expected(case)
    root = make_repo(tmp_path, {target: case.read_bytes()})
    result = run_cli(root, "check")
    out = result.stdout.splitlines()
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr == ""
    assert result.returncode == code, result.stdout
    assert [line for line in out if line.startswith(f"{target}:")] == lines
    if code:  # nothing else is wrong, and reconciliation waits until the errors are fixed
        errors = sum(": error: " in line for line in lines)
        assert out == lines + [f"{errors} error{'s' * (errors != 1)}, 0 warnings"]
    else:
        assert all(": warning: " in line for line in lines) and out[-1].startswith("0 errors, ")
    assert not list(tmp_path.rglob(MARKER)), "a payload in the file was run"


def test_each_line_is_one_problem():
    """No value can end a line of the checker's output early and forge another (the text stays on one line)."""
    _, _, lines = expected(HOSTILE / "message-injection-2020.yml")
    assert len(lines) == 2 and all(line.startswith("studies/message-injection-2020.yml:2:5: error: ") for line in lines)
    assert "\\nstudies/vicente-2022.yml:1:1: error: forged line" in lines[0]


@pytest.mark.parametrize("name", ["outside-window-2018", "outside-window-2024", "yaml11-language-no-2020"])
def test_warning_only_study_builds(tmp_path, name):
    """The review is living: a study outside the criteria is a warning, and its page is generated."""
    root = make_repo(tmp_path, {f"studies/{name}.yml": (HOSTILE / f"{name}.yml").read_bytes()})
    dataset = load(root)
    assert dataset.ok
    assert name in {s.id for s in dataset.studies}
    generate(dataset)
    page = (root / "docs" / "en" / "studies" / f"{name}.md").read_text(encoding="utf-8")
    assert '"><span lang="en">Digital government in a Peruvian municipality</span><a class="headerlink"' in page


def test_wrong_types_cover_every_field():
    """wrong-types-2020.yml puts a value of the wrong type in every field of the schema."""
    _, _, lines = expected(HOSTILE / "wrong-types-2020.yml")
    schema = load_schema("study")
    fields = list(schema["properties"]) + [
        f"authors[2].{f}" for f in schema["properties"]["authors"]["items"]["properties"]
    ]
    for field in fields:
        assert any(f"`{field}`" in line for line in lines) or field == "authors", field
    assert expected(HOSTILE / "authors-as-text-2020.yml")[2] == [
        "studies/authors-as-text-2020.yml:5:10: error: `authors` must be a list; got 'Quispe, Rosa'"
    ]


def test_yaml_1_1_traps_stay_text():
    for name, value in [
        ("yaml11-date-year-2020", "'2022-01-01'"),
        ("yaml11-octal-year-2020", "'010'"),
        ("yaml11-yes-2020", "'yes'"),
    ]:
        assert any(line.endswith(f"got {value}") for line in expected(HOSTILE / f"{name}.yml")[2])
    doc, problems = read_bytes((HOSTILE / "yaml11-yes-2020.yml").read_bytes(), "x.yml")
    assert problems == [] and doc.data["authors_complete"] == "yes" and doc.data["published"] == "2022-03-30"
    doc, problems = read_bytes((HOSTILE / "yaml11-language-no-2020.yml").read_bytes(), "x.yml")
    assert problems == [] and doc.data["language"] == "no"


def test_alias_bomb_is_refused_quickly_without_expanding():
    raw = (HOSTILE / "alias-bomb-2020.yml").read_bytes()
    start = time.perf_counter()
    doc, problems = read_bytes(raw, "bomb.yml")
    assert time.perf_counter() - start < 1
    assert doc is None and len(problems) == 19  # each anchor, and each alias name once
    # As many aliases as the size cap allows: still one line per name, still quick.
    many = b"a: &a [x]\nb: [" + b"*a, " * ((MAX_FILE_BYTES - 20) // 4) + b"]\n"
    assert len(many) <= MAX_FILE_BYTES
    start = time.perf_counter()
    doc, problems = read_bytes(many, "bomb.yml")
    assert time.perf_counter() - start < 2
    assert [p.message for p in problems] == [
        "anchors (&a) are not allowed; write each value out in full",
        "aliases (*a) are not allowed; write the value out in full",
    ]


@pytest.mark.parametrize("case", [p for p in CASES if "python" in p.stem or "tag" in p.stem], ids=lambda p: p.stem)
def test_python_tags_are_never_run_in_process(tmp_path, monkeypatch, case):
    monkeypatch.chdir(tmp_path)
    target, _, lines = expected(case)
    root = make_repo(tmp_path, {target: case.read_bytes()})
    assert [p.text() for p in load(root).problems if p.path == target] == lines
    assert not list(tmp_path.rglob(MARKER))


# --- 2. Escaping at every exit ------------------------------------------------------------

PAYLOAD = (
    "<script>alert(1)</script> <img src=x onerror=alert(1)> {{ 7*7 }} {% raw %} "
    '{: .x onclick="y" } [x](javascript:alert(1)) **b** `c` | a | b |\n# heading\n- item\n'
    "=cmd|' /C calc'!A0 @SUM(1) +1 -1"
)
SHORT = "<script>alert(1)</script>{{ 7*7 }}[x](javascript:alert(1)) **b** | a |\n# h\n- i"
LEADS = ["=cmd|' /C calc'!A0 ", "@SUM(1) ", "+1 ", "-1 "]  # what a spreadsheet would run
TINY = ["=1+1<b>{{7*7}}", "@A1|`c`<i>x", "-1**b**<s>"]  # for fields of at most 20 characters


def hostile_study() -> dict:
    """A valid study with a payload in every text field, each starting with a spreadsheet formula."""
    leads = iter(LEADS * 10)
    long = lambda: next(leads) + PAYLOAD  # noqa: E731
    short = lambda: next(leads) + SHORT  # noqa: E731
    return {
        "id": "hostile-2022",
        "title": long(),
        "original_title": long(),
        "language": "es",
        "year": 2022,
        "authors": [{"family": short(), "given": short()}, {"family": short()}],
        "authors_complete": False,
        "type": "journal-article",
        "journal": long(),
        "proceedings": long(),
        "event": short(),
        "series": long(),
        "series_volume": TINY[0],
        "publisher": short(),
        "volume": TINY[1],
        "issue": TINY[2],
        "pages": "1-2",
        "published": "2022-03-30",
        "doi": '10.1234/x"><script>alert(1)</script>{{7*7}}',
        "url": "https://example.org/a'onmouseover='alert(1)'{{7*7}}",
        "license": short(),
        "indexed_in": [short()],
        "countries": [short(), "Peru"],
        "database": "scopus",
        "finding": long(),
        "trends": ["citizen-perception"],
        "group": "challenges",
        "notes": long(),
        "sources": ["https://example.org/record?a=1&b={{7*7}}", "https://example.org/`c`|a|b|javascript:alert(1)"],
    }


TREND_NAME = "<script>alert(1)</script> <img src=x onerror=alert(1)> {{ 7*7 }} $x$ & =cmd"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A copy of the repository with the hostile study (and a hostile trend name), generated."""
    tmp = tmp_path_factory.mktemp("hostile-site")
    study = hostile_study()
    review = (
        (ROOT / "review.yml")
        .read_text(encoding="utf-8")
        .replace("name: Citizen perception of municipal digital government", f"name: {json.dumps(TREND_NAME)}")
    )
    root = make_repo(
        tmp, {"studies/hostile-2022.yml": json.dumps(study, ensure_ascii=False, indent=2) + "\n", "review.yml": review}
    )
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    dataset = load(root)
    assert dataset.ok, [p.text() for p in dataset.problems if p.severity == "error"]
    generate(dataset)
    return root, study


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text, of an HTML fragment."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def render(page: str) -> tuple[str, dict]:
    """A generated Markdown page as MkDocs renders it: front matter apart, then tables, attr_list and toc."""
    content, meta = get_data(page)
    return markdown.markdown(
        content, extensions=["tables", "attr_list", "toc"], extension_configs={"toc": {"permalink": True}}
    ), meta


def unsafe(page_html: str) -> list[str]:
    """What in rendered HTML could run: script elements, on* attributes, javascript: or data: addresses."""
    parser = Elements()
    parser.feed(page_html)
    found = []
    for tag, attrs in parser.tags:
        if tag in ("script", "iframe", "frame", "object", "embed", "base"):
            found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value is not None:
                address = re.sub(r"[\x00-\x20]", "", value).lower()
                if address.startswith(("javascript:", "data:", "vbscript:")):
                    found.append(f"<{tag} {name}={value}>")
    if re.search(r"<script", page_html, re.IGNORECASE):
        found.append("<script")
    return found


def text_of(page_html: str) -> str:
    parser = Elements()
    parser.feed(page_html)
    return " ".join("".join(parser.text).split())


def one_line(text: str) -> str:
    return " ".join(text.split())


def test_every_page_renders_without_executable_markup(site):
    root, _ = site
    pages = sorted((root / "docs").rglob("*.md"))
    assert len(pages) > 20
    for page in pages:
        page_html, meta = render(page.read_text(encoding="utf-8"))
        assert unsafe(page_html) == [], page
        assert isinstance(meta, dict)


def test_study_page_shows_the_payloads_as_text(site):
    root, study = site
    page = (root / "docs" / "en" / "studies" / "hostile-2022.md").read_text(encoding="utf-8")
    page_html, meta = render(page)
    # The front matter is intact; its title is HTML-escaped, as the theme prints it as HTML.
    assert "<" not in meta["title"] and html.unescape(meta["title"]) == study["title"]
    text = text_of(page_html)
    for field in (
        "title",
        "original_title",
        "finding",
        "notes",
        "journal",
        "series",
        "publisher",
        "license",
    ):
        assert one_line(study[field]) in text, field
    for value in study["indexed_in"] + study["countries"]:
        assert one_line(value) in text
    for author in study["authors"]:
        assert one_line(author["family"]) in text
    assert study["doi"] in text and study["url"] in text
    assert "{{ 7*7 }}" in text and "{% raw %}" in text and "49" not in text
    assert "[x](javascript:alert(1))" in text and "**b**" in text and "`c`" in text and "| a | b |" in text
    # Line breaks in a value are spaces: no heading, list item or table row comes out of a value.
    headings = re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", page_html, re.DOTALL)
    assert not any(text_of(h).strip("¶ ") in ("heading", "h") for h in headings)
    assert "<li>item" not in page_html and "<li>i</li>" not in page_html
    assert "<em>" not in page_html.replace("<em>not reported</em>", "") and "<strong>b</strong>" not in page_html


def test_links_are_https_only(site):
    root, _ = site
    page_html, _ = render((root / "docs" / "en" / "studies" / "hostile-2022.md").read_text(encoding="utf-8"))
    parser = Elements()
    parser.feed(page_html)
    for _tag, attrs in parser.tags:
        for name, value in attrs:
            if name == "href" and value and not value.startswith(("#", "../", "./")):
                assert value.startswith("https://") and not re.search(r"[\s<>\"']", value), value


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_cells_cannot_be_formulas(site):
    root, study = site
    rows = read_csv((root / "docs" / "es" / "data" / "studies.csv").read_bytes())
    row = next(r for r in rows if r["id"] == "hostile-2022")
    for name, cell in row.items():
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)
    for field in ("title", "finding", "notes", "journal", "series", "series_volume", "volume", "issue", "publisher"):
        assert row[field] == "'" + study[field], field
    for other in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in other.values()), other["id"]


def test_json_downloads_keep_the_text(site):
    root, study = site
    records = json.loads((root / "docs" / "es" / "data" / "studies.json").read_text(encoding="utf-8"))
    record = next(r for r in records if r["id"] == "hostile-2022")
    for field in ("title", "finding", "notes", "journal", "doi", "url"):
        assert record[field] == study[field]
    assert record["authors"][0] == {"family": study["authors"][0]["family"], "given": study["authors"][0]["given"]}
    assert TREND_NAME in record["trend_names"]
    csl = json.loads((root / "docs" / "es" / "data" / "references.json").read_text(encoding="utf-8"))
    item = next(i for i in csl if i["id"] == "hostile-2022")
    assert item["note"] == study["notes"] and item["DOI"] == study["doi"]
    review = json.loads((root / "docs" / "es" / "data" / "review.json").read_text(encoding="utf-8"))
    assert TREND_NAME in [t["name"] for t in review["trends"]]


def test_bibtex_keeps_the_text(site):
    root, study = site
    text = (root / "docs" / "es" / "data" / "references.bib").read_text(encoding="utf-8")
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware(decoder=bibtex_decoder())])
    assert not library.failed_blocks
    assert len(library.entries) == 17
    entry = next(e for e in library.entries if e.key == "hostile-2022")
    assert one_line(study["notes"]) == one_line(entry["note"])
    assert one_line(study["journal"]) == one_line(entry["journal"])
    assert one_line(entry["title"]) == one_line(f"{study['original_title']} [{study['title']}]")
    assert one_line(entry["author"]).startswith(
        one_line(f"{study['authors'][0]['family']}, {study['authors'][0]['given']}")
    )


def test_ris_keeps_the_text(site):
    root, study = site
    entries = rispy.loads((root / "docs" / "es" / "data" / "references.ris").read_text(encoding="utf-8"))
    assert len(entries) == 17
    entry = next(e for e in entries if e.get("doi") == study["doi"])
    assert entry["title"] == one_line(study["original_title"])
    assert entry["notes"][0] == one_line(study["notes"])
    assert entry["authors"][0] == one_line(f"{study['authors'][0]['family']}, {study['authors'][0]['given']}")


def test_charts_escape_the_text(site):
    root, _ = site
    charts = sorted((root / "docs" / "en" / "assets" / "charts").glob("*.svg"))
    assert charts
    found = False
    for chart in charts:
        svg = chart.read_text(encoding="utf-8")
        tree = ET.fromstring(svg)  # well-formed: no text broke out of its element
        for element in tree.iter():
            assert not element.tag.endswith("script") and not element.tag.endswith("foreignObject"), chart
            assert not any(name.lower().startswith("on") for name in element.attrib), chart
        texts = "".join(tree.itertext())
        found = found or "<script>alert(1)</script>" in texts
        assert "<script" not in svg.lower() and "<img" not in svg.lower()
    assert found  # the trend name is drawn as text, escaped in the file
    charts_page, _ = render((root / "docs" / "en" / "charts.md").read_text(encoding="utf-8"))
    assert unsafe(charts_page) == [] and html.unescape("&lt;script&gt;") in text_of(charts_page)


# --- 3. What stands in studies/ besides study files ----------------------------------------

VALID = (HOSTILE / "outside-window-2024.yml").read_text(encoding="utf-8").replace("outside-window-2024", "{id}")
LINK = "is a symbolic link; a data file must be a regular file in the repository (copy the file instead)"


def _symlink(target):
    return lambda root, path: path.symlink_to(target if not callable(target) else target(root))


FILESYSTEM = {  # what is placed at studies/<name>, and the exact lines `check` prints for it
    "link-outside-2020.yml": (
        _symlink(lambda root: root.parent / "outside.yml"),
        [f"studies/link-outside-2020.yml:1:1: error: {LINK}"],
    ),
    "link-zero-2020.yml": (_symlink("/dev/zero"), [f"studies/link-zero-2020.yml:1:1: error: {LINK}"]),
    "link-loop-2020.yml": (_symlink("link-loop-2020.yml"), [f"studies/link-loop-2020.yml:1:1: error: {LINK}"]),
    "link-inside-2020.yml": (_symlink("vicente-2022.yml"), [f"studies/link-inside-2020.yml:1:1: error: {LINK}"]),
    "fifo-2020.yml": (
        lambda root, path: os.mkfifo(path),
        [
            "studies/fifo-2020.yml:1:1: error: is not a regular file (a FIFO, socket or device); a data file must be a regular file"
        ],
    ),
    "folder-2020.yml": (
        lambda root, path: path.mkdir(),
        [
            "studies/folder-2020.yml:1:1: error: is a folder; study files go directly in studies/, one <id>.yml file each"
        ],
    ),
    "sub/nested-2020.yml": (
        lambda root, path: (path.parent.mkdir(), path.write_text(VALID.format(id="nested-2020"))),
        ["studies/sub/nested-2020.yml:1:1: error: is in a sub-folder; study files go directly in studies/ as <id>.yml"],
    ),
    "other-2020.yaml": (
        lambda root, path: path.write_text(VALID.format(id="other-2020")),
        [
            "studies/other-2020.yaml:1:1: error: is not a study file (study files are named <id>.yml); rename it to end in .yml"
        ],
    ),
    "upper-2020.YML": (
        lambda root, path: path.write_text(VALID.format(id="upper-2020")),
        [
            "studies/upper-2020.YML:1:1: error: is not a study file (study files are named <id>.yml); rename it to end in .yml"
        ],
    ),
    "line\nbreak-2020.yml": (
        lambda root, path: path.write_text(VALID.format(id="line-break-2020")),
        [
            "studies/line\\nbreak-2020.yml:2:5: error: `id` is 'line-break-2020' but the file is named "
            "line\\nbreak-2020.yml; they must be the same"
        ],
    ),
    "notes.txt": (
        lambda root, path: path.write_text("notes"),
        [
            "studies/notes.txt:1:1: error: is not a study file (study files are named <id>.yml); remove it or move it out of studies/"
        ],
    ),
}


@pytest.mark.parametrize("name", FILESYSTEM, ids=lambda name: name.replace("\n", "-"))
def test_only_regular_study_files_are_read(tmp_path, name):
    """Links are never followed (out of the repository, into /dev/zero, in a loop); nothing is skipped in silence."""
    root = make_repo(tmp_path)
    (tmp_path / "outside.yml").write_text(VALID.format(id="link-outside-2020"), encoding="utf-8")
    place, lines = FILESYSTEM[name]
    place(root, root / "studies" / name)
    result = run_cli(root, "check")
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1
    assert [line for line in result.stdout.splitlines() if line.startswith("studies/") and ": error: " in line] == lines
    assert result.stdout.splitlines()[-1] == "1 error, 0 warnings"


def test_a_linked_review_is_refused(tmp_path):
    root = make_repo(tmp_path)
    (root / "review.yml").rename(tmp_path / "review.yml")
    (root / "review.yml").symlink_to(tmp_path / "review.yml")
    result = run_cli(root, "check")
    assert result.returncode == 1 and f"review.yml:1:1: error: {LINK}" in result.stdout.splitlines()


def test_fmt_never_writes_through_a_link_or_outside_studies(tmp_path):
    root = make_repo(tmp_path)
    outside = tmp_path / "outside.yml"
    messy = VALID.format(id="link-2020").replace("year: 2024", "year:    2024")
    outside.write_text(messy, encoding="utf-8")
    (root / "studies" / "link-2020.yml").symlink_to(outside)
    result = run_cli(root, "fmt", "studies/link-2020.yml", str(outside))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"studies/link-2020.yml: not formatted: {LINK}",
        f"{outside}: not formatted: is not in studies/; fmt formats study files only",
    ]
    assert outside.read_text(encoding="utf-8") == messy
    result = run_cli(root, "fmt")  # every study file: the link is not among them
    assert result.returncode == 0 and outside.read_text(encoding="utf-8") == messy
