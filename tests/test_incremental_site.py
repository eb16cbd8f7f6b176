"""`build` rebuilds only what changed, and what it makes is byte for byte what a clean build makes.

A repository of 40 studies (the review's 16 and 24 synthetic ones) is built; then one study is edited, one
renamed and one deleted, and `build` runs again, incrementally; its site/ must equal, file for file and byte
for byte, the site a clean build (`build --clean`) makes of the same files. A build with nothing changed
rewrites nothing, an incremental build never writes into a file of the previous site, and one that fails
leaves site/ as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from benchmarks import synthetic
from conftest import ROOT, run_cli
from evidence import build, cli


def _files(site):
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _stats(site):
    return {p.relative_to(site).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in site.rglob("*")}


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    base = tmp_path_factory.mktemp("incremental")
    root = synthetic.make(base / "repo", 40)
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"  # the same date for every build of the module
    yield root
    del os.environ["SOURCE_DATE_EPOCH"]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One cache for the module's builds: the last build's state lives there."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def module_cache(cache, monkeypatch):
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(cache))


def _build(root, *args):
    result = run_cli(root, "build", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _added(root):
    """The synthetic studies (the review's own are named in review.yml and cannot be renamed or deleted)."""
    real = {p.name for p in (ROOT / "studies").glob("*.yml")}
    return sorted(p for p in (root / "studies").glob("*.yml") if p.name not in real)[:3]


def test_nothing_changed_rewrites_nothing(repo):
    _build(repo)
    before = _stats(repo / "site")
    assert "up to date" in _build(repo)
    assert _stats(repo / "site") == before


def test_an_incremental_build_after_an_edit_a_rename_and_a_deletion_equals_a_clean_build(repo, tmp_path):
    _build(repo)
    previous = _files(repo / "site")
    witness = tmp_path / "witness"  # hard links to every file of the previous site
    shutil.copytree(repo / "site", witness, copy_function=os.link)
    edited, renamed, deleted = _added(repo)
    edited.write_text(edited.read_text(encoding="utf-8").replace("finding: ", "finding: Edited. ", 1), "utf-8")
    text = renamed.read_text(encoding="utf-8").replace(f"id: {renamed.stem}\n", f"id: {renamed.stem}-renamed\n")
    renamed.unlink()
    (renamed.parent / f"{renamed.stem}-renamed.yml").write_text(text, encoding="utf-8")
    deleted.unlink()

    assert "incrementally" in _build(repo)
    incremental = _files(repo / "site")
    assert f"studies/{renamed.stem}-renamed/index.html" in incremental
    assert f"en/studies/{renamed.stem}-renamed/index.html" in incremental
    assert not [p for p in incremental if renamed.stem + "/" in p or deleted.stem + "/" in p]
    assert b"Edited. " in incremental[f"studies/{edited.stem}/index.html"]
    assert _files(witness) == previous, "the incremental build wrote into a file of the previous site"
    assert "up to date" in _build(repo), "the incremental build's listing of site/ is not site/'s"

    assert "incrementally" not in _build(repo, "--clean")
    clean = _files(repo / "site")
    assert sorted(incremental) == sorted(clean)
    assert [p for p in clean if incremental[p] != clean[p]] == []


def test_a_failing_incremental_build_leaves_the_site_as_it_was(repo, monkeypatch, capsys):
    """The English edition's MkDocs fails (a warning, in strict mode) at its very end, when both editions have
    written all they would: site/ is left as it was, file for file, and the next build is incremental."""
    _build(repo)
    edited = _added(repo)[0]
    edited.write_text(edited.read_text(encoding="utf-8").replace("finding: ", "finding: Again. ", 1), "utf-8")
    stats, files = _stats(repo / "site"), _files(repo / "site")
    (repo / "broken.en.yml").write_text("INHERIT: mkdocs.en.yml\nextra_templates: [missing.html]\n", "utf-8")
    runner, go, over = build._runner, build._go, []

    def broken(root, configs, env):
        return runner(root, ["broken.en.yml" if config == "mkdocs.en.yml" else config for config in configs], env)

    def told(process, edition, staging, previous):
        over.append(previous)
        go(process, edition, staging, previous)

    with monkeypatch.context() as patch:  # the module's cache stays set (see module_cache)
        patch.setattr(build, "_runner", broken)
        patch.setattr(build, "_go", told)
        assert cli.main(["--root", str(repo), "build"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-2:] == [
        "WARNING -  Template skipped: 'missing.html' not found in docs_dir.",
        "error: mkdocs build -f mkdocs.en.yml failed (1 warning in strict mode); fix them",
    ]
    assert over == [repo / "site", repo / "site" / "en"], "the build was not incremental"
    assert _stats(repo / "site") == stats
    assert _files(repo / "site") == files
    assert not [p for p in repo.iterdir() if p.name.startswith(build.STAGING)], "a staging folder was left behind"

    (repo / "broken.en.yml").unlink()
    assert "incrementally" in _build(repo)
    assert b"Again. " in (repo / "site" / "en" / "studies" / edited.stem / "index.html").read_bytes()


def test_an_incremental_build_looks_at_the_site_once(repo, monkeypatch, capsys):
    """What site/ holds is looked at once in a build, while the pages are generated, and the incremental build
    goes by it."""
    _build(repo)
    edited = _added(repo)[1]
    edited.write_text(edited.read_text(encoding="utf-8").replace("finding: ", "finding: Once. ", 1), "utf-8")
    walked, real = [], build.site_files

    def counted(site):
        walked.append(site)
        return real(site)

    with monkeypatch.context() as patch:
        patch.setattr(build, "site_files", counted)
        assert cli.main(["--root", str(repo), "build"]) == 0
    assert "incrementally" in capsys.readouterr().out
    assert walked == [repo / "site"]
    assert b"Once. " in (repo / "site" / "studies" / edited.stem / "index.html").read_bytes()
    assert "up to date" in _build(repo)


def test_a_change_to_what_every_page_shows_builds_clean(repo):
    _build(repo)
    about = repo / "docs" / "en" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    out = _build(repo)
    assert "incrementally" not in out
    assert "One more line." in (repo / "site" / "en" / "about" / "index.html").read_text(encoding="utf-8")


def test_the_search_index_has_one_entry_per_study_and_sections_for_the_other_pages(repo):
    _build(repo)
    for edition, folder in (("es", repo / "site"), ("en", repo / "site" / "en")):
        docs = json.loads((folder / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
        studies = sorted(p.stem for p in (repo / "studies").glob("*.yml"))
        entries = [d for d in docs if d["location"].startswith("studies/")]
        assert sorted(d["location"] for d in entries) == [f"studies/{s}/" for s in studies], edition
        for entry in entries:  # title, reference and finding; no label of this site's
            assert entry["title"] and entry["text"].count("<p>") >= 2
            assert "Unofficial translation" not in entry["text"] and "Traducción no oficial" not in entry["text"]
        about = [d for d in docs if d["location"].startswith("about/")]
        assert len(about) > 1 and any("#" in d["location"] for d in about), edition  # section by section
        assert not [d for d in docs if d["location"].startswith(("findings/", "references/", "checks/"))]


def test_serve_regenerates_once_per_change_and_reloads_once(tmp_path):
    """`serve`: an edit to a study regenerates the pages once, and MkDocs rebuilds and reloads the browser once
    (the generator's sources are watched by `serve`, not by MkDocs, which sees only the regenerated pages)."""
    root = synthetic.make(tmp_path / "repo", 20)
    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "build_site.py"),
                "--root",
                str(root),
                "serve",
                "--address",
                f"127.0.0.1:{port}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=root,
        )
        try:
            _wait_for(log, "Serving on", 120)
            study = _added(root)[0]
            study.write_text(study.read_text(encoding="utf-8").replace("finding: ", "finding: Served. ", 1), "utf-8")
            _wait_for(log, "Reloading browsers", 120)
            time.sleep(5)  # room for a second rebuild, which must not come
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/studies/{study.stem}/") as page:
                assert b"Served. " in page.read()
        finally:
            process.terminate()
            process.wait(30)
    time.sleep(1)
    with pytest.raises(OSError):  # stopping `serve` stopped MkDocs' server too
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
    text = log.read_text(encoding="utf-8")
    assert text.count("generated docs/") == 2, text  # at start, and once for the edit
    assert text.count("Reloading browsers") == 1, text


def _wait_for(log, words, seconds):
    deadline = time.monotonic() + seconds
    while words not in log.read_text(encoding="utf-8"):
        assert time.monotonic() < deadline, f"{words!r} not seen in {seconds} s:\n{log.read_text(encoding='utf-8')}"
        time.sleep(0.2)
