"""Shared helpers: a throw-away copy of the repository's data to break on purpose."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seeds" / "000_0996da75c03fe417.txt"


def make_repo(tmp_path: Path, studies: dict[str, bytes | str] | None = None, keep_real: bool = True) -> Path:
    """A folder with review.yml and studies/: the real ones, plus or minus `studies`."""
    root = tmp_path / "repo"
    (root / "studies").mkdir(parents=True)
    shutil.copy(ROOT / "review.yml", root / "review.yml")
    if keep_real:
        for file in (ROOT / "studies").glob("*.yml"):
            shutil.copy(file, root / "studies" / file.name)
    for name, content in (studies or {}).items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            target.unlink()
        else:
            target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


def run_cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    """Run build_site.py as a contributor would, against `root`."""
    return subprocess.run(
        [sys.executable, str(ROOT / "build_site.py"), "--root", str(root), *args],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=300,
    )


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Each test has its own cache folder, outside every repository it makes (see evidence/cache.py)."""
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(tmp_path / "user-cache"))
    return tmp_path / "user-cache"


@pytest.fixture
def repo(tmp_path):
    return lambda studies=None, keep_real=True: make_repo(tmp_path, studies, keep_real)
