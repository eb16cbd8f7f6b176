"""`python build_site.py import FILE...`: study files started from a reference manager's export.

Reads BibTeX (.bib), RIS (.ris) and CSL-JSON (.json) as Zotero, Mendeley or
a journal's "cite" button write them. LaTeX in BibTeX ({\\'a}, \\~n, {\\c c},
--, ---, {Peru}, {{COVID}-19}) becomes plain Unicode text.

What is filled in: title, year, authors, type (journal-article or
conference-paper; other types are left out), journal or proceedings, volume,
issue, pages, published (a full date only), doi, url (https only), language,
publisher, and for a conference paper series, series volume and event. Each
value must pass its field's rule in schema/study.schema.json, or it is
reported as not used. Every other field of the reference (abstract,
keywords, month, ISSN...) is reported as not used.

What is never filled in: `finding`, `trends` and `group` come from the review,
not from a reference; they are written as commented-out placeholders marked
TODO, so `make check` reports them as missing until they are written.
`sources` is left for the contributor too: the file says to add the address
of the record where each fact was verified; the import does not invent one.

Ids as for `new` (see evidence/scaffold.py), collision-safe among the
existing files and the entries of the same import. A reference whose DOI or
title is already in a study file is not imported again, and no file is ever
overwritten. A file that cannot be read stops the whole import before
anything is written.
"""

from __future__ import annotations

import json
import logging
import re
import textwrap
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import fmt
from .dataset import study_files
from .loader import read_file
from .scaffold import STUDY_DIR, ScaffoldError, derive_id, free_id, render, review_ids, write_new
from .schema import field_validator


class ReferenceFileError(Exception):
    """A file that cannot be read as a reference export; the message says where and why."""


@dataclass
class Reference:
    """One entry of an export, mapped to study fields, with what could not be used."""

    where: str  # "refs.bib, entry huaman2022"
    values: dict = field(default_factory=dict)
    unused: list[str] = field(default_factory=list)


# --- values ------------------------------------------------------------------

_LANGUAGES = {
    "es": ("es", "spa", "spanish", "español", "espanol", "castellano", "castilian"),
    "en": ("en", "eng", "english", "inglés", "ingles"),
    "pt": ("pt", "por", "portuguese", "português", "portugues"),
    "fr": ("fr", "fre", "fra", "french", "français"),
    "de": ("de", "ger", "deu", "german", "deutsch"),
    "it": ("it", "ita", "italian", "italiano"),
}
_LANGUAGE = {name: code for code, names in _LANGUAGES.items() for name in names}
_DOI_PREFIX = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*|doi\s+)", re.IGNORECASE)
_DASHES = re.compile(r"\s*(?:-{1,3}|–|—|‐|‑|‒)\s*")


def language(value: str) -> str | None:
    """A two-letter code for "spa", "Spanish", "es-PE", "español"...; None when unknown."""
    text = value.strip().lower()
    if text in _LANGUAGE:
        return _LANGUAGE[text]
    base = re.split(r"[-_]", text)[0]
    return _LANGUAGE.get(base)


def pages(value: str) -> str:
    """ "1--14", "1-14" or "1 – 14" → "1–14" (an en dash, as the site writes page ranges)."""
    return _DASHES.sub("–", value.strip())


def doi(value: str) -> str:
    """A bare DOI: without https://doi.org/, http://dx.doi.org/ or doi:."""
    return _DOI_PREFIX.sub("", value).strip()


def _valid(name: str, value) -> bool:
    return field_validator("study", name).is_valid(value)


def _shown(value) -> str:
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


