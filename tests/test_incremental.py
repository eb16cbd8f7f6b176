"""Incremental generation and the cache: unchanged outputs are not rewritten; nothing in the cache is trusted.

The cache (evidence/cache.py) may be deleted, damaged or forged: the output is the same
in every case, and nothing in it is ever run.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess

import pytest

from conftest import ROOT, run_cli
from evidence import cache as cache_module
from evidence import writer as writer_module
from evidence.cache import Cache, folder_for
from evidence.dataset import load
from evidence.generate import generate
from test_site import copy_repo


def _digest(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def root(tmp_path):
    root = copy_repo(tmp_path / "repo")
    _run(root, tmp_path / "cache")
    return root


def _run(root, folder=None):
    cache = Cache(folder or root.parent / "cache")
    return generate(load(root, cache), cache)


def test_nothing_changed_rewrites_nothing(root):
    assert _run(root).written == []


def test_one_edit_rewrites_its_page_and_the_lists_only(root):
    study = root / "studies" / "cuno-2021.yml"
    study.write_text(
        study.read_text(encoding="utf-8").replace("A digital identity", "A digital identity (edited)"), encoding="utf-8"
    )
    written = _run(root).written
    for lang in ("es", "en"):
        assert f"{lang}/studies/cuno-2021.md" in written and f"{lang}/findings.md" in written
    assert not [w for w in written if "/studies/" in w and not w.endswith("/studies/cuno-2021.md")]
    assert "es/data/studies.json" in written and "en/data/studies.json" not in written  # one set of downloads
    assert not [w for w in written if "/assets/charts/" in w]  # the numbers did not change


def test_a_review_change_reaches_every_study_page(root):
    review = root / "review.yml"
    review.write_text(
        review.read_text(encoding="utf-8").replace(
            "name: Citizen perception of municipal digital government", "name: Citizen perception (renamed)"
        ),
        encoding="utf-8",
    )
    written = _run(root).written
    # The four pages that show that trend's name, in each edition (the Spanish one shows the English name where
    # the review.yml gives no Spanish name for it).
    assert len([w for w in written if w.startswith("en/studies/")]) == 4
    assert "en/assets/charts/by-trend.svg" in written


def test_deleting_or_damaging_the_cache_changes_no_output(root):
    before = _digest(root / "docs")
    folder = root.parent / "cache"
    files = list(folder.glob("*.cache"))
    assert len(files) >= 5
    for file in files:
        file.write_text("{", encoding="utf-8")
    _run(root)
    assert _digest(root / "docs") == before
    shutil.rmtree(folder)
    _run(root)
    assert _digest(root / "docs") == before


def test_an_edited_file_is_read_again_not_taken_from_the_cache(root):
    study = root / "studies" / "cuno-2021.yml"
    study.write_text(study.read_text(encoding="utf-8").replace("year: 2021", "year: twenty"), encoding="utf-8")
    problems = [p.text() for p in load(root, Cache(root.parent / "cache")).problems if p.severity == "error"]
    assert problems == ["studies/cuno-2021.yml:6:7: error: `year` must be a whole number such as 2022; got 'twenty'"]


def _entries(folder, name):
    return cache_module.read_entries(folder / f"{name}.cache")[0]


def _forge(folder, name, change, secret=None):
    """Rewrite every entry of one namespace with `change(value)`, sealed with `secret` (default: a wrong one)."""
    entries = _entries(folder, name)
    for key, (payload, _) in entries.items():
        forged = json.dumps(change(json.loads(payload)), ensure_ascii=False)
        seal = hmac.new(secret or b"x" * 32, f"{key}\0{forged}".encode(), hashlib.sha256).hexdigest()
        entries[key] = [forged, seal]
    cache_module.write_entries(folder / f"{name}.cache", entries)


XSS = '<img src=x onerror="alert(1)">'


@pytest.mark.parametrize(
    "name, change",
    [
        ("references", lambda value: XSS + value),
        ("charts-en", lambda value: value.replace("<defs>", "<script>alert(1)</script><defs>")),
        (
            "documents",
            lambda value: (
                {**value, "doc": {**value["doc"], "data": {**(value["doc"] or {}).get("data", {}), "title": XSS}}}
                if value["doc"]
                else value
            ),
        ),
        ("pages", lambda value: ["0" * 64, *value[1:]]),
        ("fragments", lambda value: {**value, "csv": XSS, "bib": XSS}),
    ],
)
def test_a_forged_entry_is_a_miss(root, name, change):
    """Without the folder's secret, an entry cannot be made to count: the output is the one the data make."""
    folder = root.parent / "cache"
    before = _digest(root / "docs")
    _forge(folder, name, change)
    _run(root)
    assert _digest(root / "docs") == before


