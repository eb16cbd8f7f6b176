"""The Atom 1.0 feed (RFC 4287) of the What's new page: one entry per update and one per study it added or
changed, newest first, with ids that never change and absolute links to the site's address (SITE_URL)."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

from .context import Context
from .i18n import N_
from .whats_new import newest_first, tally

FILE = "feed.xml"
ATOM = "http://www.w3.org/2005/Atom"
TITLE = N_("Digital Government in Peru: the evidence")  # the site's name, as each edition's mkdocs.yml gives it
EPOCH = "1970-01-01"  # the feed's date when no date of the data is known (RFC 4287 requires one)


def _id(ctx: Context, *parts: str) -> str:
    """A stable entry id: a name-based UUID of the review's DOI (or title) and the parts; the site's address may
    change, the ids do not."""
    citation = ctx.review.citation
    base = f"https://doi.org/{citation['doi']}" if citation.get("doi") else citation["title"]
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, '#'.join([base, 'living-review', *parts]))}"


def _time(date: str) -> str:
    return f"{date}T00:00:00Z"


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: v for k, v in attributes.items() if v is not None})
    if text is not None:
        element.text = text
    return element


def _names(update) -> list[str]:
    return [" ".join(filter(None, (a.given, a.family))) for a in update.by]


def _entry(feed: ET.Element, entry_id: str, title: str, date: str, href: str, summary: str, authors: list[str]):
    entry = _add(feed, "entry")
    _add(entry, "id", entry_id)
    _add(entry, "title", title, type="text")
    _add(entry, "updated", _time(date))
    _add(entry, "link", rel="alternate", type="text/html", href=href)
    for name in authors:
        _add(_add(entry, "author"), "name", name)
    _add(entry, "summary", summary, type="text")


def atom(ctx: Context) -> bytes:
    """The feed as UTF-8 XML in the edition's language; the same data give the same bytes."""
    ET.register_namespace("", ATOM)
    site = ctx.site_url
    title = ctx._(TITLE)
    updates = newest_first(ctx.review.updates)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": ctx.lang})
    _add(feed, "id", _id(ctx, "whats-new"))
    _add(feed, "title", ctx._("%(site)s: what's new", site=title), type="text")
    _add(
        feed,
        "subtitle",
        ctx._("Updates of the systematic review after its publication. %(tally)s", tally=tally(ctx)),
        type="text",
    )
    _add(feed, "updated", _time(updates[0].date if updates else ctx.as_of.date or EPOCH))
    _add(feed, "link", rel="alternate", type="text/html", href=f"{site}whats-new/")
    _add(feed, "link", rel="self", type="application/atom+xml", href=f"{site}{FILE}")
    _add(_add(feed, "author"), "name", title)
    _add(feed, "rights", ctx._("CC BY 4.0, except the words quoted from the review (see the About page)."), type="text")
    for update in updates:
        added = ctx.studies_of_update(update.id)
        studies = ctx.ngettext("%(num)s study added", "%(num)s studies added", len(added), num=ctx.number(len(added)))
        date = ctx.date(update.date)
        if update.changes:
            studies = ctx.ngettext(
                "%(added)s, %(num)s changed",
                "%(added)s, %(num)s changed",
                len(update.changes),
                added=studies,
                num=ctx.number(len(update.changes)),
            )
        _entry(
            feed,
            _id(ctx, update.id),
            f"{update.id}: {studies}",
            update.date,
            f"{site}whats-new/#{update.id}",
            " ".join(
                filter(None, [update.description, ctx._("%(studies)s, as of %(date)s.", studies=studies, date=date)])
            ),
            _names(update),
        )
        for study in added:
            _entry(
                feed,
                _id(ctx, update.id, "added", study.id),
                ctx._("Added in %(update)s: %(title)s", update=update.id, title=study.title),
                update.date,
                f"{site}studies/{study.id}/",
                ctx._(
                    "A study the published review did not include (%(year)s). Finding as recorded in %(update)s, "
                    "not the review's: %(finding)s",
                    year=study.year,
                    update=update.id,
                    finding=study.finding,
                ),
                _names(update),
            )
        for change in update.changes:
            study = ctx.by_id[change.study]
            _entry(
                feed,
                _id(ctx, update.id, "changed", study.id),
                ctx._("Changed in %(update)s: %(title)s", update=update.id, title=study.title),
                update.date,
                f"{site}studies/{study.id}/",
                change.what,
                _names(update),
            )
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def write(writer, ctx: Context) -> None:
    writer.write(FILE, atom(ctx))
