"""Typed, immutable views of the review and its studies, built once after validation."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from functools import cache

from .i18n import N_

NOT_REPORTED = N_("not reported")


def language_name(code: str, locale: str = "en") -> str:
    """The name of a language (an ISO 639 code) in the reader's language, from the Unicode CLDR data that Babel
    carries: "es" is "Spanish" in English and "español" in Spanish. An unknown code is shown as it is."""
    return _language_names(locale).get(code, code)


@cache
def _language_names(locale: str) -> dict:
    from babel import Locale

    return dict(Locale.parse(locale).languages)


@dataclass(frozen=True)
class Author:
    family: str
    given: str | None = None


@dataclass(frozen=True)
class OurTrend:
    """A trend this site assigns a study of the review to although no paragraph of the review supports it."""

    id: str
    reason: str
    reason_es: str | None = None  # this site's Spanish translation of `reason`


@dataclass(frozen=True)
class Origin:
    """Where a study comes from: the published review, or an update after publication (its id and date)."""

    update: str | None = None
    date: str | None = None

    @property
    def added(self) -> bool:
        """True for a study that the published review did not include."""
        return self.update is not None

    @property
    def key(self) -> str:
        """`review`, or the update's id: the value the findings table filters on."""
        return self.update or REVIEW_ORIGIN

    @property
    def label(self) -> str:
        """How a reader is told, in English: "Published review", or "Added in update-2025-1 (2025-06-30)".
        A page says it in its edition's language with `Context.origin_label`."""
        return ADDED_IN % {"update": self.update, "date": self.date} if self.update else PUBLISHED_REVIEW


REVIEW_ORIGIN = "review"
PUBLISHED_REVIEW = N_("Published review")
ADDED_IN = N_("Added in %(update)s (%(date)s)")
PUBLISHED = Origin()


@dataclass(frozen=True)
class Study:
    """One included study (a file in studies/): one of the published review's, or one added in an update."""

    id: str
    path: str
    title: str
    year: int
    authors: tuple[Author, ...]
    finding: str
    trends: tuple[str, ...]
    finding_es: str | None = None  # this site's unofficial Spanish translation of `finding`
    group: str | None = None  # the review's discussion group; an added study has none
    authors_complete: bool = True
    cited_as: str | None = None
    also_cited_as: tuple[str, ...] = ()
    original_title: str | None = None
    title_es: str | None = None  # this site's unofficial Spanish translation of `title`
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
    notes_es: str | None = None  # this site's Spanish translation of `notes`
    sources: tuple[str, ...] = ()
    our_trends: tuple[OurTrend, ...] = ()
    of_review: bool = False  # see `of_review` below
    update: str | None = None  # id of the update that added it (None: a study of the published review)
    origin: Origin = PUBLISHED  # filled in at load, with the update's date

    @property
    def citation_forms(self) -> tuple[str, ...]:
        """How the review's text cites the study: Table 3's form and the others it uses ("Paiva et al. (2019)")."""
        return citation_forms(self.cited_as, *self.also_cited_as)

    @property
    def added(self) -> bool:
        """True for a study added in an update, which the published review did not include."""
        return self.update is not None

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
    not_checked: str | None = None  # what of the criterion the check does not cover


@dataclass(frozen=True)
class Paragraph:
    """A whole paragraph of the review, verbatim, where it stands, and (`ours`) why this site attaches it
    to a trend when the review does not say so."""

    place: str
    text: str
    ours: str | None = None
    text_es: str | None = None  # this site's unofficial Spanish translation of `text`


@dataclass(frozen=True)
class Search:
    """One search of an update: where, when, with what terms, and how many records it found."""

    database: str
    date: str | None = None
    terms: str | None = None
    records: int | str = NOT_REPORTED


@dataclass(frozen=True)
class Change:
    """A study whose record an update corrects, and what it changes."""

    study: str
    what: str


@dataclass(frozen=True)
class Update:
    """One update of the review after publication (review.yml `updates`)."""

    id: str
    date: str  # ISO 8601, YYYY-MM-DD
    description: str | None = None
    by: tuple[Author, ...] = ()
    searches: tuple[Search, ...] = ()
    criteria: tuple[Criterion, ...] = ()  # criteria this update changes or adds, by number
    changes: tuple[Change, ...] = ()
    flow: tuple[tuple[str, object], ...] = ()  # PRISMA counts of its screening, by template name

    @property
    def origin(self) -> Origin:
        return Origin(self.id, self.date)


