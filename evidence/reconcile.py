"""Reconciliation: what the review reports against what the study files code.

These findings describe the published review, which this project does not
change, so they are warnings, never errors. They are computed as data so that
the checker can print them and the site can publish them.

The review's reported counts are set against the review's own studies only;
studies added in updates are checked against the eligibility criteria (as their
update records them) and counted apart.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .i18n import N_, SOURCE, Language
from .loader import Document
from .models import NOT_REPORTED, Review, Study
from .passages import cites
from .problems import WARNING, Problem

# The values are data (the checker, review.json) in English; the site's pages translate them where they show them.
CONSISTENT = N_("consistent")
DIFFERS = N_("differs")
NOT_CHECKABLE = N_("cannot be checked")

MET = N_("met")
NOT_MET = N_("not met")
NOT_KNOWN = N_("not known")

# The notes of the counts and the subjects the review's data do not name (see `group_note` for the one with values).
INCLUDED = N_("Studies included in the published review")
PER_DATABASE_SUM = N_("Sum of the per-database counts")
NO_DATABASE = N_("No study file records the database it was found in; the review does not say.")
SUM_NOTE = N_("Reported per database, summed, against the reported total.")
FIGURE_4 = N_("The review's Figure 4 is an image; its numbers are not in the text.")
# What a reference lacks, for the Data checks page.
MISSING_AUTHORS = N_("authors")
MISSING_GIVEN = N_("given names")
MISSING_CONTAINER = N_("journal or proceedings")
MISSING_ADDRESS = N_("DOI or address")


@dataclass(frozen=True)
class Count:
    """A count the review reports, set against the count coded in the study files."""

    topic: str
    subject: str
    key: str
    reported: int | str
    coded: int | None
    status: str
    note: str = ""


@dataclass(frozen=True)
class CriterionCheck:
    """One study against one eligibility criterion: the review's, or as an update changed it (`changed_by`)."""

    study: str
    criterion: int
    status: str
    value: str
    not_checked: str | None = None  # what of the criterion was not checked
    changed_by: str | None = None

    @property
    def checked(self) -> str:
        """What was checked and what was not: "journal-article; indexing not verified"."""
        return "; ".join(filter(None, (self.value, self.not_checked)))


@dataclass(frozen=True)
class Variant:
    """A study the review names in more than one way."""

    study: str
    cited_as: str
    also: tuple[str, ...]


@dataclass(frozen=True)
class Reconciliation:
    counts: tuple[Count, ...]
    criteria: tuple[CriterionCheck, ...]
    variants: tuple[Variant, ...]
    incomplete: tuple[tuple[str, tuple[str, ...]], ...]  # study id, what is missing


def _status(reported: int | str, coded: int | None) -> str:
    if reported == NOT_REPORTED or coded is None:
        return NOT_CHECKABLE
    return CONSISTENT if reported == coded else DIFFERS


def group_note(group, studies: list[Study], language=None) -> str:
    """What the review leaves open about a group, said as exactly that; or why the group is this site's.

    In English for the checker and review.json; in an edition's language (an i18n.Language) for its page."""
    if group.ours:
        return group.ours
    named = sum(cites(group.passage, s) for s in studies)
    missing = group.reported_count - named if isinstance(group.reported_count, int) else 0
    if missing <= 0:
        return ""
    language = language or Language(SOURCE)
    return language.ngettext(
        "The review counts %(reported)s and names %(named)s (%(place)s); it does not say which one it is.",
        "The review counts %(reported)s and names %(named)s (%(place)s); it does not say which they are.",
        missing,
        reported=language.number(group.reported_count),
        named=language.number(named),
        place=language.place(group.passage.place),
    )


def count_checks(review: Review, studies: list[Study]) -> list[Count]:
    """The review's reported counts against the review's own study files (never those added in updates)."""
    studies = [s for s in studies if not s.added]
    counts: list[Count] = []
    reported_total = review.prisma["included"]["new_studies"]
    counts.append(
        Count(
            "included",
            INCLUDED,
            "included",
            reported_total,
            len(studies),
            _status(reported_total, len(studies)),
        )
    )
    by_database = Counter(s.database for s in studies if s.database)
    coded_any = bool(by_database)
    for db in review.databases:
        coded = by_database.get(db.id, 0) if coded_any else None
        note = "" if coded_any else NO_DATABASE
        counts.append(
            Count("database", db.name, db.id, db.included_reported, coded, _status(db.included_reported, coded), note)
        )
    reported_sum = [d.included_reported for d in review.databases]
    if all(isinstance(n, int) for n in reported_sum) and isinstance(reported_total, int):
        total = sum(reported_sum)
        counts.append(
            Count(
                "database",
                PER_DATABASE_SUM,
                "sum",
                reported_total,
                total,
                _status(reported_total, total),
                SUM_NOTE,
            )
        )
    by_group = Counter(s.group for s in studies)
    for group in review.groups:
        coded = by_group.get(group.id, 0)
        counts.append(
            Count(
                "group",
                group.name,
                group.id,
                group.reported_count,
                coded,
                _status(group.reported_count, coded),
                group_note(group, studies),
            )
        )
    by_year = Counter(s.year for s in studies)
    for year in sorted(by_year):
        counts.append(
            Count(
                "year",
                str(year),
                str(year),
                NOT_REPORTED,
                by_year[year],
                NOT_CHECKABLE,
                FIGURE_4,
            )
        )
    return counts


