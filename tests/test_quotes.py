"""Quotes of the review are verbatim and stand where the data says: the reporting checklist against the review's text."""

from __future__ import annotations

import os

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
