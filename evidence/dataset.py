"""Load and check the whole evidence base: review.yml and studies/*.yml."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import rules
from .loader import Document, read_file
from .models import Review, Study, review_from, study_from
from .problems import Problem
from .reconcile import Reconciliation, as_problems, reconcile
from .schema import schema_problems

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


def load(root: Path) -> Dataset:
    """Read, validate and cross-check everything; never raises for bad data."""
    dataset = Dataset(root)
    problems = dataset.problems
    review_doc, found = read_file(root / REVIEW_FILE, root)
    problems += found
    if review_doc is not None:
        found = schema_problems(review_doc, "review")
        problems += found
        if found:
            review_doc = None
    docs: list[Document] = []
    valid: list[Document] = []
    for file in study_files(root):
        doc, found = read_file(file, root)
        problems += found
        if doc is None:
            continue
        docs.append(doc)
        found = schema_problems(doc, "study")
        problems += found
        if not found:
            valid.append(doc)
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
