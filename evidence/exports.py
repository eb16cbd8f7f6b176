"""Downloads for researchers: the studies as JSON and CSV, references as BibTeX, RIS and CSL-JSON, and
the review with counts derived from the data. Pure functions; the caller writes the files.

JSON and CSV list the studies in the order given; BibTeX, RIS and CSL-JSON use reference-list order.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import Counter
from dataclasses import fields, is_dataclass
from functools import lru_cache
from operator import attrgetter
from pathlib import Path

from . import passages, references
from .cache import Cache, fingerprint
from .models import NOT_REPORTED, Review, Study
from .reconcile import Reconciliation
from .schema import SCHEMA_DIR, load_schema

BIBTEX_TYPES = {
    "journal-article": "article",
    "conference-paper": "inproceedings",
    "book-chapter": "incollection",
    "report": "techreport",
}
RIS_TYPES = {
    "journal-article": "JOUR",
    "conference-paper": "CONF",
    "book-chapter": "CHAP",
    "thesis": "THES",
    "report": "RPRT",
}


def _json(data) -> str:
    """JSON with one record (or, for an object, one member) per line: readable, diffable, and quick to write."""
    if isinstance(data, list):
        lines = [json.dumps(item, ensure_ascii=False) for item in data]
        return "[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n"
    lines = [
        f"{json.dumps(key, ensure_ascii=False)}: {json.dumps(value, ensure_ascii=False)}" for key, value in data.items()
    ]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _fields() -> list[str]:
    """Study fields in the order of schema/study.schema.json."""
    return list(load_schema("study")["properties"])


_FIELDS: list[str] = []


ORIGIN_COLUMNS = ("origin", "update_date")  # after the schema's fields, in studies.csv and studies.json


def _record(study: Study) -> dict:
    """A study's fields in schema order, as plain data (tuples as lists, authors as dicts), then its origin:
    `published review` or `update`, and the update's date."""
    if not _FIELDS:
        _FIELDS.extend(_fields())
    record = {}
    for name in _FIELDS:
        value = getattr(study, name)
        if name == "authors":
            value = [{"family": a.family, "given": a.given} for a in value]
        elif isinstance(value, tuple):
            value = list(value)
        record[name] = value
    record["origin"] = "update" if study.added else "published review"
    record["update_date"] = study.origin.date
    return record


def _bases(review: Review, studies: list[Study]) -> dict[str, list[dict]]:
    """Each study's trend basis (see `_basis`), by study id."""
    by_id = {s.id: s for s in studies}
    bases: dict[str, list] = {}
    for m in passages.memberships(review, studies):
        bases.setdefault(m.study, []).append(_basis(m, by_id[m.study]))
    return bases


def _extras(review: Review, study: Study, rendered: dict, bases: dict) -> dict:
    """What studies.json gives of a study beyond its fields: its reference, page, group and trends."""
    return {
        "reference": rendered[study.id][1],
        "page": f"studies/{study.id}/",
        "group_name": review.group(study.group).name if study.group else None,
        "trend_names": [review.trend(t).name for t in study.trends],
        "trend_basis": bases.get(study.id, []),
    }


def _json_line(study: Study, extras: dict) -> str:
    return json.dumps({**_record(study), **extras}, ensure_ascii=False)


def _joined(lines: list[str]) -> str:
    """`_json` of a list whose items are already lines of JSON."""
    return "[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n"


def studies_json(review: Review, studies: list[Study], rendered: dict | None = None, parts: dict | None = None) -> str:
    """Every field of every study, plus its APA reference, page, group name and trend names.

    `rendered` is references.render_all's result, when the caller already has it; `parts`, `fragments`'.
    """
    if parts is not None:
        return _joined([parts[s.id]["json"] for s in studies])
    rendered = rendered or references.render_all(studies)
    bases = _bases(review, studies)
    return _joined([_json_line(s, _extras(review, s, rendered, bases)) for s in studies])


