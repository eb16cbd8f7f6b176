"""The living review, built: a clean copy of the repository with the contract example of CONTRIBUTING.md added
(one update in review.yml, one study file that names it) builds, and the site keeps the published review apart
from what came after it: on the home page, in the PRISMA diagram and prisma.csv, in the findings table and on the
study's page, on the What's new page and in its Atom feed, and in the release archive."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import feedparser
import pytest

from conftest import ROOT, run_cli
from test_site import copy_repo, html, text_of
from test_updates_check import STUDY, UPDATE

SITE_URL = "https://example.org/living/"
ATOM = "{http://www.w3.org/2005/Atom}"
CFFCONVERT = Path(sys.executable).with_name("cffconvert")


@pytest.fixture(scope="module", autouse=True)
def _environment():
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SITE_URL", SITE_URL)
        env.delenv("REPO_URL", raising=False)
        env.delenv("SOURCE_DATE_EPOCH", raising=False)
        yield


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """`make site` on a clean copy with the contract example added, exactly as CONTRIBUTING.md gives it."""
    root = copy_repo(tmp_path_factory.mktemp("living") / "repo")
    with (root / "review.yml").open("a", encoding="utf-8") as review:
        review.write(UPDATE)
    (root / "studies" / "quispe-2024.yml").write_text(STUDY, encoding="utf-8")
    result = subprocess.run(
        ["make", "site", f"PYTHON={sys.executable}", f"VENV={Path(sys.executable).parent.parent}"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "built site/ from 17 studies" in result.stdout
    return root


def words(page: str) -> str:
    """The page's text, without the space a closing tag leaves before punctuation."""
    return re.sub(r" ([,.:;)])", r"\1", text_of(page))


def test_the_home_page_keeps_the_reviews_16_and_shows_the_one_added(built):
    text = text_of(html(built, ""))
    assert "16 studies in the published review, 1 added since (as of June 30, 2025)." in text
    assert "16 studies in the published review reported by the review" in text
    assert "1 added since, as of June 30, 2025 counted from the study files" in text
    assert "2019–2023 publication years counted from the study files" in text  # the review's studies' years
    assert "17 included studies" not in text and "17 studies" not in text


def test_the_prisma_diagram_shows_16_previous_1_new_17_in_total(built):
    page = html(built, "prisma")
    svg = re.search(r'<svg[^>]*aria-labelledby="prisma-title".*?</svg>', page, re.S)[0]
    shown = " ".join(re.sub(r"<[^>]+>", " ", svg).split())
    assert "Studies included in previous version of review (n = 16)" in shown
    assert "New studies included in review (n = 1)" in shown
    assert "Total studies included in review (n = 17)" in shown
    assert "Registers (n = not applicable)" in shown
    # The published review's own flow is on the page too, unchanged.
    published = re.search(r'<svg[^>]*aria-labelledby="prisma-review-title".*?</svg>', page, re.S)[0]
    assert "(n = 291)" in published and "Studies included in review (n = 16)" in published
    assert "(n = 17)" not in published and "previous version" not in published
    text = text_of(page)
    assert "Previous studies 16 Studies included in previous version of review reported by the review" in text
    assert "Included 1 New studies included in review counted from the study files" in text


def test_prisma_csv_carries_the_diagram_and_no_placeholder(built):
    data = built / "site" / "data"
    rows = {r["data"]: r["n"] for r in csv.DictReader(io.StringIO((data / "prisma.csv").read_text("utf-8")))}
    assert (rows["previous_studies"], rows["new_studies"], rows["total_studies"]) == ("16", "1", "17")
    review = {r["data"]: r["n"] for r in csv.DictReader(io.StringIO((data / "prisma-review.csv").read_text("utf-8")))}
    assert (review["database_results"], review["new_studies"], review["previous_studies"]) == ("291", "16", "NA")
    for file in [*(built / "site").rglob("*.html"), *data.iterdir(), built / "site" / "feed.xml"]:
        content = file.read_text(encoding="utf-8-sig")
        assert "Reason1" not in content and "xxx;" not in content and "separate reasons" not in content, file


