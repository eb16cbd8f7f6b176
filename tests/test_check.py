"""The checker: every problem, at its line, in words a contributor can act on."""

from __future__ import annotations

import pytest

from conftest import ROOT, make_repo, run_cli
from evidence.dataset import load
from evidence.loader import read_bytes
from evidence.schema import schema_problems

VALID = """\
# yaml-language-server: $schema=../schema/study.schema.json
id: new-2023
title: A title
year: 2023
authors:
  - family: New
finding: A finding.
trends: [citizen-perception]
group: challenges
"""

REAL_WARNINGS = [
    "review.yml:107:26: warning: the review reports 4 included studies from Scielo, but no study file records its database, so this cannot be checked",
    "review.yml:111:26: warning: the review reports 6 included studies from Google Scholar, but no study file records its database, so this cannot be checked",
    "review.yml:115:26: warning: the review reports 4 included studies from Scopus, but no study file records its database, so this cannot be checked",
    "review.yml:119:26: warning: the review reports 2 included studies from Redalyc, but no study file records its database, so this cannot be checked",
    "review.yml:660:21: warning: the review reports 6 studies in group 'successful-adoption' but 5 study files are coded to it",
    'studies/marquez-2022.yml:21:12: warning: criterion 4 of the review ("Articles with different approaches and strategies for the implementation of Digital Government in Peru") is not met: `countries` is Peru, Ecuador',
    'studies/paiva-2019.yml:16:7: warning: criterion 1 of the review ("Academic articles in indexed journals") is not met: `type` is conference-paper',
    'studies/rodriguez-2021.yml:21:12: warning: criterion 4 of the review ("Articles with different approaches and strategies for the implementation of Digital Government in Peru") is not met: `countries` is Latin America',
    'studies/valenzuela-2023.yml:12:12: warning: criterion 4 of the review ("Articles with different approaches and strategies for the implementation of Digital Government in Peru") is not met: `countries` is Latin America',
]


def test_real_data_has_no_errors_and_lists_the_reconciliation_findings():
    result = run_cli(ROOT, "check")
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines() == REAL_WARNINGS + ["0 errors, 9 warnings"]


def _lines(result):
    return result.stdout.splitlines()


