"""The What's new page: every update of the review after publication, newest first, with the studies it
added or changed. The Atom feed of the same is evidence/feed.py."""

from __future__ import annotations

from .context import WHATS_NEW, Context, relative_url
from .markup import join
from .models import NOT_REPORTED, Update

PAGE = WHATS_NEW


def newest_first(updates) -> list[Update]:
    """Updates by date, newest first; on one date, the one listed later in review.yml first."""
    return [u for _, u in sorted(enumerate(updates), key=lambda pair: (pair[1].date, pair[0]), reverse=True)]


def _check(ctx: Context, criterion) -> str:
    if not criterion.field:
        return ctx._("not checked")
    if criterion.allowed:
        return ctx._("%(field)s is one of: %(values)s", field=criterion.field, values=", ".join(criterion.allowed))
    return ctx._(
        "%(field)s from %(min)s to %(max)s", field=criterion.field, min=str(criterion.min), max=str(criterion.max)
    )


def _names(authors) -> str:
    return "; ".join(" ".join(filter(None, (a.given, a.family))) for a in authors)


def update_views(ctx: Context, page: str = PAGE) -> list[dict]:
    """What the page (and the feed) says of each update, newest first."""
    views = []
    for update in newest_first(ctx.review.updates):
        added = ctx.studies_of_update(update.id)
        views.append(
            {
                "id": update.id,
                "date": ctx.date(update.date),
                "findings_href": relative_url(page, "findings.md") + f"?origin={update.id}",
                "description": update.description,
                "by": _names(update.by),
                "searches": [
                    {
                        "database": s.database,
                        "date": ctx.date(s.date) if s.date else ctx._(NOT_REPORTED),
                        "terms": s.terms or ctx._(NOT_REPORTED),
                        "records": ctx._(NOT_REPORTED) if s.records == NOT_REPORTED else s.records,
                    }
                    for s in update.searches
                ],
                "criteria": [
                    {"number": c.number, "inclusion": c.inclusion, "exclusion": c.exclusion, "check": _check(ctx, c)}
                    for c in update.criteria
                ],
                "added": [
                    {
                        "study": s,
                        "link": ctx.study_link(page, s),
                        "title": s.title,
                        "year": s.year,
                        "trends": join(ctx.review.trend(t).name for t in s.trends),
                    }
                    for s in added
                ],
                "changed": [
                    {
                        "study": ctx.by_id[c.study],
                        "link": ctx.study_link(page, ctx.by_id[c.study]),
                        "title": ctx.by_id[c.study].title,
                        "what": c.what,
                    }
                    for c in update.changes
                ],
            }
        )
    return views


def tally(ctx: Context) -> str:
    """The count, the review's and the updates' apart: "16 studies in the published review, 1 added since (as of …)"."""
    reported = ctx.review.included_reported
    counted = isinstance(reported, int)
    n, num = (reported, ctx.number(reported)) if counted else (2, ctx._(NOT_REPORTED))  # not reported: the plural
    if not ctx.review.updates:
        return ctx.ngettext(
            "%(num)s study in the published review; none added since.",
            "%(num)s studies in the published review; none added since.",
            n,
            num=num,
        )
    added = ctx.ngettext("%(num)s added since", "%(num)s added since", len(ctx.added), num=ctx.number(len(ctx.added)))
    return ctx.ngettext(
        "%(num)s study in the published review, %(added)s (as of %(date)s).",
        "%(num)s studies in the published review, %(added)s (as of %(date)s).",
        n,
        num=num,
        added=added,
        date=ctx.date(ctx.as_of.date),
    )


def page(ctx: Context) -> str:
    return ctx.render(
        "whats_new.md.j2",
        updates=update_views(ctx),
        tally=tally(ctx),
        as_of=None if ctx.review.updates else ctx.as_of.sentence(ctx.language),  # with updates, the tally says it
        feed_href=relative_url(PAGE, "feed.xml"),
        prisma_href=relative_url(PAGE, "prisma.md"),
    )


def write(writer, ctx: Context) -> None:
    writer.write(PAGE, page(ctx))
