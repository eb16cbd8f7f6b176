"""The real build: every page type and download exists, numbers come from data, bad data never replaces the site."""

from __future__ import annotations

import csv
import hashlib
import html as html_lib
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

IGNORE = shutil.ignore_patterns(
    ".venv",
    "site",
    ".git",
    ".cache",
    ".bench",
    ".site.lock",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    "screenshots",
    ".site-*",
)


def copy_repo(target: Path) -> Path:
    shutil.copytree(ROOT, target, ignore=IGNORE)
    return target


# The repository the edit links point to, as the workflows set it (REPO_URL); the site address is left to its default.
REPO_URL = "https://github.com/example/digital-government-review"


@pytest.fixture(scope="module", autouse=True)
def _environment():
    """Every build in this module sees the same configuration, whatever the caller's environment."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("REPO_URL", REPO_URL)
        env.delenv("SITE_URL", raising=False)
        env.setenv("SOURCE_DATE_EPOCH", "1735689600")  # the copy has no commits: its "last commit" is 2025-01-01
        yield


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = copy_repo(tmp_path_factory.mktemp("build") / "repo")
    result = run_cli(root, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def html(built: Path, page: str, lang: str = "en") -> str:
    """A built page of the English edition (under en/), or of the Spanish one (the site's root)."""
    edition = built / "site" / ("en" if lang == "en" else "")
    return (edition / page / "index.html").read_text(encoding="utf-8")


def text_of(page_html: str) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", page_html)))


PAGES = [
    "",
    "findings",
    "trends",
    "conclusions",
    "method",
    "prisma",
    "charts",
    "references",
    "data",
    "checks",
    "fields",
    "about",
    "checklist",
    "whats-new",
]


@pytest.mark.parametrize("page", PAGES)
def test_page_exists(built, page):
    assert "<h1" in html(built, page)


def test_one_page_per_study_and_per_trend(built):
    studies = sorted(p.stem for p in (ROOT / "studies").glob("[!_]*.yml"))
    assert sorted(p.name for p in (built / "site" / "studies").iterdir()) == studies
    assert len(list((built / "site" / "trends").glob("*/index.html"))) == 7


def test_home_counters_come_from_data_and_say_where_from(built):
    text = text_of(html(built, ""))
    for number, label, source in [
        ("16", "studies in the published review", "reported by the review"),
        ("291", "records identified", "reported by the review"),
        ("4", "databases searched", "reported by the review"),
        ("2019–2023", "publication years", "counted from the study files"),
        ("7", "trends", "reported by the review"),
    ]:
        assert f"{number} {label} {source}" in text
    # The published review alone: nothing added, no count of added studies.
    assert "16 studies in the published review; none added since." in text
    assert "added since, as of" not in text


def test_method_reproduces_tables_1_and_2(built):
    text = text_of(html(built, "method"))
    for row in [
        "Scielo Digital Government 4",
        "Google Scholar Modernization of the State and Digital Government 6",
        "Scopus Digital Government and Peru 4",
        "Redalyc Digital Government 2",
        "Total 16",
    ]:
        assert row in text
    assert "Academic articles in indexed journals" in text


def test_prisma_diagram_numbers_and_link(built):
    page = html(built, "prisma")
    assert "(n = 291)" in page and "(n = 16)" in page and "n = 0" not in page
    assert page.count("not reported") >= 10
    assert '<a href="../findings/"' in page


def test_checklist_page_shows_every_item_with_its_status_and_quotes(built):
    from evidence.dataset import load

    review = load(ROOT).review
    page = html(built, "checklist")
    for prefix, items in (("", review.checklist), ("abstract-", review.abstract_checklist)):
        for item in items:
            found = re.search(
                rf'<section class="checklist-item" id="{prefix}item-{item.item}"[^>]*>(.*?)</section>', page, re.S
            )
            assert found, f"{prefix}item-{item.item}"
            body = text_of(found[1])
            assert f"{item.item} {item.name}" in body and item.status.capitalize() in body
            for quote in item.quotes:
                # The blockquote holds only the review's words; the place is in the caption, outside it.
                assert f'<blockquote><p lang="en">{quote.text}</p></blockquote>' in html_lib.unescape(found[1])
                assert f"The review {quote.place}" in body
            if item.missing:
                assert f"Missing: {item.missing}" in body
            if item.why_not_applicable:
                assert f"Not applicable because: {item.why_not_applicable}" in body
    assert "this site's assessment" in text_of(page)
    assert (
        'href="https://creativecommons.org/licenses/by/4.0/"' in page
        and 'href="https://doi.org/10.1136/bmj.n71"' in page
    )


def test_checklist_summary_on_the_checklist_and_method_pages(built):
    from evidence import checklist
    from evidence.dataset import load

    review = load(ROOT).review
    main = checklist.summary(review.checklist, checklist.SECTIONS)
    abstract = checklist.summary(review.abstract_checklist, checklist.ABSTRACT_SECTIONS)

    def row(label, found):
        return " ".join([label, *(str(found["counts"][s]) for s in checklist.STATUSES), str(found["total"])])

    for page in ("checklist", "method"):
        text = text_of(html(built, page))
        assert "PRISMA 2020 checklist: 42 items" in text and "PRISMA 2020 for Abstracts: 12 items" in text
        assert row("All items", main) in text and row("All items", abstract) in text
        for section in main["rows"]:
            assert row(section["label"], section) in text
    assert 'href="../checklist/#section-methods"' in html(built, "method")
    assert 'href="../checklist/"' in html(built, "prisma")


def test_study_page(built):
    page = html(built, "studies/huaman-2022")
    text = text_of(page)
    assert "Huamán Coronel, P. L., &amp; Medina Sotelo, C. G. (2022)." in page
    assert '<a href="https://doi.org/10.33595/2226-1478.13.2.594">' in page
    assert "Digitization represents an opportunity for governance" in text
    assert 'href="../../trends/knowledge-management/"' in page
    assert "@article{huaman-2022" in text and "TY - JOUR" in text
    assert f'<a href="{REPO_URL}/edit/main/studies/huaman-2022.yml">Edit this study on GitHub</a>' in page


def test_unknown_fields_read_not_reported(built):
    """The fields no public record shows are named in the record's last row, as not reported."""
    page = html(built, "studies/vicente-2022")
    row = re.findall(r'<tr class="missing">(.*?)</tr>', page)
    assert len(row) == 1 and text_of(row[0]).strip().startswith("not reported")
    named = text_of(row[0]).split("not reported", 1)[1].strip().split(", ")
    assert len(named) >= 15 and {"DOI", "Journal", "Volume", "Pages"} <= set(named)
    assert "DOI" not in text_of(page.split('<tr class="missing">')[0].split('id="record"')[1])


def test_trend_page_lists_in_text_citations(built):
    page = html(built, "trends/citizen-perception")
    for citation in ["Espinoza et al., 2023", "Márquez Domínguez et al., 2022", "Rodríguez-Román, 2021"]:
        assert citation in page
    assert "(4)" in text_of(page)


def test_findings_table_has_a_row_per_study_with_filters(built):
    page = html(built, "findings")
    assert len(re.findall(r'<tr data-origin="review" data-year=', page)) == 16
    assert 'class="added"' not in page
    for name in ("origin", "year", "trends", "group", "language"):
        assert f'<select name="{name}">' in page
    assert (built / "site" / "assets" / "javascripts" / "tables.js").exists()


def test_checks_page_surfaces_contradictions(built):
    text = text_of(html(built, "checks"))
    assert "Studies that highlight successful adoption 6 5 differs" in text
    assert "Jiménez et al. (2022)" in text


def test_charts_are_svg_with_real_text(built):
    for name in ("by-database", "by-language", "by-year", "by-trend"):
        svg = (built / "site" / "en" / "assets" / "charts" / f"{name}.svg").read_text(encoding="utf-8")
        assert "<text" in svg
    assert 'alt="' in html(built, "charts")


@pytest.mark.parametrize(
    "name",
    [
        "studies.json",
        "studies.csv",
        "references.bib",
        "references.ris",
        "references.json",
        "review.json",
        "prisma.csv",
        "prisma-checklist.csv",
        "prisma-checklist.json",
    ],
)
def test_downloads_are_published(built, name):
    assert (built / "site" / "data" / name).stat().st_size > 100
    assert f'href="../data/{name}"' in html(built, "data", "es")
    assert f'href="../../data/{name}"' in html(built, "data")  # the English edition links to the same file


def test_no_external_resources(built):
    for file in (built / "site").rglob("*.html"):
        page = file.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in page and "unpkg.com" not in page and "cdn.jsdelivr" not in page
        # The canonical address (from site_url) names the page, the alternates its other edition; neither is loaded.
        assert not re.search(r'<(script|link)(?![^>]*rel="(canonical|alternate)")[^>]+(src|href)="https?://', page), (
            file
        )


def test_icons_by_reference_are_in_the_icon_file(built):
    """A page draws the header's icons from assets/images/icons.svg: every icon it names is a symbol there, and a
    study page writes none of them into itself."""
    for lang in ("es", "en"):
        site = built / "site" / ("en" if lang == "en" else "")
        symbols = set(re.findall(r'<symbol id="([^"]+)"', (site / "assets/images/icons.svg").read_text("utf-8")))
        for page in [site / "studies/huaman-2022/index.html", site / "index.html"]:
            used = re.findall(r'<use href="(?:\.\./)*assets/images/icons\.svg#([^"]+)"', page.read_text("utf-8"))
            assert used and set(used) <= symbols, (page, set(used) - symbols)
    header = re.search(r"<header.*?</header>", html(built, "studies/huaman-2022"), re.S)[0]
    assert "<path" not in header


def test_the_theme_files_the_site_never_loads_are_left_out(built):
    """No source map, and of the search's language files only those of the editions' languages."""
    site = built / "site"
    assert not list(site.rglob("*.map"))
    for edition, own in (("", {"lunr.es.min.js"}), ("en/", set())):  # English needs no language file of its own
        found = {p.name for p in (site / edition / "assets/javascripts/lunr").rglob("*.js")}
        assert found == {"lunr.multi.min.js", "lunr.stemmer.support.min.js"} | own, edition


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_bad_data_leaves_the_site_untouched(built):
    before = _tree(built / "site")
    broken = built / "studies" / "broken-2020.yml"
    broken.write_text("id: broken-2020\nyear: twenty\n", encoding="utf-8")
    try:
        result = run_cli(built, "build")
    finally:
        broken.unlink()
    assert result.returncode == 1
    assert (
        "studies/broken-2020.yml:2:7: error: `year` must be a whole number such as 2022; got 'twenty'" in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert _tree(built / "site") == before


def test_two_builds_in_different_folders_are_identical(built, tmp_path):
    other = copy_repo(tmp_path / "elsewhere")
    result = run_cli(other, "build")
    assert result.returncode == 0, result.stderr
    assert _tree(other / "site") == _tree(built / "site")


def test_generate_rewrites_nothing_when_nothing_changed(built):
    result = run_cli(built, "generate")
    assert result.returncode == 0
    assert result.stdout.strip().endswith(", 0 changed")


def test_totals_diff_after_adding_one_study(tmp_path):
    import subprocess

    root = copy_repo(tmp_path / "repo")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "review.yml", "studies"], cwd=root, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base"], cwd=root, check=True
    )
    (root / "studies" / "new-2023.yml").write_text(
        "id: new-2023\ntitle: A new study\nyear: 2023\nauthors:\n  - family: New\nfinding: A finding.\n"
        "trends: [citizen-perception]\ngroup: challenges\nlanguage: es\n",
        encoding="utf-8",
    )
    result = run_cli(root, "diff", "--base", "HEAD")
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout
        == """\
## What this change does to the evidence

| Count | Before | After | Change |
|---|---:|---:|---:|
| Studies of the published review | 16 | 17 | +1 |
| Year 2023 | 4 | 5 | +1 |
| Trend: Citizen perception of municipal digital government | 4 | 5 | +1 |
| Group: Studies that highlight significant challenges | 3 | 4 | +1 |
| Language: Spanish | 4 | 5 | +1 |

### Study pages

- Added: `studies/new-2023/`
"""
    )


