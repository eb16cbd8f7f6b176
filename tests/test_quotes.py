"""Quotes of the review are verbatim and stand where the data says: the reporting checklist against the review's text."""

from __future__ import annotations

import os
import re

import pytest

from conftest import ROOT, SEED
from evidence.dataset import load
from evidence.quotes import Passage, find, passages

REVIEW = load(ROOT).review
CHECKLIST_QUOTES = [
    (f"{name} {item.item}", quote)
    for name, items in (("item", REVIEW.checklist), ("abstract item", REVIEW.abstract_checklist))
    for item in items
    for quote in item.quotes
]

TEXT = """ Abstract:

This review  aims to analyse the state of things in Peru, within the framework of a policy, with enough words.
INTRODUCTION

The first paragraph of the introduction has enough words in it to count as a paragraph of the text, not a heading.

A short line is a heading

The second paragraph of the introduction also has enough words in it to count as a paragraph of the text.
Table 1

Search engines
	Scielo
	Digital Government
Note: Own elaboration
"""


@pytest.fixture(scope="module")
def review_passages() -> list[Passage]:
    """The review's passages, and its title (which the text file does not carry) as the passage `Title`."""
    if not SEED.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the review's text is missing ({SEED}); under CI=true the quotes must be checked")
        pytest.skip("the review's text is not beside this clone")
    return [Passage("Title", None, REVIEW.citation["title"])] + passages(SEED.read_text(encoding="utf-8"))


def test_the_text_splits_into_sections_paragraphs_and_tables():
    found = passages(TEXT)
    assert [p.place for p in found] == [
        "Abstract, paragraph 1",
        "Introduction, paragraph 1",
        "Introduction, paragraph 2",
        "Table 1",
    ]
    assert (
        found[0].text
        == "This review aims to analyse the state of things in Peru, within the framework of a policy, with enough words."
    )
    assert found[3].text == "Search engines Scielo Digital Government Note: Own elaboration"


def test_whitespace_omissions_and_changed_letters():
    assert [p.place for p in find("This review aims to\nanalyse  the state", TEXT)] == ["Abstract, paragraph 1"]
    assert [p.place for p in find("[t]he second paragraph […] count as a paragraph", TEXT)] == [
        "Introduction, paragraph 2"
    ]
    assert [p.place for p in find("Scielo Digital Government", TEXT)] == ["Table 1"]
    # An omission never reaches into the next passage.
    assert find("the introduction has enough […] also has enough words", TEXT) == []
    # A changed letter stands for one character, not more.
    assert find("[T]he first paragraph", TEXT) and not find("[Th]e first paragraph", TEXT)
    assert find("[x]he first paragraph", TEXT) == []


@pytest.mark.parametrize(
    "quote",
    [
        "This review aims to analyze the state of things in Peru",  # analyse, not analyze
        "this review aims to analyse",  # case changed
        "This review aims to analyse the state of things in Peru.",  # comma, not full stop
        "The first paragraph […] of the abstract",  # not in that passage
        "[…]",
        "",
    ],
)
def test_a_quote_that_is_not_verbatim_is_refused(quote):
    assert find(quote, TEXT) == []


def test_the_checklist_has_quotes_to_check():
    assert len(CHECKLIST_QUOTES) >= 30


@pytest.mark.parametrize("where, quote", CHECKLIST_QUOTES, ids=[f"{w}: {q.place}" for w, q in CHECKLIST_QUOTES])
def test_every_checklist_quote_is_verbatim_at_its_place(review_passages, where, quote):
    places = [p.place for p in find(quote.text, review_passages)]
    assert places, f"{where}: not verbatim in the review: {quote.text!r}"
    assert quote.place in places, f"{where}: found at {places}, not at {quote.place}"


def test_a_changed_word_in_a_real_quote_is_refused(review_passages):
    quote = next(q for _, q in CHECKLIST_QUOTES if "titles and abstracts" in q.text)
    assert find(quote.text, review_passages)
    assert find(quote.text.replace("titles and abstracts", "titles and full texts"), review_passages) == []
    assert find(quote.text.replace("initial", "first"), review_passages) == []


# --- Every passage review.yml and the study files give as the review's words -------------------------------

REVIEW_PARAGRAPHS = [
    (f"trend {t.id}, {name} pass", paragraph)
    for t in REVIEW.trends
    for name, paragraphs in t.passes.items()
    for paragraph in paragraphs
] + [(f"group {g.id}", g.passage) for g in REVIEW.groups]


