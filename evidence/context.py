"""Everything the page modules share, computed once per generation run."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from markupsafe import Markup

from . import charts, i18n, passages, references
from .as_of import AsOf
from .cache import Cache, fingerprint
from .markup import TEMPLATE_DIR, environment, escape
from .models import ADDED_IN, PUBLISHED_REVIEW, Origin, Review, Study, localized, localized_study, review_from
from .reconcile import Reconciliation, group_note

WHATS_NEW = "whats-new.md"
DEFAULT_SITE_URL = "http://127.0.0.1:8000/"


def _fingerprint(review: Review, edit_base: str | None, lang: str) -> str:
    """What every page depends on besides its own data: the review, the templates, the code, the catalogue."""
    here = Path(__file__).resolve().parent
    catalogues = [i18n.catalogue_path(e.lang) for e in i18n.EDITIONS if e.lang != i18n.SOURCE]
    code = fingerprint(*sorted([*here.glob("*.py"), *TEMPLATE_DIR.glob("*.j2"), *catalogues]))
    return hashlib.sha256(
        json.dumps([review.raw, edit_base, lang, code], sort_keys=True, default=str).encode()
    ).hexdigest()


def page_url(page: str) -> str:
    """Directory URL of a Markdown page: studies/x.md -> studies/x/, index.md -> ''."""
    stem = page[:-3] if page.endswith(".md") else page
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


@cache
def _to_root(from_page: str) -> str:
    """From a page's directory URL back to the site root: studies/x.md -> ../../"""
    return "../" * page_url(from_page).count("/")


def relative_url(from_page: str, to: str) -> str:
    """Link from one page to another page (.md) or file, as the built site needs it."""
    target = page_url(to) if to.endswith(".md") else to
    return _to_root(from_page) + target or "./"


