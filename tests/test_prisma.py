"""PRISMA 2020: the diagram shows only what the review reports, and the CSV matches the PRISMA2020 template."""

from __future__ import annotations

import copy
import csv
import dataclasses
import io
import re
import xml.etree.ElementTree as ET

from conftest import ROOT
from evidence.dataset import load
from evidence.models import review_from
from evidence.prisma import flow, prisma_csv, prisma_rows, prisma_svg

REVIEW = load(ROOT).review
SVG = "{http://www.w3.org/2000/svg}"

# inst/extdata/PRISMA.csv of the PRISMA2020 R package (github.com/prisma-flowdiagram/PRISMA2020), verbatim.
UPSTREAM = """\
data,node,box,description,boxtext,tooltips,url,n
NA,node4,prevstud,Grey title box; Previous studies,Previous studies,Grey title box; Previous studies,prevstud.html,0
previous_studies,node5,box1,Studies included in previous version of review,Studies included in previous version of review,Studies included in previous version of review,previous_studies.html,0
previous_reports,NA,box1,Reports of studies included in previous version of review,Reports of studies included in previous version of review,NA,previous_reports.html,0
NA,node6,newstud,Yellow title box; Identification of new studies via databases and registers,Identification of new studies via databases and registers,Yellow title box; Identification of new studies via databases and registers,newstud.html,0
database_results,node7,box2,Records identified from: Databases,Databases,Records identified from: Databases,database_results.html,0
register_results,NA,box2,Records identified from: Registers,Registers,NA,NA,0
NA,node16,othstud,Grey title box; Identification of new studies via other methods,Identification of new studies via other methods,Grey title box; Identification of new studies via other methods,othstud.html,0
website_results,node17,box11,Records identified from: Websites,Websites,Records identified from: Websites,website_results.html,0
organisation_results,,box11,Records identified from: Organisations,Organisations,NA,NA,0
citations_results,NA,box11,Records identified from: Citation searching,Citation searching,NA,NA,0
duplicates,node8,box3,Duplicate records,Duplicate records,Duplicate records,duplicates.html,0
excluded_automatic,NA,box3,Records marked as ineligible by automation tools,Records marked as ineligible by automation tools,NA,NA,0
excluded_other,NA,box3,Records removed for other reasons,Records removed for other reasons,NA,NA,0
records_screened,node9,box4,Records screened (databases and registers),Records screened,Records screened (databases and registers),records_screened.html,0
records_excluded,node10,box5,Records excluded (databases and registers),Records excluded,Records excluded (databases and registers),records_excluded.html,0
dbr_sought_reports,node11,box6,Reports sought for retrieval (databases and registers),Reports sought for retrieval,Reports sought for retrieval (databases and registers),dbr_sought_reports.html,0
dbr_notretrieved_reports,node12,box7,Reports not retrieved (databases and registers),Reports not retrieved,Reports not retrieved (databases and registers),dbr_notretrieved_reports.html,0
other_sought_reports,node18,box12,Reports sought for retrieval (other),Reports sought for retrieval,Reports sought for retrieval (other),other_sought_reports.html,0
other_notretrieved_reports,node19,box13,Reports not retrieved (other),Reports not retrieved,Reports not retrieved (other),other_notretrieved_reports.html,0
dbr_assessed,node13,box8,Reports assessed for eligibility (databases and registers),Reports assessed for eligibility,Reports assessed for eligibility (databases and registers),dbr_assessed.html,0
dbr_excluded,node14,box9,"Reports excluded (databases and registers): [separate reasons and numbers using ; e.g. Reason1, xxx; Reason2, xxx; Reason3, xxx]",Reports excluded,"Reports excluded (databases and registers): [separate reasons and numbers using ; e.g. Reason1, xxx; Reason2, xxx; Reason3, xxx",dbrexcludedrecords.html,"Reason1, xxx; Reason2, xxx; Reason3, xxx"
other_assessed,node20,box14,Reports assessed for eligibility (other),Reports assessed for eligibility,Reports assessed for eligibility (other),other_assessed.html,0
other_excluded,node21,box15,"Reports excluded (other): [separate reasons and numbers using ; e.g. Reason1, xxx; Reason2, xxx; Reason3, xxx]",Reports excluded,"Reports excluded (other): [separate reasons and numbers using ; e.g. Reason1, xxx; Reason2, xxx; Reason3, xxx",other_excluded.html,"Reason1, xxx; Reason2, xxx; Reason3, xxx"
new_studies,node15,box10,New studies included in review,New studies included in review,New studies included in review,new_studies.html,0
new_reports,NA,box10,Reports of new included studies,Reports of new included studies,NA,NA,0
total_studies,node22,box16,Total studies included in review,Total studies included in review,Total studies included in review,total_studies.html,0
total_reports,NA,box16,Reports of total included studies,Reports of total included studies,NA,NA,0
identification,node1,identification,Blue identification box,Identification,Blue identification box,identification.html,0
screening,node2,screening,Blue screening box,Screening,Blue screening box,screening.html,0
included,node3,included,Blue included box,Included,Blue included box,included.html,0
"""
TITLE_BOXES = {"prevstud", "newstud", "othstud", "identification", "screening", "included"}