def test_an_entry_sealed_with_the_secret_is_still_checked_and_escaped(root):
    """Even a correctly sealed entry is validated on read (charts) and escaped on output (references)."""
    folder = root.parent / "cache"
    secret = (folder / "secret").read_bytes()
    _forge(folder, "references", lambda value: XSS + value, secret)
    _forge(folder, "charts-en", lambda value: value.replace("<defs>", "<script>alert(1)</script><defs>"), secret)
    (root / "docs" / "en" / "references.md").unlink()
    for file in (root / "docs" / "en" / "studies").glob("*.md"):
        file.unlink()
    _run(root)
    page = (root / "docs" / "en" / "references.md").read_text(encoding="utf-8")
    assert XSS not in page and "&lt;img src&#61;x onerror&#61;&quot;alert(1)&quot;&gt;Cuno. (2021)." in page
    assert not [p for p in (root / "docs" / "en" / "assets" / "charts").glob("*.svg") if b"<script" in p.read_bytes()]


def test_a_tampered_generated_page_is_rewritten(root):
    """A page whose inputs did not change is not rendered again only if its file is what was written."""
    page = root / "docs" / "en" / "studies" / "cuno-2021.md"
    good = page.read_bytes()
    page.write_bytes(good + XSS.encode())
    written = _run(root).written
    assert written == ["en/studies/cuno-2021.md"] and page.read_bytes() == good


def test_a_page_changed_to_the_same_size_is_rewritten_and_one_only_touched_is_not(root, monkeypatch):
    """A page whose size and modification time are not those recorded is judged by its content (and recorded
    again when it is unchanged); one whose size and time are recorded is not read."""
    page = root / "docs" / "en" / "studies" / "cuno-2021.md"
    good = page.read_bytes()
    page.write_bytes(good.replace(b"Cuno", b"Cunx", 1))
    assert _run(root).written == ["en/studies/cuno-2021.md"] and page.read_bytes() == good
    stat = page.stat()
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert _run(root).written == []
    monkeypatch.setattr(writer_module, "_digest", lambda file: pytest.fail(f"{file} read again"))
    assert _run(root).written == [] and page.read_bytes() == good


def test_the_cache_is_json_never_pickle():
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "evidence").glob("*.py"))
    assert not re.search(r"\b(import|from) (pickle|marshal|shelve|dill|joblib)\b", source)


def test_a_cache_folder_inside_the_repository_is_never_used(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.setenv(cache_module.ENV, str(root / ".cache"))
    assert folder_for(root) is None
    monkeypatch.setenv(cache_module.ENV, str(root))
    assert folder_for(root) is None
    monkeypatch.delenv(cache_module.ENV)
    default = folder_for(root)
    assert default is not None and root not in default.parents


def _git(root, *args):
    subprocess.run(
        ["git", "-C", str(root), *args],
        check=True,
        capture_output=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.org",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.org",
            "HOME": str(root),
            "PATH": "/usr/bin:/bin",
        },
    )


