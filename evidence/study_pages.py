"""One page per study: reference, origin, finding, links, every field with its source, cite this.

A study added in an update says so at the top, and nothing on its page calls its finding, its trends or
its fields the review's."""

from __future__ import annotations

from markupsafe import Markup

from . import exports
from .context import Context, relative_url
from .i18n import N_
from .markup import escape, escape_lines, join, link
from .models import NOT_REPORTED, Study, language_name
from .reconcile import MET, NOT_KNOWN, NOT_MET

FOLDER = "studies"

# (field, label) in the order a reader meets them. `countries` comes from the review's text.
FIELDS = [
    ("original_title", N_("Original title")),
    ("language", N_("Language")),
    ("authors", N_("Authors")),
    ("year", N_("Year")),
    ("type", N_("Publication type")),
    ("journal", N_("Journal")),
    ("proceedings", N_("Proceedings")),
    ("event", N_("Conference")),
    ("series", N_("Series")),
    ("series_volume", N_("Series volume")),
    ("publisher", N_("Publisher")),
    ("volume", N_("Volume")),
    ("issue", N_("Issue")),
    ("pages", N_("Pages")),
    ("published", N_("Published")),
    ("doi", N_("DOI")),
    ("url", N_("Address")),
    ("license", N_("Licence")),
    ("indexed_in", N_("Indexed in")),
    ("countries", N_("Countries or regions covered")),
]
FROM_REVIEW = N_("The review")
FROM_RECORD = N_("Public record (see Sources)")
FROM_REVIEW_AND_RECORD = N_("The review; public record (see sources)")
FROM_UPDATE = N_("The update that added it (see Sources)")
# The publication types of the schema, as a reader reads them (the value itself is shown beside).
TYPES = {
    "journal-article": N_("journal article"),
    "conference-paper": N_("conference paper"),
    "book-chapter": N_("book chapter"),
    "thesis": N_("thesis"),
    "report": N_("report"),
    "other": N_("other"),
}
# How a study stands against an eligibility criterion (reconcile's statuses, which the checker prints in English).
CRITERION_STATUS = {MET: N_("met"), NOT_MET: N_("not met"), NOT_KNOWN: N_("not known")}


def _not_reported(ctx: Context) -> Markup:
    return ctx.once(
        "study_pages.not_reported", lambda: Markup('<span class="not-reported">{}</span>').format(ctx._(NOT_REPORTED))
    )


def _value(ctx: Context, study: Study, field: str):
    value = getattr(study, field)
    if field == "authors":
        names = [f"{a.family}, {a.given}" if a.given else a.family for a in value]
        text = join(names, "; ")
        if study.authors_complete:
            return text
        note = ctx._('(list incomplete: the review says "et al.")')  # the catalogue's words: trusted
        return Markup(f'{text} <span class="not-reported">{note}</span>')
    if field == "language" and value:
        return f"{language_name(value, ctx.lang)} ({value})"
    if field == "type" and value in TYPES:
        return f"{ctx._(TYPES[value])} ({value})"
    if field == "original_title" and value and study.language:
        return Markup(f'<span lang="{escape(study.language)}">{escape(value)}</span>')
    if field == "doi" and value:
        return link(study.doi_url, study.doi_url)
    if field == "url" and value:
        return link(value)
    if isinstance(value, tuple):
        return join(value) if value else None
    return value


def _source(study: Study, field: str) -> str:
    if study.added:
        return FROM_UPDATE if field in ("year", "authors", "countries") else FROM_RECORD
    if field in ("year",):
        return FROM_REVIEW
    if field == "authors":
        return FROM_RECORD if study.sources and all(a.given for a in study.authors[:1]) else FROM_REVIEW
    if field == "countries":
        return FROM_REVIEW if not study.sources else FROM_REVIEW_AND_RECORD
    return FROM_RECORD


def rows(ctx: Context, study: Study) -> tuple[list[dict], list[str]]:
    """The record's fields that have a value, each with its source; and the labels of those no record shows."""
    result, missing = [], []
    for field, label in FIELDS:
        value = _value(ctx, study, field)
        if value in (None, ""):
            missing.append(ctx._(label))
        else:
            result.append({"label": ctx._(label), "value": value, "source": ctx._(_source(study, field))})
    return result, missing


