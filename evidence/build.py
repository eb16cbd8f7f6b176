"""Build the site with MkDocs into a staging folder, then put it in place of site/.

Only one build runs in a repository at a time (a lock file); a build that finds another
running stops with a message. Staging folders left by an interrupted build are removed
by the next one. `site/` is changed only after every edition built: a failure before that
leaves it as it was (one while the files of an incremental build are moved in, which only a
failing file system can cause, leaves a site/ that the next build builds again from nothing).

One MkDocs process, started by `start` before the pages are generated so that it is ready when they are
(evidence/mkdocs_runner.py), builds each edition in a process of its own as soon as `Build.go` says that
edition's pages are written, while the other edition's may still be being written. A build is incremental
when it can be: when site/ is exactly as the last build left it, and nothing that shows on every page
changed since (the code, templates, theme, configuration, hand-written pages, catalogue, the
footer's date; see `layout_key`), MkDocs builds with --dirty into an empty staging folder,
writing only the pages whose source the generator rewrote, the navigation's pages and what is
written every time (evidence/mkdocs_hooks.py decides against site/, and lists every file the
edition now has). Those files are then moved into site/, each in place of the previous one (a
new file: site/ is never written into), and what site/ has besides is removed (`_overlay`).
Otherwise, and always with `build --clean`, it builds from nothing and swaps the result for site/.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from .i18n import EDITIONS, edition

SITE = "site"
LOCK = ".site.lock"
STAGING = (".site-new-", ".site-old-")
# An incremental build of an edition: the folder of the previous site it builds over (an environment variable of
# its MkDocs process), and the file in which it lists every file the edition now has (a dot-file: never a site's
# file, as MkDocs leaves them out); what the previous site has besides is stale.
PREVIOUS_SITE = "EVIDENCE_PREVIOUS_SITE"
KEPT = ".kept.json"


class BuildError(Exception):
    """A build that cannot go on, with the one line that says why."""


def source_date_epoch(root: Path) -> str:
    """The last commit's time, so that two builds of one commit are identical; else the caller's or 0."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%ct"], capture_output=True, text=True, timeout=30
        )
        if out.returncode == 0 and out.stdout.strip().isdigit():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return "0"


def mkdocs_env(root: Path) -> dict:
    env = dict(os.environ)
    env["NO_MKDOCS_2_WARNING"] = "1"
    env["SOURCE_DATE_EPOCH"] = source_date_epoch(root)
    env["PYTHONHASHSEED"] = "0"
    return env


@contextmanager
def exclusive(root: Path):
    """Hold the repository's build lock; BuildError when another build holds it."""
    try:
        handle = open(root / LOCK, "a+b")
    except OSError as exc:
        raise BuildError(f"cannot create {LOCK} in {root}: {exc.strerror or exc}") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise BuildError("another build is running in this folder; wait for it to finish") from None
            raise
        try:
            _remove_leftovers(root)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_leftovers(root: Path) -> None:
    """Staging folders of a build that was interrupted (no other build runs: the lock is held)."""
    for entry in root.iterdir():
        if entry.name.startswith(STAGING) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)


def _ordinary(folder: Path) -> None:
    """The permissions of a folder made by mkdir: mkdtemp makes 0700, which a web server could not read."""
    mask = os.umask(0)
    os.umask(mask)
    folder.chmod(0o777 & ~mask)


_WARNING = re.compile(r"^(?:WARNING|ERROR)\b.*", re.MULTILINE)


def start(root: Path) -> subprocess.Popen:
    """Start the editions' `mkdocs build --strict` (evidence/mkdocs_runner.py), which gets ready (imports, compiled
    templates) while docs/ is written, and builds each edition when `_go` tells it where; `stop` ends it if it is
    never told."""
    env = mkdocs_env(root)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(Path(__file__).resolve().parent.parent), env.get("PYTHONPATH")])
    )
    return _runner(root, [e.config for e in EDITIONS], env)


def _runner(root: Path, configs: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "evidence.mkdocs_runner", *[str(root / config) for config in configs]],
        cwd=root,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its builds are in its process group, which `stop` ends whole
    )


