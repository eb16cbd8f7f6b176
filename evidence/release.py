"""`make release`: site/data/ and CITATION.cff packed into a versioned, dated archive under dist/.

The version is the newest update's id, or `published-review` when there is none; the date is the date the
data are as of (evidence/as_of.py), never the wall clock. The archive holds a copy of CITATION.cff with
`version` and `date-released` filled in. The same data give the same bytes: entries in name order, each
dated with the release date.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from .as_of import as_of
from .dataset import load
from .problems import has_errors

CITATION = "CITATION.cff"
DIST = "dist"
NAME = "digital-government-peru-evidence"
PUBLISHED = "published-review"


class ReleaseError(Exception):
    """A release that cannot be made, with the one line that says why."""


def citation(text: str, version: str, date: str) -> str:
    """CITATION.cff with its version and release date (any it had are replaced)."""
    kept = [line for line in text.splitlines() if not line.startswith(("version:", "date-released:"))]
    return "\n".join(kept) + f'\nversion: "{version}"\ndate-released: "{date}"\n'


def release(root: Path) -> Path:
    """Write dist/<name>-<version>-<date>.zip; return its path. Raises ReleaseError."""
    dataset = load(root)
    if dataset.review is None or has_errors(dataset.problems):
        raise ReleaseError("the data have errors; run make check")
    stamp = as_of(root, dataset.review)
    if stamp.date is None:
        raise ReleaseError("no date for the release: commit the data first (or set SOURCE_DATE_EPOCH)")
    data = root / "site" / "data"
    try:
        built = json.loads((data / "review.json").read_text(encoding="utf-8")).get("as_of")
    except (OSError, ValueError):
        raise ReleaseError("site/data/ is missing; run make site first") from None
    if built != stamp.as_dict():
        raise ReleaseError("site/data/ is older than the data; run make site first")
    try:
        cff = (root / CITATION).read_text(encoding="utf-8")
    except OSError:
        raise ReleaseError(f"{CITATION} is missing") from None
    latest = dataset.review.latest_update
    version = latest.id if latest else PUBLISHED
    folder = f"{NAME}-{version}-{stamp.date}"
    when = tuple(int(part) for part in stamp.date.split("-")) + (0, 0, 0)
    files = {f"{folder}/{CITATION}": citation(cff, version, stamp.date).encode("utf-8")}
    for file in sorted(p for p in data.rglob("*") if p.is_file()):
        files[f"{folder}/data/{file.relative_to(data).as_posix()}"] = file.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=when)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    target = root / DIST / f"{folder}.zip"
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(out.getvalue())
    return target
