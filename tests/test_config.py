"""Where the site's address and its repository come from: the environment, through mkdocs.yml.

GitHub Pages serves a project's site under /<repository>/. The Pages workflow sets SITE_URL to the address
actions/configure-pages reports, and the workflows set REPO_URL to the repository (GITHUB_REPOSITORY). Without
SITE_URL the site is built for a local preview at http://127.0.0.1:8000/; without REPO_URL it shows no edit link
and no repository at all, rather than a made-up one.
"""

from __future__ import annotations

import re

import pytest
from mkdocs.config import load_config

from conftest import ROOT, run_cli
from evidence.generate import site_settings
from test_site import copy_repo

REPO = "https://github.com/example/digital-government-review"


@pytest.fixture
def environment(monkeypatch):
    """Set SITE_URL and REPO_URL as given, and no other."""

    def set_(**values):
        for name in ("SITE_URL", "REPO_URL"):
            monkeypatch.delenv(name, raising=False)
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_


def mkdocs_config():
    """mkdocs.yml as `mkdocs build` sees it, after the project's hooks."""
    config = load_config(str(ROOT / "mkdocs.yml"))
    return config.plugins.on_config(config)


def test_without_configuration_the_site_is_built_for_a_local_preview(environment):
    environment()
    config = mkdocs_config()
    assert config.site_url == "http://127.0.0.1:8000/"
    assert config.repo_url is None and config.edit_uri is None
    assert site_settings(ROOT) == (None, None)


def test_site_url_is_the_pages_address(environment):
    # actions/configure-pages reports its base_url without a final slash.
    environment(SITE_URL="https://example.github.io/digital-government-review")
    assert mkdocs_config().site_url == "https://example.github.io/digital-government-review/"


def test_repository_comes_from_repo_url(environment):
    environment(REPO_URL=REPO)
    config = mkdocs_config()
    assert config.repo_url == REPO and config.edit_uri == "edit/main/docs/"
    assert site_settings(ROOT) == (REPO, f"{REPO}/edit/main")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", (None, None)),
        ("   ", (None, None)),
        (REPO + "/", (REPO, f"{REPO}/edit/main")),
    ],
)
def test_site_settings_reads_repo_url(environment, value, expected):
    environment(REPO_URL=value)
    assert site_settings(ROOT) == expected


def test_mkdocs_yml_names_no_repository_of_its_own():
    """The address is never written in the configuration, only read from the environment."""
    settings = [
        line
        for line in (ROOT / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("#")
    ]
    assert not [line for line in settings if "github.com" in line]


def test_without_a_repository_no_page_links_to_one(tmp_path, environment):
    environment()
    root = copy_repo(tmp_path / "repo")
    result = run_cli(root, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    site = root / "site"
    pages = list(site.rglob("*.html"))
    assert len(pages) > 30
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "Edit this study" not in text, page
        assert 'data-md-component="source"' not in text, page  # the theme's repository link
        assert not re.findall(r"https://github\.com/", text), page
    assert "<loc>http://127.0.0.1:8000/studies/huaman-2022/</loc>" in (site / "sitemap.xml").read_text(encoding="utf-8")
