"""The benchmark harness works end to end (at N=16). A benchmark, not a timed test: no time is asserted."""

from __future__ import annotations

from benchmarks import run, synthetic
from evidence.dataset import load


def test_synthetic_data_are_valid_and_cover_every_trend_and_group(tmp_path):
    root = synthetic.make(tmp_path / "n40", 40)
    dataset = load(root)
    assert [p for p in dataset.problems if p.severity == "error"] == []
    assert len(dataset.studies) == 40
    assert {t for s in dataset.studies for t in s.trends} == {t.id for t in dataset.review.trends}
    assert {s.group for s in dataset.studies} == {g.id for g in dataset.review.groups}
    assert any(any(c in a.family for c in "áéíóúñÁÉÍÓÚÑ") for s in dataset.studies for a in s.authors)


def test_harness_measures_every_step_at_n16(tmp_path):
    row = run.measure(16, work=tmp_path)
    assert row["N"] == 16
    assert row["files rewritten"] == 0  # nothing changed: nothing rewritten
    assert 1 <= row["files rewritten after edit"] <= 10
    for name in ("parse floor", "check", "generate cold", "generate one edit", "mkdocs build"):
        assert row[name] > 0
    assert row["search index KiB"] > 0 and row["study page KiB"] > 0
    table = run.table([row])
    assert table.splitlines()[0] == "| Measure | N = 16 |"
    assert table.splitlines()[2].startswith("| parse floor | ")