def test_poisoned_files_committed_under_the_cache_change_nothing_and_run_nothing(tmp_path, monkeypatch):
    """A clone whose commits hold a forged .cache/ (pickles, references with markup) builds the same site/."""
    clean = copy_repo(tmp_path / "clean")
    poisoned = copy_repo(tmp_path / "poisoned")
    marker = tmp_path / "pwned"
    bad = poisoned / ".cache"
    (bad / "references").mkdir(parents=True)
    pickle_payload = b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR."  # pickle protocol 0: os.system
    for name in (
        "documents.pickle",
        "documents.json",
        "references.json",
        "charts.json",
        "pages.json",
        "canonical.json",
        "secret",
    ):
        (bad / name).write_bytes(pickle_payload if name.endswith("pickle") else b'{"format": 1, "entries": {}}')
    (bad / "references" / "x.json").write_text(json.dumps([XSS, XSS]), encoding="utf-8")
    # One date for both (the pages say what date the data are as of: the last commit's).
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1751241600")
    for repo in (clean, poisoned):
        _git(repo, "init", "-q")
        _git(repo, "add", "-A")
    _git(poisoned, "add", "-f", ".cache")
    for repo in (clean, poisoned):
        _git(repo, "commit", "-qm", "data")
        monkeypatch.delenv(cache_module.ENV, raising=False)  # each uses its default folder, outside the repository
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        result = run_cli(repo, "build")
        assert result.returncode == 0, result.stderr
    assert _digest(poisoned / "site") == _digest(clean / "site")
    assert _digest(poisoned / "docs") == _digest(clean / "docs")
    assert not marker.exists()


def test_a_sealed_fragment_of_the_wrong_shape_is_a_miss(root):
    """A fragment entry sealed with the secret but missing a part, or holding something other than text, is made
    again: the downloads are the ones the data make."""
    folder = root.parent / "cache"
    secret = (folder / "secret").read_bytes()
    before = _digest(root / "docs")
    _forge(folder, "fragments", lambda value: {k: v for k, v in value.items() if k != "ris"}, secret)
    _run(root)
    assert _digest(root / "docs") == before
    _forge(folder, "fragments", lambda value: {**value, "csv": ["not", "text"]}, secret)
    _run(root)
    assert _digest(root / "docs") == before


def test_an_edited_study_remakes_its_fragment_only(tmp_path, monkeypatch):
    """Each study's rows and entries of the downloads are made once for its content; after one edit only that
    study's are made again, and the joined downloads are those made without any cache."""
    from dataclasses import replace

    from evidence import exports, references

    data = load(ROOT)
    made = []
    fragment = exports._fragment
    monkeypatch.setattr(exports, "_fragment", lambda study, extras: made.append(study.id) or fragment(study, extras))

    def downloads(studies, cache):
        rendered = references.render_all(studies, cache)
        parts = exports.fragments(data.review, studies, rendered, cache)
        cache.save()
        return (
            exports.studies_csv(studies, parts),
            exports.studies_json(data.review, studies, rendered, parts),
            exports.references_bib(studies, parts),
            exports.references_ris(studies, parts),
            exports.references_csl_json(studies, parts),
        )

    def uncached(studies):
        return (
            exports.studies_csv(studies),
            exports.studies_json(data.review, studies),
            exports.references_bib(studies),
            exports.references_ris(studies),
            exports.references_csl_json(studies),
        )

    assert downloads(data.studies, Cache(tmp_path)) == uncached(data.studies)
    assert sorted(made) == sorted(s.id for s in data.studies)
    made.clear()
    assert downloads(data.studies, Cache(tmp_path)) == uncached(data.studies) and made == []
    edited = [replace(s, finding="An edited finding.") if s.id == "cuno-2021" else s for s in data.studies]
    assert downloads(edited, Cache(tmp_path)) == uncached(edited)
    assert made == ["cuno-2021"]
    assert "An edited finding." in downloads(edited, Cache(tmp_path))[1] and made == ["cuno-2021"]


