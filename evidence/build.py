"""Build the site with MkDocs into a temporary folder, then swap it into place."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SITE = "site"


def source_date_epoch(root: Path) -> str:
    """The last commit's time, so that two builds of one commit are identical; else the caller's or 0."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        out = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%ct"], capture_output=True,
                             text=True, timeout=30)
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


def build_site(root: Path) -> int:
    """mkdocs build --strict into a new folder; replace site/ only if it succeeded."""
    target = root / SITE
    staging = Path(tempfile.mkdtemp(prefix=".site-new-", dir=root))
    try:
        result = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / "mkdocs.yml"),
             "-d", str(staging)],
            cwd=root, env=mkdocs_env(root), capture_output=True, text=True)
        if result.returncode != 0:
            sys.stderr.write(result.stdout + result.stderr)
            print(f"mkdocs build failed; {SITE}/ was left as it was", file=sys.stderr)
            return 1
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=".site-old-", dir=root))
            os.replace(target, old / SITE)
        os.replace(staging, target)
        if old:
            shutil.rmtree(old)
        return 0
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def serve(root: Path, address: str) -> int:
    return subprocess.call([sys.executable, "-m", "mkdocs", "serve", "-f", str(root / "mkdocs.yml"), "-a", address],
                           cwd=root, env=mkdocs_env(root))
