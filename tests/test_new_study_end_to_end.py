"""As a new contributor: copy the template, fill it in, build; the study appears everywhere. Break it: the line is annotated."""

from __future__ import annotations

import csv
import io
import json
import re

import bibtexparser
import pytest
import rispy

from conftest import ROOT, run_cli
from test_site import copy_repo, html, text_of

FILLED = (
    (ROOT / "studies" / "_template.yml")
    .read_text(encoding="utf-8")
    .replace("id: surname-2024", "id: quispe-2023")
    .replace("title: The study's title in English", "title: Interoperability of municipal services in Cusco")
    .replace("year: 2024", "year: 2023")
    .replace("  - family: Surname\n    given: Given Names", "  - family: Quispe Mamani\n    given: Rosa")
    .replace("finding: What the study found, in one paragraph.", "finding: Shared registries cut waiting times.")
    .replace("trends: [citizen-perception]", "trends: [local-regional]")
    .replace("group: various-aspects", "group: successful-adoption")
)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = copy_repo(tmp_path_factory.mktemp("contributor") / "repo")
    (root / "studies" / "quispe-2023.yml").write_text(FILLED, encoding="utf-8")
    result = run_cli(root, "build")
    assert result.returncode == 0, result.stderr
    return root


def test_it_has_its_own_page(built):
    page = html(built, "studies/quispe-2023")
    assert "Interoperability of municipal services in Cusco" in page and "Shared registries cut waiting times." in page
    assert "Quispe Mamani, R. (2023)." in text_of(page)


def test_it_is_in_the_findings_table_trend_page_references_and_counters(built):
    assert len(re.findall(r'<tr data-origin="review" data-year=', html(built, "findings"))) == 17
    assert "Quispe Mamani, 2023" in html(built, "trends/local-regional")
    assert 'id="quispe-2023"' in html(built, "references")
    # Without `update:`, a study is one of the published review's: the home page keeps the number the review
    # reports, and the data checks set it against the 17 study files.
    assert "16 studies in the published review reported by the review" in text_of(html(built, ""))
    assert "Studies included in the published review 16 17 differs" in text_of(html(built, "checks"))


def test_the_charts_count_it(built):
    home = text_of(html(built, ""))
    assert "2023 5" in home  # by year: 4 + 1
    assert "Digital technologies in local and regional governments and open data 4" in home  # by trend: 3 + 1
    svg = (built / "site" / "en" / "assets" / "charts" / "by-year.svg").read_text(encoding="utf-8")
    assert "5" in re.findall(r">(\d+)<", svg)


def test_every_export_carries_it(built):
    data = built / "site" / "data"
    assert len(json.loads((data / "studies.json").read_text(encoding="utf-8"))) == 17
    rows = list(csv.DictReader(io.StringIO((data / "studies.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == 17 and any(r["id"] == "quispe-2023" for r in rows)
    assert len(bibtexparser.parse_string((data / "references.bib").read_text(encoding="utf-8")).entries) == 17
    assert len(rispy.loads((data / "references.ris").read_text(encoding="utf-8"))) == 17
    assert len(json.loads((data / "references.json").read_text(encoding="utf-8"))) == 17
    assert json.loads((data / "review.json").read_text(encoding="utf-8"))["counts"]["studies"] == 17


def test_a_broken_copy_gets_an_annotation_on_its_line(tmp_path):
    root = copy_repo(tmp_path / "repo")
    (root / "studies" / "quispe-2023.yml").write_text(FILLED.replace("year: 2023", "year: twenty"), encoding="utf-8")
    result = run_cli(root, "check", "--format", "github")
    assert result.returncode == 1
    assert (
        "::error file=studies/quispe-2023.yml,line=19,col=7::`year` must be a whole number such as 2022; got 'twenty'"
    ) in result.stdout.splitlines()
