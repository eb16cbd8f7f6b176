"""Write every generated page, chart and download under docs/: each edition's pages under docs/<lang>/ (see
i18n), and the downloads, which are language-neutral, once, in the default edition's data/."""

from __future__ import annotations

from pathlib import Path

import yaml
from yaml_env_tag import construct_env_tag

from . import (
    checklist_page,
    checks_page,
    downloads,
    feed,
    fields_page,
    findings,
    reference_page,
    review_pages,
    study_pages,
    trends,
    whats_new,
)
from .as_of import as_of
from .cache import Cache
from .context import DEFAULT_SITE_URL, Context
from .dataset import Dataset
from .i18n import EDITIONS
from .writer import Writer

DOCS = "docs"
# Everything below is generated in each edition's folder (docs/es/, docs/en/) and ignored by git; every other
# file there (about.md, benchmarks.md) is written by hand. references/ holds the reference list's pages after the
# first; findings.json, checks.json and trends/*.json the indexes of long tables (see lists.py).
GENERATED_FOLDERS = ["studies", "trends", "references", "data", "assets/charts"]
GENERATED_FILES = [
    "index.md",
    "findings.md",
    "findings.json",
    "charts.md",
    "method.md",
    "prisma.md",
    "conclusions.md",
    "references.md",
    "checks.md",
    "checks.json",
    "fields.md",
    "data.md",
    "checklist.md",
    "whats-new.md",
    "feed.xml",
]
MODULES = [
    review_pages,
    findings,
    study_pages,
    trends,
    reference_page,
    checks_page,
    fields_page,
    checklist_page,
    whats_new,
    feed,
    downloads,
]


class _ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml as MkDocs reads it: `!ENV` takes a value from the environment."""


_ConfigLoader.add_constructor("!ENV", construct_env_tag)


def _config(root: Path) -> dict:
    try:
        config = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_ConfigLoader) or {}
    except (OSError, yaml.YAMLError):
        return {}
    return config if isinstance(config, dict) else {}


def site_url(root: Path) -> str:
    """The address the site is published at, from mkdocs.yml (`!ENV SITE_URL`), ending in a slash."""
    url = _config(root).get("site_url")
    if not isinstance(url, str) or not url.strip():
        return DEFAULT_SITE_URL
    return url.strip().rstrip("/") + "/"


def site_settings(root: Path) -> tuple[str | None, str | None]:
    """repo_url and the base of "edit" links, from mkdocs.yml (where `!ENV REPO_URL` sets them); None when unset."""
    config = _config(root)
    repo = config.get("repo_url")
    if not isinstance(repo, str) or not repo.strip():
        return None, None
    repo = repo.strip().rstrip("/")
    branch = (config.get("edit_uri") or "edit/main/").strip("/").split("/")[:2]
    return repo, f"{repo}/{'/'.join(branch)}"


def generated(folders: list[str], files: list[str]) -> tuple[list[str], list[str]]:
    """The generated folders and files of every edition, relative to docs/."""
    return (
        [f"{e.lang}/{folder}" for e in EDITIONS for folder in folders],
        [f"{e.lang}/{file}" for e in EDITIONS for file in files],
    )


def generate(dataset: Dataset, cache: Cache | None = None) -> Writer:
    """Write the generated files of a checked dataset, edition by edition; unchanged files are left alone.

    The writer's paths are relative to docs/ (es/findings.md, en/findings.md, es/data/studies.csv)."""
    root = dataset.root
    repo_url, edit_base = site_settings(root)
    cache = cache or Cache(None)
    stamp = as_of(root, dataset.review)
    writer = Writer(root / DOCS, cache.namespace("pages", "pages"))
    for edition in EDITIONS:
        ctx = Context(
            dataset.review,
            dataset.studies,
            dataset.reconciliation,
            repo_url,
            edit_base,
            cache,
            as_of=stamp,
            site_url=site_url(root) + edition.path,
            lang=edition.lang,
        )
        writer.into(f"{edition.lang}/")
        for module in MODULES:
            module.write(writer, ctx)
    writer.remove_stale(*generated(GENERATED_FOLDERS, GENERATED_FILES))
    cache.save()
    return writer
