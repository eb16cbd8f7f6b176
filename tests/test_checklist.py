"""The PRISMA 2020 reporting checklist: every item assessed, the counts computed from the data, the downloads complete."""

from __future__ import annotations

import copy
import csv
import io
import json
from collections import Counter

import pytest

from conftest import ROOT, run_cli
from evidence import checklist
from evidence.checklist_page import CSV_FIELDS, checklist_csv, checklist_json, summaries
from evidence.dataset import load
from evidence.models import review_from
from evidence.schema import load_schema

REVIEW = load(ROOT).review
BOTH = {"items": REVIEW.checklist, "abstract_items": REVIEW.abstract_checklist}


def test_all_42_items_and_12_abstract_items_in_the_statements_order():
    assert len(REVIEW.checklist) == 42 and len(REVIEW.abstract_checklist) == 12
    assert [i.item for i in REVIEW.checklist] == list(checklist.ITEMS)
    assert [i.item for i in REVIEW.abstract_checklist] == list(checklist.ABSTRACT_ITEMS)
    assert [i.section for i in REVIEW.checklist] == list(checklist.ITEMS.values())
    assert [i.section for i in REVIEW.abstract_checklist] == list(checklist.ABSTRACT_ITEMS.values())
    assert REVIEW.checklist[0].name == "Title" and REVIEW.checklist[-1].item == "27"


@pytest.mark.parametrize("key", sorted(BOTH))
def test_every_item_has_a_status_and_what_it_needs(key):
    for item in BOTH[key]:
        assert item.status in checklist.STATUSES, item.item
        assert item.name and item.name_es and item.text, item.item
        if item.status in (checklist.REPORTED, checklist.PARTLY):
            assert item.quotes, f"{key} {item.item}: a {item.status} item quotes the review"
        if item.status in (checklist.PARTLY, checklist.NOT_REPORTED):
            assert item.missing and item.missing.strip(), f"{key} {item.item}: says what is missing"
        if item.status == checklist.NOT_APPLICABLE:
            assert item.why_not_applicable, f"{key} {item.item}: says why it does not apply"


def test_what_the_review_does_not_report_is_not_reported():
    """Search dates, screeners, risk of bias, registration, protocol, funding and competing interests."""
    status = {i.item: i.status for i in REVIEW.checklist}
    for item in ("11", "18", "24a", "24b", "25", "26"):
        assert status[item] == checklist.NOT_REPORTED, item
    assert status["6"] != checklist.REPORTED and status["7"] != checklist.REPORTED and status["8"] != checklist.REPORTED
    abstract = {i.item: i.status for i in REVIEW.abstract_checklist}
    assert abstract["11"] == abstract["12"] == checklist.NOT_REPORTED


@pytest.mark.parametrize(
    "key, sections", [("items", checklist.SECTIONS), ("abstract_items", checklist.ABSTRACT_SECTIONS)]
)
def test_summary_counts_come_from_the_data(key, sections):
    items = BOTH[key]
    found = checklist.summary(items, sections)
    assert found["counts"] == {s: Counter(i.status for i in items)[s] for s in checklist.STATUSES}
    assert sum(found["counts"].values()) == found["total"] == len(items)
    for row in found["rows"]:
        assert row["counts"] == {
            s: sum(i.section == row["section"] and i.status == s for i in items) for s in checklist.STATUSES
        }
    assert sum(row["total"] for row in found["rows"]) == len(items)


def test_summary_follows_a_changed_status():
    data = copy.deepcopy(REVIEW.raw)
    item = next(i for i in data["reporting"]["items"] if i["item"] == "26")
    item.update(status="reported", quotes=[{"text": "x", "place": "Title"}])
    before = summaries(REVIEW, "")[0]
    after = summaries(review_from(data), "")[0]
    other = next(r for r in after["rows"] if r["label"] == "Other information")
    assert after["counts"][0] == before["counts"][0] + 1 and after["counts"][2] == before["counts"][2] - 1
    assert other["counts"][0] == 1


def test_csv_reads_back_with_every_item():
    raw = checklist_csv(REVIEW)
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == list(CSV_FIELDS)
    assert [(r["checklist"], r["item"]) for r in rows] == (
        [("PRISMA 2020", i) for i in checklist.ITEMS]
        + [("PRISMA 2020 for Abstracts", i) for i in checklist.ABSTRACT_ITEMS]
    )
    by_item = {(r["checklist"], r["item"]): r for r in rows}
    for name, items in (("PRISMA 2020", REVIEW.checklist), ("PRISMA 2020 for Abstracts", REVIEW.abstract_checklist)):
        for item in items:
            row = by_item[(name, item.item)]
            assert (row["name"], row["name_es"], row["text"], row["status"]) == (
                item.name,
                item.name_es,
                item.text,
                item.status,
            )
            assert row["missing"] == (item.missing or "") and row["why_not_applicable"] == (
                item.why_not_applicable or ""
            )
            for quote in item.quotes:
                assert f"“{quote.text}” ({quote.place})" in row["quotes"].splitlines()


def test_json_reads_back_with_every_item_and_the_counts():
    data = json.loads(checklist_json(REVIEW))
    assert data["statement_url"] == "https://doi.org/10.1136/bmj.n71" and data["license"] == "CC BY 4.0"
    for key, items in BOTH.items():
        assert [(r["item"], r["status"], r["name_es"]) for r in data[key]] == [
            (i.item, i.status, i.name_es) for i in items
        ]
        assert [len(r["quotes"]) for r in data[key]] == [len(i.quotes) for i in items]
        assert data["summary"][key]["all"] == {s: sum(i.status == s for i in items) for s in checklist.STATUSES}
    assert sum(data["summary"]["items"]["all"].values()) == 42
    assert sum(data["summary"]["abstract_items"]["all"].values()) == 12


