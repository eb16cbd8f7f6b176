"""Write every generated page, chart and download under docs/: each edition's pages under docs/<lang>/ (see
i18n), and the downloads, which are language-neutral, once, in the default edition's data/."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
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
    references,
    review_pages,
    study_pages,
    trends,
    whats_new,
)
from .as_of import as_of
from .cache import Cache
from .context import DEFAULT_SITE_URL, Context
from .dataset import Dataset
from .i18n import EDITIONS, Edition
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


def generated(folders: list[str], files: list[str], editions: list[Edition] = EDITIONS) -> tuple[list[str], list[str]]:
    """The generated folders and files of the editions (every one unless told), relative to docs/."""
    return (
        [f"{e.lang}/{folder}" for e in editions for folder in folders],
        [f"{e.lang}/{file}" for e in editions for file in files],
    )


PARALLEL_FROM = 200  # studies from which the other editions are written in a process of their own, beside the first
RUN = 100  # study pages of another edition claimed at a time (see _shared_study_pages)


def _write_edition(writer: Writer, ctx: Context, modules: list = MODULES) -> None:
    writer.into(f"{ctx.lang}/")
    for module in modules:
        module.write(writer, ctx)


def _finish_edition(writer: Writer, edition: Edition) -> None:
    """Put an edition's files on disk, and remove those of its generated files that this run did not make."""
    writer.flush()
    writer.remove_stale(*generated(GENERATED_FOLDERS, GENERATED_FILES, [edition]))


def _shared_study_pages(
    writer: Writer, edition: Edition, context: Callable[[Edition], Context], claimed, count: int
) -> None:
    """Write another edition's study pages, RUN at a time, as long as some are left: the process writing that
    edition and this one both take them, each once it has done the rest of its work, so that neither waits for the
    other (`claimed`: the number of the `count` studies taken so far, which both share). The edition's context is
    made only if a run is left."""
    ctx = None
    while True:
        with claimed.get_lock():
            start = claimed.value
            claimed.value += RUN
        if start >= count:
            return
        ctx = ctx or context(edition)
        writer.into(f"{edition.lang}/")
        study_pages.write(writer, ctx, ctx.studies[start : start + RUN])


# What a process forked for another edition starts from: the writer, the cache, how to make a context, the study
# pages of each edition it shares with this one (see _shared_study_pages), and where to tell this process what it
# has done so far.
_FORKED: tuple | None = None


def _other_edition(edition: Edition, with_downloads: bool) -> tuple[list[str], list[str], list[tuple[str, str, dict]]]:
    """Write one edition in a forked process (its study pages shared with the parent: see _shared_study_pages),
    and the downloads first when asked; what it wrote, what it kept, and the cache entries it added to those the
    run had used when it was forked (a dict keeps its keys in the order they were added). It tells the parent when
    the downloads are on disk, with their paths, and when its part of the edition is, with the paths it made
    there."""
    writer, cache, context, claimed, tell = _FORKED
    cache.saving = False  # until the end (see below)
    written = len(writer.written)
    used = {name: len(space.used) for name, space in cache.spaces.items()}
    ctx = context(edition)
    if with_downloads:
        writer.into(f"{EDITIONS[0].lang}/")
        downloads.write_files(writer, ctx)
        writer.flush()
        tell.send(("downloads", None, sorted(writer.kept)))
    _write_edition(writer, ctx, [m for m in MODULES if m is not study_pages])
    _shared_study_pages(writer, edition, lambda edition: ctx, claimed[edition.lang], len(ctx.studies))
    writer.flush()
    tell.send(("ready", edition.lang, sorted(p for p in writer.kept if p.startswith(f"{edition.lang}/"))))
    # A namespace this process opened is its own: it is opened in one process only (an edition's are named after
    # it, the downloads' are made here alone), and saved here. Of the others, the parent saves what this process
    # used with what it used itself; an entry read from the cache's file goes back as its key alone (the parent
    # has it, or reads it from the same file).
    cache.saving = True
    for name, space in cache.spaces.items():
        if name not in used:
            space.save()
    added = [
        (
            space.name,
            space.version,
            {
                key: None if space.stored.get(key) is entry else entry
                for key, entry in islice(space.used.items(), used[name], None)
            },
        )
        for name, space in cache.spaces.items()
        if name in used
    ]
    return writer.written[written:], sorted(writer.kept), added


def _told(heard: Connection, futures: list, told: dict, what: tuple[str, str | None]) -> object:
    """What the forked processes said about `what` (see _other_edition: what was written, and for which edition),
    waiting for it; raises what failed one of them if it ends without saying it."""
    while what not in told:
        if wait([heard], timeout=0.05):
            kind, lang, value = heard.recv()
            told[(kind, lang)] = value
        else:
            for future in futures:
                if future.done():
                    future.result()  # raises what went wrong in it
            if all(future.done() for future in futures) and not heard.poll():
                raise RuntimeError(f"a forked process ended without telling {what}")
    return told[what]


