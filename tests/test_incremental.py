"""Incremental generation: unchanged outputs are not rewritten, caches are safe to delete or damage."""
from __future__ import annotations

import hashlib

import pytest

from evidence.dataset import load
from evidence.generate import generate
from test_site import copy_repo


def _digest(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def root(tmp_path):
    root = copy_repo(tmp_path / "repo")
    generate(load(root, root / ".cache"))
    return root


def _run(root):
    return generate(load(root, root / ".cache"))


def test_nothing_changed_rewrites_nothing(root):
    assert _run(root).written == []


def test_one_edit_rewrites_its_page_and_the_lists_only(root):
    study = root / "studies" / "cuno-2021.yml"
    study.write_text(study.read_text(encoding="utf-8").replace("A digital identity", "A digital identity (edited)"),
                     encoding="utf-8")
    written = _run(root).written
    assert "studies/cuno-2021.md" in written
    assert not [w for w in written if w.startswith("studies/") and w != "studies/cuno-2021.md"]
    assert "findings.md" in written and "data/studies.json" in written
    assert not [w for w in written if w.startswith("assets/charts/")]  # the numbers did not change


def test_a_review_change_reaches_every_study_page(root):
    review = root / "review.yml"
    review.write_text(review.read_text(encoding="utf-8").replace(
        "name: Citizen perception of municipal digital government", "name: Citizen perception (renamed)"), encoding="utf-8")
    written = _run(root).written
    assert len([w for w in written if w.startswith("studies/")]) == 4  # the four pages that show that trend's name
    assert "assets/charts/by-trend.svg" in written


def test_deleting_or_damaging_the_cache_changes_no_output(root):
    before = _digest(root / "docs")
    (root / ".cache" / "documents.pickle").write_bytes(b"not a pickle")
    (root / ".cache" / "pages.json").write_text("{", encoding="utf-8")
    for file in (root / ".cache" / "references").glob("*.json"):
        file.write_text("[", encoding="utf-8")
    _run(root)
    assert _digest(root / "docs") == before
    import shutil
    shutil.rmtree(root / ".cache")
    _run(root)
    assert _digest(root / "docs") == before


def test_an_edited_file_is_read_again_not_taken_from_the_cache(root):
    study = root / "studies" / "cuno-2021.yml"
    study.write_text(study.read_text(encoding="utf-8").replace("year: 2021", "year: twenty"), encoding="utf-8")
    problems = [p.text() for p in load(root, root / ".cache").problems if p.severity == "error"]
    assert problems == ["studies/cuno-2021.yml:5:7: error: `year` must be a whole number such as 2022; got 'twenty'"]