class _Mapper:
    """Collects the study fields of one reference, checking each against the schema."""

    def __init__(self, where: str):
        self.reference = Reference(where)

    def unused(self, what: str) -> None:
        if what not in self.reference.unused:
            self.reference.unused.append(what)

    def set(self, name: str, value, source: str | None = None) -> None:
        if value in (None, "", []):
            return
        if name in self.reference.values:
            self.unused(source or name)
            return
        if not _valid(name, value):
            self.unused(f"{source or name} {_shown(value)} (not in the form `{name}` takes)")
            return
        self.reference.values[name] = value

    def year(self, text: str, source: str) -> None:
        """Year (and a full date as `published`) from 2022, 2022-03-30, 2022/03/30/ or 2022///."""
        match = re.match(r"^\s*(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?", text or "")
        if not match:
            self.unused(f"{source} {_shown(text)} (no year)")
            return
        self.set("year", int(match.group(1)), source)
        if match.group(3):
            self.set("published", f"{match.group(1)}-{int(match.group(2)):02d}-{int(match.group(3)):02d}", source)

    def url(self, text: str, source: str = "url") -> None:
        text = text.strip()
        if not text:
            return
        if text.lower().startswith("http://"):
            self.unused(f"http URL ({text})")
        elif (
            "doi.org/" in text.lower()
            and "doi" in self.reference.values
            and doi(text).lower() == self.reference.values["doi"].lower()
        ):
            self.unused(f"{source} (the DOI's own address)")
        else:
            self.set("url", text, source)

    def language(self, text: str, source: str = "language") -> None:
        code = language(text)
        if code:
            self.set("language", code, source)
        else:
            self.unused(f"{source} {_shown(text)} (unknown language)")

    def authors(self, names: list[dict], source: str = "author") -> None:
        names = [n for n in names if n.get("family")]
        if names:
            self.set("authors", names, source)


# --- LaTeX ------------------------------------------------------------------


@lru_cache(maxsize=1)
def _decoder():
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    context = get_default_latex_context_db()
    context.add_context_category(
        "text-symbols",
        prepend=True,
        macros=[
            MacroTextSpec("textbraceleft", "{"),
            MacroTextSpec("textbraceright", "}"),
            MacroTextSpec("textasciicircum", "^"),
        ],
    )
    return LatexNodes2Text(latex_context=context)


def decode_latex(text: str) -> str:
    """BibTeX text as plain Unicode: accents decoded, protecting braces removed, spaces collapsed."""
    text = re.sub(r"(?<!\\)([%&])", r"\\\1", text)  # a bare % or & is text here, not a LaTeX comment or column
    try:
        decoded = _decoder().latex_to_text(text)
    except Exception:  # pylatexenc is lenient; this is a last resort
        decoded = text.replace("{", "").replace("}", "")
    return " ".join(decoded.replace("\xa0", " ").split())


def _verbatim(text: str) -> str:
    """A DOI or URL from BibTeX: \\url{} and escapes removed, nothing else decoded."""
    text = text.strip()
    match = re.fullmatch(r"\\(?:url|href)\s*\{(.*)\}", text, re.DOTALL)
    text = match.group(1) if match else text
    text = re.sub(r"\\([_%&#$~])", r"\1", text)
    return text.replace("{", "").replace("}", "").strip()


# --- BibTeX -------------------------------------------------------------------

_BIB_TYPES = {"article": "journal-article", "inproceedings": "conference-paper", "conference": "conference-paper"}


class _LogCollector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _bib_name(text: str) -> dict | None:
    from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts

    text = text.strip()
    if not text:
        return None
    try:
        parts = parse_single_name_into_parts(text, strict=True)
    except (InvalidNameError, ValueError):
        return {"family": decode_latex(text)}
    family = decode_latex(" ".join(parts.von + parts.last + parts.jr))
    given = decode_latex(" ".join(parts.first))
    if not family:
        family, given = given, ""
    return {"family": family, "given": given} if given else {"family": family}


