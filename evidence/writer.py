"""Write generated files only when their content changed, and remove stale ones."""
from __future__ import annotations

import json
import os
from pathlib import Path


def replace_file(path: Path, content: str | bytes) -> None:
    """Write a whole file or nothing: into a temporary file beside it, then renamed over it."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


class Writer:
    """Collects every file a generation run produces under one folder.

    With a manifest file, a page whose inputs have the same key as in the last
    run is not even rendered again (see `fresh`).
    """

    def __init__(self, root: Path, manifest: Path | None = None):
        self.root = root
        self.written: list[str] = []  # paths rewritten because they changed
        self.kept: set[str] = set()   # every path this run produced
        self.manifest = manifest
        self.keys: dict[str, str] = {}
        self.previous: dict[str, str] = {}
        if manifest:
            try:
                self.previous = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.previous = {}

    def fresh(self, relative: str, key: str) -> bool:
        """True when `relative` was made from inputs with this key last time and is still there."""
        self.keys[relative] = key
        if self.previous.get(relative) == key and (self.root / relative).is_file():
            self.kept.add(relative)
            return True
        return False

    def save_manifest(self) -> None:
        if not self.manifest or self.keys == self.previous:
            return
        replace_file(self.manifest, json.dumps({k: self.keys[k] for k in sorted(self.keys) if k in self.kept}))

    def write(self, relative: str, content: str | bytes) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = self.root / relative
        self.kept.add(relative)
        try:
            if target.read_bytes() == data:
                return
        except OSError:
            pass
        replace_file(target, data)
        self.written.append(relative)

    def remove_stale(self, folders: list[str], files: list[str]) -> list[str]:
        """Delete generated files that this run did not produce; return their paths."""
        removed = []
        candidates = [f for f in files if (self.root / f).exists()]
        for folder in folders:
            base = self.root / folder
            if base.is_dir():
                candidates += [p.relative_to(self.root).as_posix() for p in base.rglob("*") if p.is_file()]
        for relative in sorted(set(candidates) - self.kept):
            (self.root / relative).unlink()
            removed.append(relative)
        return removed