def _basis(m, study: Study) -> dict:
    """What a study's place in a trend rests on, as data: the review's paragraphs that cite it (by pass),
    this site's reading with its reason, or the update that assigned it."""
    basis = {
        "trend": m.trend,
        "origin": "review"
        if (m.first or m.second)
        else "ours"
        if m.ours
        else "update"
        if study.update
        else "study file",
    }
    if m.first or m.second:
        basis["first_pass"] = [p.place for p in m.first]
        basis["second_pass"] = [p.place for p in m.second]
        attached = [p.place for p in (*m.first, *m.second) if p.ours]
        if attached:  # paragraphs that name no trend, attached to this one by this site (see review.yml)
            basis["attached_by_this_site"] = attached
    if m.ours:
        basis["reason"] = m.ours
    if study.update:
        basis["update"] = study.update
    return basis


# --- CSV -----------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (list, tuple)):
        text = "; ".join(
            ", ".join(filter(None, (v["family"], v["given"]))) if isinstance(v, dict) else str(v) for v in value
        )
    else:
        text = str(value)
    return spreadsheet_safe(text)


# Where a spreadsheet may start a cell: the start of the value, or after any character that some locale
# or import dialog splits on (comma; semicolon in Spanish, French or German locales; tab; bar), past
# spaces and quote marks. What a formula starts with, in ASCII and full width.
_FORMULA = re.compile(r"""(^|[,;\t|])([\s"']*)(?=[=+\-@\uff1d\uff0b\uff0d\uff20])""")


def spreadsheet_safe(text: str) -> str:
    """Text for a CSV cell that no spreadsheet, in any locale, reads as a formula: a quote mark (')
    before every '=', '+', '-' or '@' that could start a cell once the text is split."""
    return _FORMULA.sub(lambda m: f"{m[1]}{m[2]}'", text)


def _csv_line(values: list) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerow(values)
    return out.getvalue()


def _csv_row(study: Study) -> str:
    return _csv_line([_cell(v) for v in _record(study).values()])


def studies_csv(studies: list[Study], parts: dict | None = None) -> bytes:
    """One row per study, columns in schema order; UTF-8 with BOM and CRLF, for spreadsheets."""
    rows = [parts[s.id]["csv"] for s in studies] if parts is not None else [_csv_row(s) for s in studies]
    return "".join([_csv_line([*_fields(), *ORIGIN_COLUMNS]), *rows]).encode("utf-8-sig")


# --- BibTeX ----------------------------------------------------------------------

_BIBTEX = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    **{c: "\\" + c for c in "&%$#_"},
}
_BIBTEX_SPECIAL = re.compile("[" + re.escape("".join(_BIBTEX)) + "]")
_WORD = re.compile(r"(\w+(?:['’-]\w+)*)")


def _bibtex_escape(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX[m[0]], text)


def _has_capital(word: str) -> bool:
    if word.isascii():  # where a letter is a capital exactly when lower() changes it
        return word != word.lower()
    return any(c.isupper() for c in word)


def _bibtex_text(text: str, protect: bool = False) -> str:
    """Special characters escaped, whitespace collapsed; with `protect`, words with capitals braced."""
    text = " ".join(text.split())
    if not protect:
        return _bibtex_escape(text)
    parts = _WORD.split(text)  # odd items are words
    return "".join(
        f"{{{_bibtex_escape(part)}}}" if i % 2 and _has_capital(part) else _bibtex_escape(part)
        for i, part in enumerate(parts)
    )


def _bibtex_name_part(text: str) -> str:
    escaped = _bibtex_text(text)
    return f"{{{escaped}}}" if re.search(r",|\band\b", text, re.IGNORECASE) else escaped


