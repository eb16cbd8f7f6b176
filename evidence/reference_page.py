"""The reference list: every study in APA 7, in collation order, the published review's first, then those added in
updates. Up to PAGE_SIZE references it is one page, references/; a longer list goes on over references/2/,
references/3/… with plain links between them (nothing to fetch, no JavaScript), each page naming the authors it
runs from and to, so that a reader on a phone loads a few hundred references at a time and a researcher finds an
author by name. The whole list is also in the downloads (BibTeX, RIS, CSL-JSON)."""

from __future__ import annotations

from .context import Context, relative_url

PAGE = "references.md"
PAGE_SIZE = 500  # references on one page


def page_path(number: int) -> str:
    """The first page is references.md (references/), the others references/<number>.md."""
    return PAGE if number == 1 else f"references/{number}.md"


def _items(ctx: Context, page: str, studies) -> list[dict]:
    return [
        {
            "id": s.id,
            "html": ctx.reference(s),
            "url": relative_url(page, f"studies/{s.id}.md"),
            "origin": ctx.origin_label(s.origin) if s.added else None,
        }
        for s in studies
    ]


def _first_author(study) -> str:
    return study.authors[0].family if study.authors else study.id


def pages(ctx: Context) -> list[dict]:
    """The pages of the list: each with its part of the review's studies and of those added, where each part starts
    in its list (1 for the first), and the authors it runs from and to."""
    entries = [(False, i, s) for i, s in enumerate(ctx.review_studies)] + [
        (True, i, s) for i, s in enumerate(ctx.added)
    ]
    chunks = [entries[i : i + PAGE_SIZE] for i in range(0, len(entries), PAGE_SIZE)] or [[]]
    result = []
    for number, chunk in enumerate(chunks, 1):
        review = [e for e in chunk if not e[0]]
        added = [e for e in chunk if e[0]]
        result.append(
            {
                "number": number,
                "path": page_path(number),
                "review": review,
                "added": added,
                "ranges": [
                    f"{_first_author(part[0][2])} – {_first_author(part[-1][2])}" for part in (review, added) if part
                ],
            }
        )
    return result


def page(ctx: Context, number: int = 1, all_pages: list[dict] | None = None) -> str:
    """One page of the list (the first unless `number` says otherwise)."""
    all_pages = all_pages or pages(ctx)
    here = all_pages[number - 1]
    path = here["path"]
    return ctx.render(
        "references.md.j2",
        count=len(ctx.review_studies),
        added_count=len(ctx.added),
        items=_items(ctx, path, [s for _, _, s in here["review"]]),
        items_start=here["review"][0][1] + 1 if here["review"] else 1,
        added=_items(ctx, path, [s for _, _, s in here["added"]]),
        added_start=here["added"][0][1] + 1 if here["added"] else 1,
        number=number,
        page_size=PAGE_SIZE,
        pages=[
            {"number": p["number"], "href": relative_url(path, p["path"]), "ranges": p["ranges"]} for p in all_pages
        ],
        data={
            name: ctx.shared_url(path, f"data/{name}")
            for name in ("references.bib", "references.ris", "references.json")
        },
    )


def write(writer, ctx: Context) -> None:
    all_pages = pages(ctx)
    for p in all_pages:
        writer.write(p["path"], page(ctx, p["number"], all_pages))
