"""The reference list page: every study in APA 7, in collation order."""

from __future__ import annotations

from .context import Context, relative_url

PAGE = "references.md"


def _items(ctx: Context, studies) -> list[dict]:
    return [
        {
            "id": s.id,
            "html": ctx.reference(s),
            "url": relative_url(PAGE, f"studies/{s.id}.md"),
            "origin": ctx.origin_label(s.origin) if s.added else None,
        }
        for s in studies
    ]


def page(ctx: Context) -> str:
    """The published review's studies, then, apart, those added in updates."""
    return ctx.render(
        "references.md.j2",
        count=len(ctx.review_studies),
        items=_items(ctx, ctx.review_studies),
        added=_items(ctx, ctx.added),
        data={
            name: ctx.shared_url(PAGE, f"data/{name}")
            for name in ("references.bib", "references.ris", "references.json")
        },
    )


def write(writer, ctx: Context) -> None:
    writer.write(PAGE, page(ctx))