@lru_cache(maxsize=16384)  # a study's entry is on its page in each edition and in references.bib
def _bibtex_entry(study: Study) -> str:
    names = [", ".join(_bibtex_name_part(p) for p in (a.family, a.given) if p) for a in study.authors]
    container = "journal" if study.type == "journal-article" else "booktitle"
    fields = {
        "author": " and ".join(names + ([] if study.authors_complete else ["others"])),
        "title": _bibtex_text(references.display_title(study), protect=True),
        container: study.container and _bibtex_text(study.container),
        "eventtitle": study.event and _bibtex_text(study.event),
        "series": study.series and _bibtex_text(study.series),
        "volume": (study.volume or study.series_volume) and _bibtex_text(study.volume or study.series_volume),
        "number": study.issue and _bibtex_text(study.issue),
        "pages": study.pages and _bibtex_text(study.pages.replace("–", "--")),
        "year": str(study.year),
        "date": study.published and _bibtex_text(study.published),
        "publisher": study.publisher and _bibtex_text(study.publisher),
        "doi": study.doi and references.quote_url(study.doi),
        "url": study.url and references.quote_url(study.url),
        "language": study.language,
        "note": study.notes and _bibtex_text(study.notes),
        "keywords": study.added and _bibtex_text(f"added in {study.update}"),
    }
    body = "".join(f"  {key} = {{{value}}},\n" for key, value in fields.items() if value)
    return f"@{BIBTEX_TYPES.get(study.type, 'misc')}{{{study.id},\n{body}}}\n"


def references_bib(studies: list[Study], parts: dict | None = None) -> str:
    """BibTeX entries keyed by study id; "and others" marks an incomplete author list."""
    in_order = references.ordered(studies)
    if parts is not None:
        return "\n".join(parts[s.id]["bib"] for s in in_order)
    return "\n".join(_bibtex_entry(s) for s in in_order)


# --- RIS -------------------------------------------------------------------------


def _ris_entry(study: Study) -> list[tuple[str, str]]:
    lines = [("TY", RIS_TYPES.get(study.type, "GEN"))]
    lines += [("AU", ", ".join(filter(None, (a.family, a.given)))) for a in study.authors]
    lines += [
        ("TI", study.original_title or study.title),
        ("TT", references.translated_title(study)),
        ("T2", study.container),
        ("T3", study.series),
        ("PY", str(study.year)),
        ("DA", study.published and study.published.replace("-", "/")),
        ("VL", study.volume or study.series_volume),
        ("IS", study.issue),
    ]
    if study.pages:
        start, _, end = study.pages.replace("–", "-").partition("-")
        lines += [("SP", start), ("EP", end)]
    lines += [
        ("PB", study.publisher),
        ("DO", study.doi),
        ("UR", study.url),
        ("LA", study.language),
        ("N1", study.notes),
        ("N1", None if study.authors_complete else "Author list incomplete."),
        ("KW", f"added in {study.update}" if study.added else None),
    ]
    return lines


@lru_cache(maxsize=16384)  # likewise
def _ris_record(study: Study) -> str:
    lines = [f"{tag}  - {' '.join(value.split())}\r\n" for tag, value in _ris_entry(study) if value]
    return "".join(lines) + "ER  - \r\n\r\n"


def references_ris(studies: list[Study], parts: dict | None = None) -> str:
    """RIS records in reference-list order, one line per value."""
    in_order = references.ordered(studies)
    if parts is not None:
        return "".join(parts[s.id]["ris"] for s in in_order)
    return "".join(_ris_record(s) for s in in_order)


# --- CSL-JSON and the review -------------------------------------------------------


def _csl_line(study: Study) -> str:
    return json.dumps(references.csl_item(study), ensure_ascii=False)


def references_csl_json(studies: list[Study], parts: dict | None = None) -> str:
    """CSL-JSON (CSL 1.0.2 input schema) in reference-list order."""
    in_order = references.ordered(studies)
    if parts is not None:
        return _joined([parts[s.id]["csl"] for s in in_order])
    return _joined([_csl_line(s) for s in in_order])


# --- Each study's part of the combined downloads ------------------------------------

FRAGMENTS = ("csv", "json", "bib", "ris", "csl")


def _fragments_version() -> str:
    """The code and schema that decide a study's fragments (its data and the review's words are in the key)."""
    here = Path(__file__).resolve().parent
    return fingerprint(
        here / "exports.py", here / "references.py", here / "models.py", SCHEMA_DIR / "study.schema.json"
    )