def read_bibtex(text: str, name: str) -> list[Reference]:
    import bibtexparser
    from bibtexparser.middlewares.names import split_multiple_persons_names

    logger = logging.getLogger("bibtexparser")
    collector = _LogCollector()
    saved = logger.propagate
    logger.addHandler(collector)
    logger.propagate = False
    try:
        library = bibtexparser.parse_string(text)
    except Exception as exc:
        raise ReferenceFileError(f"{name}: cannot be read as BibTeX: {exc}") from None
    finally:
        logger.removeHandler(collector)
        logger.propagate = saved
    if library.failed_blocks:
        block = library.failed_blocks[0]
        line = (block.start_line or 0) + 1
        reason = str(block.error) or next((m.split("\n", 1)[-1].strip() for m in collector.messages if m), "")
        raise ReferenceFileError(
            f"{name}:{line}: this BibTeX entry cannot be read"
            f"{': ' + reason if reason else ''}; check its braces, quotes and commas"
        )
    if not library.entries:
        raise ReferenceFileError(f"{name}: no BibTeX entries found (an entry starts with @article{{ or similar)")
    references = []
    for entry in library.entries:
        fields = {f.key.lower(): str(f.value) for f in entry.fields}
        entry_type = entry.entry_type.lower()
        kind = _BIB_TYPES.get(entry_type)
        mapper = _Mapper(f"{name}, entry {entry.key}")
        if kind:
            mapper.set("type", kind, f"@{entry_type}")
        else:
            mapper.unused(f"type @{entry_type} (only articles and conference papers are typed)")
        used = set()

        def take(*keys: str) -> str | None:
            for key in keys:
                if fields.get(key, "").strip():
                    used.add(key)
                    return fields[key]
            return None

        if (value := take("title")) is not None:
            mapper.set("title", decode_latex(value), "title")
        if (value := take("author")) is not None:
            names = split_multiple_persons_names(value)
            if names and names[-1].strip().lower() == "others":
                names = names[:-1]
                mapper.set("authors_complete", False, "author")
            mapper.authors([n for n in (_bib_name(n) for n in names) if n])
        if (value := take("date")) is not None:
            mapper.year(value, "date")
        if (value := take("year")) is not None and "year" not in mapper.reference.values:
            mapper.year(value, "year")
        elif value is not None:
            mapper.unused("year (the date has it)")
        if kind == "conference-paper":
            if (value := take("booktitle")) is not None:
                mapper.set("proceedings", decode_latex(value), "booktitle")
            if (value := take("eventtitle")) is not None:
                mapper.set("event", decode_latex(value), "eventtitle")
            if (value := take("series")) is not None:
                mapper.set("series", decode_latex(value), "series")
            if (value := take("volume")) is not None:
                mapper.set("series_volume", decode_latex(value), "volume")
        else:
            if (value := take("journal", "journaltitle")) is not None:
                mapper.set("journal", decode_latex(value), "journal")
            if (value := take("volume")) is not None:
                mapper.set("volume", decode_latex(value), "volume")
            if (value := take("number", "issue")) is not None:
                mapper.set("issue", decode_latex(value), "number")
        if (value := take("pages")) is not None:
            mapper.set("pages", pages(decode_latex(value)), "pages")
        if (value := take("publisher")) is not None:
            mapper.set("publisher", decode_latex(value), "publisher")
        if (value := take("doi")) is not None:
            mapper.set("doi", doi(_verbatim(value)), "doi")
        if (value := take("url")) is not None:
            mapper.url(_verbatim(value))
        if (value := take("language", "langid")) is not None:
            mapper.language(decode_latex(value))
        for key in fields:
            if key not in used:
                mapper.unused(key)
        references.append(mapper.reference)
    return references


# --- RIS ------------------------------------------------------------------------

_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: (.*?))?\s*$")
_RIS_TYPES = {
    "JOUR": "journal-article",
    "EJOUR": "journal-article",
    "CONF": "conference-paper",
    "CPAPER": "conference-paper",
}
_RIS_NAMES = {
    "AB": "abstract",
    "N2": "abstract",
    "KW": "keywords",
    "SN": "ISSN/ISBN",
    "N1": "notes",
    "Y2": "access date",
    "L1": "file",
    "L2": "file",
    "L4": "file",
    "DB": "database",
    "DP": "database provider",
    "ID": "reference id",
    "CY": "place",
    "AD": "affiliation",
    "ST": "short title",
    "J2": "abbreviated journal",
    "JA": "abbreviated journal",
    "A2": "editors",
    "ED": "editors",
    "A3": "series editors",
    "M3": "type of work",
    "CN": "call number",
    "ET": "edition",
    "AN": "accession number",
    "C1": "custom 1",
    "LB": "label",
}


def _ris_records(text: str, name: str) -> list[tuple[int, list[tuple[str, str]]]]:
    records: list[tuple[int, list[tuple[str, str]]]] = []
    current: list[tuple[str, str]] | None = None
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _RIS_LINE.match(line)
        if not match:
            if current:  # a long value wrapped onto the next line
                tag, value = current[-1]
                current[-1] = (tag, f"{value} {line.strip()}")
                continue
            raise ReferenceFileError(
                f"{name}:{number}: expected a RIS line such as 'TY  - JOUR'; got {_shown(line.strip())}"
            )
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "TY":
            if current is not None:
                raise ReferenceFileError(
                    f"{name}:{number}: a record starts before the one on line {start} ended with 'ER  - '"
                )
            current, start = [("TY", value)], number
        elif current is None:
            raise ReferenceFileError(
                f"{name}:{number}: expected 'TY  - ' to start a record; got {_shown(line.strip())}"
            )
        elif tag == "ER":
            records.append((start, current))
            current = None
        else:
            current.append((tag, value))
    if current is not None:
        raise ReferenceFileError(
            f"{name}:{start}: the record that starts here has no 'ER  - ' line; the file may be cut short"
        )
    if not records:
        raise ReferenceFileError(f"{name}: no RIS records found (a record starts with 'TY  - ')")
    return records


