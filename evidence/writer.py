"""Write generated files only when their content changed, and remove stale ones."""
from __future__ import annotations

import os
from pathlib import Path


class Writer:
    """Collects every file a generation run produces under one folder."""

    def __init__(self, root: Path):
        self.root = root
        self.written: list[str] = []  # paths rewritten because they changed
        self.kept: set[str] = set()   # every path this run produced

    def write(self, relative: str, content: str | bytes) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = self.root / relative
        self.kept.add(relative)
        try:
            if target.read_bytes() == data:
                return
        except OSError:
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)
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