# (file name, content, expected lines printed for that file)
BAD_INPUTS = [
    (
        "syntax",
        "studies/broken-2020.yml",
        "id: broken-2020\ntitle: [unclosed\n",
        [
            "studies/broken-2020.yml:2:8: error: YAML syntax error: expected ',' or ']' in the list that starts here; close it with ']', or put text that starts with '[' in quotes"
        ],
    ),
    (
        "empty",
        "studies/empty-2020.yml",
        "",
        ["studies/empty-2020.yml:1:1: error: file is empty; copy studies/_template.yml to start one"],
    ),
    (
        "missing field",
        "studies/new-2023.yml",
        VALID.replace("year: 2023\n", ""),
        [
            "studies/new-2023.yml:2:1: error: missing required field `year`: Year of publication: as the review gives it, or, for a study added in an update, as published."
        ],
    ),
    (
        "wrong type",
        "studies/new-2023.yml",
        VALID.replace("year: 2023", "year: twenty"),
        ["studies/new-2023.yml:4:7: error: `year` must be a whole number such as 2022; got 'twenty'"],
    ),
    (
        "unknown key",
        "studies/new-2023.yml",
        VALID.replace("title:", "titel:"),
        [
            "studies/new-2023.yml:2:1: error: missing required field `title`: For a study of the published review, its title in English exactly as the review's Table 3 gives it; for a study added in an update, its title as published (in English where the study gives one).",
            "studies/new-2023.yml:3:1: error: unknown field `titel`; did you mean `title`?",
        ],
    ),
    (
        "id not file name",
        "studies/new-2023.yml",
        VALID.replace("id: new-2023", "id: other-2023"),
        [
            "studies/new-2023.yml:2:5: error: `id` is 'other-2023' but the file is named new-2023.yml; they must be the same"
        ],
    ),
    (
        "unknown trend",
        "studies/new-2023.yml",
        VALID.replace("[citizen-perception]", "[citizen-perceptoin]"),
        ["studies/new-2023.yml:8:10: error: unknown trend 'citizen-perceptoin'; did you mean `citizen-perception`?"],
    ),
    (
        "unknown group",
        "studies/new-2023.yml",
        VALID.replace("group: challenges", "group: challenge"),
        ["studies/new-2023.yml:9:8: error: unknown group 'challenge'; did you mean `challenges`?"],
    ),
    (
        "python tag",
        "studies/new-2023.yml",
        VALID.replace("title: A title", "title: !!python/object/apply:os.system ['echo hacked']"),
        [
            "studies/new-2023.yml:3:8: error: tags such as '!!python/object/apply:os.system' are not allowed; write plain values"
        ],
    ),
    (
        "alias",
        "studies/new-2023.yml",
        VALID.replace("title: A title", "title: &t A title\nnotes: *t"),
        [
            "studies/new-2023.yml:3:8: error: anchors (&t) are not allowed; write each value out in full",
            "studies/new-2023.yml:4:8: error: aliases (*t) are not allowed; write the value out in full",
        ],
    ),
    (
        "over size cap",
        "studies/new-2023.yml",
        VALID + "notes: " + "x" * 70000 + "\n",
        ["studies/new-2023.yml:1:1: error: file is 70,199 bytes; the limit is 65,536 bytes"],
    ),
    (
        "invalid utf-8",
        "studies/new-2023.yml",
        VALID.encode().replace(b"A title", b"A t\xedtle"),
        ["studies/new-2023.yml:3:11: error: file is not valid UTF-8 (byte 0xed); save it as UTF-8"],
    ),
    (
        "byte-order mark",
        "studies/new-2023.yml",
        b"\xef\xbb\xbf" + VALID.encode(),
        ["studies/new-2023.yml:1:1: error: file starts with a byte-order mark; save it as UTF-8 without BOM"],
    ),
    (
        "javascript url",
        "studies/new-2023.yml",
        VALID + "url: javascript:alert(1)\n",
        [
            "studies/new-2023.yml:10:6: error: `url` must be an address starting with https://; got 'javascript:alert(1)'"
        ],
    ),
    (
        "http url",
        "studies/new-2023.yml",
        VALID + "url: http://example.org/a\n",
        [
            "studies/new-2023.yml:10:6: error: `url` must be an address starting with https://; got 'http://example.org/a'"
        ],
    ),
    (
        "malformed doi",
        "studies/new-2023.yml",
        VALID + "doi: https://doi.org/10.1234/abc\n",
        [
            "studies/new-2023.yml:10:6: error: `doi` must be a bare DOI such as 10.51915/ret.197 (without https://doi.org/); got 'https://doi.org/10.1234/abc'"
        ],
    ),
    (
        "duplicate id",
        "studies/new-2023.yml",
        VALID.replace("id: new-2023", "id: vicente-2022"),
        [
            "studies/new-2023.yml:2:5: error: `id` 'vicente-2022' is already used by studies/vicente-2022.yml",
            "studies/new-2023.yml:2:5: error: `id` is 'vicente-2022' but the file is named new-2023.yml; they must be the same",
        ],
    ),
]