def stop(process: subprocess.Popen) -> None:
    """End the builds `start` started if they are still running (the editions' builds it forked with it), and close
    their pipes."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _end_input(process)
    if process.stdout and not process.stdout.closed:  # not read to its end by `_finish`
        process.communicate()


def _end_input(process: subprocess.Popen) -> None:
    """Close what the builds read their jobs from (no more jobs), if it is open; `communicate` then only reads."""
    if process.stdin and not process.stdin.closed:
        try:
            process.stdin.close()
        except BrokenPipeError:  # it stopped while getting ready: `_finish` says why
            pass
    process.stdin = None


def _go(process: subprocess.Popen, edition: int, staging: Path, previous: Path | None) -> None:
    """Tell the started builds where to build an edition (its place in EDITIONS), incremental over its `previous`
    site when there is one."""
    job = {"edition": edition, "site_dir": str(staging), "previous": str(previous) if previous else None}
    try:
        process.stdin.write(json.dumps(job) + "\n")
        process.stdin.flush()
    except BrokenPipeError:  # it stopped while getting ready: `_finish` says why
        pass


def _finish(process: subprocess.Popen) -> None:
    """Wait for the editions' builds; BuildError with every warning of the first edition whose build had any."""
    _end_input(process)
    output, _ = process.communicate()
    results = {}
    for line in output.splitlines():
        try:
            result = json.loads(line)
            results[result["edition"]] = result
        except (ValueError, TypeError, KeyError):  # the runner's own words (it failed before any build)
            continue
    for index, e in enumerate(EDITIONS):
        result = results.get(index, {"code": process.returncode or 1, "output": output})
        warnings = _WARNING.findall(result["output"])
        if result["code"] != 0 or warnings:
            last = [line for line in result["output"].splitlines() if line.strip()][-1:]
            sys.stderr.write("".join(f"{line}\n" for line in warnings or last))
            raise BuildError(
                f"mkdocs build -f {e.config} failed ({len(warnings)} warning{'s' * (len(warnings) != 1)} in strict"
                " mode); fix them"
            )


def _swap(root: Path, staging: Path) -> None:
    """Put the new site in place of site/, whole or not at all."""
    target = root / SITE
    old = None
    try:
        if target.exists() or target.is_symlink():
            old = Path(tempfile.mkdtemp(prefix=STAGING[1], dir=root))
            os.replace(target, old / SITE)
        try:
            os.replace(staging, target)
        except OSError:
            if old:
                os.replace(old / SITE, target)
            raise
    except OSError as exc:
        raise BuildError(f"cannot replace {SITE}/: {exc.strerror or exc}") from None
    finally:
        if old and target.exists():  # the new site, or the old one put back: the folder is not needed
            shutil.rmtree(old, ignore_errors=True)


# What shows on every page besides the page itself: a change to any of these makes the next build a clean one.
LAYOUT = ["evidence", "templates", "overrides", "locale", "schema", "mkdocs.yml", "requirements.txt"]
DATA = ["review.yml", "studies"]
ENVIRONMENT = ["SITE_URL", "REPO_URL"]


def _digest_files(root: Path, names: list[str]) -> str:
    """A digest of the files under `names` (paths relative to root, in order; under a folder, in the order of their
    paths' parts; a folder's links to folders are followed, __pycache__ folders left out)."""
    digest = hashlib.sha256()
    for name in names:
        start = os.path.join(root, name)
        if os.path.isfile(start):
            paths = [name]
        else:  # os.walk, not Path.rglob: three times quicker over the 5,000 files of studies/
            paths = []
            for folder, folders, files in os.walk(start, followlinks=True):
                folders[:] = [f for f in folders if f != "__pycache__"]
                prefix = os.path.relpath(folder, root).replace(os.sep, "/") + "/"
                paths += [prefix + f for f in files if os.path.isfile(os.path.join(folder, f))]
            paths.sort(key=lambda path: path.split("/"))
        for path in paths:
            with open(os.path.join(root, path), "rb") as handle:
                digest.update(path.encode() + b"\0" + handle.read() + b"\0")
    return digest.hexdigest()


