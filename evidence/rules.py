"""Layer 2: rules across files. Each rule yields the problems it finds."""

from __future__ import annotations

import datetime
import difflib
from collections import Counter
from collections.abc import Iterator
from pathlib import PurePosixPath

from .checklist import CHECKLISTS
from .loader import Document, visible
from .models import citation_forms, of_review
from .passages import cites_by
from .problems import ERROR, Problem


def _problem(doc: Document, key: tuple, message: str, at_key: bool = False) -> Problem:
    line, column = doc.where_key(key) if at_key else doc.where(key)
    return Problem(doc.path, line, column, ERROR, message)


def _list(doc: Document, key: str) -> list:
    value = doc.data.get(key)
    return value if isinstance(value, list) else []


def _suggest(value: str, choices: list[str]) -> str:
    choices = list(dict.fromkeys(choices))  # a duplicated id (reported on its own) is listed once
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else f"known ids: {', '.join(choices)}"


def id_matches_file_name(docs: list[Document]) -> Iterator[Problem]:
    """A study's `id` must equal its file name without .yml."""
    for doc in docs:
        stem = PurePosixPath(doc.path).stem
        study_id = doc.data.get("id")
        if isinstance(study_id, str) and study_id != stem:  # a missing or non-text id is a schema problem
            yield _problem(
                doc,
                ("id",),
                f"`id` is '{visible(study_id)}' but the file is named {visible(stem)}.yml; they must be the same",
            )


def ids_unique(docs: list[Document]) -> Iterator[Problem]:
    """No two studies share an `id`."""
    first: dict[str, str] = {}
    # The file named after the id keeps it; the problem is reported at the other file(s).
    for doc in sorted(docs, key=lambda d: (d.data.get("id") != PurePosixPath(d.path).stem, d.path)):
        study_id = doc.data.get("id")
        if not isinstance(study_id, str):
            continue
        if study_id in first:
            yield _problem(doc, ("id",), f"`id` '{visible(study_id)}' is already used by {first[study_id]}")
        else:
            first[study_id] = doc.path


def dois_unique(docs: list[Document]) -> Iterator[Problem]:
    """No two studies share a DOI (compared without regard to case)."""
    first: dict[str, str] = {}
    for doc in docs:
        doi = doc.data.get("doi")
        if not isinstance(doi, str):
            continue
        if doi.casefold() in first:
            yield _problem(
                doc, ("doi",), f"DOI {visible(doi)} is already used by {first[doi.casefold()]}; is this the same study?"
            )
        else:
            first[doi.casefold()] = doc.path


def references_exist(review: dict, docs: list[Document]) -> Iterator[Problem]:
    """Every trend, group and database a study names is defined in review.yml."""
    trends = [t["id"] for t in review["trends"]]
    groups = [g["id"] for g in review["groups"]]
    databases = [d["id"] for d in review["method"]["databases"]]
    for doc in docs:
        for index, trend in enumerate(_list(doc, "trends")):
            if isinstance(trend, str) and trend not in trends:
                yield _problem(doc, ("trends", index), f"unknown trend '{visible(trend)}'; {_suggest(trend, trends)}")
        group = doc.data.get("group")
        if isinstance(group, str) and group not in groups:
            yield _problem(doc, ("group",), f"unknown group '{visible(group)}'; {_suggest(group, groups)}")
        database = doc.data.get("database")
        if isinstance(database, str) and database not in databases:
            yield _problem(
                doc, ("database",), f"unknown database '{visible(database)}'; {_suggest(database, databases)}"
            )


def review_ids_unique(review_doc: Document) -> Iterator[Problem]:
    """Trend, group and database ids in review.yml are unique."""
    review = review_doc.data
    for section, items in (
        ("trends", review["trends"]),
        ("groups", review["groups"]),
        ("method.databases", review["method"]["databases"]),
    ):
        counts = Counter(item["id"] for item in items)
        seen: set[str] = set()
        for index, item in enumerate(items):
            if counts[item["id"]] > 1 and item["id"] in seen:
                key = tuple(section.split(".")) + (index, "id")
                yield _problem(review_doc, key, f"id '{item['id']}' is used twice in `{section}`")
            seen.add(item["id"])