def _in_parallel(dataset: Dataset) -> bool:
    return len(dataset.studies) >= PARALLEL_FROM and (os.cpu_count() or 1) > 1


def generate(
    dataset: Dataset,
    cache: Cache | None = None,
    meanwhile: Callable[[], None] | None = None,
    ready: Callable[[Edition], None] | None = None,
) -> Writer:
    """Write the generated files of a checked dataset, edition by edition; unchanged files are left alone, and the
    generated files a run does not make are removed.

    One after the other, the default edition is written first (its context renders the references, which the others
    find in the cache; its Data page writes the downloads, which are language-neutral, once, in its data/). With
    many studies, each other edition is written in a forked process while this one writes the default edition; the
    first of those processes writes the downloads before its edition, and this one's Data page gives their sizes
    (on a first run, the references are rendered before, once, not in both processes). Both take the other
    editions' study pages, a run at a time, once done with the rest (see _shared_study_pages), and this one removes
    each edition's stale files once all of it is on disk. The files, the writer's record and the cache entries are
    the same either way.

    The caller's `meanwhile` (work that needs no generated file) is called once, before any edition is ready, when
    this process would otherwise wait; `ready(edition)` as soon as an edition's files are all on disk, while the
    others may still be being written.

    The writer's paths are relative to docs/ (es/findings.md, en/findings.md, es/data/studies.csv)."""
    global _FORKED
    root = dataset.root
    repo_url, edit_base = site_settings(root)
    cache = cache or Cache(None)
    stamp = as_of(root, dataset.review)
    url = site_url(root)
    writer = Writer(root / DOCS, cache.namespace("pages", "2"))
    meanwhile = meanwhile or (lambda: None)
    ready = ready or (lambda edition: None)

    def context(edition: Edition) -> Context:
        return Context(
            dataset.review,
            dataset.studies,
            dataset.reconciliation,
            repo_url,
            edit_base,
            cache,
            as_of=stamp,
            site_url=url + edition.path,
            lang=edition.lang,
        )

    first, *others = EDITIONS
    if not (others and _in_parallel(dataset)):
        meanwhile()
        for edition in EDITIONS:
            _write_edition(writer, context(edition))  # the default edition's Data page writes the downloads first
            _finish_edition(writer, edition)
            ready(edition)
        cache.save()
        return writer

    if references.few_cached(dataset.studies, cache):
        references.render_all(dataset.studies, cache)
    heard, tell = get_context("fork").Pipe(duplex=False)
    claimed = {edition.lang: get_context("fork").Value("i", 0) for edition in others}
    _FORKED = (writer, cache, context, claimed, tell)
    # What each namespace held when the other processes were forked: this one may save some meanwhile.
    stored = {name: space.stored for name, space in cache.spaces.items()}
    # The objects made so far (the dataset, the cache's entries: millions) are kept out of the garbage collector's
    # full passes while the editions are written, in this process and the forked ones: such a pass, which goes
    # over every object, came twice in each edition, 0.15 s at 5,000 studies, and touched every page of memory
    # the processes share.
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=len(others), mp_context=get_context("fork")) as pool:
            futures = [pool.submit(_other_edition, edition, n == 0) for n, edition in enumerate(others)]
            told: dict = {}
            ctx = context(first)
            _write_edition(writer, ctx, [m for m in MODULES if m is not downloads])
            for edition in others:
                _shared_study_pages(writer, edition, context, claimed[edition.lang], len(dataset.studies))
            writer.into(f"{first.lang}/")
            writer.kept.update(_told(heard, futures, told, ("downloads", None)))
            downloads.write(writer, ctx)  # the Data page, with the sizes of the downloads the other process wrote
            _finish_edition(writer, first)  # (and the other editions' study pages this process wrote)
            meanwhile()
            ready(first)
            for edition in others:
                writer.kept.update(_told(heard, futures, told, ("ready", edition.lang)))
                _finish_edition(writer, edition)  # (its files are on disk: this removes its stale ones)
                ready(edition)
            results = [future.result() for future in futures]
    finally:
        _FORKED = None
        heard.close()
        tell.close()
        gc.unfreeze()
    for written, kept, spaces in results:
        writer.written += written
        writer.kept.update(kept)
        for name, version, used in spaces:
            space = cache.namespace(name, version)
            read = stored[name]  # its entries when the other processes were forked (this one may have saved since)
            for key, entry in used.items():
                entry = read.get(key) if entry is None else entry
                if entry is not None:  # (else the file changed meanwhile: an entry less, made again next time)
                    space.used[key] = entry
    cache.save()
    return writer
