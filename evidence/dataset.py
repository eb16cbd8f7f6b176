"""Load and check the whole evidence base: review.yml and studies/*.yml."""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from . import passages, rules
from .cache import Cache, fingerprint
from .loader import NOT_REGULAR, Document, read_bytes, read_regular, relative
from .models import Review, Study, review_from, study_from, with_origins
from .problems import ERROR, WARNING, Problem
from .reconcile import Reconciliation, as_problems, reconcile
from .schema import SCHEMA_DIR, schema_problems

REVIEW_FILE = "review.yml"
STUDY_DIR = "studies"


TEMPLATE_PREFIX = "_"  # studies/_template.yml: a file to copy, not a study
PARALLEL_FROM = 200  # files not read before worth starting worker processes for


def scan(root: Path) -> tuple[list[Path], list[Problem]]:
    """The study files in name order, and a problem for everything else under studies/.

    A study file is a regular file named <id>.yml directly in studies/. Nothing is skipped
    without a word: a link, folder, FIFO or device, a file in a sub-folder and a file with
    another name is each a problem naming its path (files starting with `_` are templates).
    Links are never followed.
    """
    files: list[Path] = []
    problems: list[Problem] = []

    def refuse(path: str, message: str) -> None:
        problems.append(Problem(path, 1, 1, ERROR, message))

    def at(entry: os.DirEntry) -> str:  # worked out only for an entry refused
        return relative(Path(entry.path), root)

    def walk(folder: Path, nested: bool) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            refuse(relative(folder, root), f"cannot list the folder: {exc.strerror or exc}")
            return
        if nested and not entries:
            refuse(relative(folder, root), NOT_REGULAR["folder"])
        for entry in entries:
            if entry.is_symlink():
                refuse(at(entry), NOT_REGULAR["link"])
            elif entry.is_dir(follow_symlinks=False):
                walk(Path(entry.path), True)
            elif not entry.is_file(follow_symlinks=False):
                refuse(at(entry), NOT_REGULAR["other"])
            elif nested:
                refuse(at(entry), f"is in a sub-folder; study files go directly in {STUDY_DIR}/ as <id>.yml")
            elif entry.name.startswith(TEMPLATE_PREFIX) and entry.name.endswith(".yml"):
                continue
            elif not entry.name.endswith(".yml"):
                suffix = Path(entry.name).suffix
                hint = (
                    "rename it to end in .yml"
                    if suffix.lower() in (".yml", ".yaml")
                    else "remove it or move it out of studies/"
                )
                refuse(at(entry), f"is not a study file (study files are named <id>.yml); {hint}")
            else:
                files.append(Path(entry.path))

    if (root / STUDY_DIR).is_symlink():
        refuse(STUDY_DIR, NOT_REGULAR["link"])
    elif (root / STUDY_DIR).is_dir():
        walk(root / STUDY_DIR, False)
    return files, problems


def study_files(root: Path) -> list[Path]:
    """The study files in name order (see `scan` for what is refused)."""
    return scan(root)[0]


@dataclass
class Dataset:
    root: Path
    problems: list[Problem] = field(default_factory=list)
    review: Review | None = None
    studies: list[Study] = field(default_factory=list)
    reconciliation: Reconciliation | None = None
    review_doc: Document | None = None
    study_docs: dict[str, Document] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def _encode(doc: Document | None, read: list[Problem], checked: list[Problem]) -> dict:
    """A reading as the cache keeps it: the problems and the data (the places of values are found again from the
    file's bytes when a problem needs them; see loader.Document)."""
    problems = lambda found: [[p.path, p.line, p.column, p.severity, p.message] for p in found]  # noqa: E731
    return {"read": problems(read), "checked": problems(checked), "doc": None if doc is None else {"data": doc.data}}


def _problems(rows, path: str) -> list[Problem] | None:
    if not isinstance(rows, list):
        return None
    found = []
    for row in rows:
        if not (
            isinstance(row, list)
            and len(row) == 5
            and row[0] == path
            and row[3] in (ERROR, WARNING)
            and all(isinstance(x, int) and not isinstance(x, bool) for x in row[1:3])
            and isinstance(row[4], str)
        ):
            return None
        found.append(Problem(*row))
    return found


Reading = tuple[Document | None, list[Problem], list[Problem]]  # (document, reading problems, schema problems)


