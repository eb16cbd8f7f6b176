"""`python build_site.py new`: start a study file, with every field explained.

The file is written like studies/_template.yml: the schema line first, the
known fields filled in, every other field as a commented-out example with a
hint, in the order of schema/study.schema.json (so the file is already in the
canonical form of `fmt`). `finding`, `trends` and `group` are required but
cannot be known from a bibliographic record: they are left as commented-out
placeholders marked TODO, so `make check` reports them as missing required
fields until the contributor writes them.

Ids: the first author's first family name (with a leading particle such as
"de la" kept) and the year, in lower case, accents removed, anything other
than a-z and 0-9 turned into a hyphen: "Huamán Coronel", 2022 → huaman-2022;
"García-Estrella" → garcia-estrella-2022. When studies/<id>.yml exists
already, the next free of <id>b, <id>c, ... <id>z is used (huaman-2022b), as
APA does for two works of one author in one year. A file is never
overwritten.
"""

from __future__ import annotations

import json
import re
import textwrap
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from . import fmt
from .loader import read_file
from .problems import visible
from .schema import field_validator, load_schema

STUDY_DIR = "studies"
COMMENT_COLUMN = 33  # as in studies/_template.yml
SUFFIXES = "bcdefghijklmnopqrstuvwxyz"
REQUIRED_BY_HAND = ("finding", "trends", "group")

# Letters that Unicode decomposition does not turn into a-z.
_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})

# Each optional field: the example written (commented out) when it is not known, and a hint.
EXAMPLES: dict[str, tuple[str, str]] = {
    "cited_as": ("Surname et al. (2024)", "as the review's Table 3 names the study"),
    "also_cited_as": ("\n#   - Surname et al (2024)", "other spellings the review uses"),
    "original_title": ("Título original", "the title as published, when it differs"),
    "title_es": ("Título traducido al español", "this site's Spanish translation, unless original_title is Spanish"),
    "language": ("es", "two-letter code: es, en, pt..."),
    "authors_complete": ("false", 'when only "Surname et al." is known'),
    "type": ("journal-article", "or conference-paper, book-chapter, thesis, report, other"),
    "journal": ("Name of the Journal", ""),
    "proceedings": ("Title of the Proceedings", "for a conference paper"),
    "event": ("Name of the conference", ""),
    "series": ("Name of the book series", ""),
    "series_volume": ('"930"', "in quotes"),
    "publisher": ("Publisher", ""),
    "volume": ('"13"', "in quotes"),
    "issue": ('"2"', "in quotes"),
    "pages": ("163–179", ""),
    "published": ('"2022-03-30"', "in quotes"),
    "doi": ("10.1234/example", "bare, without https://doi.org/"),
    "url": ("https://example.org/article", ""),
    "license": ("CC BY 4.0", ""),
    "indexed_in": ("[SciELO Peru]", ""),
    "countries": ("[Peru]", ""),
    "database": ("scopus", "id of a database in review.yml"),
    "finding_es": ("Lo que encontró el estudio, en un párrafo.", "this site's unofficial Spanish translation"),
    "update": ("update-2025-1", "only for a study the review did not include"),
    "notes": ("Anything a reader should know.", ""),
    "notes_es": ("Lo que un lector debe saber.", "notes in Spanish"),
    "our_trends": (
        "\n#   - id: citizen-perception\n#     reason: Why this site puts the study in this trend.",
        "only for a study of the review (with cited_as) that no paragraph of a trend cites",
    ),
    "sources": ("\n#   - https://example.org/record", "where each fact above was verified"),
}
HINTS = {
    "id": "must equal the file name without .yml",
    "year": "a whole number, no quotes",
    "authors": "in order; add the other authors by hand",
}


class ScaffoldError(Exception):
    """Something the contributor must fix before a file can be written."""


def slug(text: str) -> str:
    """Lower case, accents removed, anything but a-z and 0-9 turned into single hyphens."""
    text = unicodedata.normalize("NFKD", text.lower().translate(_LETTERS))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def first_family_word(family: str) -> str:
    """The first word of a family name, with the lower-case particles before it: "de la Cruz Pérez" → "de la Cruz"."""
    words = family.split()
    taken = []
    for word in words:
        taken.append(word)
        if not (word.islower() and len(words) > len(taken)):
            break
    return " ".join(taken)


def derive_id(family: str, year: int) -> str:
    base = slug(first_family_word(family))
    if not base:
        raise ScaffoldError(
            f"cannot make an id from the family name {family!r}: it has no letters a-z or digits; give one with --id"
        )
    return f"{base}-{year}"


