"""Shared helpers: a throw-away copy of the repository's data to break on purpose."""

from __future__ import annotations

import os
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


# --- A browser, for the tests that drive the built site (test_browser.py, test_phone.py) ---------------------------

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")  # Debian's; override to test another
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IN_CI = os.environ.get("CI") == "true"


def unavailable(reason: str):
    """Skip, except under CI where a browser test that cannot run is a failure."""
    if IN_CI:
        pytest.fail(f"{reason}; under CI=true a skipped browser test is a failure", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """Chromium through Playwright, one for the whole session: Playwright's synchronous API runs one at a time."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed (pip install -r requirements-dev.txt)")
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as p:
        try:
            instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as exc:  # noqa: BLE001 - any launch failure means no browser
            unavailable(f"Chromium does not start: {exc}")
        yield instance
        instance.close()
