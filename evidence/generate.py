"""Write every generated page, chart and download under docs/."""
from __future__ import annotations

from pathlib import Path

import yaml

from . import (checklist_page, checks_page, downloads, fields_page, findings, reference_page, review_pages, study_pages,
               trends)
from .context import Context
from .dataset import Dataset
from .writer import Writer

DOCS = "docs"
# Everything below is generated and ignored by git; every other file under docs/ is written by hand.
GENERATED_FOLDERS = ["studies", "trends", "data", "assets/charts"]
GENERATED_FILES = ["index.md", "findings.md", "charts.md", "method.md", "prisma.md", "conclusions.md",
                   "references.md", "checks.md", "fields.md", "data.md", "checklist.md"]
MODULES = [review_pages, findings, study_pages, trends, reference_page, checks_page, fields_page, checklist_page,
           downloads]


def site_settings(root: Path) -> tuple[str | None, str | None]:
    """repo_url and the base of "edit" links, read from mkdocs.yml."""
    try:
        config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return None, None
    repo = config.get("repo_url")
    if not repo:
        return None, None
    branch = (config.get("edit_uri") or "edit/main/").strip("/").split("/")[:2]
    return repo.rstrip("/"), f"{repo.rstrip('/')}/{'/'.join(branch)}"


def generate(dataset: Dataset, cache_dir: Path | None = None) -> Writer:
    """Write the generated files of a checked dataset; unchanged files are left alone."""
    root = dataset.root
    repo_url, edit_base = site_settings(root)
    cache = cache_dir if cache_dir is not None else root / ".cache"
    ctx = Context(dataset.review, dataset.studies, dataset.reconciliation, repo_url, edit_base, cache)
    writer = Writer(root / DOCS, cache / "pages.json")
    for module in MODULES:
        module.write(writer, ctx)
    writer.remove_stale(GENERATED_FOLDERS, GENERATED_FILES)
    writer.save_manifest()
    return writer