def modified(**sections) -> object:
    """The real review with some PRISMA sections added or replaced."""
    data = copy.deepcopy(REVIEW.raw)
    data["prisma"].update(copy.deepcopy(sections))
    return review_from(data)


def box_texts(svg: str) -> list[str]:
    """The text of each <text> element, its wrapped lines joined again."""
    root = ET.fromstring(svg)
    return [
        " ".join(span.text for span in text.iter(f"{SVG}tspan")) or (text.text or "")
        for text in root.iter(f"{SVG}text")
    ]


def counts_shown(svg: str) -> list[str]:
    return re.findall(r"\(n = ([^)]*)\)", " ".join(box_texts(svg)))


def not_reported_stages(review) -> int:
    return sum(
        value == "not reported"
        for section in review.prisma.values()
        if isinstance(section, dict)
        for value in section.values()
    )


def test_svg_is_accessible_xml_that_scales():
    svg = prisma_svg(REVIEW)
    root = ET.fromstring(svg)
    assert root.get("role") == "group"  # not "img": it holds a link, which an image's children cannot be
    assert root.get("aria-labelledby") == "prisma-title" and root.get("aria-describedby") == "prisma-desc"
    assert root.find(f"{SVG}title").text == "PRISMA 2020 flow diagram"
    desc = root.find(f"{SVG}desc").text
    assert "Databases (n = 291)" in desc and "Studies included in review (n = 16)" in desc
    assert root.get("viewBox") and root.get("width") == "100%"


def test_svg_shows_the_reported_counts_and_not_reported_for_every_other_stage():
    svg = prisma_svg(REVIEW)
    text = " ".join(box_texts(svg))
    assert "Identification of studies via databases and registers" in text
    assert "Databases (n = 291)" in text and "Studies included in review (n = 16)" in text
    assert "Registers (n = not applicable)" in text  # the review searched databases only
    for stage in (
        "Duplicate records",
        "Records marked as ineligible by automation tools",
        "Records removed for other reasons",
        "Records screened",
        "Records excluded",
        "Reports sought for retrieval",
        "Reports not retrieved",
        "Reports assessed for eligibility",
        "Reports excluded",
        "Reports of included studies",
    ):
        assert f"{stage} (n = not reported)" in text
    assert sorted(counts_shown(svg)) == sorted(
        ["291", "16", "not applicable"] + ["not reported"] * not_reported_stages(REVIEW)
    )
    assert "n = 0" not in svg
    for label in ("Identification", "Screening", "Included"):
        assert label in box_texts(svg)


def test_a_stage_missing_from_the_data_reads_not_reported():
    data = copy.deepcopy(REVIEW.raw)
    del data["prisma"]["identification"]["register_results"]
    del data["prisma"]["screening"]["records_screened"]
    text = " ".join(box_texts(prisma_svg(review_from(data))))
    assert "Registers (n = not reported)" in text and "Records screened (n = not reported)" in text


def test_the_included_box_links_to_the_findings_table():
    for href in ("../findings/", "/review/findings/?a=1&b=2"):
        root = ET.fromstring(prisma_svg(REVIEW, findings_href=href))
        links = list(root.iter(f"{SVG}a"))
        assert len(links) == 1 and links[0].get("href") == href
        linked = " ".join(span.text for span in links[0].iter(f"{SVG}tspan"))
        assert "Studies included in review (n = 16)" in linked


def test_arrows_use_one_marker():
    svg = prisma_svg(REVIEW)
    assert svg.count('<marker id="prisma-arrow"') == 1
    assert svg.count('marker-end="url(#prisma-arrow)"') == 8  # 4 down the column, 4 across


def test_svg_is_byte_identical():
    assert prisma_svg(REVIEW) == prisma_svg(load(ROOT).review)