def test_the_findings_row_says_added_in_the_update_and_never_calls_the_finding_the_reviews(built):
    page = html(built, "findings")
    rows = re.findall(r"<tr [^>]*data-origin=\"([^\"]+)\"[^>]*>(.*?)</tr>", page, re.S)
    assert [origin for origin, _ in rows].count("review") == 16
    added = [row for origin, row in rows if origin == "update-2025-1"]
    assert len(added) == 1
    cells = [text_of(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", added[0], re.S)]
    assert cells[1] == "Added in update-2025-1 (June 30, 2025)"
    assert cells[5] == "none: the groups are the review's"
    assert cells[7] == (
        "As recorded in update-2025-1, not the review's: Municipal offices in Cusco that shared one procedures "
        "platform answered requests faster."
    )
    assert '<option value="update-2025-1">Added in update-2025-1 (June 30, 2025)</option>' in page
    assert "16 studies in the published review, 1 added since (as of June 30, 2025)." in text_of(page)


def test_the_study_page_says_it_was_added_and_whose_finding_it_is(built):
    text = words(html(built, "studies/quispe-2024"))
    assert "Added in update-2025-1 (June 30, 2025), after the review was published." in text
    assert "It is not one of the published review's 16 studies" in text
    assert (
        "As recorded in update-2025-1: the contributor's summary of the study's finding, or the study's own words. Not from the review."
        in text
    )
    assert "Trends (assigned in update-2025-1, not by the review)" in text
    assert "Discussion group none: the discussion groups are the review's" in text
    # The eligibility check is shown as for the review's studies, with the criteria in force for the update.
    assert (
        "Eligibility criteria 1: not known (indexing not verified), 2: not met (2024), 3: not known, "
        "4: not known (only the countries studied are checked, not the approach)" in text
    )
    assert "Verbatim from the review's Table 3" not in text and "In the review" not in text
    assert "https://example.org/quispe-2024" in text


def test_the_whats_new_page_lists_the_update_and_its_study(built):
    page = html(built, "whats-new")
    text = words(page)
    assert '<section class="update" id="update-2025-1"' in page
    assert "June 30, 2025: update-2025-1 Search rerun in SciELO for 2024. Studies added (1)" in text
    assert "Quispe Mamani, 2024: Interoperable municipal services in Cusco after the pandemic" in text
    assert 'href="../feed.xml"' in page


def test_the_atom_feed_is_valid_and_lists_the_update_and_its_study(built):
    """The English edition's feed (en/feed.xml); the Spanish one, at the root, says the same in Spanish."""
    spanish = feedparser.parse((built / "site" / "feed.xml").read_bytes())
    assert not spanish.bozo and [e.title for e in spanish.entries][0] == "update-2025-1: 1 estudio añadido"
    raw = (built / "site" / "en" / "feed.xml").read_bytes()
    feed = feedparser.parse(raw)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    root = ET.fromstring(raw)
    assert root.tag == f"{ATOM}feed"
    # RFC 4287: a feed has one id, title and updated, and an author (here the feed's); each entry an id, a title,
    # an updated, and an alternate link (it has no content).
    for tag in ("id", "title", "updated", "author"):
        assert len(root.findall(f"{ATOM}{tag}")) == 1, tag
    date = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z")
    assert date.match(root.find(f"{ATOM}updated").text)
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {"self": f"{SITE_URL}en/feed.xml", "alternate": f"{SITE_URL}en/whats-new/"}
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "update-2025-1: 1 study added",
        "Added in update-2025-1: Interoperable municipal services in Cusco after the pandemic",
    ]
    ids = [e.find(f"{ATOM}id").text for e in entries] + [root.find(f"{ATOM}id").text]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", i) for i in ids)
    for entry in entries:
        assert len(entry.findall(f"{ATOM}id")) == len(entry.findall(f"{ATOM}title")) == 1
        assert entry.find(f"{ATOM}updated").text == "2025-06-30T00:00:00Z"
        assert entry.find(f"{ATOM}link").get("href").startswith(SITE_URL)
    assert entries[1].find(f"{ATOM}link").get("href") == f"{SITE_URL}en/studies/quispe-2024/"
    assert "not the review's" in entries[1].find(f"{ATOM}summary").text
    assert [e.title for e in feed.entries] == [e.find(f"{ATOM}title").text for e in entries]


def test_feed_ids_stay_when_the_address_changes(built, tmp_path):
    """An entry's id names the review and the update, not the site's address: moving the site changes no id."""
    from evidence.cache import Cache
    from evidence.context import Context
    from evidence.dataset import load
    from evidence.feed import atom

    data = load(built)
    ids = []
    for address in ("https://a.example/", "https://b.example/x/"):
        ctx = Context(data.review, data.studies, data.reconciliation, None, None, Cache(tmp_path), site_url=address)
        ids.append(re.findall(rb"<id>([^<]+)</id>", atom(ctx)))
    assert ids[0] == ids[1] and len(ids[0]) == 3


def test_every_page_says_what_date_its_data_are_as_of(built):
    pages = list((built / "site").rglob("*.html"))
    assert len(pages) > 30
    for page in pages:
        in_english = page.is_relative_to(built / "site" / "en")
        sentence = (
            "Data as of June 30, 2025 (update-2025-1)."
            if in_english
            else "Datos al 30 de junio de 2025 (update-2025-1)."
        )
        assert sentence in page.read_text(encoding="utf-8"), page


def test_the_downloads_carry_the_origin(built):
    data = built / "site" / "data"
    records = {r["id"]: r for r in json.loads((data / "studies.json").read_text("utf-8"))}
    assert (records["quispe-2024"]["origin"], records["quispe-2024"]["update"]) == ("update", "update-2025-1")
    assert records["quispe-2024"]["update_date"] == "2025-06-30" and records["quispe-2024"]["group"] is None
    assert {r["origin"] for i, r in records.items() if i != "quispe-2024"} == {"published review"}
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO((data / "studies.csv").read_text("utf-8-sig")))}
    assert (rows["quispe-2024"]["origin"], rows["quispe-2024"]["update"]) == ("update", "update-2025-1")
    assert rows["vicente-2022"]["origin"] == "published review" and rows["vicente-2022"]["update"] == ""
    review = json.loads((data / "review.json").read_text("utf-8"))
    assert review["counts"]["studies"] == 16 and review["counts_added"]["update-2025-1"]["studies"] == 1
    assert review["as_of"] == {
        "date": "2025-06-30",
        "basis": "update",
        "update": "update-2025-1",
        "text": "Data as of 2025-06-30 (update-2025-1).",
    }