def _fragment(study: Study, extras: dict) -> dict[str, str]:
    return {
        "csv": _csv_row(study),
        "json": _json_line(study, extras),
        "bib": _bibtex_entry(study),
        "ris": _ris_record(study),
        "csl": _csl_line(study),
    }


def _is_fragment(value) -> bool:
    return isinstance(value, dict) and set(value) == set(FRAGMENTS) and all(isinstance(v, str) for v in value.values())


def fragments(
    review: Review, studies: list[Study], rendered: dict, cache: Cache | None = None
) -> dict[str, dict[str, str]]:
    """Each study's part of studies.csv, studies.json, references.bib, references.ris and references.json, by
    study id: made once for each content of the study (its data, and what studies.json adds from the review and
    its reference), and taken from the cache after that. The downloads join them (the `parts` of each function
    above), so after a one-study edit only that study's parts are made again."""
    space = (cache or Cache(None)).namespace("fragments", _fragments_version())
    bases = _bases(review, studies)
    made = {}
    for study in studies:
        extras = _extras(review, study, rendered, bases)
        key = [hashlib.sha256(repr((study, extras)).encode()).hexdigest()]  # repr: much quicker than JSON
        found = space.get(key, _is_fragment)
        if found is None:
            found = _fragment(study, extras)
            space.put(key, found)
        made[study.id] = found
    return made


def _counts(review: Review, studies: list[Study], all_studies: list[Study], groups: bool = True) -> dict:
    years = Counter(s.year for s in studies)
    trends = Counter(t for s in studies for t in s.trends)
    languages = Counter(s.language or NOT_REPORTED for s in studies)
    every = {s.language or NOT_REPORTED for s in all_studies}
    allowed = next((c.allowed for c in review.criteria if c.field == "language"), ())
    language_order = sorted(set(allowed) | set(every) - {NOT_REPORTED}) + [NOT_REPORTED]
    counts = {
        "studies": len(studies),
        "per_year": {str(y): years[y] for y in review.years(all_studies)},
        "per_trend": {t.id: trends[t.id] for t in review.trends},
    }
    if groups:
        in_group = Counter(s.group for s in studies)
        counts["per_group"] = {g.id: in_group[g.id] for g in review.groups}
    counts["per_language"] = {code: languages[code] for code in language_order}
    return counts


_FIELDS_OF: dict[type, tuple[tuple[str, ...], attrgetter]] = {}
_LEAVES = frozenset({str, int, float, bool, type(None)})


def _plain(value):
    """A dataclass as JSON data, as `dataclasses.asdict` gives it for JSON (a tuple is a list there either way),
    without its deep copy of every value: the reconciliation holds one criterion check per study and criterion."""
    kind = type(value)
    if kind in _LEAVES:
        return value
    if kind is list or kind is tuple:
        return [item if type(item) in _LEAVES else _plain(item) for item in value]
    if kind is dict:
        return {key: _plain(item) for key, item in value.items()}
    if kind not in _FIELDS_OF:
        if not is_dataclass(kind):
            return value
        names = tuple(f.name for f in fields(kind))
        _FIELDS_OF[kind] = names, attrgetter(*names)
    names, values = _FIELDS_OF[kind]
    found = values(value) if len(names) > 1 else (values(value),)
    return dict(zip(names, [item if type(item) in _LEAVES else _plain(item) for item in found]))


def review_json(review: Review, studies: list[Study], reconciliation: Reconciliation, as_of=None) -> str:
    """review.yml as data, plus counts of the study files (the published review's, and apart those added in
    each update), the reconciliation with the review, and the date the data are as of."""
    own = [s for s in studies if not s.added]
    counts = _counts(review, own, studies)
    counts["source"] = "counted from the study files of the published review"
    added = {
        u.id: {
            "date": u.date,
            **_counts(review, [s for s in studies if s.update == u.id], studies, groups=False),
            "source": "counted from the study files added in this update",
        }
        for u in review.updates
    }
    data = {**review.raw, "counts": counts}
    if review.updates:
        data["counts_added"] = added
    data["reconciliation"] = _plain(reconciliation)
    if as_of is not None:
        data["as_of"] = as_of.as_dict()
    return _json(data)
