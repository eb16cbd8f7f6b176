"""One page per study: reference, origin, finding, links, every field with its source, cite this.

A study added in an update says so at the top, and nothing on its page calls its finding, its trends or
its fields the review's."""

from __future__ import annotations

from markupsafe import Markup

from . import exports
from .context import Context
from .markup import escape, escape_lines, join, link
from .models import NOT_REPORTED, Study, language_name
from .reconcile import MET, NOT_KNOWN

FOLDER = "studies"

# (field, label) in the order a reader meets them. `countries` comes from the review's text.
FIELDS = [
    ("original_title", "Original title"),
    ("language", "Language"),
    ("authors", "Authors"),
    ("year", "Year"),
    ("type", "Publication type"),
    ("journal", "Journal"),
    ("proceedings", "Proceedings"),
    ("event", "Conference"),
    ("series", "Series"),
    ("series_volume", "Series volume"),
    ("publisher", "Publisher"),
    ("volume", "Volume"),
    ("issue", "Issue"),
    ("pages", "Pages"),
    ("published", "Published"),
    ("doi", "DOI"),
    ("url", "Address"),
    ("license", "Licence"),
    ("indexed_in", "Indexed in"),
    ("countries", "Countries or regions covered"),
]
NOT_REPORTED_HTML = Markup('<span class="not-reported">not reported</span>')
FROM_REVIEW = "The review"
FROM_RECORD = "Public record (see Sources)"
FROM_UPDATE = "The update that added it (see Sources)"


def _value(study: Study, field: str):
    value = getattr(study, field)
    if field == "authors":
        names = [f"{a.family}, {a.given}" if a.given else a.family for a in value]
        text = join(names, "; ")
        return (
            Markup(f'{text} <span class="not-reported">(list incomplete: the review says "et al.")</span>')
            if not study.authors_complete
            else text
        )
    if field == "language" and value:
        return f"{language_name(value)} ({value})"
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
        return FROM_REVIEW if not study.sources else f"{FROM_REVIEW}; {FROM_RECORD.lower()}"
    return FROM_RECORD


def rows(study: Study) -> list[dict]:
    result = []
    for field, label in FIELDS:
        value = _value(study, field)
        if value in (None, ""):
            result.append({"label": label, "value": NOT_REPORTED_HTML, "source": "—"})
        else:
            result.append({"label": label, "value": value, "source": _source(study, field)})
    return result


def _criteria(ctx: Context, study: Study) -> Markup:
    parts = []
    for check in ctx.criteria.get(study.id, []):
        css = {MET: "met", NOT_KNOWN: "unknown"}.get(check.status, "not-met")
        value = f" ({escape(check.checked)})" if check.checked else ""
        changed = f" [as {escape(check.changed_by)} changed it]" if check.changed_by else ""
        parts.append(f'<span class="criterion {css}">{check.criterion}: {escape(check.status)}{value}{changed}</span>')
    return Markup(", ".join(parts))


def _trend_links(ctx: Context, page: str, study: Study) -> Markup:
    """Each trend with what the membership rests on: the paragraphs that cite the study, this site's reason,
    or (for a study not of the review) its own file."""
    parts = []
    for m in ctx.memberships:
        if m.study != study.id:
            continue
        places = "; ".join(p.place for p in (*m.first, *m.second))
        if places:
            basis = Markup(f"cited in {escape(places)}")
        elif m.ours:
            basis = Markup('<span class="origin origin-ours">This site\'s reading</span> ') + m.ours
        elif study.added:
            basis = Markup(f"assigned in {escape(study.update)}, not by the review")
        else:
            basis = Markup("named in the study's file")
        parts.append(ctx.trend_link(page, m.trend) + Markup(" (") + basis + Markup(")"))
    return Markup("; ").join(parts)


def _group_link(ctx: Context, page: str, study: Study) -> Markup | None:
    if not study.group:  # a study added in an update has no group: the groups are the review's
        return None
    group = ctx.review.group(study.group)
    if not study.of_review:
        return ctx.group_link(page, study.group) + Markup(" (named in the study's file)")
    return ctx.group_link(page, study.group) + Markup(f" (named in {escape(group.passage.place)})")


def page(ctx: Context, study: Study) -> str:
    name = f"{FOLDER}/{study.id}.md"
    html, text = ctx.refs[study.id]
    update = ctx.review.update(study.update) if study.added else None
    return ctx.render(
        "study.md.j2",
        study=study,
        origin=study.origin.label,
        update=update,
        update_link=ctx.update_link(name, update.id) if update else None,
        review_count=ctx.review.included_reported,
        reference_html=Markup(html),
        cited_as=study.cited_as or NOT_REPORTED,
        also_cited_as=join(study.also_cited_as, "; ") if study.also_cited_as else None,
        trend_links=_trend_links(ctx, name, study),
        group_link=_group_link(ctx, name, study),
        criteria=_criteria(ctx, study),
        rows=rows(study),
        notes=study.notes,
        sources=[link(s) for s in study.sources],
        apa_text=text,
        bibtex=escape_lines(exports.references_bib([study])),
        ris=escape_lines(exports.references_ris([study])),
        edit_url=f"{ctx.edit_base}/{study.path}" if ctx.edit_base else None,
    )


def write(writer, ctx: Context) -> None:
    for study in ctx.studies:
        name = f"{FOLDER}/{study.id}.md"
        if not writer.fresh(name, ctx.key(study, ctx.label(study), ctx.criteria.get(study.id))):
            writer.write(name, page(ctx, study))
