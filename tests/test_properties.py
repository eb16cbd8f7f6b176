"""Properties: whatever a contributor writes, the checker answers with problems (never an
exception), valid data always generates, and a study page never carries executable markup."""

from __future__ import annotations

import html
import json
import re
import shutil
import unicodedata
from functools import cache
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import ROOT, make_repo
from evidence.dataset import load
from evidence.generate import generate
from evidence.loader import BLANK_LOOKALIKES, read_bytes, refused_in_text
from evidence.schema import schema_problems
from test_hostile import one_line, render, text_of, unsafe

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that mean something to HTML, Markdown, Jinja, YAML, spreadsheets or the parsers.
PIECES = [
    "<script>",
    "</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<a href=javascript:x>",
    "javascript:alert(1)",
    "[x](javascript:alert(1))",
    "![x](data:text/html,x)",
    "<javascript:alert(1)>",
    "[x]: javascript:alert(1)",
    "[x][x]",
    "{{ 7*7 }}",
    "{%",
    "%}",
    "{#",
    "**",
    "__",
    "`",
    "|",
    "\n",
    "\n# ",
    "\n- ",
    "\n---\n",
    "\n    ",
    "&",
    "&lt;",
    "&#60;",
    "&#x3C;",
    "<!--",
    "-->",
    "<",
    ">",
    '"',
    "'",
    "\\",
    "=",
    "@",
    "+",
    "-",
    "\t",
    "\r",
    "{: .x onclick=y }",
    "\x00",
    "\x02wzxhzdk:0\x03",
    "\x85",
    "\u2028",
    "\ufeff",
    "\U0001f600",
    "é",
    "ñ",
    "%",
    "$x$",
    "~",
    "^",
    "#",
    ": ",
    "- ",
    "? ",
    "*",
    "&a",
    "!!python/name:os.system",
]
ANY_TEXT = st.lists(
    st.one_of(st.text(st.characters(exclude_categories=("Cs",)), max_size=12), st.sampled_from(PIECES)), max_size=8
).map("".join)
# Text a study can validly hold: no control, invisible, private-use or blank look-alike characters
# (the checker refuses those; a line break is allowed).
PRINTABLE = (
    st.lists(
        st.one_of(
            st.text(
                st.characters(
                    exclude_categories=("Cs", "Cc", "Cf", "Zl", "Zp", "Co", "Cn"), exclude_characters=BLANK_LOOKALIKES
                ),
                max_size=12,
            ),
            st.sampled_from([p for p in PIECES if not refused_in_text(p)]),
        ),
        min_size=1,
        max_size=8,
    )
    .map("".join)
    .filter(lambda s: s != "")
)
# One character of each kind the checker refuses in a value.
REFUSED = st.one_of(
    st.characters(categories=("Cc", "Cf", "Co", "Zl", "Zp"), exclude_characters="\n"),
    st.sampled_from(sorted(BLANK_LOOKALIKES)),
)

# `cited_as` makes a study one of the review's (its trends then come from the review's paragraphs): left out here.
FIELDS = ["title", "finding", "notes", "journal", "family", "given"]
NON_BMP = re.compile("[\U00010000-\U0010ffff]")


def study(values: dict) -> dict:
    data = {
        "id": "prop-2022",
        "title": "A title",
        "year": 2022,
        "authors": [{"family": "Quispe", "given": "Rosa"}],
        "finding": "A finding.",
        "trends": ["citizen-perception"],
        "group": "challenges",
    }
    for field, value in values.items():
        if field in ("family", "given"):
            data["authors"][0][field] = value
        else:
            data[field] = value
    return data


def serialise(data, how: str) -> bytes:
    if how == "json":
        return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    if how == "json-ascii":
        return json.dumps(data, ensure_ascii=True).encode("utf-8")
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


@cache
def workspace(name: str, tmp_root: str) -> Path:
    """One copy of the repository per test function, reused by every example."""
    root = make_repo(Path(tmp_root) / name)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    return root


@pytest.fixture(scope="module")
def repos(tmp_path_factory):
    base = str(tmp_path_factory.mktemp("properties"))
    return lambda name: workspace(name, base)


def check_and_build(root, data, how) -> tuple[bool, str | None]:
    """Write the study, check everything, generate when valid; the study page's Markdown or None."""
    (root / "studies" / "prop-2022.yml").write_bytes(serialise(data, how))
    dataset = load(root)  # must not raise
    for problem in dataset.problems:
        assert "\n" not in problem.text() and problem.line >= 1 and problem.column >= 1
    if not dataset.ok:
        return False, None
    generate(dataset)  # must not raise
    return True, (root / "docs" / "en" / "studies" / "prop-2022.md").read_text(encoding="utf-8")


def assert_safe_page(page: str, data: dict) -> None:
    page_html, meta = render(page)
    assert unsafe(page_html) == []
    text = text_of(page_html)
    for value in (
        data["title"],
        data["finding"],
        data.get("notes"),
        data.get("journal"),
        data["authors"][0]["family"],
        data["authors"][0].get("given"),
    ):
        if value is not None and value.strip():
            assert one_line(nfc(value)) in text
    assert html.unescape(meta["title"]) == nfc(data["title"])  # the front matter is read back whole


def nfc(text: str) -> str:
    """What the checker keeps of a value: its NFC form (one spelling of each accented letter)."""
    return unicodedata.normalize("NFC", text)