@dataclass(frozen=True)
class Trend:
    """A trend of the Discussion: its paragraphs in each of the two passes (the name is this site's label)."""

    id: str
    name: str
    first_pass: tuple[Paragraph, ...]
    second_pass: tuple[Paragraph, ...]
    passes_differ: str | None = None  # this site's reading of how the passes differ in what they say

    @property
    def passes(self) -> dict[str, tuple[Paragraph, ...]]:
        return {"first": self.first_pass, "second": self.second_pass}


@dataclass(frozen=True)
class Group:
    """A discussion group: the review's count, the paragraph naming its studies; `ours` where it is this site's."""

    id: str
    name: str
    reported_count: int | str
    passage: Paragraph
    ours: str | None = None


@dataclass(frozen=True)
class Link:
    """This site's reading: the trends, groups and studies a conclusion's words point to, and why."""

    reason: str
    trends: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    studies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Conclusion:
    number: int
    title: str
    place: str
    text: str
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Quote:
    """A passage of the review, verbatim, and where it stands (Title, "Methodology, paragraph 3", "Table 2")."""

    text: str
    place: str
    text_es: str | None = None  # this site's unofficial Spanish translation of `text`


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
    # This site's Spanish translations of the statement's item text and of its own assessment lines.
    text_es: str | None = None
    missing_es: str | None = None
    why_not_applicable_es: str | None = None


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
    updates: tuple[Update, ...] = ()  # after publication, oldest first

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

    @property
    def included_reported(self) -> int | str:
        """Studies the published review reports it included (its total when it was itself an update)."""
        included = self.prisma["included"]
        if "previous" in self.prisma and "total_studies" in included:
            return included["total_studies"]
        return included["new_studies"]

    def update(self, update_id: str) -> Update:
        return next(u for u in self.updates if u.id == update_id)

    @property
    def latest_update(self) -> Update | None:
        return self.updates[-1] if self.updates else None

    def criteria_for(self, update_id: str | None) -> tuple[tuple[Criterion, str | None], ...]:
        """The criteria a study is checked against, each with the update that last changed it (None: the review's).

        For a study of the published review, the review's criteria. For a study added in an update,
        the review's criteria changed by that update and by every update before it, in date order:
        a criterion an update changes stays changed for the updates that follow.
        """
        current: dict[int, tuple[Criterion, str | None]] = {c.number: (c, None) for c in self.criteria}
        if update_id is not None:
            for update in self.updates:
                for criterion in update.criteria:
                    current[criterion.number] = (criterion, update.id)
                if update.id == update_id:
                    break
        return tuple(current[n] for n in sorted(current))

    def origin_of(self, study: Study) -> Origin:
        if study.update is None:
            return PUBLISHED
        return next((u.origin for u in self.updates if u.id == study.update), Origin(study.update))

    def trend(self, trend_id: str) -> Trend:
        return next(t for t in self.trends if t.id == trend_id)

    def group(self, group_id: str) -> Group:
        return next(g for g in self.groups if g.id == group_id)


# This site's own prose in review.yml and the study files (its labels, readings, reasons and notes). An edition in
# another language shows its translation (`name_es` for `name`) in its place, where there is one. The review's own
# words (`text`, `finding`, `inclusion`…) are never replaced: the pages show them verbatim, with their translation
# beside them.
OURS = frozenset(
    {
        "name",
        "kind",
        "ours",
        "passes_differ",
        "reason",
        "notes",
        "not_checked",
        "missing",
        "why_not_applicable",
        "description",
        "reporting_guideline_note",
        "wording",
        "assessment",
        "translation_note",
        "what",
    }
)


def localized(data, lang: str, source: str = "en"):
    """review.yml's data as the edition in `lang` shows it: this site's prose in that language where it has a
    translation (see OURS); everything else as it is, translations included."""
    if lang == source:
        return data
    if isinstance(data, list):
        return [localized(item, lang, source) for item in data]
    if not isinstance(data, dict):
        return data
    shown = {key: localized(value, lang, source) for key, value in data.items()}
    for key in OURS & data.keys():
        if isinstance(data.get(f"{key}_{lang}"), str):
            shown[key] = data[f"{key}_{lang}"]
    return shown


def localized_study(study: Study, lang: str, source: str = "en") -> Study:
    """A study as the edition in `lang` shows it: its notes and this site's reasons in that language, if given."""
    if lang == source:
        return study
    suffix = f"_{lang}"
    notes = getattr(study, f"notes{suffix}", None) or study.notes
    reasons = [getattr(t, f"reason{suffix}", None) or t.reason for t in study.our_trends]
    if notes == study.notes and reasons == [t.reason for t in study.our_trends]:
        return study  # nothing of it is translated: the same study
    return replace(
        study,
        notes=notes,
        our_trends=tuple(replace(t, reason=reason) for t, reason in zip(study.our_trends, reasons)),
    )


