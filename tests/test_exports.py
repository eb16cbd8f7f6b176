"""Downloads read back with third-party parsers: 16 records each, hostile text kept harmless."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from jsonschema import Draft7Validator
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from conftest import ROOT
from evidence import exports, references
from evidence.dataset import load

DATA = load(ROOT)
STUDIES = {s.id: s for s in DATA.studies}
CSL_SCHEMA = ROOT.parent / "shared" / "reference" / "csl-data.schema.json"

HOSTILE = '=HYPERLINK("http://x")<script>alert(1)</script> 100% } {\nnext line ~^\\ & $ # _ @misc{x,'
HOSTILE_STUDY = replace(
    STUDIES["huaman-2022"],
    id="hostile-2022",
    original_title=None,
    language=None,
    title=HOSTILE,
    finding=HOSTILE,
    notes=HOSTILE,
)


def one_line(text: str) -> str:
    return " ".join(text.split())


def bibtex_decoder() -> LatexNodes2Text:
    """pylatexenc, told the text-mode macros for braces and the circumflex."""
    context = get_default_latex_context_db()
    context.add_context_category(
        "text-symbols",
        prepend=True,
        macros=[
            MacroTextSpec("textbraceleft", "{"),
            MacroTextSpec("textbraceright", "}"),
            MacroTextSpec("textasciicircum", "^"),
        ],
    )
    return LatexNodes2Text(latex_context=context)


def parse_bibtex(text: str):
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware(decoder=bibtex_decoder())])
    assert not library.failed_blocks
    return library


def read_csv(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_studies_json():
    records = json.loads(exports.studies_json(DATA.review, DATA.studies))
    assert len(records) == 16
    huaman = next(r for r in records if r["id"] == "huaman-2022")
    assert huaman["reference"] == references.reference_text(STUDIES["huaman-2022"])
    assert huaman["page"] == "studies/huaman-2022/"
    assert huaman["authors"][0] == {"family": "Huamán Coronel", "given": "Pepe Luis"}
    assert list(huaman)[:4] == ["id", "cited_as", "also_cited_as", "title"]
    assert [list(r) for r in records] == [list(huaman)] * 16


def test_studies_csv():
    data = exports.studies_csv(DATA.studies)
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    rows = read_csv(data)
    assert len(rows) == 16
    huaman = next(r for r in rows if r["id"] == "huaman-2022")
    assert huaman["authors"] == "Huamán Coronel, Pepe Luis; Medina Sotelo, Cristian Gumercindo"
    assert huaman["journal"] == "Comuni@cción"
    assert list(huaman)[:3] == ["id", "cited_as", "also_cited_as"]


def test_bibtex():
    library = parse_bibtex(exports.references_bib(DATA.studies))
    assert [e.key for e in library.entries] == [s.id for s in references.ordered(DATA.studies)]
    entries = {e.key: e for e in library.entries}
    assert entries["huaman-2022"].entry_type == "article"
    assert entries["paiva-2019"].entry_type == "inproceedings"
    assert entries["vicente-2022"].entry_type == "misc"
    assert entries["vicente-2022"]["author"] == "Vicente and others"
    assert entries["paiva-2019"]["doi"] == "10.1007/978-3-030-16181-1_55"
    assert one_line(entries["huaman-2022"]["title"]) == references.display_title(STUDIES["huaman-2022"])


def test_ris():
    records = rispy.loads(exports.references_ris(DATA.studies))
    assert len(records) == 16
    records = {r["title"]: r for r in records}
    huaman = records[STUDIES["huaman-2022"].original_title]
    assert huaman["type_of_reference"] == "JOUR"
    assert huaman["authors"] == ["Huamán Coronel, Pepe Luis", "Medina Sotelo, Cristian Gumercindo"]
    assert (
        huaman["translated_title"]
        == "Digital transformation in public administration: challenges for an active governance in Peru"
    )
    assert (huaman["volume"], huaman["number"], huaman["doi"]) == ("13", "2", "10.33595/2226-1478.13.2.594")
    machuca = records[STUDIES["machuca-vilchez-2023"].title]
    assert (machuca["start_page"], machuca["end_page"]) == ("1", "14")
    assert records[STUDIES["paiva-2019"].title]["type_of_reference"] == "CONF"


def test_csl_json_is_valid():
    items = json.loads(exports.references_csl_json(DATA.studies))
    assert len(items) == 16
    if not CSL_SCHEMA.exists():
        pytest.skip("the CSL-JSON schema is not beside this clone")
    errors = list(Draft7Validator(json.loads(CSL_SCHEMA.read_text(encoding="utf-8"))).iter_errors(items))
    assert not errors


def test_review_json_counts():
    data = json.loads(exports.review_json(DATA.review, DATA.studies, DATA.reconciliation))
    assert data["citation"] == DATA.review.citation
    counts = data["counts"]
    assert counts["studies"] == 16
    assert counts["per_year"] == {"2019": 3, "2020": 0, "2021": 2, "2022": 7, "2023": 4}
    assert list(counts["per_trend"]) == [t.id for t in DATA.review.trends]
    assert sum(counts["per_group"].values()) == 16
    assert list(counts["per_language"]) == ["en", "es", "not reported"]
    assert sum(counts["per_language"].values()) == 16
    assert data["reconciliation"]["counts"][0]["key"] == "included"


def test_hostile_text_is_kept_harmless():
    studies = [*DATA.studies, HOSTILE_STUDY]

    row = next(r for r in read_csv(exports.studies_csv(studies)) if r["id"] == "hostile-2022")
    assert row["title"] == "'" + HOSTILE and row["finding"] == "'" + HOSTILE

    library = parse_bibtex(exports.references_bib(studies))
    assert len(library.entries) == 17
    entry = next(e for e in library.entries if e.key == "hostile-2022")
    assert one_line(entry["title"]) == one_line(HOSTILE)
    assert one_line(entry["note"]) == one_line(HOSTILE)

    records = rispy.loads(exports.references_ris(studies))
    assert len(records) == 17
    record = next(r for r in records if r["title"] == one_line(HOSTILE))
    assert record["notes"][0] == one_line(HOSTILE)

    records = json.loads(exports.studies_json(DATA.review, studies))
    hostile = next(r for r in records if r["id"] == "hostile-2022")
    assert hostile["title"] == hostile["finding"] == hostile["notes"] == HOSTILE

    items = json.loads(exports.references_csl_json(studies))
    assert next(i for i in items if i["id"] == "hostile-2022")["title"] == HOSTILE


TRIGGERS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
SPLIT_FORMULAS = [
    'a;=HYPERLINK("http://x")',
    "a; =1+1",
    'a;"=1+1"',
    "a;'=1",
    "a,=1",
    "a\t=1",
    "a|@SUM(1)",
    'x "; -2+3',
    "=1;=2;+3",
    "a;\uff1d1",
]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_no_cell_is_a_formula_however_a_spreadsheet_splits_the_file(delimiter):
    """Spreadsheets in Spanish (and French, German...) locales open a .csv splitting on ';': every piece of
    every cell, split as they would, starts with something other than a formula's first character."""
    studies = [
        replace(HOSTILE_STUDY, id=f"split-{i}", title=text, finding=text, notes=text)
        for i, text in enumerate(SPLIT_FORMULAS)
    ]
    raw = exports.studies_csv([*DATA.studies, *studies]).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(raw, newline=""), delimiter=delimiter) for cell in row]
    assert len(cells) > len(SPLIT_FORMULAS)
    for cell in cells:
        assert not cell.lstrip(' "').startswith(TRIGGERS), repr(cell)
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(raw, newline=""))}
    for index, text in enumerate(SPLIT_FORMULAS):  # the guard adds a mark and takes nothing away
        assert rows[f"split-{index}"]["title"].replace("'", "") == text.replace("'", "")


def test_the_guard_leaves_ordinary_text_alone():
    for text in ("Huamán Coronel", "pp. 1-14", "E-government", "a - b", "10.1007/978-3-030-16181-1_55", "50% + 2"):
        assert exports.spreadsheet_safe(text) == text
    assert exports.spreadsheet_safe("-1") == "'-1"
    assert exports.spreadsheet_safe("a;=1") == "a;'=1"