@SETTINGS
@given(field=st.sampled_from(FIELDS), before=PRINTABLE, char=REFUSED, after=PRINTABLE, escaped=st.booleans())
def test_a_refused_character_in_any_text_field_is_named_by_code_point(field, before, char, after, escaped):
    """Zero-width and bidirectional controls, soft hyphens, fillers, private use: refused wherever they stand,
    written as themselves or as an escape in double quotes."""
    data = study({field: before + char + after})
    raw = serialise(data, "json")
    if escaped:
        raw = raw.replace(
            char.encode("utf-8", "surrogatepass"),
            (f"\\u{ord(char):04x}" if ord(char) < 0x10000 else f"\\U{ord(char):08x}").encode(),
        )
    doc, problems = read_bytes(raw, "studies/prop-2022.yml")
    assert doc is None
    assert any(f"U+{ord(char):04X}" in p.message for p in problems), problems
    assert all("\n" not in p.text() for p in problems)


@SETTINGS
@given(field=st.sampled_from(FIELDS), value=ANY_TEXT, how=st.sampled_from(["json", "json-ascii", "yaml"]))
def test_any_text_in_one_field(repos, field, value, how):
    data = study({field: value})
    ok, page = check_and_build(repos("one-field"), data, how)
    event("valid, generated" if ok else "refused with problems")
    if ok:
        assert_safe_page(page, data)


@SETTINGS
@given(
    values=st.fixed_dictionaries({field: PRINTABLE for field in FIELDS}),
    how=st.sampled_from(["json", "json-ascii", "yaml"]),
)
def test_printable_text_in_every_field_builds_a_safe_page(repos, values, how):
    data = study(values)
    ok, page = check_and_build(repos("every-field"), data, how)
    event("valid, generated" if ok else "refused with problems")
    # Two cases where the file is not what the text says: safe_dump writes some text plain (`1.e5`),
    # which YAML 1.2 reads as a number; JSON writes U+10000 as a surrogate pair, which YAML refuses.
    # And the schema refuses a title, finding or family name with no visible character.
    blank = any(not values[name].strip() for name in ("title", "finding", "family"))
    assert ok or blank or how == "yaml" or how == "json-ascii" and any(NON_BMP.search(v) for v in values.values())
    if ok:
        assert_safe_page(page, data)


def test_front_matter_keeps_a_title_beyond_the_bmp(repos):
    """Jinja's |tojson would write U+1F600 as a surrogate pair, which YAML cannot read: MkDocs would then
    drop the front matter and print it at the top of the page. The templates use |front_matter."""
    data = study({"title": "Gobierno digital \U0001f600 \U0001d465"})
    ok, page = check_and_build(repos("front-matter"), data, "json")
    assert ok
    _, meta = render(page)
    assert html.unescape(meta.get("title", "")) == data["title"]


# Whole files: arbitrary bytes, YAML-like fragments and arbitrary data structures.
YAML_PIECES = [
    b"a: ",
    b"id: ",
    b"title: ",
    b"authors:\n",
    b"- ",
    b"  ",
    b"\n",
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b"&a ",
    b"*a",
    b"!!python/object/apply:os.system ",
    b"!foo ",
    b"! ",
    b"\t",
    b"'",
    b'"',
    b"\\",
    b"\\x85",
    b"\\u2028",
    b"#",
    b"---\n",
    b"...\n",
    b"? ",
    b": ",
    b"|\n",
    b">-\n",
    b"%YAML 1.1\n",
    b"%TAG ! tag:x,2000:\n",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xed\xa0\x80",
    b"\x00",
    b"\x07",
    b"\xc2\x85",
    b"\xe2\x80\xa8",
    b"1",
    b"010",
    b"0x1",
    b"2022.0",
    b"9" * 5000,
    b"no",
    b"~",
    b"@",
    b"`",
    b"\r",
    b"\r\n",
]
FILE_BYTES = st.one_of(st.binary(max_size=2000), st.lists(st.sampled_from(YAML_PIECES), max_size=40).map(b"".join))


@settings(max_examples=300, deadline=None)
@given(raw=FILE_BYTES)
def test_any_bytes_are_a_document_or_problems(raw):
    doc, problems = read_bytes(raw, "studies/x.yml")
    assert (doc is None) == bool(problems)
    for problem in problems:
        assert "\n" not in problem.text() and "\r" not in problem.text() and problem.line >= 1 and problem.column >= 1
    if doc is not None:
        assert isinstance(doc.data, dict)
        for problem in schema_problems(doc, "study"):
            assert "\n" not in problem.text()


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
KEYS = st.sampled_from(
    [
        "id",
        "title",
        "year",
        "authors",
        "finding",
        "trends",
        "group",
        "doi",
        "url",
        "sources",
        "language",
        "countries",
        "database",
        "authors_complete",
        "type",
        "published",
        "pages",
        "x",
    ]
)


@SETTINGS
@given(values=st.dictionaries(KEYS, JSONISH, max_size=6), how=st.sampled_from(["json", "yaml"]))
def test_any_data_in_any_field_gives_problems_not_exceptions(repos, values, how):
    data = {**study({}), **values}
    ok, page = check_and_build(repos("any-data"), data, how)
    event("valid, generated" if ok else "refused with problems")
    if ok:
        assert unsafe(render(page)[0]) == []
