"""Updates of the living review in the checker: an added study names its update, is checked against the
criteria in force for it, and is never counted as one of the published review's studies."""

from __future__ import annotations

import re
import textwrap

import pytest

from conftest import ROOT, run_cli
from evidence.dataset import load

# The contract of CONTRIBUTING.md, word for word.
UPDATE = """
updates:
  - id: update-2025-1
    date: 2025-06-30
    description: Search rerun in SciELO for 2024.
"""
STUDY = """\
id: quispe-2024
title: Interoperable municipal services in Cusco after the pandemic
year: 2024
authors:
  - family: Quispe Mamani
    given: Rosa
finding: Municipal offices in Cusco that shared one procedures platform answered requests faster.
trends: [local-regional]
update: update-2025-1
sources:
  - https://example.org/quispe-2024
"""
REVIEW = (ROOT / "review.yml").read_text(encoding="utf-8")
AT = REVIEW.count("\n") + 3  # the line of `  - id: update-2025-1` below the review
# The warnings of the published review itself (tests/test_check.py lists them); the rest are the update's.
BASELINE = run_cli(ROOT, "check").stdout.splitlines()[:-1]
WIDER = """    criteria:
      - number: 2
        inclusion: Academic articles due for publication between 2019 and 2024
        exclusion: Academic articles due for publication before 2019
        check:
          field: year
          min: 2019
          max: 2024
"""


def contract(repo, review: str = REVIEW + UPDATE, study: str | None = STUDY, **files):
    files = {"review.yml": review, **files}
    if study is not None:
        files["studies/quispe-2024.yml"] = study
    return repo(files)


def new_lines(result) -> list[str]:
    """What the check printed beyond the published review's own warnings (and the summary line)."""
    return [line for line in result.stdout.splitlines()[:-1] if line not in BASELINE]


def test_the_contract_example_checks_with_one_warning_the_year_criterion(repo):
    root = contract(repo)
    result = run_cli(root, "check")
    assert result.returncode == 0, result.stdout
    assert new_lines(result) == [
        "studies/quispe-2024.yml:1:1: warning: file is not in canonical form; run python build_site.py fmt",
        'studies/quispe-2024.yml:3:7: warning: criterion 2 of the review ("Academic articles due for publication '
        'between 2019 and 2023") is not met by this study of update-2025-1: `year` is 2024; if the update changed '
        "the criterion, record the change under its `criteria` in review.yml",
    ]
    assert result.stdout.splitlines()[-1] == f"0 errors, {len(BASELINE) + 2} warnings"


def test_the_contract_study_has_its_origin_and_the_review_keeps_its_counts(repo):
    data = load(contract(repo))
    study = next(s for s in data.studies if s.id == "quispe-2024")
    assert study.added and study.update == "update-2025-1" and study.group is None
    assert (study.origin.update, study.origin.date, study.origin.key) == (
        "update-2025-1",
        "2025-06-30",
        "update-2025-1",
    )
    assert study.origin.label == "Added in update-2025-1 (2025-06-30)"
    assert all(s.origin.label == "Published review" and s.origin.key == "review" for s in data.studies if s != study)
    included = next(c for c in data.reconciliation.counts if c.topic == "included")
    assert (included.reported, included.coded, included.status) == (16, 16, "consistent")
    assert [c.coded for c in data.reconciliation.counts if c.topic == "year"] == [3, 2, 7, 4]  # 2019, 2021-2023


def test_an_update_that_widens_the_window_meets_the_criterion(repo):
    root = contract(repo, REVIEW + UPDATE + WIDER)
    result = run_cli(root, "check")
    assert result.returncode == 0
    assert new_lines(result) == [
        "studies/quispe-2024.yml:1:1: warning: file is not in canonical form; run python build_site.py fmt"
    ]
    checks = {c.criterion: c for c in load(root).reconciliation.criteria if c.study == "quispe-2024"}
    assert (checks[2].status, checks[2].value, checks[2].changed_by) == ("met", "2024", "update-2025-1")
    assert (checks[1].status, checks[1].changed_by) == ("not known", None)
    # The review's own studies keep the review's criteria.
    assert {c.changed_by for c in load(root).reconciliation.criteria if c.study != "quispe-2024"} == {None}


def test_a_changed_criterion_holds_for_later_updates(repo):
    later = UPDATE + WIDER + "  - id: update-2026-1\n    date: 2026-01-15\n"
    study = STUDY.replace("quispe-2024", "mamani-2025").replace("year: 2024", "year: 2025")
    study = study.replace("update: update-2025-1", "update: update-2026-1")
    root = contract(repo, REVIEW + later, **{"studies/mamani-2025.yml": study})
    result = run_cli(root, "check")
    assert (
        'studies/mamani-2025.yml:3:7: warning: criterion 2 as update-2025-1 changed it ("Academic articles due for publication between 2019 and 2024") is not met by this study of update-2026-1: `year` is 2025'
        in (result.stdout.splitlines())
    )