def test_the_charts_tell_the_added_study_apart(built):
    text = text_of(html(built, "charts"))
    assert "Year Review Added 2019 3 0 2020 0 0 2021 2 0 2022 7 0 2023 4 0 2024 0 1" in text
    svg = (built / "site" / "en" / "assets" / "charts" / "by-year.svg").read_text(encoding="utf-8")
    assert "Added in updates" in svg and "0 + 1" in svg


def test_citation_cff_validates():
    result = subprocess.run(
        [str(CFFCONVERT), "--validate", "-i", str(ROOT / "CITATION.cff")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid" in result.stdout


def test_make_release_packs_the_data_and_a_dated_citation(built, tmp_path):
    result = subprocess.run(
        ["make", "release", f"PYTHON={sys.executable}", f"VENV={Path(sys.executable).parent.parent}"],
        cwd=built,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    name = "digital-government-peru-evidence-update-2025-1-2025-06-30"
    archive = built / "dist" / f"{name}.zip"
    assert f"made dist/{name}.zip" in result.stdout
    with zipfile.ZipFile(archive) as packed:
        names = packed.namelist()
        data = sorted(
            p.relative_to(built / "site").as_posix() for p in (built / "site" / "data").rglob("*") if p.is_file()
        )
        assert names == sorted([f"{name}/CITATION.cff", *(f"{name}/{d}" for d in data)])
        assert all(info.date_time == (2025, 6, 30, 0, 0, 0) for info in packed.infolist())
        for d in data:
            assert packed.read(f"{name}/{d}") == (built / "site" / d).read_bytes()
        cff = packed.read(f"{name}/CITATION.cff").decode("utf-8")
    assert 'version: "update-2025-1"' in cff and 'date-released: "2025-06-30"' in cff
    (tmp_path / "CITATION.cff").write_text(cff, encoding="utf-8")
    checked = subprocess.run(
        [str(CFFCONVERT), "--validate", "-i", str(tmp_path / "CITATION.cff")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # The same data give the same archive.
    before = archive.read_bytes()
    assert run_cli(built, "release").returncode == 0
    assert archive.read_bytes() == before


def test_a_release_refuses_stale_or_undated_data(built, tmp_path):
    stale = copy_repo(tmp_path / "stale")
    result = run_cli(stale, "release")
    assert result.returncode == 1
    assert result.stderr == "error: no date for the release: commit the data first (or set SOURCE_DATE_EPOCH)\n"
    with (stale / "review.yml").open("a", encoding="utf-8") as review:
        review.write(UPDATE)
    (stale / "studies" / "quispe-2024.yml").write_text(STUDY, encoding="utf-8")
    result = run_cli(stale, "release")
    assert result.stderr == "error: site/data/ is missing; run make site first\n"
