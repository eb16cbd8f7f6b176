"""Load and check the whole evidence base: review.yml and studies/*.yml."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
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

    def walk(folder: Path, nested: bool) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            refuse(relative(folder, root), f"cannot list the folder: {exc.strerror or exc}")
            return
        if nested and not entries:
            refuse(relative(folder, root), NOT_REGULAR["folder"])
        for entry in entries:
            path = relative(Path(entry.path), root)
            if entry.is_symlink():
                refuse(path, NOT_REGULAR["link"])
            elif entry.is_dir(follow_symlinks=False):
                walk(Path(entry.path), True)
            elif not entry.is_file(follow_symlinks=False):
                refuse(path, NOT_REGULAR["other"])
            elif nested:
                refuse(path, f"is in a sub-folder; study files go directly in {STUDY_DIR}/ as <id>.yml")
            elif entry.name.startswith(TEMPLATE_PREFIX) and entry.name.endswith(".yml"):
                continue
            elif not entry.name.endswith(".yml"):
                suffix = Path(entry.name).suffix
                hint = (
                    "rename it to end in .yml"
                    if suffix.lower() in (".yml", ".yaml")
                    else "remove it or move it out of studies/"
                )
                refuse(path, f"is not a study file (study files are named <id>.yml); {hint}")
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
    problems = lambda found: [[p.path, p.line, p.column, p.severity, p.message] for p in found]  # noqa: E731
    encoded = {"read": problems(read), "checked": problems(checked), "doc": None}
    if doc is not None:
        encoded["doc"] = {
            "data": doc.data,
            "positions": [[list(k), *v] for k, v in doc.positions.items()],
            "keys": [[list(k), *v] for k, v in doc.key_positions.items()],
        }
    return encoded


def _positions(rows) -> dict | None:
    if not isinstance(rows, list):
        return None
    table = {}
    for row in rows:
        if not (
            isinstance(row, list)
            and len(row) == 3
            and isinstance(row[0], list)
            and all(isinstance(x, int) and not isinstance(x, bool) for x in row[1:])
            and all(isinstance(p, (str, int)) and not isinstance(p, bool) for p in row[0])
        ):
            return None
        table[tuple(row[0])] = (row[1], row[2])
    return table


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


def _decode(value: object, path: str) -> tuple[Document | None, list[Problem], list[Problem]] | None:
    """A cached reading, checked field by field; None when anything is out of shape."""
    if not isinstance(value, dict) or set(value) != {"read", "checked", "doc"}:
        return None
    read, checked = _problems(value["read"], path), _problems(value["checked"], path)
    if read is None or checked is None:
        return None
    stored = value["doc"]
    if stored is None:
        return None, read, checked
    if not isinstance(stored, dict) or not isinstance(stored.get("data"), dict):
        return None
    positions, keys = _positions(stored.get("positions")), _positions(stored.get("keys"))
    if positions is None or keys is None:
        return None
    return Document(path, stored["data"], positions, keys), read, checked


def _read(space, file: Path, path: str, schema: str) -> tuple[Document | None, list[Problem], list[Problem]]:
    """(document, reading problems, schema problems) of one file, from the cache when its bytes were seen."""
    raw, refused = read_regular(file, path)
    if raw is None:
        return None, refused, []
    parts = [path, schema, hashlib.sha256(raw).hexdigest()]
    cached = space.get(parts, lambda value: _decode(value, path) is not None)
    if cached is not None:
        return _decode(cached, path)
    doc, read = read_bytes(raw, path)
    checked = schema_problems(doc, schema) if doc is not None else []
    space.put(parts, _encode(doc, read, checked))
    return doc, read, checked


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
    review_doc, found, invalid = _read(space, root / REVIEW_FILE, REVIEW_FILE, "review")
    problems += found + invalid
    if invalid:
        review_doc = None
    files, refused = scan(root)
    problems += refused
    docs: list[Document] = []
    valid: list[Document] = []
    for file in files:
        doc, found, invalid = _read(space, file, f"{STUDY_DIR}/{file.name}", "study")
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