def free_id(base: str, folder: Path, taken: set[str] = frozenset()) -> str:
    """`base`, or the first of base + b, c, ... z that no file in `folder` (and nothing in `taken`) uses."""
    for candidate in [base] + [base + letter for letter in SUFFIXES]:
        if candidate not in taken and not (folder / f"{candidate}.yml").exists():
            return candidate
    raise ScaffoldError(f"{base}, {base}b ... {base}z are all taken in {folder}; choose an id with --id")


def review_ids(root: Path) -> dict[str, list[str]]:
    """Ids of the trends, groups and databases in review.yml (empty when it cannot be read)."""
    doc, _ = read_file(root / "review.yml", root)
    data = doc.data if doc is not None else {}

    def ids(items) -> list[str]:
        return (
            [i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)]
            if isinstance(items, list)
            else []
        )

    method = data.get("method") if isinstance(data.get("method"), dict) else {}
    return {
        "trends": ids(data.get("trends")),
        "groups": ids(data.get("groups")),
        "databases": ids(method.get("databases")),
    }


def _scalar(value) -> str:
    """A value as YAML; `fmt` then gives it its canonical style."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = json.dumps(str(value), ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _line(text: str, hint: str) -> str:
    if not hint:
        return text
    return f"{text.ljust(COMMENT_COLUMN - 2)}  # {hint}"


def _wrap_comment(text: str) -> list[str]:
    return ["# " + line for line in textwrap.wrap(text, width=fmt.WIDTH - 2, break_on_hyphens=False)]


def _todo(key: str, ids: dict[str, list[str]]) -> list[str]:
    """The commented-out placeholder of a field the contributor must write."""
    if key == "finding":
        return _wrap_comment(
            "TODO finding: copy it word for word from the review's Table 3 "
            '("Findings related to the scope of implementation"), then remove the "# " '
            "in front of the two lines below."
        ) + ["# finding: >-", "#   What the study found, in one paragraph."]
    if key == "trends":
        known = ", ".join(ids["trends"]) or "see review.yml"
        return _wrap_comment(
            f"TODO trends: the ids of the trends the review links the study to, one or more of: {known}."
        ) + ["# trends: [" + (ids["trends"][0] if ids["trends"] else "trend-id") + "]"]
    known = ", ".join(ids["groups"]) or "see review.yml"
    return _wrap_comment(
        f"TODO group: the id of the discussion group the review places the study in, one of: {known}."
    ) + ["# group: " + (ids["groups"][0] if ids["groups"] else "group-id")]


def _field(key: str, value, hint: str = "") -> list[str]:
    if key == "authors":
        lines = [_line("authors:", hint)]
        for author in value:
            lines.append(f"  - family: {_scalar(author['family'])}")
            if author.get("given"):
                lines.append(f"    given: {_scalar(author['given'])}")
        return lines
    if isinstance(value, list):
        return [_line(f"{key}:", hint)] + [f"  - {_scalar(item)}" for item in value]
    return [_line(f"{key}: {_scalar(value)}", hint)]


def render(
    values: dict, header: list[str], ids: dict[str, list[str]], comments: dict[str, list[str]] | None = None
) -> str:
    """A study file: `values` filled in, every other field commented out, in canonical form.

    `header` is the comment block under the schema line; `comments` gives
    comment lines to write just above a field.
    """
    comments = comments or {}
    lines = [fmt.SCHEMA_LINE, "#"] + [f"# {line}".rstrip() for line in header] + [""]
    for key in load_schema("study")["properties"]:
        lines += [f"# {line}".rstrip() for line in comments.get(key, [])]
        if key in values:
            lines += _field(key, values[key], HINTS.get(key, ""))
        elif key in REQUIRED_BY_HAND:
            lines += _todo(key, ids)
        elif key in EXAMPLES:
            example, hint = EXAMPLES[key]
            if key == "database" and ids["databases"]:
                hint = "id of a database in review.yml: " + ", ".join(ids["databases"])
            if example.startswith("\n"):
                lines += [_line(f"# {key}:", hint)] + example.lstrip("\n").split("\n")
            else:
                lines.append(_line(f"# {key}: {example}", hint))
        elif key == "title":
            lines += _wrap_comment("TODO title: the study's title in English as the review's Table 3 gives it.") + [
                "# title: The study's title"
            ]
    text = "\n".join(lines) + "\n"
    try:
        return fmt.canonical(text, "studies/new.yml")
    except fmt.FormatError as exc:
        raise ScaffoldError(f"the file could not be written: {exc}") from None


def write_new(path: Path, text: str) -> None:
    """Create the file; never replace one that exists (even one created a moment ago)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{path.name} exists already; it was not changed") from None
    except OSError as exc:
        raise ScaffoldError(f"{path} cannot be written: {exc.strerror or exc}") from None


