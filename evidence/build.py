"""Build the site with MkDocs into a staging folder, then swap it into place.

Only one build runs in a repository at a time (a lock file); a build that finds another
running stops with a message. Staging folders left by an interrupted build are removed
by the next one. `site/` is replaced only by a complete build: a failure at any step
leaves it as it was.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .i18n import DEFAULT, EDITIONS, edition

SITE = "site"
LOCK = ".site.lock"
STAGING = (".site-new-", ".site-old-")


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


def _mkdocs(root: Path, config: str, staging: Path) -> None:
    """mkdocs build --strict of one edition into `staging`; BuildError with every warning when there is any."""
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / config), "-d", str(staging)],
        cwd=root,
        env=mkdocs_env(root),
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    warnings = _WARNING.findall(output)
    if result.returncode != 0 or warnings:
        last = [line for line in output.splitlines() if line.strip()][-1:]
        sys.stderr.write("".join(f"{line}\n" for line in warnings or last))
        raise BuildError(
            f"mkdocs build -f {config} failed ({len(warnings)} warning{'s' * (len(warnings) != 1)} in strict mode);"
            " fix them"
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


def build_site(root: Path) -> None:
    """mkdocs build --strict into a new folder; replace site/ only if it succeeded. Raises BuildError.

    The caller holds the lock (see `exclusive`).
    """
    try:
        staging = Path(tempfile.mkdtemp(prefix=STAGING[0], dir=root))
    except OSError as exc:
        raise BuildError(f"cannot create a staging folder in {root}: {exc.strerror or exc}") from None
    try:
        _ordinary(staging)
        for edition in EDITIONS:  # the default edition first: MkDocs empties the folder it builds into
            _mkdocs(root, edition.config, staging / edition.path)
        _swap(root, staging)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def serve(root: Path, address: str, lang: str = DEFAULT.lang) -> int:
    """Preview one edition with live reload (the default one unless `lang` says otherwise)."""
    return subprocess.call(
        [sys.executable, "-m", "mkdocs", "serve", "-f", str(root / edition(lang).config), "-a", address],
        cwd=root,
        env=mkdocs_env(root),
    )