def _hand_written(root: Path) -> list[str]:
    """The pages under docs/ that nothing generates (about.md, benchmarks.md), and the editions' configs."""
    from .generate import DOCS, GENERATED_FILES, GENERATED_FOLDERS, generated

    folders, files = generated(GENERATED_FOLDERS, GENERATED_FILES)
    docs = root / DOCS
    made, skipped = set(files), set(folders)
    paths = []
    for folder, dirs, names in os.walk(docs):
        relative = Path(folder).relative_to(docs).as_posix().removeprefix(".").lstrip("/")
        dirs[:] = sorted(d for d in dirs if f"{relative}/{d}".lstrip("/") not in skipped)
        paths += [f"{DOCS}/{relative}/{n}".replace("//", "/") for n in sorted(names)]
    return [p for p in paths if p.removeprefix(f"{DOCS}/") not in made] + [e.config for e in EDITIONS]


def _key(*parts) -> str:
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def sources(root: Path) -> tuple[str, str]:
    """Digests of what a build is made from: what every page shows (code, templates, theme, catalogue, schemas,
    configuration, hand-written pages, the environment it reads), and the data."""
    layout = _digest_files(root, LAYOUT + _hand_written(root))
    return _key(layout, [os.environ.get(name, "") for name in ENVIRONMENT]), _digest_files(root, DATA)


def inputs_key(layout: str, data: str, root: Path) -> str:
    """Everything a build is made from, as one digest: `sources`, and the commit's date."""
    return _key(layout, data, source_date_epoch(root))


def layout_key(layout: str, footer: object) -> str:
    """What every page shows besides itself: the layout's digest (`sources`) and the footer's as-of date."""
    return _key(layout, repr(footer))


def site_files(site: Path) -> dict[str, tuple[int, int]]:
    """Every file under site/ (a link counts as a file), by its path there: its size and modification time."""
    found = {}
    folders = [("", str(site))]
    while folders:  # os.scandir, not os.walk: five times quicker over the ten thousand folders of 5,000 studies
        prefix, folder = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((prefix + entry.name + "/", entry.path))
                else:
                    stat = entry.stat(follow_symlinks=False)
                    found[prefix + entry.name] = (stat.st_size, stat.st_mtime_ns)
    return found


def _digest(files: dict[str, tuple[int, int]]) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        size, mtime = files[path]
        digest.update(f"{path}\0{size}\0{mtime}\0".encode())
    return digest.hexdigest()


def listing(site: Path) -> str | None:
    """A digest of every file's path, size and modification time under site/ (None when there is no site)."""
    return _digest(site_files(site)) if site.is_dir() else None


def _overlay(staging: Path, target: Path, files: dict[str, tuple[int, int]]) -> None:
    """Lay an incremental build over site/: move each file of `staging` into site/, in place of the file of that
    name (a new file: a hard link kept to the previous one keeps its content), then remove what site/ has and no
    edition listed in its KEPT file (the pages of deleted or renamed studies), and the folders that leaves empty.
    `files` (`site_files` of site/) is kept up to date."""
    kept = set()
    for e in EDITIONS:
        record = staging / e.path / KEPT
        kept |= {e.path + path for path in json.loads(record.read_text(encoding="utf-8"))}
        record.unlink()
    stale = [path for path in files if path not in kept]
    for folder, _, names in os.walk(staging):
        relative = os.path.relpath(folder, staging)
        prefix = "" if relative == "." else relative + "/"
        if names:
            os.makedirs(target / prefix, exist_ok=True)
        for name in names:
            stat = os.lstat(os.path.join(folder, name))
            os.replace(os.path.join(folder, name), target / (prefix + name))
            files[prefix + name] = (stat.st_size, stat.st_mtime_ns)
    emptied = set()
    for path in stale:
        (target / path).unlink(missing_ok=True)
        files.pop(path, None)
        emptied.update(Path(path).parents)
    for folder in sorted(emptied, key=lambda p: len(p.parts), reverse=True):  # deepest first; not site/ itself
        if folder.parts and not os.listdir(target / folder):
            os.rmdir(target / folder)