@dataclass
class Answers:
    family: str | None = None
    given: str | None = None
    year: str | int | None = None
    title: str | None = None
    study_id: str | None = None


FIELDS = (  # (attribute, option, question)
    ("family", "--family", "First author's family name(s), as published (e.g. Huamán Coronel): "),
    ("given", "--given", "First author's given name(s) (Enter to leave out): "),
    ("year", "--year", "Year of publication, as the review gives it: "),
    ("title", "--title", "Title, in English as the review's Table 3 gives it: "),
)


def _clean(value) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _problem(name: str, value: str | None) -> str | None:
    """What is wrong with one answer, or None."""
    if name == "given" and value is not None and not value.isprintable():
        return "--given holds a control character; write plain text"
    if name == "given":
        return None if value is None or len(value) <= 120 else "--given is longer than 120 characters"
    if value is None:
        return f"--{name} is missing"
    if not value.isprintable():
        return f"--{name} holds a control character; write plain text"
    if name == "year":
        if not re.fullmatch(r"[0-9]{4}", value) or not 1900 <= int(value) <= 2100:
            return f"--year must be a year such as 2022; got {value!r}"
    if name == "family" and len(value) > 120:
        return "--family is longer than 120 characters"
    if name == "title" and len(value) > 500:
        return "--title is longer than 500 characters"
    return None


def complete(answers: Answers, ask=None) -> Answers:
    """Fill the missing answers with `ask(question)` (None when there is no terminal), then check them all.

    In a terminal, a missing answer is asked for, and a wrong one asked again.
    Without one, every missing or wrong answer is listed in one ScaffoldError.
    """
    for name, _option, question in FIELDS:
        value = _clean(getattr(answers, name))
        if ask is not None:
            if value is None:
                value = _clean(ask(question))
            while (problem := _problem(name, value)) is not None:
                print(problem.replace(f"--{name} is missing", "an answer is needed").removeprefix("--"))
                value = _clean(ask(question))
        setattr(answers, name, value)
    problems = [p for p in (_problem(name, getattr(answers, name)) for name, _o, _q in FIELDS) if p]
    missing = [p.split()[0] for p in problems if p.endswith("is missing")]
    others = [p for p in problems if not p.endswith("is missing")]
    if missing:
        others.insert(
            0,
            f"missing {', '.join(missing)}: give {'them' if len(missing) > 1 else 'it'} as "
            f"option{'s' * (len(missing) > 1)}, or run the command in a terminal to be asked",
        )
    if others:
        raise ScaffoldError("; ".join(others))
    return answers


@dataclass
class Created:
    path: Path
    study_id: str
    base_id: str


def new_study(root: Path, answers: Answers) -> Created:
    """Write studies/<id>.yml from complete answers."""
    folder = root / STUDY_DIR
    year = int(answers.year)
    if answers.study_id:
        if not field_validator("study", "id").is_valid(answers.study_id):
            raise ScaffoldError(
                f"--id must be lower-case letters, digits and single hyphens, such as vicente-2022, "
                f"and not a name the site uses for its own pages; got {visible(answers.study_id)!r}"
            )
        study_id = base = answers.study_id
        if (folder / f"{study_id}.yml").exists():
            raise ScaffoldError(f"{STUDY_DIR}/{study_id}.yml exists already; it was not changed")
    else:
        base = derive_id(answers.family, year)
        study_id = free_id(base, folder)
    author = {"family": answers.family}
    if answers.given:
        author["given"] = answers.given
    values = {"id": study_id, "title": answers.title, "year": year, "authors": [author]}
    header = [
        "Started with `python build_site.py new`. What is left to do:",
        "- finding, trends and group (marked TODO below) are required: write",
        '  them and remove the "# " in front of their lines. Until then',
        "  `make check` reports them as missing.",
        "- Fill in what a public record shows and delete the lines you do not",
        "  know; every fact beyond the review's own text needs the address of",
        "  its record under sources:.",
        "Every field is described in schema/study.schema.json and on the site's",
        "Fields page.",
    ]
    path = folder / f"{study_id}.yml"
    write_new(path, render(values, header, review_ids(root)))
    return Created(path, study_id, base)
