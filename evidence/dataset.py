"""Load and check the whole evidence base: review.yml and studies/*.yml."""
from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import rules
from .loader import Document, read_file
from .models import Review, Study, review_from, study_from
from .problems import Problem
from .reconcile import Reconciliation, as_problems, reconcile
from .schema import SCHEMA_DIR, schema_problems
from .writer import replace_file

REVIEW_FILE = "review.yml"
STUDY_DIR = "studies"


def study_files(root: Path) -> list[Path]:
    """Study files in name order; files whose name starts with `_` (the template) are skipped."""
    return sorted(p for p in (root / STUDY_DIR).glob("*.yml") if not p.name.startswith("_"))


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


class _Cache:
    """Documents already read and validated, by file content: a file that did not change is not parsed again.

    Kept in one pickle under .cache/ (safe to delete); entries carry a fingerprint of
    the reader, the schema code and the schema files, so a change to any of them
    invalidates every entry.
    """

    def __init__(self, folder: Path | None, root: Path):
        self.root = root
        self.file = folder / "documents.pickle" if folder else None
        self.entries: dict = {}
        self.used: dict = {}
        if self.file:
            try:
                with self.file.open("rb") as handle:
                    stored = pickle.load(handle)
                if stored.get("fingerprint") == _fingerprint():
                    self.entries = stored["entries"]
            except Exception:  # a damaged or old cache is simply rebuilt
                self.entries = {}

    def read(self, file: Path, path: str, schema: str) -> tuple[Document | None, list[Problem], list[Problem]]:
        """(document, reading problems, schema problems) of one file."""
        try:
            digest = hashlib.sha256(file.read_bytes()).digest()
        except OSError:
            digest = None
        entry = self.entries.get(path)
        if digest is not None and entry and entry[0] == digest:
            self.used[path] = entry
            return entry[1], entry[2], entry[3]
        doc, read = read_file(file, self.root)
        checked = schema_problems(doc, schema) if doc is not None else []
        if digest is not None:
            self.used[path] = (digest, doc, read, checked)
        return doc, read, checked

    def save(self) -> None:
        if not self.file or self.used == self.entries:
            return
        try:
            replace_file(self.file, pickle.dumps({"fingerprint": _fingerprint(), "entries": self.used},
                                                 protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass


@lru_cache(maxsize=1)
def _fingerprint() -> str:
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for part in [here / "loader.py", here / "schema.py", here / "problems.py", *sorted(SCHEMA_DIR.glob("*.json"))]:
        digest.update(part.read_bytes())
    return digest.hexdigest()


def load(root: Path, cache_dir: Path | None = None) -> Dataset:
    """Read, validate and cross-check everything; never raises for bad data.

    With `cache_dir`, files whose content did not change since the last run are
    not parsed or validated again.
    """
    dataset = Dataset(root)
    problems = dataset.problems
    cache = _Cache(cache_dir, root)
    review_doc, found, invalid = cache.read(root / REVIEW_FILE, REVIEW_FILE, "review")
    problems += found + invalid
    if invalid:
        review_doc = None
    docs: list[Document] = []
    valid: list[Document] = []
    for file in study_files(root):
        doc, found, invalid = cache.read(file, f"{STUDY_DIR}/{file.name}", "study")
        problems += found + invalid
        if doc is None:
            continue
        docs.append(doc)
        if not invalid:
            valid.append(doc)
    cache.save()
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
    dataset.studies = [study_from(doc.data, doc.path) for doc in valid]
    dataset.study_docs = {doc.data["id"]: doc for doc in valid}
    dataset.reconciliation = reconcile(dataset.review, dataset.studies)
    problems += as_problems(dataset.reconciliation, dataset.review, review_doc, dataset.study_docs, dataset.studies)
    dataset.problems = sorted(set(problems))
    return dataset