class Build:
    """One build of the site with MkDocs, --strict, into new folders; site/ is changed by `finish`, and only if every
    edition built. Incremental over site/ when `previous` (what `finish` returned last time) has this `layout` and
    site/ is as that build left it; clean otherwise. `runner` is the editions' builds, started by `start`. Each
    edition is built when `go` tells it its pages are written (the others may still be being written). Raises
    BuildError; the staging folders are removed by `finish` or `discard`.

    The caller holds the lock (see `exclusive`).
    """

    def __init__(self, root: Path, layout: str, previous: dict | None, runner: subprocess.Popen):
        self.root, self.layout, self.runner = root, layout, runner
        self.target = root / SITE
        same_layout = layout and previous and previous.get("layout") == layout and self.target.is_dir()
        self.files = site_files(self.target) if same_layout else {}
        self.dirty = bool(same_layout and previous.get("listing") == _digest(self.files))
        self.folders: list[Path] = []
        try:
            for _ in range(1 if self.dirty else len(EDITIONS)):  # a clean build empties the folder it builds into
                self.folders.append(Path(tempfile.mkdtemp(prefix=STAGING[0], dir=root)))
                _ordinary(self.folders[-1])
            if self.dirty:
                self.places = [self.folders[0] / e.path for e in EDITIONS]
                for place in self.places:
                    place.mkdir(exist_ok=True)
            else:
                self.places = list(self.folders)
        except OSError as exc:
            self.discard()
            raise BuildError(f"cannot create a staging folder in {root}: {exc.strerror or exc}") from None

    def go(self, edition) -> None:
        """Build one edition (of EDITIONS), whose pages are all written under docs/."""
        index = EDITIONS.index(edition)
        _go(self.runner, index, self.places[index], self.target / edition.path if self.dirty else None)

    def finish(self) -> dict:
        """Wait for the editions' builds, then put them in place of site/; what the next build compares with."""
        staging = self.folders[0]
        try:
            _finish(self.runner)
            if self.dirty:
                try:
                    _overlay(staging, self.target, self.files)
                except OSError as exc:  # site/ no longer as the last build left it: the next build is a clean one
                    raise BuildError(f"cannot move the new files into {SITE}/: {exc.strerror or exc}") from None
            else:
                for edition, place in zip(EDITIONS[1:], self.places[1:], strict=True):
                    os.replace(place, staging / edition.path.rstrip("/"))
                _swap(self.root, staging)
        except OSError as exc:
            raise BuildError(f"cannot build into {staging.name}: {exc.strerror or exc}") from None
        finally:
            self.discard()
        listing_ = _digest(self.files) if self.dirty else listing(self.target)
        return {"layout": self.layout, "listing": listing_, "dirty": self.dirty}

    def discard(self) -> None:
        """Remove the staging folders (those `finish` moved are gone already)."""
        for folder in self.folders:
            if folder.exists():
                shutil.rmtree(folder, ignore_errors=True)


# What the generator reads: a change here regenerates the pages under docs/, which MkDocs, watching docs/, rebuilds.
SOURCES = ["studies", "review.yml", "templates", "schema", "locale"]


def serve(root: Path, address: str, lang: str, regenerate) -> int:
    """Preview one edition with live reload: `mkdocs serve`, and beside it a watch on the generator's sources
    that calls `regenerate()` once per change (edits within half a second count as one). Regenerating writes
    only the files whose content changed; MkDocs sees them and rebuilds once, and the browser reloads once."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    changed = threading.Event()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            if (
                event.event_type in ("created", "modified", "moved", "deleted")  # not "opened", "closed": reads
                and not event.is_directory
                and not os.path.basename(event.src_path).startswith(".")
            ):
                changed.set()

    observer = Observer()
    for name in SOURCES:
        path = root / name
        if path.exists():
            observer.schedule(Handler(), str(path if path.is_dir() else root), recursive=path.is_dir())
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-f", str(root / edition(lang).config), "-a", address],
        cwd=root,
        env=mkdocs_env(root),
    )
    observer.start()
    signal.signal(signal.SIGTERM, _stop)  # stopped from outside: stop MkDocs too (see finally)
    try:
        while process.poll() is None:
            if changed.wait(0.5):
                time.sleep(0.5)
                changed.clear()
                regenerate()
    except KeyboardInterrupt:
        pass
    finally:
        observer.stop()
        if process.poll() is None:
            process.terminate()
        process.wait()
    return process.returncode


def _stop(signum, frame):
    raise KeyboardInterrupt