def conclusions_refer_to_known_ids(review_doc: Document, docs: list[Document]) -> Iterator[Problem]:
    """Each conclusion's links name only trends, groups and studies that exist."""
    review = review_doc.data
    known = {
        "trends": [t["id"] for t in review["trends"]],
        "groups": [g["id"] for g in review["groups"]],
        "studies": [d.data["id"] for d in docs if isinstance(d.data.get("id"), str)],
    }
    for index, conclusion in enumerate(review["conclusions"]):
        for number, link in enumerate(conclusion["links"]):
            for kind, choices in known.items():
                for position, value in enumerate(link.get(kind) or []):
                    if value not in choices:
                        yield _problem(
                            review_doc,
                            ("conclusions", index, "links", number, kind, position),
                            f"unknown {kind[:-1] if kind != 'studies' else 'study'} '{visible(value)}'; "
                            f"{_suggest(str(value), choices)}",
                        )


def _forms(doc: Document) -> tuple[str, ...]:
    """The forms in which the review cites a study (its `cited_as` and `also_cited_as`)."""
    return citation_forms(doc.data.get("cited_as"), *_list(doc, "also_cited_as"))


def _citing(paragraphs: list, doc: Document) -> list[str]:
    """Places of the paragraphs that cite the study."""
    forms = _forms(doc)
    return [p["place"] for p in paragraphs if cites_by(p["text"], forms)]


def _of_review(docs: list[Document]) -> list[Document]:
    """Study files of the published review: named by its Table 3 (`cited_as`), and not added by an update."""
    return [doc for doc in docs if of_review(doc.data)]


def trends_come_from_the_review(review_doc: Document, docs: list[Document]) -> Iterator[Problem]:
    """A study of the review belongs to the trends whose paragraphs cite it; it lists none itself."""
    paragraphs: dict[str, list] = {}
    for trend in review_doc.data["trends"]:  # a repeated id is reported on its own; its paragraphs all count
        paragraphs.setdefault(trend["id"], []).extend(trend["first_pass"] + trend["second_pass"])
    ids = list(paragraphs)
    for doc in _of_review(docs):
        if "trends" in doc.data:
            yield _problem(
                doc,
                ("trends",),
                "a study of the published review takes its trends from the review's paragraphs that cite it; "
                "remove `trends`, or record a trend no paragraph supports under `our_trends`, with its reason",
                at_key=True,
            )
        supported = {trend for trend, found in paragraphs.items() if _citing(found, doc)}
        ours = [t for t in _list(doc, "our_trends") if isinstance(t, dict) and isinstance(t.get("id"), str)]
        for index, trend in enumerate(_list(doc, "our_trends")):
            if not isinstance(trend, dict) or not isinstance(trend.get("id"), str):
                continue
            if trend["id"] not in ids:
                yield _problem(
                    doc,
                    ("our_trends", index, "id"),
                    f"unknown trend '{visible(trend['id'])}'; {_suggest(trend['id'], ids)}",
                )
            elif trend["id"] in supported:
                places = _citing(paragraphs[trend["id"]], doc)
                yield _problem(
                    doc,
                    ("our_trends", index, "id"),
                    f"the review itself puts this study in trend '{trend['id']}' ({'; '.join(places)}); "
                    "remove it from `our_trends`",
                )
        if not supported and not ours and _forms(doc):
            yield _problem(
                doc,
                ("cited_as",),
                "no paragraph of the review's trends cites this study as "
                + " or ".join(f"'{visible(f)}'" for f in _forms(doc))
                + "; add the form the review uses under `also_cited_as`, or record a trend under `our_trends` "
                "with its reason",
            )