@dataclass
class Context:
    review: Review
    studies: list[Study]
    reconciliation: Reconciliation
    repo_url: str | None
    edit_base: str | None
    cache: Cache
    as_of: AsOf = field(default_factory=lambda: AsOf(None, "unknown"))
    site_url: str = DEFAULT_SITE_URL  # the address the site is published at, for the Atom feed's absolute links
    lang: str = i18n.SOURCE  # the edition's language
    language: object = field(default=None)  # i18n.Language: its messages, dates and numbers
    env: object = field(default=None)
    labels: dict = field(default_factory=dict)
    refs: dict = field(default_factory=dict)
    by_id: dict = field(default_factory=dict)
    ordered: list = field(default_factory=list)
    svgs: dict = field(default_factory=dict)
    criteria: dict = field(default_factory=dict)  # study id -> its criterion checks
    review_studies: list = field(default_factory=list)  # the published review's, in reference-list order
    added: list = field(default_factory=list)  # added in updates, in reference-list order
    fingerprint: str = ""
    memberships: list = field(default_factory=list)  # passages.Membership of the review's studies
    memberships_by_study: dict = field(default_factory=dict)  # study id -> its memberships, in `memberships` order
    made: dict = field(default_factory=dict)  # see `once`
    # The review and the studies as the data record them, for the downloads (which are language-neutral);
    # `review` and `studies` are as this edition shows them (see models.localized).
    source_review: Review | None = None
    source_ordered: list = field(default_factory=list)

    def __post_init__(self):
        self.source_review = self.review
        self.source_ordered = sorted(self.studies, key=references.sort_key)
        if self.lang != i18n.SOURCE:
            self.review = review_from(localized(self.review.raw, self.lang, i18n.SOURCE))
            self.studies = [localized_study(s, self.lang, i18n.SOURCE) for s in self.studies]
        self.language = i18n.Language(self.lang)
        self.env = environment(self.language)
        self.labels = references.year_labels(self.studies)
        self.refs = references.render_all(self.studies, self.cache, self.labels)
        self.fingerprint = _fingerprint(self.review, self.edit_base, self.lang)
        self.by_id = {s.id: s for s in self.studies}
        self.ordered = sorted(self.studies, key=references.sort_key)
        self.memberships = passages.memberships(self.review, self.studies)
        for membership in self.memberships:
            self.memberships_by_study.setdefault(membership.study, []).append(membership)
        self.review_studies = [s for s in self.ordered if not s.added]
        self.added = [s for s in self.ordered if s.added]
        for check in self.reconciliation.criteria:
            self.criteria.setdefault(check.study, []).append(check)

    def key(self, *parts) -> str:
        """A key for a page made from `parts` with this run's review, templates and code."""
        return hashlib.sha256(repr((self.fingerprint, parts)).encode()).hexdigest()

    def once(self, name, make):
        """The value `make()` gives, made the first time `name` (a string, or a tuple of them) is asked for in this
        edition (a value that depends on nothing but the edition and `name`, such as a fixed piece of markup in its
        language)."""
        if name not in self.made:
            self.made[name] = make()
        return self.made[name]

    def memberships_of(self, study_id: str) -> list:
        """A study's memberships (passages.Membership), in the review's trend order."""
        return self.memberships_by_study.get(study_id, [])

    def chart_svg(self, chart) -> str:
        """A chart's SVG, drawn only when its numbers, words or the chart code changed."""
        if chart not in self.svgs:
            space = self.cache.namespace(f"charts-{self.lang}", charts.version())  # an edition's own, as in lists
            svg = space.get([chart], charts.is_safe_svg)
            if svg is None:
                svg = charts.render_svg(chart)
                space.put([chart], svg)
            self.svgs[chart] = svg
        return self.svgs[chart]

    def _(self, message: str, /, **values) -> str:
        """A message of the site in this edition's language (see i18n)."""
        return self.language.gettext(message, **values)

    def ngettext(self, singular: str, plural: str, number: int, /, **values) -> str:
        return self.language.ngettext(singular, plural, number, **values)

    def date(self, value) -> str:
        return self.language.date(value)

    def number(self, value) -> str:
        return self.language.number(value)

    def origin_label(self, origin: Origin) -> str:
        """Where a study comes from, in this edition's language: "Published review", or "Added in update-2025-1
        (June 30, 2025)" (`Origin.label` is the English of the data, with the date as written)."""
        if not origin.added:
            return self._(PUBLISHED_REVIEW)
        return self._(ADDED_IN, update=origin.update, date=self.date(origin.date))

    @property
    def edition(self) -> i18n.Edition:
        return i18n.edition(self.lang)

    def shared_url(self, from_page: str, path: str) -> str:
        """Link to a file that only the default edition carries (the downloads under data/)."""
        return "../" * self.edition.path.count("/") + relative_url(from_page, path)

    def original_first(self, study: Study) -> bool:
        """Whether this edition shows a study's verified original title before the review's English one: a Spanish
        original on the Spanish edition."""
        return bool(study.original_title) and study.language == self.lang != i18n.SOURCE

    def title(self, study: Study) -> Markup:
        """A study's title in a list, marked with its language: on the Spanish edition a verified Spanish original
        first; else the title (the review's Table 3 gives its studies' titles in English)."""
        if self.original_first(study):
            return Markup(f'<span lang="es">{escape(study.original_title)}</span>')
        lang = study.language if study.added else "en"
        return Markup(f'<span lang="{escape(lang)}">{escape(study.title)}</span>') if lang else escape(study.title)

    def reference(self, study: Study) -> Markup:
        """A study's APA reference, as citeproc writes it in English (titles included) unless a public record gives
        the study's language, marked with that language; "(author list incomplete)" in this edition's language."""
        html = self.refs[study.id][0]
        note = ""
        if html.endswith(" " + references.INCOMPLETE_NOTE):  # the English note, for this edition's
            html = html[: -len(references.INCOMPLETE_NOTE) - 1]
            note = f" {escape(self._(references.INCOMPLETE_NOTE))}"
        lang = study.language or i18n.SOURCE
        return Markup(f'<span lang="{escape(lang)}">{html}</span>{note}')

    def render(self, template: str, **values) -> str:
        return self.env.get_template(template).render(**values)

    def label(self, study: Study) -> str:
        return self.labels.get(study.id, str(study.year))

    def citation(self, study: Study) -> str:
        """APA in-text citation without parentheses: Vicente et al., 2022."""
        return references.in_text(study, self.label(study))

    def study_link(self, from_page: str, study: Study) -> Markup:
        url = relative_url(from_page, f"studies/{study.id}.md")
        return Markup(f'<a href="{escape(url)}">{escape(self.citation(study))}</a>')

    def trend_link(self, from_page: str, trend_id: str) -> Markup:
        """A link to a trend's page (made once for each page and trend: the lists ask it for every study)."""
        url = relative_url(from_page, f"trends/{trend_id}.md")
        return self.once(
            ("trend_link", from_page, trend_id),
            lambda: Markup(f'<a href="{escape(url)}">{escape(self.review.trend(trend_id).name)}</a>'),
        )

    def group_link(self, from_page: str, group_id: str) -> Markup:
        """A link to a group on the trends' page (made once for each page and group, as `trend_link`)."""
        url = relative_url(from_page, "trends/index.md") + f"#group-{group_id}"
        return self.once(
            ("group_link", from_page, group_id),
            lambda: Markup(f'<a href="{escape(url)}">{escape(self.review.group(group_id).name)}</a>'),
        )

    def group_note(self, group) -> str:
        """What the review leaves open about one of its groups (reconcile.group_note), in this edition's language
        (made once: the trends' and the data checks' pages both give it)."""
        return self.once(("group_note", group.id), lambda: group_note(group, self.review_studies, self.language))

    def not_checked(self, update_id: str | None) -> dict:
        """For each criterion a study of this update (None: the published review) is checked against, by number,
        what the check does not cover, in this edition's language (made once for each update)."""
        return self.once(
            ("not_checked", update_id or ""),
            lambda: {c.number: c.not_checked for c, _ in self.review.criteria_for(update_id)},
        )

    def update_link(self, from_page: str, update_id: str) -> Markup:
        """A link to an update on the What's new page."""
        url = relative_url(from_page, WHATS_NEW) + f"#{update_id}"
        return Markup(f'<a href="{escape(url)}">{escape(update_id)}</a>')

    def studies_of_trend(self, trend_id: str) -> list[Study]:
        """The published review's studies under a trend (the trends are the review's); see `added_to_trend`."""
        return [s for s in self.review_studies if trend_id in s.trends]

    def added_to_trend(self, trend_id: str) -> list[Study]:
        """Studies added in updates whose update assigned them this trend."""
        return [s for s in self.added if trend_id in s.trends]

    def studies_of_group(self, group_id: str) -> list[Study]:
        return [s for s in self.review_studies if s.group == group_id]

    def studies_of_update(self, update_id: str) -> list[Study]:
        return [s for s in self.added if s.update == update_id]