@pytest.mark.parametrize("what, paragraph", REVIEW_PARAGRAPHS, ids=[w for w, _ in REVIEW_PARAGRAPHS])
def test_trend_and_group_paragraphs_are_whole_paragraphs_at_their_place(review_passages, what, paragraph):
    """Each paragraph is quoted whole, word for word, at the place given: nothing stitched, nothing cut."""
    at_place = [p for p in review_passages if p.place == paragraph.place]
    assert at_place, f"{what}: no passage at {paragraph.place}"
    assert " ".join(paragraph.text.split()) == at_place[0].text, what


@pytest.mark.parametrize("conclusion", REVIEW.conclusions, ids=lambda c: f"conclusion {c.number}")
def test_conclusions_are_whole_paragraphs_at_their_place(review_passages, conclusion):
    at_place = [p for p in review_passages if p.place == conclusion.place]
    assert at_place and f"{conclusion.title}: {' '.join(conclusion.text.split())}" == at_place[0].text


def _review_words():
    """(what, quote, where it must stand: a place, or None for anywhere) for every other verbatim field."""
    data = REVIEW.raw
    yield "objective", data["objective"], "Abstract, paragraph 1"
    for q in data["questions"]:
        yield f"question {q['id']}", q["text"], None
    for c in data["criteria"]:
        yield f"criterion {c['number']} inclusion", c["inclusion"], "Table 2"
        yield f"criterion {c['number']} exclusion", c["exclusion"], "Table 2"
    for d in data["method"]["databases"]:
        yield f"database {d['id']}", f"{d['name']} {d['search_terms']}", "Table 1"
    yield "databases_quote", data["method"]["databases_quote"], None
    yield "method description", data["method"]["description"], None
    yield "method steps", data["method"]["steps"], None
    for study in load(ROOT).studies:
        if study.of_review:
            yield f"{study.id} Table 3 row", f"{study.title} {study.cited_as} {study.finding}", "Table 3"
            for form in study.also_cited_as:
                yield f"{study.id} also cited as", form, None


REVIEW_WORDS = list(_review_words())


@pytest.mark.parametrize("what, quote, place", REVIEW_WORDS, ids=[w for w, _, _ in REVIEW_WORDS])
def test_every_verbatim_field_stands_in_the_review(review_passages, what, quote, place):
    found = [p.place for p in find(quote, review_passages)]
    assert found, f"{what} is not in the review's text"
    assert place is None or place in found, f"{what} stands at {found}, not {place}"


def _our_readings():
    """Every statement of this site's own (reasons, readings, notes on the passes), with where it is written."""
    for t in REVIEW.trends:
        for paragraph in (*t.first_pass, *t.second_pass):
            if paragraph.ours:
                yield f"trend {t.id} {paragraph.place}", paragraph.ours
        if t.passes_differ:
            yield f"trend {t.id} passes_differ", t.passes_differ
    for g in REVIEW.groups:
        if g.ours:
            yield f"group {g.id}", g.ours
    for c in REVIEW.conclusions:
        for number, link in enumerate(c.links, 1):
            yield f"conclusion {c.number} link {number}", link.reason
    for study in load(ROOT).studies:
        for trend in study.our_trends:
            yield f"{study.id} our_trends {trend.id}", trend.reason


OUR_READINGS = list(_our_readings())
CURLY = re.compile("\u201c([^\u201d]+)\u201d")


@pytest.mark.parametrize("what, text", OUR_READINGS, ids=[w for w, _ in OUR_READINGS])
def test_words_our_readings_quote_are_the_reviews(review_passages, what, text):
    """A reading of ours may quote the review (in curly quotation marks): every such quote is verbatim."""
    for quote in CURLY.findall(text):
        assert find(quote.rstrip(".,;:"), review_passages), f"{what}: \u201c{quote}\u201d is not in the review"


def test_the_checker_of_quotes_refuses_a_stitched_trend_paragraph(review_passages):
    """Two sentences of different paragraphs joined as one quote are found nowhere."""
    stitched = (
        "Citizen perception of municipal digital government has been identified as a key factor in strengthening "
        "trust in government institutions. Citizen participation is fundamental in the processes of digital "
        "transformation of the State"
    )
    assert find(stitched, review_passages) == []
