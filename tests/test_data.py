"""The real data says what the review says: Table 3 verbatim, years, groups and trends from its text."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT, SEED
from evidence.dataset import load

DATA = load(ROOT)
STUDIES = {s.id: s for s in DATA.studies}

# id: (year, group, trends) as the review's Table 3 and Discussion give them.
EXPECTED = {
    "vicente-2022": (2022, "successful-adoption", ("digital-transformation",)),
    "valenzuela-2023": (2023, "various-aspects", ("ict-modernization",)),
    "jimenez-2022": (2022, "successful-adoption", ("digital-transformation",)),
    "feijoo-2022": (2022, "various-aspects", ("local-regional",)),
    "marquez-2022": (2022, "challenges", ("citizen-perception",)),
    "cuno-2021": (2021, "various-aspects", ("knowledge-management",)),
    "renteria-2019": (2019, "various-aspects", ("implementation-challenges",)),
    "valenzuela-2019": (2019, "various-aspects", ("financial-inclusion",)),
    "paiva-2019": (2019, "successful-adoption", ("local-regional",)),
    "juliao-2022": (2022, "successful-adoption", ("financial-inclusion",)),
    "machuca-vilchez-2023": (2023, "challenges", ("knowledge-management",)),
    "rodriguez-2023": (2023, "various-aspects", ("citizen-perception",)),
    "huaman-2022": (2022, "various-aspects", ("knowledge-management",)),
    "rodriguez-2021": (2021, "challenges", ("citizen-perception",)),
    "garcia-estrella-2022": (2022, "successful-adoption", ("local-regional",)),
    "espinoza-2023": (2023, "named-separately", ("citizen-perception",)),
}


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_sixteen_studies():
    assert sorted(STUDIES) == sorted(EXPECTED)


@pytest.mark.parametrize("study_id", sorted(EXPECTED))
def test_year_group_trends_follow_the_review(study_id):
    study = STUDIES[study_id]
    assert (study.year, study.group, study.trends) == EXPECTED[study_id]


@pytest.mark.skipif(not SEED.exists(), reason="the review's text is not beside this clone")
@pytest.mark.parametrize("study_id", sorted(EXPECTED))
def test_title_finding_and_citation_are_verbatim_from_table_3(study_id):
    seed = _normal(SEED.read_text(encoding="utf-8"))
    study = STUDIES[study_id]
    row = f"{_normal(study.title)} {_normal(study.cited_as)} {_normal(study.finding)}"
    assert row in seed


def test_counts_of_the_review():
    review = DATA.review
    assert review.prisma["identification"]["database_results"] == 291
    assert review.prisma["included"]["new_studies"] == 16
    assert {d.name: d.included_reported for d in review.databases} == {
        "Scielo": 4,
        "Google Scholar": 6,
        "Scopus": 4,
        "Redalyc": 2,
    }
    assert {g.id: g.reported_count for g in review.groups} == {
        "challenges": 3,
        "various-aspects": 7,
        "successful-adoption": 6,
        "named-separately": "not reported",
    }
    years = [s.year for s in DATA.studies]
    assert [years.count(y) for y in range(2019, 2024)] == [3, 0, 2, 7, 4]


def test_unreported_prisma_stages_are_never_zero():
    stages = {
        **DATA.review.prisma["identification"],
        **DATA.review.prisma["screening"],
        **DATA.review.prisma["included"],
    }
    assert 0 not in stages.values()
    assert stages["records_screened"] == "not reported"


VERIFIED_ONLY = {
    "marquez-2022",
    "paiva-2019",
    "machuca-vilchez-2023",
    "rodriguez-2023",
    "huaman-2022",
    "rodriguez-2021",
    "garcia-estrella-2022",
}


@pytest.mark.parametrize("study_id", sorted(EXPECTED))
def test_metadata_beyond_the_review_only_where_verified(study_id):
    study = STUDIES[study_id]
    extra = [
        f
        for f in (
            "original_title",
            "language",
            "type",
            "journal",
            "proceedings",
            "volume",
            "issue",
            "pages",
            "published",
            "doi",
            "url",
            "publisher",
            "license",
            "indexed_in",
        )
        if getattr(study, f)
    ]
    if study_id in VERIFIED_ONLY:
        assert study.sources, "verified fields need a source"
    else:
        assert extra == [] and study.sources == ()