def _plain_name(text: str, comma_means_family: bool = True) -> dict | None:
    """ "Family, Given" → both; a name without a comma stays whole as the family name (an organisation)."""
    text = " ".join(text.split())
    if not text:
        return None
    if comma_means_family and "," in text:
        family, given = (part.strip() for part in text.split(",", 1))
        given = given.strip(", ")
        if family:
            return {"family": family, "given": given} if given else {"family": family}
    return {"family": text}


def read_ris(text: str, name: str) -> list[Reference]:
    references = []
    for start, record in _ris_records(text, name):
        tags: dict[str, list[str]] = {}
        for tag, value in record:
            if value:
                tags.setdefault(tag, []).append(value)
        ris_type = record[0][1].upper()
        kind = _RIS_TYPES.get(ris_type)
        mapper = _Mapper(f"{name}, record on line {start}")
        if kind:
            mapper.set("type", kind, f"TY {ris_type}")
        else:
            mapper.unused(f"type TY {ris_type or '(empty)'} (only JOUR and CONF/CPAPER are typed)")
        used = {"TY"}

        def take(*keys: str) -> str | None:
            for key in keys:
                if tags.get(key):
                    used.add(key)
                    return tags[key][0]
            return None

        if (value := take("TI", "T1")) is not None:
            mapper.set("title", " ".join(value.split()), "TI")
        names = [n for key in ("AU", "A1") for n in tags.get(key, [])]
        used.update(("AU", "A1"))
        mapper.authors([n for n in (_plain_name(n) for n in names) if n], "AU")
        if (value := take("PY", "Y1")) is not None:
            mapper.year(value, "PY")
        if (value := take("DA")) is not None:
            match = re.match(r"^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})", value)
            if match and "published" not in mapper.reference.values:
                mapper.set("published", f"{match.group(1)}-{int(match.group(2)):02d}-{int(match.group(3)):02d}", "DA")
            elif "year" not in mapper.reference.values:
                mapper.year(value, "DA")
            else:
                mapper.unused("DA (not a full date)")
        if kind == "conference-paper":
            # Zotero writes the proceedings' title as C3 and the conference's name as T2.
            if (value := take("C3", "BT")) is not None:
                mapper.set("proceedings", " ".join(value.split()), "C3")
                if (event := take("T2")) is not None:
                    mapper.set("event", " ".join(event.split()), "T2")
            elif (value := take("T2")) is not None:
                mapper.set("proceedings", " ".join(value.split()), "T2")
            if (value := take("T3")) is not None:
                mapper.set("series", " ".join(value.split()), "T3")
            if (value := take("VL")) is not None:
                mapper.set("series_volume", value, "VL")
        else:
            if (value := take("JO", "JF", "T2", "JA", "J2")) is not None:
                mapper.set("journal", " ".join(value.split()), "JO")
            if (value := take("VL")) is not None:
                mapper.set("volume", value, "VL")
            if (value := take("IS")) is not None:
                mapper.set("issue", value, "IS")
        first, last = take("SP"), take("EP")
        if first is not None:
            mapper.set("pages", pages(f"{first}–{last}" if last and last != first else first), "SP/EP")
        if (value := take("PB")) is not None:
            mapper.set("publisher", value, "PB")
        if (value := take("DO")) is not None:
            mapper.set("doi", doi(value), "DO")
        for url in tags.get("UR", []):
            used.add("UR")
            mapper.url(url, "UR")
        if (value := take("LA")) is not None:
            mapper.language(value, "LA")
        for tag in tags:
            if tag not in used:
                mapper.unused(f"{_RIS_NAMES[tag]} ({tag})" if tag in _RIS_NAMES else tag)
        references.append(mapper.reference)
    return references


# --- CSL-JSON ---------------------------------------------------------------------

