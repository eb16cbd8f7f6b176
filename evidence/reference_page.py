"""The reference list page: every study in APA 7, in collation order."""

from __future__ import annotations

from markupsafe import Markup

from .context import Context, relative_url

PAGE = "references.md"


def page(ctx: Context) -> str:
    items = [
        {"id": s.id, "html": Markup(ctx.refs[s.id][0]), "url": relative_url(PAGE, f"studies/{s.id}.md")}
        for s in ctx.ordered
    ]
    return ctx.render("references.md.j2", count=len(items), items=items)


def write(writer, ctx: Context) -> None:
    writer.write(PAGE, page(ctx))
