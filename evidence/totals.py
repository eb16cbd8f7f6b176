"""The totals diff: what a change does to the counts and pages, as Markdown for a CI job summary."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from pathlib import Path

from .dataset import Dataset, load, study_files
from .models import language_name


def _per(studies, review, prefix: str = "") -> dict[str, int]:
    counts = {}
    for year in sorted({s.year for s in studies}):
        counts[f"{prefix}Year {year}"] = sum(s.year == year for s in studies)
    for trend in review.trends:
        counts[f"{prefix}Trend: {trend.name}"] = sum(trend.id in s.trends for s in studies)
    if not prefix:
        for group in review.groups:
            counts[f"Group: {group.name}"] = sum(s.group == group.id for s in studies)
    for db in review.databases:
        counts[f"{prefix}Database: {db.name}"] = sum(s.database == db.id for s in studies)
    for code in sorted({s.language or "" for s in studies}):
        name = language_name(code) if code else "not reported"
        counts[f"{prefix}Language: {name}"] = sum((s.language or "") == code for s in studies)
    return counts


def totals(dataset: Dataset) -> dict[str, int]:
    """Every count the site shows, by name, in reading order: the published review's studies, then, apart,
    those added in updates."""
    review = dataset.review
    own = [s for s in dataset.studies if not s.added]
    added = [s for s in dataset.studies if s.added]
    counts = {"Studies of the published review": len(own), **_per(own, review)}
    counts["Studies added in updates"] = len(added)
    for update in review.updates:
        counts[f"Added in {update.id}"] = sum(s.update == update.id for s in added)
    counts.update(_per(added, review, "Added in updates: "))
    return counts


def _files(root: Path) -> dict[str, bytes]:
    return {p.stem: p.read_bytes() for p in study_files(root)}


def base_checkout(root: Path, ref: str, into: Path) -> Path:
    """review.yml and studies/ of commit `ref`, extracted into a folder."""
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", "--format=tar", ref, "review.yml", "studies"],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def markdown(before: Dataset, after: Dataset) -> str:
    """The totals diff of two datasets, as Markdown."""
    lines = ["## What this change does to the evidence", ""]
    if not after.ok:
        return "\n".join(lines + ["The changed data have errors; see the annotations. No totals computed.", ""])
    old = totals(before) if before.ok and before.review else {}
    new = totals(after)
    changed = [k for k in dict.fromkeys([*old, *new]) if old.get(k, 0) != new.get(k, 0)]
    if changed:
        lines += ["| Count | Before | After | Change |", "|---|---:|---:|---:|"]
        for key in changed:
            a, b = old.get(key, 0), new.get(key, 0)
            lines.append(f"| {key} | {a} | {b} | {b - a:+d} |")
    else:
        lines.append("No count changes.")
    old_files, new_files = _files(before.root), _files(after.root)
    pages = [
        ("Added", sorted(set(new_files) - set(old_files))),
        ("Changed", sorted(k for k in set(old_files) & set(new_files) if old_files[k] != new_files[k])),
        ("Removed", sorted(set(old_files) - set(new_files))),
    ]
    lines += ["", "### Study pages", ""]
    if not any(ids for _, ids in pages):
        lines.append("No study page added, changed or removed.")
    for label, ids in pages:
        if ids:
            lines.append(f"- {label}: " + ", ".join(f"`studies/{i}/`" for i in ids))
    return "\n".join(lines) + "\n"


def diff(root: Path, ref: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        base = base_checkout(root, ref, Path(folder))
        return markdown(load(base), load(root))