def test_optional_branches_are_drawn_only_when_present():
    plain = " ".join(box_texts(prisma_svg(REVIEW)))
    assert "other methods" not in plain and "Previous studies" not in plain and "Websites" not in plain
    text = " ".join(box_texts(prisma_svg(modified(other_methods={"website_results": 3}))))
    assert "Identification of studies via other methods" in text
    assert "Websites (n = 3)" in text and "Organisations (n = not reported)" in text
    assert "Citation searching (n = not reported)" in text
    svg = prisma_svg(modified(previous={"previous_studies": 10}, included={"new_studies": 16, "total_studies": 26}))
    text = " ".join(box_texts(svg))
    assert "Previous studies" in text and "Identification of new studies via databases and registers" in text
    assert "Studies included in previous version of review (n = 10)" in text
    assert "New studies included in review (n = 16)" in text
    link = next(ET.fromstring(svg).iter(f"{SVG}a"))
    assert "Total studies included in review (n = 26)" in " ".join(s.text for s in link.iter(f"{SVG}tspan"))


def test_reasons_for_exclusion_are_listed_and_escaped():
    reasons = [
        {"reason": "<script>Not about Peru</script>, & more", "n": 5},
        {"reason": "No full text", "n": "not reported"},
    ]
    review = modified(screening={"dbr_excluded": reasons})
    svg = prisma_svg(review)
    assert "<script>" not in svg
    text = " ".join(box_texts(svg))
    assert "Reports excluded: <script>Not about Peru</script>, & more (n = 5) No full text (n = not reported)" in text
    # The R app splits reasons at ";" and a reason from its number at the first ",".
    assert prisma_rows(review)[20]["n"] == "<script>Not about Peru</script> - & more, 5; No full text, NA"


def test_csv_follows_the_prisma2020_template_without_its_placeholder_text():
    text = prisma_csv(REVIEW)
    assert "\r" not in text and text.endswith("\n")
    rows = list(csv.reader(io.StringIO(text)))
    upstream = [row[:7] for row in csv.reader(io.StringIO(UPSTREAM))]
    assert rows[0] == ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]
    # The template's instruction and example reasons ("[separate reasons … Reason1, xxx; …") are left out.
    for row in upstream:
        if row[0] in ("dbr_excluded", "other_excluded"):
            row[3], row[5] = row[3].split(": [")[0], row[5].split(": [")[0]
    assert [row[:7] for row in rows] == upstream
    for placeholder in ("Reason1", "xxx", "separate reasons", "e.g."):
        assert placeholder not in text


def test_csv_counts_are_reported_numbers_or_na():
    rows = list(csv.DictReader(io.StringIO(prisma_csv(REVIEW))))
    by_data = {row["data"]: row["n"] for row in rows if row["box"] not in TITLE_BOXES}
    assert by_data["database_results"] == "291"
    assert by_data["new_studies"] == "16"
    assert by_data["records_screened"] == "NA"
    assert set(by_data.values()) == {"291", "16", "NA"}
    assert all(row["n"] == "0" for row in rows if row["box"] in TITLE_BOXES)
    assert rows == prisma_rows(REVIEW)


def test_csv_fills_the_optional_branches_when_present():
    rows = {
        row["data"]: row["n"]
        for row in prisma_rows(modified(other_methods={"website_results": 3, "other_excluded": 4}))
    }
    assert rows["website_results"] == "3" and rows["other_excluded"] == "4" and rows["citations_results"] == "NA"