_CSL_TYPES = {"article-journal": "journal-article", "paper-conference": "conference-paper"}
_CSL_IGNORED = {"id", "citation-key"}  # the export's own keys, like a BibTeX key


def _csl_text(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _csl_date(value) -> str | None:
    """ "2022-03-30", "2022-03" or "2022" from {"date-parts": [[2022, 3, 30]]}, {"raw": ...} or {"literal": ...}."""
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        try:
            numbers = [int(p) for p in parts[0][:3]]
        except (TypeError, ValueError):
            return None
        return "-".join([f"{numbers[0]:04d}"] + [f"{n:02d}" for n in numbers[1:]])
    for key in ("raw", "literal"):
        if isinstance(value.get(key), str):
            return value[key]
    return None


def _csl_name(value) -> dict | None:
    if not isinstance(value, dict):
        return None
    if _csl_text(value.get("literal")):
        return {"family": _csl_text(value["literal"])}
    family = " ".join(p for p in (_csl_text(value.get("non-dropping-particle")), _csl_text(value.get("family"))) if p)
    given = " ".join(p for p in (_csl_text(value.get("given")), _csl_text(value.get("dropping-particle"))) if p)
    if not family:
        return {"family": given} if given else None
    return {"family": family, "given": given} if given else {"family": family}


def read_csl(text: str, name: str) -> list[Reference]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReferenceFileError(f"{name}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(item, dict) for item in items):
        raise ReferenceFileError(
            f'{name}: expected CSL-JSON, a list of items such as [{{"type": "article-journal", "title": ...}}]'
        )
    references = []
    for number, item in enumerate(items, start=1):
        mapper = _Mapper(f"{name}, item {number}")
        csl_type = item.get("type")
        kind = _CSL_TYPES.get(csl_type) if isinstance(csl_type, str) else None
        if kind:
            mapper.set("type", kind, f"type {csl_type}")
        else:
            mapper.unused(f"type {_shown(csl_type)} (only article-journal and paper-conference are typed)")
        used = {"type"} | _CSL_IGNORED

        def take(*keys: str) -> str | None:
            for key in keys:
                value = _csl_text(item.get(key))
                if value:
                    used.add(key)
                    return value
            return None

        if (value := take("title")) is not None:
            mapper.set("title", value, "title")
        if isinstance(item.get("author"), list):
            used.add("author")
            names = [_csl_name(a) for a in item["author"]]
            mapper.authors([n for n in names if n])
        date = _csl_date(item.get("issued"))
        if date:
            used.add("issued")
            mapper.year(date, "issued")
        if kind == "conference-paper":
            if (value := take("container-title")) is not None:
                mapper.set("proceedings", value, "container-title")
            if (value := take("event-title", "event")) is not None:
                mapper.set("event", value, "event-title")
            if (value := take("collection-title")) is not None:
                mapper.set("series", value, "collection-title")
            if (value := take("collection-number", "volume")) is not None:
                mapper.set("series_volume", value, "volume")
        else:
            if (value := take("container-title")) is not None:
                mapper.set("journal", value, "container-title")
            if (value := take("volume")) is not None:
                mapper.set("volume", value, "volume")
            if (value := take("issue", "number")) is not None:
                mapper.set("issue", value, "issue")
        if (value := take("page")) is not None:
            mapper.set("pages", pages(value), "page")
        if (value := take("publisher")) is not None:
            mapper.set("publisher", value, "publisher")
        if (value := take("DOI")) is not None:
            mapper.set("doi", doi(value), "DOI")
        if (value := take("URL")) is not None:
            mapper.url(value, "URL")
        if (value := take("language")) is not None:
            mapper.language(value)
        for key in item:
            if key not in used:
                mapper.unused(key)
        references.append(mapper.reference)
    return references


# --- files ------------------------------------------------------------------------

READERS = {".bib": read_bibtex, ".bibtex": read_bibtex, ".ris": read_ris, ".json": read_csl}


def read_references(file: Path) -> list[Reference]:
    """Every entry of one export file. Raises ReferenceFileError with a message for the contributor."""
    reader = READERS.get(file.suffix.lower())
    if reader is None:
        raise ReferenceFileError(
            f"{file}: unknown kind of file; give a .bib (BibTeX), .ris (RIS) or .json (CSL-JSON) export"
        )
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ReferenceFileError(f"{file}: cannot be read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReferenceFileError(
            f"{file}: is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); export it again as UTF-8"
        ) from None
    try:
        return reader(text, str(file))
    except RecursionError:
        raise ReferenceFileError(
            f"{file}: is nested too deeply to be read (brackets or braces inside each other "
            "thousands of times); export it again"
        ) from None


def _title_key(text) -> str:
    """A title for comparison: one Unicode spelling (NFKC), no case, only letters and digits."""
    return re.sub(r"\W+", "", unicodedata.normalize("NFKC", str(text)).casefold()) if text else ""


def _doi_key(doi: str) -> str:
    return unicodedata.normalize("NFKC", doi).casefold()


def _existing(root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """DOIs and titles already in study files, each with the file's path."""
    dois: dict[str, str] = {}
    titles: dict[str, str] = {}
    for file in study_files(root):
        doc, _ = read_file(file, root)
        if doc is None:
            continue
        path = f"{STUDY_DIR}/{file.name}"
        if isinstance(doc.data.get("doi"), str):
            dois.setdefault(_doi_key(doc.data["doi"]), path)
        for key in ("title", "original_title"):
            if _title_key(doc.data.get(key)):
                titles.setdefault(_title_key(doc.data[key]), path)
    return dois, titles


@dataclass
class Outcome:
    reference: Reference
    path: Path | None = None  # the file created
    skipped: str | None = None  # why no file was created


def _header(reference: Reference) -> list[str]:
    paragraphs = [
        f"Imported with `python build_site.py import` from {reference.where}. What is left to do:",
        "- Check every field below against a public record (the journal's page, Crossref, DOAJ, SciELO...): "
        "a reference manager's data can be wrong.",
        '- finding, trends and group (marked TODO below) are required: write them and remove the "# " in '
        "front of their lines. Until then `make check` reports them as missing.",
        "- Add under sources: the address of each record where you verified the facts; the import does not add one.",
    ]
    if reference.unused:
        paragraphs.append("Not taken from the reference: " + ", ".join(reference.unused) + ".")
    lines = []
    for paragraph in paragraphs:
        indent = "  " if paragraph.startswith("- ") else ""
        lines += textwrap.wrap(
            paragraph, width=fmt.WIDTH - 2, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
        )
    return lines


_TITLE_NOTE = [
    "The title as the reference gives it. If the review's Table 3 gives it in",
    "another wording or in English, write that as title and this one as",
    "original_title.",
]
_SOURCES_NOTE = ["TODO sources: the address (https://) of each record where you verified the facts."]


def import_references(root: Path, references: list[Reference]) -> list[Outcome]:
    """Write a study file for each reference that is not in studies/ yet."""
    folder = root / STUDY_DIR
    dois, titles = _existing(root)
    ids = review_ids(root)
    taken: set[str] = set()
    outcomes = []
    for reference in references:
        values = reference.values
        outcome = Outcome(reference)
        outcomes.append(outcome)
        authors = values.get("authors") or []
        if not authors:
            outcome.skipped = "it has no author, so no id can be made; start it with `python build_site.py new`"
            continue
        if "year" not in values:
            outcome.skipped = "it has no year, so no id can be made; start it with `python build_site.py new`"
            continue
        if values.get("doi") and _doi_key(values["doi"]) in dois:
            outcome.skipped = f"its DOI {values['doi']} is already in {dois[_doi_key(values['doi'])]}"
            continue
        if _title_key(values.get("title")) in titles:
            outcome.skipped = f"its title is already in {titles[_title_key(values['title'])]}"
            continue
        try:
            study_id = free_id(derive_id(authors[0]["family"], values["year"]), folder, taken)
            fields = {"id": study_id, **values}
            text = render(
                fields,
                _header(reference),
                ids,
                {"original_title": _TITLE_NOTE, "sources": _SOURCES_NOTE}
                if "title" in values
                else {"sources": _SOURCES_NOTE},
            )
            path = folder / f"{study_id}.yml"
            write_new(path, text)
        except ScaffoldError as exc:
            outcome.skipped = str(exc)
            continue
        taken.add(study_id)
        outcome.path = path
        if values.get("doi"):
            dois[_doi_key(values["doi"])] = f"{STUDY_DIR}/{path.name}"
        if _title_key(values.get("title")):
            titles[_title_key(values["title"])] = f"{STUDY_DIR}/{path.name}"
    return outcomes