def test_a_crowded_matrix_cell_links_to_the_filtered_findings(monkeypatch, tmp_path):
    from evidence import trends
    from evidence.cache import Cache
    from evidence.context import Context
    from evidence.dataset import load

    monkeypatch.setattr(trends, "CELL_LIMIT", 1)
    data = load(ROOT)
    ctx = Context(data.review, data.studies, data.reconciliation, None, None, Cache(tmp_path))
    page = trends.index_page(ctx)
    assert "?trends=ict-modernization&amp;year=2023" not in page  # one study: listed, no link
    assert '<a href="../findings/?trends=local-regional&#38;year=2022">and 1 more</a>' in page


def test_checks_page_shows_a_repeated_note_once(built):
    text = text_of(html(built, "checks"))
    assert text.count("No study file records the database it was found in") == 1
    assert text.count("As above.") >= 3


# --- The published review alone (no `updates:` in review.yml, no study that names one) ------------------------


def test_without_updates_the_site_shows_the_published_review_alone(built):
    whats_new = text_of(html(built, "whats-new"))
    assert "16 studies in the published review; none added since." in whats_new
    assert "No update yet: the site shows the published review alone." in whats_new
    prisma = html(built, "prisma")
    assert "previous version" not in prisma and "as updated" not in prisma and "prisma-review.csv" not in prisma
    assert "Registers (n = not applicable)" in prisma
    assert not (built / "site" / "data" / "prisma-review.csv").exists()
    rows = list(csv.DictReader(io.StringIO((built / "site" / "data" / "prisma.csv").read_text(encoding="utf-8"))))
    assert {r["data"]: r["n"] for r in rows}["new_studies"] == "16"
    assert all(r["n"] == "NA" for r in rows if r["data"] in ("previous_studies", "total_studies"))
    for page in ("", "findings", "references", "checks", "charts", "studies/vicente-2022"):
        text = text_of(html(built, page))
        assert "Added in update" not in text and "added since," not in text, page
    records = json.loads((built / "site" / "data" / "studies.json").read_text(encoding="utf-8"))
    assert {(r["origin"], r["update"], r["update_date"]) for r in records} == {("published review", None, None)}
    review = json.loads((built / "site" / "data" / "review.json").read_text(encoding="utf-8"))
    assert "updates" not in review and "counts_added" not in review and review["counts"]["studies"] == 16


def test_without_updates_the_feed_is_valid_and_empty(built):
    import feedparser

    raw = (built / "site" / "feed.xml").read_bytes()
    feed = feedparser.parse(raw)
    assert not feed.bozo and feed.version == "atom10" and feed.entries == []
    assert feed.feed.updated == "2025-01-01T00:00:00Z"
    assert feed.feed.link == "http://127.0.0.1:8000/whats-new/"


def test_every_page_says_the_date_of_its_data(built):
    english = "Data as of January 1, 2025 (last commit): the published review, with no update since."
    spanish = "Datos al 1 de enero de 2025 (último commit): la revisión publicada, sin actualizaciones desde entonces."
    for page in (built / "site").rglob("*.html"):
        in_english = page.is_relative_to(built / "site" / "en")
        assert (english if in_english else spanish) in page.read_text(encoding="utf-8"), page