def groups_come_from_the_review(review_doc: Document, docs: list[Document]) -> Iterator[Problem]:
    """A study of the review is in the group whose paragraph names it."""
    groups = {g["id"]: g for g in review_doc.data["groups"]}
    for doc in _of_review(docs):
        group = doc.data.get("group")
        if isinstance(group, str) and group in groups and _forms(doc):
            if not _citing([groups[group]["passage"]], doc):
                naming = [g for g in groups.values() if _citing([g["passage"]], doc)]
                where = (
                    f"; {naming[0]['passage']['place']} names it, in group '{naming[0]['id']}'"
                    if naming
                    else "; no group's paragraph names it"
                )
                yield _problem(
                    doc,
                    ("group",),
                    f"the paragraph of group '{group}' ({groups[group]['passage']['place']}) does not name this "
                    f"study{where}",
                )


def trends_have_studies(review_doc: Document, docs: list[Document]) -> Iterator[Problem]:
    """Every trend has at least one study, so that none vanishes from the site."""
    used = {t for doc in docs for t in _list(doc, "trends") if isinstance(t, str)}
    used |= {t.get("id") for doc in docs for t in _list(doc, "our_trends") if isinstance(t, dict)}
    for trend in review_doc.data["trends"]:
        if any(_citing(trend["first_pass"] + trend["second_pass"], doc) for doc in _of_review(docs)):
            used.add(trend["id"])
    for index, trend in enumerate(review_doc.data["trends"]):
        if trend["id"] not in used:
            yield _problem(
                review_doc,
                ("trends", index, "id"),
                f"trend '{trend['id']}' has no study; link a study to it or remove it",
            )


def _calendar_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def updates_valid(review_doc: Document) -> Iterator[Problem]:
    """Update ids are unique, and every date of an update is a date of the calendar."""
    seen: set[str] = set()
    for index, update in enumerate(review_doc.data.get("updates") or []):
        if update["id"] in seen:
            yield _problem(review_doc, ("updates", index, "id"), f"id '{update['id']}' is used twice in `updates`")
        seen.add(update["id"])
        dates = [(("updates", index, "date"), update["date"])]
        dates += [
            (("updates", index, "searches", position, "date"), search["date"])
            for position, search in enumerate(update.get("searches") or [])
            if "date" in search
        ]
        for key, value in dates:
            if not _calendar_date(value):
                yield _problem(review_doc, key, f"`{_dotted(key)}` is '{value}', which is not a date of the calendar")


def _dotted(key: tuple) -> str:
    text = ""
    for part in key:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def added_studies(review: dict, docs: list[Document]) -> Iterator[Problem]:
    """A study added in an update names an update of review.yml, and has none of the fields only the review gives."""
    updates = [u["id"] for u in review.get("updates") or []]
    for doc in docs:
        update = doc.data.get("update")
        if not isinstance(update, str):
            continue
        if update not in updates:
            hint = (
                _suggest(update, updates)
                if updates
                else "review.yml has no `updates`; add the update there first, with its `id` and `date`"
            )
            yield _problem(doc, ("update",), f"unknown update '{visible(update)}'; {hint}")
        if "group" in doc.data:
            yield _problem(
                doc,
                ("group",),
                "a study added in an update has no `group`: the discussion groups are the review's; remove it",
                at_key=True,
            )
        for field in ("cited_as", "also_cited_as"):
            if field in doc.data:
                yield _problem(
                    doc,
                    (field,),
                    f"`{field}` is how the review names a study it included; a study added in an update "
                    "is not among them; remove it",
                    at_key=True,
                )


def changes_refer_to_studies(review_doc: Document, docs: list[Document]) -> Iterator[Problem]:
    """Each study an update says it changed has a study file."""
    ids = [doc.data["id"] for doc in docs if isinstance(doc.data.get("id"), str)]
    for index, update in enumerate(review_doc.data.get("updates") or []):
        for position, change in enumerate(update.get("changes") or []):
            if change["study"] not in ids:
                yield _problem(
                    review_doc,
                    ("updates", index, "changes", position, "study"),
                    f"unknown study '{change['study']}'; {_suggest(change['study'], sorted(ids))}",
                )