def _known(cls, data: dict) -> dict:
    """`data` without the Spanish translations (`X_es`) that `cls` has no field for: they stay in `Review.raw`."""
    names = {f.name for f in fields(cls)}
    return {key: value for key, value in data.items() if key in names or not key.endswith("_es")}


def _tuple(value) -> tuple:
    return tuple(value or ())


def citation_forms(*forms) -> tuple[str, ...]:
    """The forms a study is cited by, as its paragraphs are matched: text only, spaces collapsed, no final period,
    each once (a file's raw values may be of any type)."""
    found = (" ".join(f.rstrip(".").split()) for f in forms if isinstance(f, str) and f.strip())
    return tuple(dict.fromkeys(found))


def of_review(data: dict) -> bool:
    """A study of the published review: its Table 3 names it (`cited_as`), and no update added it. Its trends
    come from the review's paragraphs that cite it; any other study lists its own."""
    return isinstance(data.get("cited_as"), str) and data.get("update") is None


def study_from(data: dict, path: str) -> Study:
    values = dict(data)
    values["authors"] = tuple(Author(a["family"], a.get("given")) for a in data["authors"])
    for name in ("trends", "also_cited_as", "indexed_in", "countries", "sources"):
        values[name] = _tuple(data.get(name))
    values["our_trends"] = tuple(OurTrend(**t) for t in data.get("our_trends", ()))
    return Study(path=path, of_review=of_review(data), **values)


def with_origins(review: Review, studies: list[Study]) -> list[Study]:
    """The studies, each with its origin: the published review, or its update with the update's date."""
    return [s if s.update is None else replace(s, origin=review.origin_of(s)) for s in studies]


def _checklist(items: list | None) -> tuple[ChecklistItem, ...]:
    return tuple(
        ChecklistItem(
            **{
                **_known(ChecklistItem, item),
                "quotes": tuple(Quote(**_known(Quote, q)) for q in item.get("quotes", ())),
            }
        )
        for item in items or ()
    )


def _criterion(c: dict) -> Criterion:
    check = c.get("check", {})
    return Criterion(
        c["number"],
        c["inclusion"],
        c["exclusion"],
        check.get("field"),
        _tuple(check.get("allowed")),
        check.get("min"),
        check.get("max"),
        check.get("not_checked"),
    )


def _frozen(value):
    """A count, or a list of reasons with counts, as hashable data."""
    if isinstance(value, list):
        return tuple((r["reason"], r["n"]) for r in value)
    return value


def _update(u: dict) -> Update:
    return Update(
        id=u["id"],
        date=u["date"],
        description=u.get("description"),
        by=tuple(Author(a["family"], a.get("given")) for a in u.get("by", ())),
        searches=tuple(
            Search(s["database"], s.get("date"), s.get("terms"), s.get("records", NOT_REPORTED))
            for s in u.get("searches", ())
        ),
        criteria=tuple(_criterion(c) for c in u.get("criteria", ())),
        changes=tuple(Change(c["study"], c["what"]) for c in u.get("changes", ())),
        flow=tuple((key, _frozen(value)) for key, value in (u.get("prisma") or {}).items()),
    )


def review_from(data: dict) -> Review:
    criteria = [_criterion(c) for c in data["criteria"]]
    updates = sorted((_update(u) for u in data.get("updates", ())), key=lambda u: u.date)
    return Review(
        raw=data,
        databases=tuple(Database(**d) for d in data["method"]["databases"]),
        criteria=tuple(criteria),
        trends=tuple(
            Trend(
                t["id"],
                t["name"],
                *(tuple(Paragraph(**_known(Paragraph, p)) for p in t[key]) for key in ("first_pass", "second_pass")),
                t.get("passes_differ"),
            )
            for t in data["trends"]
        ),
        groups=tuple(
            Group(**{**_known(Group, g), "passage": Paragraph(**_known(Paragraph, g["passage"]))})
            for g in data["groups"]
        ),
        conclusions=tuple(
            Conclusion(
                c["number"],
                c["title"],
                c["place"],
                c["text"],
                tuple(
                    Link(**{k: v if k == "reason" else tuple(v) for k, v in _known(Link, link).items()})
                    for link in c["links"]
                ),
            )
            for c in data["conclusions"]
        ),
        checklist=_checklist(data.get("reporting", {}).get("items")),
        abstract_checklist=_checklist(data.get("reporting", {}).get("abstract_items")),
        updates=tuple(updates),
    )
