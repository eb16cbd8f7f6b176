"""Each statement's origin on the page: the review's words at their place, this site's reading labelled with its
reason, and nothing the review does not say presented as the review's (the examples of the evidence-trail issue)."""

from __future__ import annotations

import re

from conftest import ROOT
from evidence.dataset import load
from test_site import built, html, text_of  # noqa: F401 (built is a fixture)

DATA = load(ROOT)
STUDIES = {s.id: s for s in DATA.studies}


def _section(page: str, start: str, end: str) -> str:
    return page[page.index(start) : page.index(end)]


def test_no_language_is_inferred_from_an_english_title():
    """Three studies are known only by English titles; no public record states their language."""
    for study_id in ("paiva-2019", "machuca-vilchez-2023", "rodriguez-2023"):
        assert STUDIES[study_id].language is None


def test_trend_pages_quote_both_passes_whole_with_their_places(built):  # noqa: F811
    text = text_of(html(built, "trends/ict-modernization"))
    assert "First pass (paragraphs 9 to 16)" in text and "Second pass (paragraphs 19 to 25)" in text
    assert "The review Discussion, paragraph 10" in text and "The review Discussion, paragraph 19" in text
    assert "are essential to improve the efficiency and quality of government services" in text
    assert "continue to present problems despite having the necessary technological tools and implements" in text
    only_first = text_of(html(built, "trends/digital-transformation"))
    assert "The second pass has no paragraph on this trend." in only_first
    # The trend's name is labelled as this site's.
    assert "This site's reading The name of this trend is this site's label" in text


def test_the_citizen_perception_trend_gives_marquez_argument_as_the_reviews_paragraph_not_as_the_trend(built):  # noqa: F811
    page = html(built, "trends/citizen-perception")
    quotes = re.findall(r"<blockquote><p lang=\"en\">(.*?)</p>", page, re.S)
    assert len(quotes) == 3  # paragraphs 16, 24 and 25, each whole
    assert all("Márquez et al. (2022)" in q for q in (quotes[0], quotes[2]))
    assert "Espinoza et al. (2023)" in quotes[1] and "Espinoza" not in quotes[0]


def test_conclusions_link_only_to_what_their_words_point_to_as_this_sites_reading(built):  # noqa: F811
    page = html(built, "conclusions")
    text = text_of(page)
    assert "The review ties no conclusion to a trend, a group or a study" in text
    second = text_of(_section(page, 'id="conclusion-2"', 'id="conclusion-3"'))
    assert "García-Estrella et al., 2022" in second and "Vicente et al., 2022" in second
    # Feijoo et al. (2022) found "a low level of use and satisfaction": not an example of successful implementation.
    assert "Feijoo" not in second and "Paiva" not in second
    assert second.count("This site's reading") == 3
    assert "The review Conclusions, paragraph 3" in second


def test_what_the_review_leaves_open_is_said_as_exactly_that(built):  # noqa: F811
    for page in ("trends", "checks"):
        text = text_of(html(built, page))
        assert "The review counts 6 and names 5 (Discussion, paragraph 7); it does not say which one it is." in text
        assert "sixth" not in text


def test_criterion_checks_say_what_was_not_checked(built):  # noqa: F811
    text = text_of(html(built, "checks"))
    assert "met (journal-article; indexing not verified)" in text
    assert "not met (conference-paper; indexing not verified)" in text


def test_the_data_checks_page_lists_every_difference_between_the_passes(built):  # noqa: F811
    text = text_of(html(built, "checks"))
    assert "Only the first pass has a paragraph on this trend (Discussion, paragraph 9)." in text
    assert "Espinoza et al., 2023 is cited only in the second pass (Discussion, paragraph 24)." in text
    for trend in DATA.review.trends:
        if trend.passes_differ:
            assert " ".join(trend.passes_differ.split()) in text


def test_the_json_download_says_what_each_trend_membership_rests_on(built):  # noqa: F811
    import json

    records = {r["id"]: r for r in json.loads((built / "site" / "data" / "studies.json").read_text(encoding="utf-8"))}
    assert records["espinoza-2023"]["trend_basis"] == [
        {
            "trend": "citizen-perception",
            "origin": "review",
            "first_pass": [],
            "second_pass": ["Discussion, paragraph 24"],
        }
    ]
    assert records["huaman-2022"]["trend_basis"][0]["attached_by_this_site"] == ["Discussion, paragraph 14"]
    page = text_of(html(built, "trends/knowledge-management"))
    assert "paragraph 14 (attached to this trend by this site)" in page