def checklists_complete(review_doc: Document) -> Iterator[Problem]:
    """Each reporting checklist lists every item of its PRISMA 2020 checklist once, in order, in its section."""
    reporting = review_doc.data.get("reporting")
    if not reporting:
        return
    for key, (name, expected, _) in CHECKLISTS.items():
        listed: list[str] = []
        for index, entry in enumerate(reporting[key]):
            number, section = entry["item"], entry["section"]
            if number not in expected:
                yield _problem(
                    review_doc,
                    ("reporting", key, index, "item"),
                    f"'{number}' is not an item of the {name} checklist; its items are {', '.join(expected)}",
                )
            elif number in listed:
                yield _problem(
                    review_doc,
                    ("reporting", key, index, "item"),
                    f"item '{number}' is listed twice in `reporting.{key}`",
                )
            else:
                if listed and list(expected).index(number) < list(expected).index(listed[-1]):
                    yield _problem(
                        review_doc,
                        ("reporting", key, index, "item"),
                        f"item '{number}' comes after item '{listed[-1]}'; list the items in the {name} checklist's order",
                    )
                if section != expected[number]:
                    yield _problem(
                        review_doc,
                        ("reporting", key, index, "section"),
                        f"item '{number}' is in the section '{expected[number]}' of the {name} checklist; got '{section}'",
                    )
                listed.append(number)
        missing = [number for number in expected if number not in listed]
        if missing:
            yield _problem(
                review_doc,
                ("reporting", key),
                f"`reporting.{key}` lacks {name} item{'s' * (len(missing) > 1)} "
                f"{', '.join(missing)}; every item is assessed, as not applicable where it does not apply",
            )


TRANSLATION = "_es"  # `X_es` is this site's Spanish translation of the field `X` beside it


def translated_lists_match(doc: Document) -> Iterator[Problem]:
    """A translated list (`X_es` beside a list `X`, such as `prisma.quotes_es`) has one item for each item of `X`."""

    def walk(value, key: tuple) -> Iterator[Problem]:
        if isinstance(value, dict):
            for name, inner in value.items():
                if isinstance(name, str) and name.endswith(TRANSLATION) and isinstance(inner, list):
                    original = value.get(name[: -len(TRANSLATION)])
                    if isinstance(original, list) and len(inner) != len(original):
                        yield _problem(
                            doc,
                            key + (name,),
                            f"`{_dotted(key + (name,))}` lists {len(inner)} item{'s' * (len(inner) != 1)} but "
                            f"`{_dotted(key + (name[: -len(TRANSLATION)],))}` lists {len(original)}; a translation "
                            "gives one item for each item of its list, in the same order",
                            at_key=True,
                        )
                yield from walk(inner, key + (name,))
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                yield from walk(inner, key + (index,))

    yield from walk(doc.data, ())


def all_problems(review_doc: Document, docs: list[Document]) -> list[Problem]:
    """Every cross-file problem of a valid review and valid study files."""
    found: list[Problem] = []
    found += review_ids_unique(review_doc)
    found += conclusions_refer_to_known_ids(review_doc, docs)
    found += trends_come_from_the_review(review_doc, docs)
    found += groups_come_from_the_review(review_doc, docs)
    found += checklists_complete(review_doc)
    found += translated_lists_match(review_doc)
    found += updates_valid(review_doc)
    found += changes_refer_to_studies(review_doc, docs)
    found += added_studies(review_doc.data, docs)
    found += id_matches_file_name(docs)
    found += ids_unique(docs)
    found += dois_unique(docs)
    found += references_exist(review_doc.data, docs)
    found += trends_have_studies(review_doc, docs)
    return found