MISTAKES = [
    (
        "no updates in review.yml",
        REVIEW,
        STUDY,
        "studies/quispe-2024.yml:9:9: error: unknown update 'update-2025-1'; review.yml has no `updates`; "
        "add the update there first, with its `id` and `date`",
    ),
    (
        "unknown update",
        REVIEW + UPDATE,
        STUDY.replace("update: update-2025-1", "update: update-2025-2"),
        "studies/quispe-2024.yml:9:9: error: unknown update 'update-2025-2'; did you mean `update-2025-1`?",
    ),
    (
        "a group",
        REVIEW + UPDATE,
        STUDY.replace("update:", "group: challenges\nupdate:"),
        "studies/quispe-2024.yml:9:1: error: a study added in an update has no `group`: the discussion groups "
        "are the review's; remove it",
    ),
    (
        "cited as in the review",
        REVIEW + UPDATE,
        STUDY.replace("title:", "cited_as: Quispe (2024)\ntitle:"),
        "studies/quispe-2024.yml:2:1: error: `cited_as` is how the review names a study it included; a study "
        "added in an update is not among them; remove it",
    ),
    (
        "no sources",
        REVIEW + UPDATE,
        STUDY.split("sources:")[0],
        "studies/quispe-2024.yml:1:1: error: missing required field `sources`: a study added in an update lists "
        "at least one https:// address where its finding can be checked",
    ),
    (
        "an empty list of sources",
        REVIEW + UPDATE,
        STUDY.split("sources:")[0] + "sources: []\n",
        "studies/quispe-2024.yml:10:10: error: `sources` must list at least 1 item",
    ),
    (
        "a study of the review without group",
        REVIEW + UPDATE,
        STUDY.replace("update: update-2025-1\n", ""),
        "studies/quispe-2024.yml:1:1: error: missing required field `group`: a study of the published review "
        "names its discussion group",
    ),
    (
        "an update without a date",
        REVIEW + UPDATE.replace("    date: 2025-06-30\n", ""),
        STUDY,
        f"review.yml:{AT}:5: error: missing required field `date` in `updates[1]`: Date of the update, "
        "YYYY-MM-DD (ISO 8601): the date its data are as of.",
    ),
    (
        "a date that is not ISO 8601",
        REVIEW + UPDATE.replace("2025-06-30", "30/06/2025"),
        STUDY,
        f"review.yml:{AT + 1}:11: error: `updates[1].date` must be a date written YYYY-MM-DD, such as 2025-06-30; "
        "got '30/06/2025'",
    ),
    (
        "a date not in the calendar",
        REVIEW + UPDATE.replace("2025-06-30", "2025-02-30"),
        STUDY,
        f"review.yml:{AT + 1}:11: error: `updates[1].date` is '2025-02-30', which is not a date of the calendar",
    ),
    (
        "an update id twice",
        REVIEW + UPDATE + "  - id: update-2025-1\n    date: 2025-07-01\n",
        STUDY,
        f"review.yml:{AT + 3}:9: error: id 'update-2025-1' is used twice in `updates`",
    ),
    (
        "a change to a study that does not exist",
        REVIEW + UPDATE + "    changes:\n      - study: vicente-2021\n        what: DOI added.\n",
        STUDY,
        f"review.yml:{AT + 4}:16: error: unknown study 'vicente-2021'; did you mean `vicente-2022`?",
    ),
]


@pytest.mark.parametrize("name, review, study, expected", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_mistakes_in_an_update_are_reported_at_their_line(repo, name, review, study, expected):
    result = run_cli(contract(repo, review, study), "check")
    assert result.returncode == 1
    assert [line for line in result.stdout.splitlines() if ": error: " in line] == [expected]


def test_contributing_gives_the_contract_example_word_for_word():
    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    blocks = [textwrap.dedent(b) for b in re.findall(r"```yaml\n(.*?)```", guide, flags=re.S)]
    assert "# review.yml\n" + UPDATE.lstrip("\n") in blocks
    assert "# studies/quispe-2024.yml\n" + STUDY in blocks


def test_whats_new_and_the_feed_list_updates_newest_first_with_searches_criteria_and_changes(repo, tmp_path):
    import feedparser

    from evidence import feed, whats_new
    from evidence.as_of import as_of
    from evidence.cache import Cache
    from evidence.context import Context

    updates = (
        UPDATE
        + WIDER
        + "    searches:\n      - database: SciELO\n        date: 2025-06-01\n        terms: gobierno digital\n"
        + "        records: 40\n    changes:\n      - study: vicente-2022\n        what: Its language added.\n"
        + "  - id: update-2026-1\n    date: 2026-01-15\n    description: Nothing new found.\n"
    )
    root = contract(repo, REVIEW + updates)
    data = load(root)
    assert data.ok, data.problems
    ctx = Context(
        data.review, data.studies, data.reconciliation, None, None, Cache(tmp_path), as_of=as_of(root, data.review)
    )
    page = whats_new.page(ctx)
    assert page.index('id="update-2026-1"') < page.index('id="update-2025-1"')
    for shown in (
        "16 studies in the published review, 1 added since (as of January 15, 2026).",
        '<th scope="row">SciELO</th><td>June 1, 2025</td><td>gobierno digital</td><td class="number">40</td>',
        "Criteria as update-2025-1 words them",
        "Academic articles due for publication between 2019 and 2024",
        "Studies changed (1)",
        "Its language added.",
    ):
        assert shown in page, shown
    parsed = feedparser.parse(feed.atom(ctx))
    assert not parsed.bozo and parsed.feed.updated == "2026-01-15T00:00:00Z"
    assert [e.title for e in parsed.entries] == [
        "update-2026-1: 0 studies added",
        "update-2025-1: 1 study added, 1 changed",
        "Added in update-2025-1: Interoperable municipal services in Cusco after the pandemic",
        "Changed in update-2025-1: Digitalization and satisfaction among Peruvian users towards their civil "
        "registration office",
    ]
