"""Which studies the review's paragraphs cite, and so which trends each study of the review belongs to.

A study of the published review belongs to a trend because a paragraph of that trend, in
either of the Discussion's two passes, cites it by one of the forms the review uses
(`cited_as`, `also_cited_as`: "Valenzuela, et al. (2023)"). The study files do not repeat
it. A membership no paragraph supports is this site's reading and is recorded as such in
the study file (`our_trends`, each with its reason).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from .models import Paragraph, Review, Study

PASSES = ("first", "second")


@lru_cache(maxsize=4096)  # the review's paragraphs, each set against every study
def _collapse(text: str) -> str:
    return " ".join(text.split())


def cites_by(text: str, forms) -> bool:
    """True when the text cites one of these forms (see models.citation_forms)."""
    text = _collapse(text)
    return any(form in text for form in forms)


def cites(paragraph: Paragraph, study: Study) -> bool:
    """True when the paragraph cites the study by one of the review's forms for it."""
    return cites_by(paragraph.text, study.citation_forms)


@dataclass(frozen=True)
class Membership:
    """A study in a trend, and on what it rests: the citing paragraphs of each pass, or this site's reason."""

    trend: str
    study: str
    first: tuple[Paragraph, ...] = ()
    second: tuple[Paragraph, ...] = ()
    ours: str | None = None  # this site's reason, when no paragraph cites the study
    own: bool = False  # a study not of the review: the trend is the one its file names

    @property
    def passes(self) -> tuple[str, ...]:
        return tuple(name for name in PASSES if getattr(self, name))


def memberships(review: Review, studies: list[Study]) -> list[Membership]:
    """Every (trend, study) pair of the review's studies, in the review's trend order, then study order."""
    found = []
    for trend in review.trends:
        for study in studies:
            if not study.of_review:
                if trend.id in study.trends:
                    found.append(Membership(trend.id, study.id, own=True))
                continue
            first = tuple(p for p in trend.first_pass if cites(p, study))
            second = tuple(p for p in trend.second_pass if cites(p, study))
            ours = next((t.reason for t in study.our_trends if t.id == trend.id), None)
            if first or second or ours:
                found.append(Membership(trend.id, study.id, first, second, ours if not (first or second) else None))
    return found


def with_trends(review: Review, studies: list[Study]) -> list[Study]:
    """The studies, those of the review with `trends` filled in from the paragraphs that cite them."""
    trends: dict[str, list[str]] = {}
    for membership in memberships(review, [s for s in studies if s.of_review]):
        trends.setdefault(membership.study, []).append(membership.trend)
    return [replace(s, trends=tuple(trends.get(s.id, ()))) if s.of_review else s for s in studies]


def group_cites(review: Review, study: Study) -> bool:
    """True when the paragraph of the study's group names the study."""
    group = next((g for g in review.groups if g.id == study.group), None)
    return group is not None and cites(group.passage, study)