@pytest.mark.parametrize("name, file, content, expected", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_is_reported_at_its_line(repo, name, file, content, expected):
    root = repo({file: content})
    result = run_cli(root, "check")
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    mine = [line for line in _lines(result) if line.startswith(file)]
    assert mine == expected


def test_duplicate_id_is_named_against_the_first_file(repo):
    root = repo({"studies/zz-2020.yml": VALID.replace("id: new-2023", "id: vicente-2022")})
    assert "studies/zz-2020.yml:2:5: error: `id` 'vicente-2022' is already used by studies/vicente-2022.yml" in _lines(
        run_cli(root, "check")
    )


def test_duplicate_doi(repo):
    root = repo({"studies/new-2023.yml": VALID + "doi: 10.51915/RET.197\n"})
    assert (
        "studies/new-2023.yml:10:6: error: DOI 10.51915/RET.197 is already used by studies/marquez-2022.yml; "
        "is this the same study?"
    ) in _lines(run_cli(root, "check"))


def test_several_problems_in_several_files_are_all_reported(repo):
    root = repo(
        {
            "studies/aaa-2020.yml": VALID.replace("id: new-2023", "id: aaa-2020").replace("year: 2023", "year: twenty"),
            "studies/bbb-2020.yml": VALID.replace("id: new-2023", "id: bbb-2020").replace(
                "group: challenges", "group: nope"
            ),
            "studies/ccc-2020.yml": "id: [\n",
        }
    )
    result = run_cli(root, "check")
    errors = [line for line in _lines(result) if ": error: " in line]
    assert [e.split(":")[0] for e in errors] == ["studies/aaa-2020.yml", "studies/bbb-2020.yml", "studies/ccc-2020.yml"]
    assert _lines(result)[-1] == "3 errors, 0 warnings"  # counts are reconciled only once the files are valid
    assert result.returncode == 1


def test_github_format_prints_annotations(repo):
    root = repo({"studies/new-2023.yml": VALID.replace("year: 2023", "year: twenty")})
    result = run_cli(root, "check", "--format", "github")
    assert (
        "::error file=studies/new-2023.yml,line=4,col=7::`year` must be a whole number such as 2022; got 'twenty'"
        in _lines(result)
    )
    warnings = run_cli(ROOT, "check", "--format", "github")
    assert "::warning file=studies/paiva-2019.yml,line=16,col=7::" in warnings.stdout


def test_template_is_skipped_and_valid(repo):
    root = repo()
    assert (ROOT / "studies" / "_template.yml").exists()
    assert load(root).ok


@pytest.mark.parametrize("text", ["no", "yes", "on", "off", "2022-01-01", "010", "0x1F", "1_000"])
def test_yaml_1_1_traps_stay_text(text):
    doc, problems = read_bytes(f"value: {text}\n".encode(), "x.yml")
    assert problems == [] and doc.data == {"value": text}


@pytest.mark.parametrize(
    "text, value",
    [("2022", 2022), ("-3", -3), ("true", True), ("false", False), ("~", None), ("1.5", 1.5), ("'2022'", "2022")],
)
def test_yaml_core_scalars(text, value):
    doc, _ = read_bytes(f"value: {text}\n".encode(), "x.yml")
    assert doc.data == {"value": value}


def test_alias_bomb_is_refused_without_expanding():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    doc, problems = read_bytes(bomb.encode(), "bomb.yml")
    assert doc is None
    assert problems[0].message == "anchors (&a) are not allowed; write each value out in full"


# Tables of valid and invalid values for single fields.
FIELD_CASES = [
    ("doi", "10.51915/ret.197", True),
    ("doi", "10.21511/kpm.07(1).2023.01", True),
    ("doi", "doi:10.1/x", False),
    ("doi", "10.12/x", False),
    ("url", "https://example.org/x", True),
    ("url", "http://example.org", False),
    ("url", "data:text/html,x", False),
    ("url", "javascript:alert(1)", False),
    ("language", "es", True),
    ("language", "spa", False),
    ("language", "ES", False),
    ("year", 2019, True),
    ("year", 1800, False),
    ("published", "2022-03-30", True),
    ("published", "2022-13-01", False),
    ("pages", "163–179", True),
    ("pages", "1 - 14", False),
    ("id", "vicente-2022", True),
    ("id", "../etc", False),
    ("id", "a/b", False),
    ("id", "Vicente-2022", False),
    ("type", "journal-article", True),
    ("type", "book", False),
]


@pytest.mark.parametrize("field, value, valid", FIELD_CASES)
def test_field_values(field, value, valid):
    doc, _ = read_bytes(VALID.encode(), "studies/new-2023.yml")
    doc.data[field] = value
    problems = schema_problems(doc, "study")
    assert (problems == []) is valid, problems


def test_github_annotation_escapes_the_file_property():
    from evidence.problems import ERROR, Problem

    line = Problem("studies/a,b:c.yml", 3, 4, ERROR, "50% done\nnext").github()
    assert line == "::error file=studies/a%2Cb%3Ac.yml,line=3,col=4::50%25 done\\nnext"  # one line, always


@pytest.mark.parametrize("field", ["title", "finding"])
def test_text_that_is_only_spaces_is_refused(field):
    doc, _ = read_bytes(VALID.encode(), "studies/new-2023.yml")
    doc.data[field] = "   "
    assert [p.message for p in schema_problems(doc, "study")] == [
        f"`{field}` must be text with at least one visible character; got '   '"
    ]


def test_the_template_copied_as_it_is_is_a_valid_study(repo):
    root = repo({"studies/surname-2024.yml": (ROOT / "studies" / "_template.yml").read_text(encoding="utf-8")})
    result = run_cli(root, "check")
    assert result.returncode == 0
    assert [line for line in _lines(result) if line.startswith("studies/surname-2024.yml")] == [
        'studies/surname-2024.yml:19:7: warning: criterion 2 of the review ("Academic articles due for publication '
        'between 2019 and 2023") is not met: `year` is 2024'
    ]


# --- Trends and groups come from the review's paragraphs ----------------------------------------------------


def _real(study_id: str) -> str:
    return (ROOT / "studies" / f"{study_id}.yml").read_text(encoding="utf-8")


def test_a_study_of_the_review_listing_trends_is_an_error(repo):
    text = _real("cuno-2021").replace(
        "group: various-aspects", "trends: [knowledge-management]\ngroup: various-aspects"
    )
    root = repo({"studies/cuno-2021.yml": text})
    line = text.splitlines().index("trends: [knowledge-management]") + 1
    assert [x for x in _lines(run_cli(root, "check")) if x.startswith("studies/cuno-2021.yml")] == [
        f"studies/cuno-2021.yml:{line}:1: error: a study of the published review takes its trends from the review's "
        "paragraphs that cite it; remove `trends`, or record a trend no paragraph supports under `our_trends`, "
        "with its reason"
    ]


def test_our_reading_of_a_trend_needs_a_trend_no_paragraph_supports(repo, tmp_path):
    ours = "our_trends:\n  - id: knowledge-management\n    reason: A reason.\n  - id: local-regional\n    reason: Another.\n"
    text = _real("cuno-2021") + ours
    root = repo({"studies/cuno-2021.yml": text})
    line = text.splitlines().index("  - id: knowledge-management") + 1
    assert [x for x in _lines(run_cli(root, "check")) if x.startswith("studies/cuno-2021.yml")] == [
        f"studies/cuno-2021.yml:{line}:9: error: the review itself puts this study in trend 'knowledge-management' "
        "(Discussion, paragraph 13; Discussion, paragraph 22); remove it from `our_trends`"
    ]
    other = make_repo(
        tmp_path / "other",
        {
            "studies/cuno-2021.yml": _real("cuno-2021")
            + ours.split("  - id: knowledge")[0]
            + "  - id: local-regional\n    reason: Another.\n"
        },
    )
    dataset = load(other)
    cuno = next(s for s in dataset.studies if s.id == "cuno-2021")
    assert cuno.trends == ("knowledge-management", "local-regional")


def test_a_study_no_paragraph_cites_is_an_error(repo):
    text = _real("cuno-2021").replace("cited_as: Cuno et al. (2021)", "cited_as: Cuno and others (2021)")
    root = repo({"studies/cuno-2021.yml": text})
    errors = [x for x in _lines(run_cli(root, "check")) if x.startswith("studies/cuno-2021.yml")]
    assert errors[0] == (
        "studies/cuno-2021.yml:3:11: error: no paragraph of the review's trends cites this study as "
        "'Cuno and others (2021)'; add the form the review uses under `also_cited_as`, or record a trend under "
        "`our_trends` with its reason"
    )
    assert "the paragraph of group 'various-aspects' (Discussion, paragraph 6) does not name this study" in errors[1]


def test_a_study_in_a_group_its_paragraph_does_not_name_is_an_error(repo):
    text = _real("vicente-2022").replace("group: successful-adoption", "group: challenges")
    root = repo({"studies/vicente-2022.yml": text})
    line = text.splitlines().index("group: challenges") + 1
    assert [x for x in _lines(run_cli(root, "check")) if x.startswith("studies/vicente-2022.yml")] == [
        f"studies/vicente-2022.yml:{line}:8: error: the paragraph of group 'challenges' (Discussion, paragraph 5) "
        "does not name this study; Discussion, paragraph 7 names it, in group 'successful-adoption'"
    ]