def test_every_line_fits_its_box_even_in_dejavu_sans():
    """DejaVu Sans is the widest common sans-serif; a line that fits in it fits in the others."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    measure = TextToPath()
    reasons = [{"reason": "Published outside the 2019-2023 window of the review's criteria", "n": 12}]
    review = modified(
        other_methods={"website_results": 1234567, "other_excluded": reasons}, previous={"previous_studies": 10}
    )
    root = ET.fromstring(prisma_svg(review))
    size = float(root.get("font-size"))
    checked = 0
    for group in list(root.iter(f"{SVG}g")) + list(root.iter(f"{SVG}a")):
        rect, text = group.find(f"{SVG}rect"), group.find(f"{SVG}text")
        left, right = float(rect.get("x")), float(rect.get("x")) + float(rect.get("width"))
        font = FontProperties(family="DejaVu Sans", size=size, weight=text.get("font-weight", "normal"))
        for span in text.iter(f"{SVG}tspan"):
            width = measure.get_text_width_height_descent(span.text, font, ismath=False)[0]
            if text.get("text-anchor") == "middle":
                assert width <= right - left - 8, span.text
            else:
                assert float(span.get("x")) + width <= right - 4, span.text
            checked += 1
    assert checked > 30


# --- The review as updated ------------------------------------------------------------------------------------


def updated(updates: list[dict], added: int = 1):
    """The real review with `updates`, and the real studies plus `added` studies of the first update."""
    data = copy.deepcopy(REVIEW.raw)
    data["updates"] = updates
    review = review_from(data)
    extra = [
        dataclasses.replace(STUDIES[0], id=f"added-{i}", update=updates[0]["id"], group=None) for i in range(added)
    ]
    return review, STUDIES + extra


STUDIES = load(ROOT).studies
UPDATE = {"id": "update-2025-1", "date": "2025-06-30"}


def test_with_updates_the_diagram_is_the_template_for_updated_reviews():
    review, studies = updated([UPDATE])
    svg = prisma_svg(review, studies=studies)
    text = " ".join(box_texts(svg))
    assert "Previous studies" in text
    assert "Studies included in previous version of review (n = 16)" in text
    assert "Reports of studies included in previous version of review (n = not reported)" in text
    assert "Identification of new studies via databases and registers" in text
    assert "Databases (n = not reported)" in text and "Registers (n = not applicable)" in text
    assert "New studies included in review (n = 1)" in text
    assert "Reports of new included studies (n = not reported)" in text
    assert "Total studies included in review (n = 17)" in text
    assert "Studies included in review (n = 16)" not in text.replace("previous version of review (n = 16)", "")
    assert ET.fromstring(svg).find(f"{SVG}title").text == "PRISMA 2020 flow diagram of the review as updated"
    # The published review's own diagram is unchanged.
    assert prisma_svg(review) == prisma_svg(REVIEW)


def test_the_csv_carries_the_diagram_and_its_totals_agree():
    review, studies = updated([UPDATE])
    rows = {row["data"]: row["n"] for row in csv.DictReader(io.StringIO(prisma_csv(review, studies)))}
    assert (rows["previous_studies"], rows["new_studies"], rows["total_studies"]) == ("16", "1", "17")
    assert rows["database_results"] == "NA" and rows["register_results"] == "NA"
    shown = dict(re.findall(r"([A-Z][a-z ]+?) \(n = (\d+)\)", " ".join(box_texts(prisma_svg(review, studies=studies)))))
    assert shown["Studies included in previous version of review"] == rows["previous_studies"]
    assert shown["New studies included in review"] == rows["new_studies"]
    assert shown["Total studies included in review"] == rows["total_studies"]
    assert int(rows["previous_studies"]) + int(rows["new_studies"]) == int(rows["total_studies"])


def test_the_updates_searches_and_screening_fill_the_new_studies_column():
    first = {
        **UPDATE,
        "searches": [{"database": "SciELO", "records": 40}, {"database": "Scopus", "records": 12}],
        "prisma": {"records_screened": 50, "dbr_excluded": [{"reason": "Outside Peru", "n": 3}]},
    }
    second = {
        "id": "update-2026-1",
        "date": "2026-01-15",
        "searches": [{"database": "SciELO", "records": 8}],
        "prisma": {"records_screened": 8, "dbr_excluded": [{"reason": "Outside Peru", "n": 1}]},
    }
    review, studies = updated([first, second], added=2)
    found = flow(review, studies)
    assert found.counts["database_results"] == 60 and found.sources["database_results"].startswith("the updates")
    assert found.counts["records_screened"] == 58
    assert found.counts["dbr_excluded"] == [{"reason": "Outside Peru", "n": 4}]
    assert found.counts["duplicates"] == "not reported"
    assert (found.counts["new_studies"], found.counts["total_studies"]) == (2, 18)
    assert found.sources["previous_studies"] == "reported by the review"
    assert found.sources["new_studies"] == "counted from the study files"
    # A stage one update does not give is not reported for the updates together.
    del second["prisma"]["records_screened"]
    review, studies = updated([first, second], added=2)
    assert flow(review, studies).counts["records_screened"] == "not reported"


def test_two_diagrams_on_one_page_have_their_own_ids():
    review, studies = updated([UPDATE])
    ids = [
        set(re.findall(r'id="([^"]+)"', svg))
        for svg in (prisma_svg(review, studies=studies), prisma_svg(review, ident="prisma-review"))
    ]
    assert ids[0] and ids[1] and not ids[0] & ids[1]
