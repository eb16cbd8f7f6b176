"""Write generated files only when their content changed, and remove stale ones."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def replace_file(path: Path, content: str | bytes) -> None:
    """Write a whole file or nothing: into a temporary file beside it, then renamed over it."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _is_record(value) -> bool:
    """A page's record in the cache: [SHA-256 of its content, its size, its modification time in ns]."""
    return (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], str)
        and all(isinstance(n, int) and not isinstance(n, bool) for n in value[1:])
    )


def _digest(file: Path) -> str | None:
    try:
        return hashlib.sha256(file.read_bytes()).hexdigest()
    except OSError:
        return None


class Writer:
    """Collects every file a generation run produces under one folder.

    With a cache namespace, a page whose inputs have the same key as in an earlier
    run, and whose file is as that run left it, is not even rendered again (see
    `fresh`).

    Changed files are kept in memory and written together by `flush`, at the end of
    a run: a preview watching docs/ sees one burst of changes, and rebuilds once.
    """

    def __init__(self, root: Path, pages=None):
        self.root = root
        self.folder = ""  # where the pages being written go under root ("es/"): see `into`
        self.written: list[str] = []  # paths rewritten because they changed
        self.kept: set[str] = set()  # every path this run produced
        self.pages = pages  # cache.Namespace: [path, key] -> [SHA-256 of the content, size, mtime in ns]
        self.keys: dict[str, str] = {}
        self.pending: dict[str, bytes] = {}  # changed files not written yet (see `flush`)
        self._digests: dict[str, str] = {}  # the content's digest of a keyed page, until its file is recorded

    def into(self, folder: str) -> None:
        """Write what follows into `folder` under the root (paths given to `fresh` and `write` are relative to
        it; `written` and `kept` hold them with the folder)."""
        self.folder = folder

    def fresh(self, relative: str, key: str) -> bool:
        """True when `relative` was made from inputs with this key before and is unchanged since: its size and
        modification time are those it had when this writer last wrote or kept it (as git and make judge a file
        unchanged), or else its content is what was written then."""
        relative = self.folder + relative
        self.keys[relative] = key
        if self.pages is None:
            return False
        stored = self.pages.get([relative, key], _is_record)
        if stored is None:
            return False
        digest, size, modified = stored
        path = self.root / relative
        try:
            now = os.stat(path)
        except OSError:
            return False
        if (now.st_size, now.st_mtime_ns) != (size, modified):
            if _digest(path) != digest:
                return False
            self.pages.put([relative, key], [digest, now.st_size, now.st_mtime_ns])
        self.kept.add(relative)
        return True

    def write(self, relative: str, content: str | bytes) -> None:
        relative = self.folder + relative
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = self.root / relative
        self.kept.add(relative)
        if self.pages is not None and relative in self.keys:
            self._digests[relative] = hashlib.sha256(data).hexdigest()
        self.pending.pop(relative, None)
        try:
            if target.read_bytes() == data:
                self._record(relative)
                return
        except OSError:
            pass
        self.pending[relative] = data

    def _record(self, relative: str) -> None:
        """Note in the cache the size and modification time of a page as written or kept (see `fresh`)."""
        if self.pages is not None and relative in self.keys:
            now = os.stat(self.root / relative)
            self.pages.put([relative, self.keys[relative]], [self._digests.pop(relative), now.st_size, now.st_mtime_ns])

    def size(self, relative: str) -> int:
        """The size of a file this run produced (a path with its folder), written yet or not."""
        data = self.pending.get(relative)
        return len(data) if data is not None else (self.root / relative).stat().st_size

    def flush(self) -> None:
        """Write every changed file, one after the other."""
        for relative, data in self.pending.items():
            replace_file(self.root / relative, data)
            self.written.append(relative)
            self._record(relative)
        self.pending.clear()

    def remove_stale(self, folders: list[str], files: list[str]) -> list[str]:
        """Delete generated files (paths relative to the root) that this run did not produce; return their paths."""
        removed = []
        candidates = [f for f in files if (self.root / f).exists()]
        for folder in folders:
            for parent, _, names in os.walk(self.root / folder):
                prefix = os.path.relpath(parent, self.root).replace(os.sep, "/") + "/"
                candidates += [prefix + name for name in names]
        for relative in sorted(set(candidates) - self.kept):
            (self.root / relative).unlink()
            removed.append(relative)
        return removed