@pytest.mark.parametrize("broken", [False, True])
def test_a_warm_check_reads_nothing_again_and_finds_the_same_problems(tmp_path, monkeypatch, broken):
    """Files whose bytes the cache holds a reading of are neither parsed nor validated again, and every problem
    is the same, at the same line and column: those the cache keeps, and those found across files (the rules,
    the reconciliation's warnings), whose places come from the file's bytes."""
    from conftest import make_repo
    from evidence import dataset as dataset_module

    study = (ROOT / "studies" / "paiva-2019.yml").read_text(encoding="utf-8")
    edits = {
        "studies/paiva-2019-copy.yml": study.replace("id: paiva-2019", "id: paiva-2019-copy"),  # the same DOI
        "studies/bad-year-2020.yml": study.replace("id: paiva-2019", "id: bad-year-2020").replace(
            "year: 2019", "year: twenty"
        ),
    }
    root = make_repo(tmp_path, edits if broken else None)
    cold = [p.text() for p in load(root, Cache(tmp_path / "cache")).problems]
    if broken:
        assert "studies/paiva-2019.yml:22:6: error: DOI 10.1007/978-3-030-16181-1_55 is already used by" in "\n".join(
            cold
        )
        assert any(p.startswith("studies/bad-year-2020.yml:") and "`year`" in p for p in cold)
    else:
        assert "studies/paiva-2019.yml:16:7: warning: criterion 1 of the review" in "\n".join(cold)

    def refuse(*args):
        raise AssertionError("read again")

    monkeypatch.setattr(dataset_module, "read_bytes", refuse)
    monkeypatch.setattr(dataset_module, "schema_problems", refuse)
    assert [p.text() for p in load(root, Cache(tmp_path / "cache")).problems] == cold


def test_files_checked_in_worker_processes_give_the_same_problems(tmp_path, monkeypatch):
    """Many files not seen before are read and validated in worker processes: the problems are the same as when
    they are read one after another here."""
    from conftest import make_repo
    from evidence import dataset as dataset_module
    from test_hostile import CASES, expected

    studies = {}
    for case in CASES:
        target, _, _ = expected(case)
        if target.startswith("studies/") and target not in studies:
            studies[target] = case.read_bytes()
    root = make_repo(tmp_path, studies)
    monkeypatch.setattr(dataset_module, "PARALLEL_FROM", 10**9)
    alone = load(root).problems
    monkeypatch.setattr(dataset_module, "PARALLEL_FROM", 0)
    assert load(root).problems == alone
    assert len({p.path for p in alone}) > 20


def test_editions_written_side_by_side_are_those_written_one_after_the_other(tmp_path, monkeypatch):
    """With many studies the other edition is written in a forked process: the same files, the same record of
    what was written, the same cache entries; and a run after it finds every page fresh."""
    from evidence import generate as generate_module

    serial = copy_repo(tmp_path / "serial")
    parallel = copy_repo(tmp_path / "parallel")
    monkeypatch.setattr(generate_module, "PARALLEL_FROM", 10**9)
    one_by_one = _run(serial, tmp_path / "serial-cache")
    monkeypatch.setattr(generate_module, "PARALLEL_FROM", 0)
    monkeypatch.setattr(generate_module, "RUN", 3)  # the other edition's study pages in runs both processes take
    side_by_side = _run(parallel, tmp_path / "parallel-cache")
    assert _digest(parallel / "docs") == _digest(serial / "docs")
    assert sorted(side_by_side.written) == sorted(one_by_one.written)
    assert side_by_side.kept == one_by_one.kept
    names = (
        "pages",
        "references",
        "fragments",
        "documents",
        "charts-es",
        "charts-en",
        "index-parts-es",
        "index-parts-en",
    )
    for name in names:
        assert set(_entries(tmp_path / "parallel-cache", name)) == set(_entries(tmp_path / "serial-cache", name))
    rendered = []
    monkeypatch.setattr(generate_module.study_pages, "page", lambda ctx, study: rendered.append(study.id))
    assert _run(parallel, tmp_path / "parallel-cache").written == [] and rendered == []