def _criterion_value(study: Study, field: str):
    value = getattr(study, field)
    return list(value) if isinstance(value, tuple) else value


def criteria_checks(review: Review, studies: list[Study]) -> list[CriterionCheck]:
    """Each study against each criterion: the review's, or for an added study those in force for its update."""
    checks: list[CriterionCheck] = []
    for study in studies:
        for criterion, changed_by in review.criteria_for(study.update):
            if not criterion.field:
                continue
            value = _criterion_value(study, criterion.field)
            if value in (None, []):
                checks.append(
                    CriterionCheck(study.id, criterion.number, NOT_KNOWN, "", criterion.not_checked, changed_by)
                )
                continue
            if isinstance(value, list):
                ok = all(v in criterion.allowed for v in value)
                shown = ", ".join(value)
            elif isinstance(value, int):
                ok = (criterion.min is None or value >= criterion.min) and (
                    criterion.max is None or value <= criterion.max
                )
                shown = str(value)
            else:
                ok = value in criterion.allowed
                shown = str(value)
            checks.append(
                CriterionCheck(
                    study.id, criterion.number, MET if ok else NOT_MET, shown, criterion.not_checked, changed_by
                )
            )
    return checks


def reconcile(review: Review, studies: list[Study]) -> Reconciliation:
    variants = tuple(Variant(s.id, s.cited_as or "", s.also_cited_as) for s in studies if s.also_cited_as)
    incomplete = []
    for s in studies:
        missing = []
        if not s.authors_complete:
            missing.append(MISSING_AUTHORS)
        if any(a.given is None for a in s.authors):
            missing.append(MISSING_GIVEN)
        if not s.container:
            missing.append(MISSING_CONTAINER)
        if not (s.doi or s.url):
            missing.append(MISSING_ADDRESS)
        if missing:
            incomplete.append((s.id, tuple(missing)))
    return Reconciliation(
        tuple(count_checks(review, studies)), tuple(criteria_checks(review, studies)), variants, tuple(incomplete)
    )


def _review_key(review: Review, count: Count) -> tuple:
    if count.topic == "included":
        return ("prisma", "included", "new_studies")
    if count.topic == "database":
        ids = [d.id for d in review.databases]
        return (
            ("method", "databases", ids.index(count.key), "included_reported")
            if count.key in ids
            else ("method", "databases")
        )
    if count.topic == "group":
        return ("groups", [g.id for g in review.groups].index(count.key), "reported_count")
    return ()


def as_problems(
    result: Reconciliation, review: Review, review_doc: Document, study_docs: dict[str, Document], studies: list[Study]
) -> list[Problem]:
    """The reconciliation findings that deserve a warning, each at its line."""
    problems: list[Problem] = []
    for count in result.counts:
        if count.status == DIFFERS and count.topic == "included":
            message = f"the review reports {count.reported} included studies but there are {count.coded} study files"
        elif count.status == DIFFERS:
            message = (
                f"the review reports {count.reported} studies in {count.topic} '{count.key}' "
                f"but {count.coded} study files are coded to it"
            )
        elif count.status == NOT_CHECKABLE and count.topic == "database":
            message = (
                f"the review reports {count.reported} included studies from {count.subject}, "
                "but no study file records its database, so this cannot be checked"
            )
        else:
            continue
        line, column = review_doc.where(_review_key(review, count))
        problems.append(Problem(review_doc.path, line, column, WARNING, message))
    by_id = {s.id: s for s in studies}
    for check in result.criteria:
        if check.status != NOT_MET:
            continue
        study = by_id[check.study]
        criterion = next(c for c, _ in review.criteria_for(study.update) if c.number == check.criterion)
        doc = study_docs[check.study]
        line, column = doc.where((criterion.field,))
        wording = criterion.inclusion.rstrip(".")
        if study.update is None:
            message = f'criterion {criterion.number} of the review ("{wording}") is not met: `{criterion.field}` is {check.value}'
        elif check.changed_by is None:
            message = (
                f'criterion {criterion.number} of the review ("{wording}") is not met by this study of '
                f"{study.update}: `{criterion.field}` is {check.value}; if the update changed the criterion, "
                "record the change under its `criteria` in review.yml"
            )
        else:
            message = (
                f'criterion {criterion.number} as {check.changed_by} changed it ("{wording}") is not met by this '
                f"study of {study.update}: `{criterion.field}` is {check.value}"
            )
        problems.append(Problem(doc.path, line, column, WARNING, message))
    return problems