def _criteria(ctx: Context, study: Study) -> Markup:
    parts = []
    # What a check does not cover, in this edition's language (the reconciliation keeps the data's words).
    not_checked = ctx.not_checked(study.update)
    for check in ctx.criteria.get(study.id, []):
        css = {MET: "met", NOT_KNOWN: "unknown"}.get(check.status, "not-met")
        status = ctx._(CRITERION_STATUS[check.status]) if check.status in CRITERION_STATUS else check.status
        checked = "; ".join(filter(None, (check.value, not_checked.get(check.criterion, check.not_checked))))
        value = f" ({checked})" if checked else ""
        changed = " [" + ctx._("as %(update)s changed it", update=check.changed_by) + "]" if check.changed_by else ""
        text = escape(f"{check.criterion}: {status}{value}{changed}")
        parts.append(Markup(f'<span class="criterion {css}">{text}</span>'))
    return Markup(", ").join(parts)


def _trend_links(ctx: Context, page: str, study: Study) -> Markup:
    """Each trend with what the membership rests on: the paragraphs that cite the study, this site's reason,
    or (for a study not of the review) its own file."""
    parts = []
    for m in ctx.memberships_of(study.id):
        places = "; ".join(ctx.language.place(p.place) for p in (*m.first, *m.second))
        if places:
            basis = escape(ctx._("cited in %(places)s", places=places))
        elif m.ours:
            label = ctx._("This site's reading")  # the catalogue's words: trusted, as in the templates
            basis = Markup(f'<span class="origin origin-ours">{label}</span> ') + m.ours
        elif study.added:
            basis = escape(ctx._("assigned in %(update)s, not by the review", update=study.update))
        else:
            basis = escape(ctx._("named in the study's file"))
        parts.append(ctx.trend_link(page, m.trend) + Markup(" (") + basis + Markup(")"))
    return Markup("; ").join(parts)


def _group_link(ctx: Context, page: str, study: Study) -> Markup | None:
    if not study.group:  # a study added in an update has no group: the groups are the review's
        return None
    group = ctx.review.group(study.group)
    if not study.of_review:
        basis = ctx._("named in the study's file")
    else:
        basis = ctx._("named in %(place)s", place=ctx.language.place(group.passage.place))
    return ctx.group_link(page, study.group) + Markup(" (") + escape(basis) + Markup(")")


# The id of the page's heading, the study's title, in every edition: short, for a page that links to it thrice
# (the heading's own link, the table of contents, the theme's "skip to content"); the other headings' ids are
# their sections' (templates/study.html.j2).
TITLE_ID = "title"


def page(ctx: Context, study: Study) -> str:
    name = f"{FOLDER}/{study.id}.md"
    text = ctx.refs[study.id][1]
    update = ctx.review.update(study.update) if study.added else None
    original_first = ctx.original_first(study)
    record, missing = rows(ctx, study)
    return ctx.render(
        "study.html.j2",
        study=study,
        page_title=study.original_title if original_first else study.title,
        title_id=TITLE_ID,
        original_first=original_first,
        # The review's studies carry its English title; an added study's is as published, in whatever language.
        title_lang=None if study.added else "en",
        title_es=getattr(study, "title_es", None),
        finding_es=getattr(study, "finding_es", None),
        origin=ctx.origin_label(study.origin),
        update=update,
        update_link=ctx.update_link(name, update.id) if update else None,
        review_count=ctx.review.included_reported,
        reference_html=ctx.reference(study),
        cited_as=study.cited_as or ctx._(NOT_REPORTED),
        also_cited_as=join(study.also_cited_as, "; ") if study.also_cited_as else None,
        trend_links=_trend_links(ctx, name, study),
        group_link=_group_link(ctx, name, study),
        criteria=_criteria(ctx, study),
        rows=record,
        missing=missing,
        not_reported=_not_reported(ctx),
        checks_href=relative_url(name, "checks.md"),
        notes=study.notes,
        sources=[link(s) for s in study.sources],
        apa_text=text,
        bibtex=escape_lines(exports.references_bib([study])),
        ris=escape_lines(exports.references_ris([study])),
        edit_url=f"{ctx.edit_base}/{study.path}" if ctx.edit_base else None,
    )


def write(writer, ctx: Context, studies: list[Study] | None = None) -> None:
    """Every study's page, or those of `studies` (of the edition's)."""
    for study in ctx.studies if studies is None else studies:
        name = f"{FOLDER}/{study.id}.md"
        if not writer.fresh(name, ctx.key(study, ctx.label(study), ctx.criteria.get(study.id))):
            writer.write(name, page(ctx, study))