def test_csv_cells_never_start_a_formula():
    data = copy.deepcopy(REVIEW.raw)
    item = data["reporting"]["items"][0]
    item.update(name='=HYPERLINK("https://example.org/")', missing="-1+1", name_es="@SUM(A1)")
    rows = list(csv.reader(io.StringIO(checklist_csv(review_from(data)).decode("utf-8-sig"), newline="")))
    first = dict(zip(rows[0], rows[1]))
    assert first["name"].startswith("'=") and first["missing"] == "'-1+1" and first["name_es"] == "'@SUM(A1)"


def test_every_property_of_the_review_schema_has_a_description():
    def walk(schema, path):
        for name, spec in schema.get("properties", {}).items():
            if "$ref" not in spec or len(spec) > 1:  # a bare $ref takes the description of what it refers to
                assert spec.get("description"), f"{path}.{name}"
            walk(spec, f"{path}.{name}")
            walk(spec.get("items", {}), f"{path}.{name}[]")
        for name, spec in schema.get("$defs", {}).items():
            walk(spec, f"$defs.{name}")

    walk(load_schema("review"), "review")


# --- The checker ----------------------------------------------------------------------------------------------------


def _line(text: str, line: str, after: int = 0) -> int:
    """1-based number of the first line equal to `line` after line `after`."""
    return next(n for n, found in enumerate(text.splitlines(), 1) if n > after and found == line)


def test_checker_reports_a_missing_repeated_or_misplaced_item(repo):
    text = (ROOT / "review.yml").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    start, end = _line(text, '    - item: "13b"'), _line(text, '    - item: "13c"')
    broken = "".join(lines[: start - 1] + lines[end - 1 :])  # item 13b removed
    broken = broken.replace(
        '    - item: "4"\n      section: methods\n      name: Information sources',
        '    - item: "3"\n      section: methods\n      name: Information sources',
    )
    broken = broken.replace('    - item: "17"\n      section: results', '    - item: "17"\n      section: discussion')
    result = run_cli(repo({"review.yml": broken}), "check")
    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    items = _line(broken, '    - item: "1"', _line(broken, "  items:"))
    abstract = _line(broken, '    - item: "1"', _line(broken, "  abstract_items:"))
    repeated = _line(broken, '    - item: "3"', _line(broken, '    - item: "3"', abstract))
    seventeen = _line(broken, '    - item: "17"') + 1
    assert errors == [
        f"review.yml:{items}:5: error: `reporting.items` lacks PRISMA 2020 item 13b; every item is assessed, "
        "as not applicable where it does not apply",
        f"review.yml:{seventeen}:16: error: item '17' is in the section 'results' of the "
        "PRISMA 2020 checklist; got 'discussion'",
        f"review.yml:{abstract}:5: error: `reporting.abstract_items` lacks PRISMA 2020 for Abstracts item 4; every item "
        "is assessed, as not applicable where it does not apply",
        f"review.yml:{repeated}:13: error: item '3' is listed twice in `reporting.abstract_items`",
    ]


def test_checker_asks_for_quotes_missing_and_reason(repo):
    text = (ROOT / "review.yml").read_text(encoding="utf-8")
    item = (
        "      text: Declare any competing interests of review authors.\n"
        "      text_es: Declare los conflictos de intereses de los autores de la revisión.\n"
    )
    broken = text.replace(item + "      status: not reported\n", item + "      status: partly reported\n")
    broken = broken.replace(
        "      why_not_applicable: The synthesis is qualitative; no effect measure is computed or presented.\n"
        "      why_not_applicable_es: >-\n"
        "        La síntesis es cualitativa; no se calcula ni se presenta ninguna medida del efecto.\n",
        "",
    )
    root = repo({"review.yml": broken})
    result = run_cli(root, "check")
    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    twelve, twenty_six = _line(broken, '    - item: "12"'), _line(broken, '    - item: "26"')
    assert errors == [
        f"review.yml:{twelve}:7: error: missing required field `why_not_applicable` in "
        "`reporting.items[13]`: a not applicable item says in one line why it does not apply",
        f"review.yml:{twenty_six}:7: error: missing required field `quotes` in "
        "`reporting.items[41]`: a reported or partly reported item quotes the review's passages that support it",
    ]


def test_a_review_without_the_assessment_still_checks_and_builds_its_pages(repo, tmp_path):
    from evidence.generate import generate

    text = (ROOT / "review.yml").read_text(encoding="utf-8")
    root = repo({"review.yml": text[: text.index("\nreporting:")] + "\n"})
    dataset = load(root)
    assert dataset.ok, [p.text() for p in dataset.problems if p.severity == "error"]
    assert dataset.review.checklist == () and dataset.review.abstract_checklist == ()
    generate(dataset)
    assert "No assessment is recorded yet" in (root / "docs" / "en" / "checklist.md").read_text(encoding="utf-8")
    method = (root / "docs" / "en" / "method.md").read_text(encoding="utf-8")
    assert "## Reporting checklist" not in method and "checklist/" not in method
    assert (
        json.loads((root / "docs" / "es" / "data" / "prisma-checklist.json").read_text(encoding="utf-8"))["items"] == []
    )