@pytest.mark.parametrize("parallel", [False, True])
def test_each_edition_is_ready_once_its_files_are_on_disk(tmp_path, monkeypatch, parallel):
    """`generate` says an edition is ready (so that its MkDocs build starts) once every file of it is on disk as the
    run leaves it, and a file of it that the run does not make is gone, whether the other edition is written yet or
    not; the caller's `meanwhile` comes before any edition is ready."""
    from evidence import generate as generate_module
    from evidence.i18n import DEFAULT, EDITIONS

    root = copy_repo(tmp_path / "repo")
    _run(root, tmp_path / "cache")
    edited = root / "studies" / "cuno-2021.yml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("finding: ", "finding: Ready. ", 1), "utf-8")
    for e in EDITIONS:
        (root / "docs" / e.lang / "studies" / "stale.md").write_text("stale", encoding="utf-8")
    monkeypatch.setattr(generate_module, "PARALLEL_FROM", 0 if parallel else 10**9)
    monkeypatch.setattr(generate_module, "RUN", 3)
    events, seen = [], {}

    def ready(edition):
        events.append(edition.lang)
        seen[edition.lang] = _digest(root / "docs" / edition.lang)

    cache = Cache(tmp_path / "cache")
    writer = generate(load(root, cache), cache, lambda: events.append("meanwhile"), ready)
    assert events == ["meanwhile", *[e.lang for e in EDITIONS]]
    assert any(path.startswith(f"{DEFAULT.lang}/studies/cuno-2021") for path in writer.written)
    for e in EDITIONS:
        assert seen[e.lang] == _digest(root / "docs" / e.lang), e.lang
        assert "studies/stale.md" not in seen[e.lang]
        assert any(
            "Ready. " in (root / "docs" / e.lang / path).read_text(encoding="utf-8")
            for path in seen[e.lang]
            if path.endswith(".md")
        )
    assert "data/studies.csv" in seen[DEFAULT.lang]


def test_a_run_adds_what_it_made_to_the_cache_file_and_rewrites_it_once_half_is_of_no_use(tmp_path):
    """A namespace's file gets a line for each entry a run made, after the lines already there; once more than half
    of it (in characters) is of no use to a run, that run writes it anew with the entries it used alone."""

    def run(used: range, made: range, size: int = 1):
        space = Cache(tmp_path).namespace("t", "1")
        for n in used:
            assert space.get([n], lambda value: isinstance(value, str)) == f"value {n}" * size
        for n in made:
            space.put([n], f"value {n}" * size)
        space.save()
        return tmp_path / "t.cache"

    def lines(file) -> int:
        text = file.read_text(encoding="utf-8")
        assert cache_module.read_entries(file)[1] == len(text.partition("\n")[2])
        return text.count("\n") - 1

    file = run(range(0), range(10))
    first = file.read_text(encoding="utf-8")
    assert lines(file) == 10
    run(range(10), range(10, 12))
    assert file.read_text(encoding="utf-8").startswith(first)
    assert lines(file) == 12
    before = file.stat().st_mtime_ns
    run(range(12), range(0))  # nothing new: nothing written
    assert file.stat().st_mtime_ns == before
    run(range(5), range(0))  # 12 lines, 5 of use: written anew
    entries = cache_module.read_entries(file)[0]
    assert lines(file) == 5 and len(entries) == 5
    run(range(5), range(0))
    assert lines(file) == 5
    # Half in characters, not in lines: one long entry of five lines, used alone, keeps the file as it is.
    file.unlink()
    run(range(0), range(4))
    run(range(0), range(4, 5), size=100)
    assert lines(file) == 5
    before = file.stat().st_mtime_ns
    run(range(4, 5), range(0), size=100)
    assert file.stat().st_mtime_ns == before and lines(file) == 5
