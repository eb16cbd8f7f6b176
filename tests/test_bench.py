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
    assert row["files rewritten"] == 0  # nothing changed: nothing under site/ rewritten
    assert row["files rewritten after edit"] >= 2  # at least the study's page in each edition
    for name in ("parse floor", "check", "site cold", "site unchanged", "site one edit", "clean"):
        assert row[name] > 0
    assert row["clean, then site cold"] == row["clean"] + row["site cold"]
    assert row["one edit ÷ (clean, then cold)"] == row["site one edit"] / row["clean, then site cold"]
    assert not (tmp_path / "n16" / "site").exists()  # `clean` was measured last, where there was a site
    assert row["site unchanged"] < row["site cold"]
    assert row["search index KiB (es)"] > 0 and row["search index KiB (en)"] > 0
    assert row["study page KiB"] > 0 and row["findings page KiB"] > 0
    table = run.table([row])
    assert table.splitlines()[0] == "| Measure | N = 16 |"
    assert table.splitlines()[2].startswith("| parse floor | ")
    targets = run.targets(row)
    assert targets.splitlines()[2].startswith("| clean, then site cold | ")
    assert len(targets.splitlines()) == 2 + len(run.TARGETS)


def test_a_page_written_reads_back_as_the_same_figures():
    row = {"N": 5000, **{name: (3 if fmt == "{:d}" else 2.0) for name, fmt in run.COLUMNS[1:]}}
    info = {"machine": "x86_64", "cores": 2, "memory": 24, "python": "3.11.7", "system": "Linux"}
    rows, machine = run.figures(run.page([row], info))
    assert rows == [row] and machine == info


def test_each_figure_is_the_median_of_the_runs_and_each_ratio_that_of_the_medians():
    runs = [
        {
            "N": 5000,
            "site cold": c,
            "clean, then site cold": c + 1,
            "site one edit": e,
            "peak MiB": p,
            "files rewritten": w,
            "files rewritten after edit": 19,
            "one edit ÷ cold": 0.0,
            "one edit ÷ (clean, then cold)": 0.0,
        }
        for c, e, p, w in [(25.0, 3.5, 600, 0), (27.0, 4.4, 680, 1), (26.0, 3.6, 640, 0)]
    ]
    row = run.median_row(runs)
    assert (row["site cold"], row["site one edit"], row["clean, then site cold"]) == (26.0, 3.6, 27.0)
    assert (row["peak MiB"], row["files rewritten"]) == (680, 1)  # the largest: a peak, and a file rewritten once
    assert row["one edit ÷ cold"] == 3.6 / 26.0 and row["one edit ÷ (clean, then cold)"] == 3.6 / 27.0