def _decode(value: object, path: str, raw: bytes) -> Reading | None:
    """A cached reading of the file whose bytes are `raw`, checked field by field; None when anything is out of
    shape."""
    if not isinstance(value, dict) or set(value) != {"read", "checked", "doc"}:
        return None
    read, checked = _problems(value["read"], path), _problems(value["checked"], path)
    if read is None or checked is None:
        return None
    stored = value["doc"]
    if stored is None:
        return None, read, checked
    if not isinstance(stored, dict) or set(stored) != {"data"} or not isinstance(stored["data"], dict):
        return None
    return Document(path, stored["data"], source=raw), read, checked


def _check(job: tuple[str, bytes, str]) -> dict:
    """Read and validate one file's bytes; the reading as `_encode` gives it (in a worker process when many)."""
    path, raw, schema = job
    doc, read = read_bytes(raw, path)
    checked = schema_problems(doc, schema) if doc is not None else []
    return _encode(doc, read, checked)


def _check_many(jobs: list[tuple[str, bytes, str]]) -> list[dict]:
    """`_check` of each file, on every core when there are many (~1 ms each)."""
    if len(jobs) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        return [_check(job) for job in jobs]
    with ProcessPoolExecutor(max_workers=os.cpu_count(), mp_context=get_context("fork")) as pool:
        return list(pool.map(_check, jobs, chunksize=64))


def _cached(space, parts: list, path: str, raw: bytes) -> Reading | None:
    """The cached reading of these bytes, decoded (once) as the cache checks it; None on a miss."""
    decoded: list[Reading | None] = []

    def valid(value) -> bool:
        decoded.append(_decode(value, path, raw))
        return decoded[-1] is not None

    return decoded[-1] if space.get(parts, valid) is not None else None


def _read_all(space, files: list[tuple[Path, str, str]]) -> list[Reading]:
    """(document, reading problems, schema problems) of each (file, path, schema): from the cache for bytes read
    before, else read and validated (in worker processes when there are many)."""
    readings: list[Reading | None] = []
    jobs: list[tuple[int, list, tuple[str, bytes, str]]] = []
    for file, path, schema in files:
        raw, refused = read_regular(file, path)
        if raw is None:
            readings.append((None, refused, []))
            continue
        parts = [path, schema, hashlib.sha256(raw).hexdigest()]
        cached = _cached(space, parts, path, raw)
        if cached is None:
            jobs.append((len(readings), parts, (path, raw, schema)))
        readings.append(cached)
    for (index, parts, (path, raw, _)), value in zip(jobs, _check_many([job for _, _, job in jobs])):
        space.put(parts, value)
        readings[index] = _decode(value, path, raw)
    return readings


def _version() -> str:
    here = Path(__file__).resolve().parent
    return fingerprint(
        here / "loader.py",
        here / "schema.py",
        here / "problems.py",
        here / "dataset.py",
        *sorted(SCHEMA_DIR.glob("*.json")),
    )


def load(root: Path, cache: Cache | None = None) -> Dataset:
    """Read, validate and cross-check everything; never raises for bad data.

    With a cache, files whose bytes were read before are not parsed or validated again.
    """
    dataset = Dataset(root)
    problems = dataset.problems
    space = (cache or Cache(None)).namespace("documents", _version())
    files, refused = scan(root)
    readings = _read_all(
        space,
        [(root / REVIEW_FILE, REVIEW_FILE, "review"), *((file, f"{STUDY_DIR}/{file.name}", "study") for file in files)],
    )
    review_doc, found, invalid = readings[0]
    problems += found + invalid
    if invalid:
        review_doc = None
    problems += refused
    docs: list[Document] = []
    valid: list[Document] = []
    for doc, found, invalid in readings[1:]:
        problems += found + invalid
        if doc is None:
            continue
        docs.append(doc)
        if not invalid:
            valid.append(doc)
    space.save()
    if review_doc is not None:
        problems += rules.all_problems(review_doc, docs)
    else:
        problems += rules.id_matches_file_name(docs)
        problems += rules.ids_unique(docs)
        problems += rules.dois_unique(docs)
    if review_doc is None or not dataset.ok:
        dataset.problems = sorted(set(problems))
        return dataset
    dataset.review_doc = review_doc
    dataset.review = review_from(review_doc.data)
    dataset.studies = passages.with_trends(
        dataset.review, with_origins(dataset.review, [study_from(doc.data, doc.path) for doc in valid])
    )
    dataset.study_docs = {doc.data["id"]: doc for doc in valid}
    dataset.reconciliation = reconcile(dataset.review, dataset.studies)
    problems += as_problems(dataset.reconciliation, dataset.review, review_doc, dataset.study_docs, dataset.studies)
    dataset.problems = sorted(set(problems))
    return dataset
