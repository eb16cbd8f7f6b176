"""Every failure of a build is one clear line and a non-zero exit; site/ is left byte for byte as it was.

Strict means strict (any MkDocs warning fails the build, printed); one build runs at a time;
an interrupted build leaves nothing that the next does not clean; site/ has ordinary permissions.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import re
import stat

import pytest

from conftest import run_cli
from evidence import build, cli, writer
from test_site import copy_repo


def _digest(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = copy_repo(tmp_path_factory.mktemp("failures") / "repo")
    result = run_cli(root, "build")
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def site_before(built):
    before = _digest(built / "site")
    yield built
    assert _digest(built / "site") == before, "site/ changed"
    assert not [p for p in built.iterdir() if p.name.startswith(build.STAGING)], "a staging folder was left behind"


def _lines(result):
    """What stderr says besides the data's warnings and their count."""
    return [
        line
        for line in result.stderr.splitlines()
        if not line.startswith(("review.yml:", "studies/")) and not re.fullmatch(r"\d+ errors?, \d+ warnings?", line)
    ]


def test_a_broken_link_in_a_hand_written_page_fails_the_build(site_before):
    root = site_before
    page = root / "docs" / "en" / "about.md"
    original = page.read_text(encoding="utf-8")
    page.write_text(original + "\nSee [the missing page](no-such-page.md).\n", encoding="utf-8")
    try:
        result = run_cli(root, "build")
    finally:
        page.write_text(original, encoding="utf-8")
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert _lines(result) == [
        "WARNING -  Doc file 'about.md' contains a link 'no-such-page.md', but the target is not found among "
        "documentation files.",
        "error: mkdocs build -f mkdocs.en.yml failed (1 warning in strict mode); fix them",
    ]


def test_a_second_build_at_the_same_time_stops_with_a_message(site_before):
    root = site_before
    with open(root / build.LOCK, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = run_cli(root, "build")
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["error: another build is running in this folder; wait for it to finish"]


def test_an_interrupted_build_leaves_nothing_the_next_does_not_clean(built):
    leftovers = [built / ".site-new-k1ll3d", built / ".site-old-k1ll3d"]
    for folder in leftovers:
        (folder / "site").mkdir(parents=True)
        (folder / "site" / "index.html").write_text("half a site", encoding="utf-8")
    result = run_cli(built, "build")
    assert result.returncode == 0, result.stderr
    assert not any(folder.exists() for folder in leftovers)


def test_the_site_has_ordinary_permissions(built):
    mask = os.umask(0)
    os.umask(mask)
    modes = {stat.S_IMODE(p.stat().st_mode) for p in [built / "site", *(built / "site").rglob("*")] if p.is_dir()}
    assert modes == {0o777 & ~mask}
    files = {stat.S_IMODE(p.stat().st_mode) for p in (built / "site").rglob("*") if p.is_file()}
    assert files == {0o666 & ~mask}


def test_a_generated_folder_that_cannot_be_written_is_one_line(site_before):
    """docs/en/studies is a file, not a folder: nothing can be written there (as with a read-only folder)."""
    root = site_before
    folder = root / "docs" / "en" / "studies"
    saved = root.parent / "saved-studies"
    folder.rename(saved)
    folder.write_text("in the way", encoding="utf-8")
    try:
        result = run_cli(root, "build")
    finally:
        folder.unlink()
        saved.rename(folder)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert _lines(result) == ["error: docs/en/studies: File exists; site/ was left as it was"]


@pytest.mark.parametrize(
    "code, words",
    [
        (errno.ENOSPC, "No space left on device"),
        (errno.EROFS, "Read-only file system"),
        (errno.EACCES, "Permission denied"),
    ],
)
def test_a_full_disk_or_read_only_folder_is_one_line(site_before, monkeypatch, capsys, code, words):
    """What the operating system refuses while writing (simulated: tests run as root in CI)."""
    root = site_before

    def refuse(path, content):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(writer, "replace_file", refuse)
    (root / "docs" / "en" / "findings.md").unlink()  # something must be written
    assert cli.main(["--root", str(root), "build"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == f"error: docs/en/findings.md: {words}; site/ was left as it was"
    assert cli.main(["--root", str(root), "generate"]) == 1  # leave docs/ whole for the next test
    monkeypatch.undo()
    assert cli.main(["--root", str(root), "generate"]) == 0


def test_a_site_folder_that_cannot_be_replaced_is_one_line(site_before, monkeypatch, capsys):
    root = site_before
    real = os.replace

    def refuse(source, target):
        if os.path.basename(source).startswith(build.STAGING[0]) and os.path.basename(target) == build.SITE:
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(source))
        return real(source, target)

    monkeypatch.setattr(build.os, "replace", refuse)
    assert cli.main(["--root", str(root), "build"]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == "error: cannot replace site/: Device or resource busy"


def test_mkdocs_got_ready_before_a_template_changed_builds_with_the_template_as_it_is_then(tmp_path):
    """Each edition's MkDocs starts while docs/ is written and compiles the theme's templates then
    (evidence/mkdocs_runner.py): a template that changes after that is used as it is when the build runs, not as it
    was compiled; a started build that is never told where to build ends without building."""
    from mkdocs import config

    from evidence import mkdocs_runner

    root = copy_repo(tmp_path / "repo")
    probe = root / "overrides" / "probe.html"
    probe.write_text("as compiled", encoding="utf-8")
    compiled = mkdocs_runner._Compiled()
    mkdocs_runner._ready([str(root / "mkdocs.yml"), str(root / "mkdocs.en.yml")], compiled)
    assert len(compiled.code) > 20  # the page templates and partials

    def rendered() -> str:
        env = config.load_config(config_file=str(root / "mkdocs.yml"), strict=True).theme.get_env()
        env.bytecode_cache = compiled
        return env.get_template("probe.html").render()

    assert rendered() == "as compiled"
    probe.write_text("as changed", encoding="utf-8")
    assert rendered() == "as changed"

    started = build.start(root)
    build.stop(started)
    assert started.returncode is not None
    assert not (root / "site").exists()


def test_the_theme_files_mkdocs_adds_are_the_same_without_walking_its_icons():
    """The editions' MkDocs lists the theme's files without its dot-folders (its thousands of icons): MkDocs adds the
    same files to the site, from the same folders, in the same order."""
    import functools

    from mkdocs import config
    from mkdocs.structure.files import Files

    from conftest import ROOT
    from evidence import mkdocs_runner

    for edition in ("mkdocs.yml", "mkdocs.en.yml"):
        cfg = config.load_config(config_file=str(ROOT / edition), strict=True)
        env = cfg.theme.get_env()
        assert any(name.startswith(".icons/") for name in env.list_templates())
        walked, listed = Files([]), Files([])
        walked.add_files_from_theme(env, cfg)
        env.loader.list_templates = functools.partial(mkdocs_runner._theme_files, env.loader)
        listed.add_files_from_theme(env, cfg)
        assert len(walked) > 20
        assert [(f.src_uri, f.abs_src_path) for f in listed] == [(f.src_uri, f.abs_src_path) for f in walked]
