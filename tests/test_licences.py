"""Licences: MIT for the code, CC BY 4.0 for the site's data and text, the review's words under its own terms.

Stated in LICENSE and LICENSE-DATA, the README, the About and Data pages, the footer of every page and the
downloads' metadata (data/datapackage.json).
"""

from __future__ import annotations

import json

import pytest
import yaml

from conftest import ROOT
from evidence.dataset import load
from evidence.generate import generate
from test_site import copy_repo

CC_BY = "https://creativecommons.org/licenses/by/4.0/"
REVIEW_TERMS = "remain under the terms on which the review was published"


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    root = copy_repo(tmp_path_factory.mktemp("licences") / "repo")
    generate(load(root))
    return root / "docs" / "en"


def test_license_files():
    code = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert code.startswith("MIT License\n") and "Permission is hereby granted, free of charge" in code
    data = (ROOT / "LICENSE-DATA").read_text(encoding="utf-8")
    assert "Creative Commons Attribution 4.0 International Public License" in data
    assert "Section 8 -- Interpretation." in data  # the whole legal code, to its last section
    assert REVIEW_TERMS in " ".join(data.split())
    assert json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["license"] == "MIT"


def test_readme_states_the_licences():
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    for words in ("MIT", "CC BY 4.0", "`LICENSE`", "`LICENSE-DATA`", REVIEW_TERMS):
        assert words in text, words


def test_about_page_states_the_licences():
    text = " ".join((ROOT / "docs" / "en" / "about.md").read_text(encoding="utf-8").split())
    assert "## Licences" in (ROOT / "docs" / "en" / "about.md").read_text(encoding="utf-8")
    for words in (CC_BY, "CC BY 4.0", "MIT licence", REVIEW_TERMS, "Paola Karina Jáuregui Iparraguirre"):
        assert words in text, words


def test_data_page_states_the_licences(docs):
    text = " ".join((docs / "data.md").read_text(encoding="utf-8").split())
    for words in (
        f'<a href="{CC_BY}">',
        "(CC BY 4.0)",
        "MIT licence",
        REVIEW_TERMS,
        "Paola Karina Jáuregui Iparraguirre",
        "https://doi.org/10.36995/j.visiondefuturo.2024.29.01.003.en",
    ):
        assert words in text, words
    assert '<a href="../../data/datapackage.json">datapackage.json</a>' in text  # one set of downloads, at the root


def test_every_page_footer_names_the_licences():
    for name in ("mkdocs.yml", "mkdocs.en.yml"):
        config = yaml.load((ROOT / name).read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        assert "CC BY 4.0" in config["copyright"] and "MIT" in config["copyright"]


def test_downloads_metadata_states_licence_and_source(docs):
    folder = docs.parent / "es" / "data"  # the downloads are in the default edition only
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"] == [
        {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0 International", "path": CC_BY}
    ]
    assert REVIEW_TERMS.replace("the review was", "it was") in package["description"]
    assert package["sources"][0]["path"] == "https://doi.org/10.36995/j.visiondefuturo.2024.29.01.003.en"
    files = sorted(p.name for p in folder.iterdir() if p.name != "datapackage.json")
    assert sorted(r["path"] for r in package["resources"]) == files
    for resource in package["resources"]:
        assert resource["bytes"] == (folder / resource["path"]).stat().st_size, resource["path"]
