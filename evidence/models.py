"""Typed, immutable views of the review and its studies, built once after validation."""

from __future__ import annotations

from dataclasses import dataclass

NOT_REPORTED = "not reported"
LANGUAGES = {"en": "English", "es": "Spanish", "pt": "Portuguese"}  # ISO 639-1 code: name shown to readers


@dataclass(frozen=True)
class Author:
    family: str
    given: str | None = None


@dataclass(frozen=True)
class Study:
    """One included study (a file in studies/)."""

    id: str
    path: str
    title: str
    year: int
    authors: tuple[Author, ...]
    finding: str
    trends: tuple[str, ...]
    group: str
    authors_complete: bool = True
    cited_as: str | None = None
    also_cited_as: tuple[str, ...] = ()
    original_title: str | None = None
    language: str | None = None
    type: str | None = None
    journal: str | None = None
    proceedings: str | None = None
    event: str | None = None
    series: str | None = None
    series_volume: str | None = None
    publisher: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    published: str | None = None
    doi: str | None = None
    url: str | None = None
    license: str | None = None
    indexed_in: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    database: str | None = None
    notes: str | None = None
    sources: tuple[str, ...] = ()

    @property
    def container(self) -> str | None:
        """The journal or proceedings the study appears in."""
        return self.journal or self.proceedings

    @property
    def doi_url(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else None


# Fields of a study that come from the review's own text; every other field
# is bibliographic metadata that needs a source.
REVIEW_FIELDS = ("id", "cited_as", "also_cited_as", "title", "year", "finding", "trends", "group")


@dataclass(frozen=True)
class Database:
    id: str
    name: str
    search_terms: str
    included_reported: int | str


@dataclass(frozen=True)
class Criterion:
    number: int
    inclusion: str
    exclusion: str
    field: str | None = None
    allowed: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None


@dataclass(frozen=True)
class Trend:
    id: str
    name: str
    description: str


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    reported_count: int | str
    quote: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Conclusion:
    number: int
    title: str
    text: str
    trends: tuple[str, ...]
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Quote:
    """A passage of the review, verbatim, and where it stands (Title, "Methodology, paragraph 3", "Table 2")."""

    text: str
    place: str


@dataclass(frozen=True)
class ChecklistItem:
    """One item of a PRISMA 2020 checklist and this site's assessment of the review against it."""

    item: str
    section: str
    name: str
    name_es: str
    text: str
    status: str
    quotes: tuple[Quote, ...] = ()
    missing: str | None = None
    why_not_applicable: str | None = None


@dataclass(frozen=True)
class Review:
    """The review itself (review.yml). `raw` keeps the validated data for exports."""

    raw: dict
    databases: tuple[Database, ...]
    criteria: tuple[Criterion, ...]
    trends: tuple[Trend, ...]
    groups: tuple[Group, ...]
    conclusions: tuple[Conclusion, ...]
    checklist: tuple[ChecklistItem, ...] = ()  # PRISMA 2020, 42 items and sub-items
    abstract_checklist: tuple[ChecklistItem, ...] = ()  # PRISMA 2020 for Abstracts, 12 items

    @property
    def citation(self) -> dict:
        return self.raw["citation"]

    @property
    def prisma(self) -> dict:
        return self.raw["prisma"]

    def years(self, studies) -> list[int]:
        """Every year of the eligibility window, and any other year a study has: a year with no study still shows."""
        window = next((c for c in self.criteria if c.field == "year" and c.min is not None and c.max is not None), None)
        years = set(range(window.min, window.max + 1)) if window else set()
        return sorted(years | {s.year for s in studies})

    def trend(self, trend_id: str) -> Trend:
        return next(t for t in self.trends if t.id == trend_id)

    def group(self, group_id: str) -> Group:
        return next(g for g in self.groups if g.id == group_id)


def _tuple(value) -> tuple:
    return tuple(value or ())


def study_from(data: dict, path: str) -> Study:
    values = dict(data)
    values["authors"] = tuple(Author(a["family"], a.get("given")) for a in data["authors"])
    for name in ("trends", "also_cited_as", "indexed_in", "countries", "sources"):
        values[name] = _tuple(data.get(name))
    return Study(path=path, **values)


def _checklist(items: list | None) -> tuple[ChecklistItem, ...]:
    return tuple(
        ChecklistItem(**{**item, "quotes": tuple(Quote(**q) for q in item.get("quotes", ()))}) for item in items or ()
    )


def review_from(data: dict) -> Review:
    criteria = []
    for c in data["criteria"]:
        check = c.get("check", {})
        criteria.append(
            Criterion(
                c["number"],
                c["inclusion"],
                c["exclusion"],
                check.get("field"),
                _tuple(check.get("allowed")),
                check.get("min"),
                check.get("max"),
            )
        )
    return Review(
        raw=data,
        databases=tuple(Database(**d) for d in data["method"]["databases"]),
        criteria=tuple(criteria),
        trends=tuple(Trend(**t) for t in data["trends"]),
        groups=tuple(Group(**g) for g in data["groups"]),
        conclusions=tuple(
            Conclusion(c["number"], c["title"], c["text"], _tuple(c["trends"]), _tuple(c.get("groups")))
            for c in data["conclusions"]
        ),
        checklist=_checklist(data.get("reporting", {}).get("items")),
        abstract_checklist=_checklist(data.get("reporting", {}).get("abstract_items")),
    )
