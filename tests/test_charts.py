"""Charts: the numbers are right, the SVG is real text, safe and byte-identical every time."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import matplotlib
import pytest

from conftest import ROOT
from evidence.charts import BAR, UNKNOWN, Chart, chart_data, render_svg
from evidence.dataset import load

DATA = load(ROOT)
CHARTS = {c.id: c for c in chart_data(DATA.review, DATA.studies)}
SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg.encode()).iter(f"{SVG}text")]


def contrast(colour: str) -> float:
    """WCAG contrast ratio of a #rrggbb colour against white."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def test_the_four_charts():
    assert list(CHARTS) == ["by-database", "by-language", "by-year", "by-trend"]


def test_by_year_shows_every_year_of_the_window_with_zeros():
    assert CHARTS["by-year"].rows == (("2019", 3), ("2020", 0), ("2021", 2), ("2022", 7), ("2023", 4))
    assert (
        CHARTS["by-year"].alt == "Bar chart of included studies by year: 2019: 3, 2020: 0, 2021: 2, 2022: 7, 2023: 4."
    )


def test_by_year_adds_a_year_outside_the_window():
    studies = [dataclasses.replace(DATA.studies[0], year=2017)] + DATA.studies[1:]
    rows = dict(chart_data(DATA.review, studies)[2].rows)
    assert list(rows) == ["2017", "2019", "2020", "2021", "2022", "2023"]
    assert sum(rows.values()) == len(studies)


def test_by_database_shows_the_reported_totals_and_says_what_is_not_known():
    chart = CHARTS["by-database"]
    assert dict(chart.rows) == {"Google Scholar": 6, "Scopus": 4, "Scielo": 4, "Redalyc": 2}
    assert "as reported by the review" in chart.caption
    assert "which study came from which database is not reported" in chart.caption
    assert "not reported" in chart.note


def test_by_database_counts_coded_studies_and_never_drops_the_rest():
    studies = [dataclasses.replace(s, database="scopus") for s in DATA.studies[:3]] + DATA.studies[3:]
    chart = chart_data(DATA.review, studies)[0]
    assert chart.rows == (("Scopus", 3), ("Not recorded", 13))
    assert "coded in the study files" in chart.caption
    assert "13 of 16" in chart.note


def test_by_language_puts_missing_languages_in_a_row_of_their_own():
    assert dict(CHARTS["by-language"].rows) == {"Spanish": 4, "Not reported": 12}
    assert "12 of 16" in CHARTS["by-language"].note


def test_by_trend_follows_the_review_order():
    chart = CHARTS["by-trend"]
    assert [label for label, _ in chart.rows] == [t.name for t in DATA.review.trends]
    expected = {t.id: sum(t.id in s.trends for s in DATA.studies) for t in DATA.review.trends}
    assert [n for _, n in chart.rows] == [expected[t.id] for t in DATA.review.trends]


@pytest.mark.parametrize("chart", CHARTS.values(), ids=CHARTS)
def test_alt_text_states_every_number_and_every_chart_says_what_is_not_known(chart):
    for label, n in chart.rows:
        assert f"{label}: {n}" in chart.alt
    assert chart.title and chart.caption and chart.note


@pytest.mark.parametrize("chart", CHARTS.values(), ids=CHARTS)
def test_svg_is_real_text_without_dates_versions_or_paths(chart):
    svg = render_svg(chart)
    shown = " ".join(texts(svg))
    for label, _count in chart.rows:
        assert " ".join(textwrap.wrap(label, 28)) in shown
    assert "<path" in svg and "font-family" in svg and "sans-serif" in svg
    for unwanted in ("dc:date", "Date", "Matplotlib v", "/work", "/tmp", "/home", "\\"):
        assert unwanted not in svg


def test_bar_labels_print_every_count():
    svg = render_svg(CHARTS["by-year"])
    assert ["3", "0", "2", "7", "4"] == [t for t in texts(svg) if t in {"0", "2", "3", "4", "7"}][-5:]


def test_svg_is_byte_identical_in_process_and_across_processes():
    first = render_svg(CHARTS["by-trend"])
    assert render_svg(CHARTS["by-trend"]) == first
    code = (
        "from pathlib import Path; from evidence.dataset import load; from evidence.charts import chart_data, render_svg; "
        f"d = load(Path({str(ROOT)!r})); import sys; sys.stdout.write(render_svg(chart_data(d.review, d.studies)[3]))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    ).stdout
    assert other == first


def test_hostile_labels_are_escaped_and_never_mathtext():
    chart = Chart("by-trend", "t", "c", (("<script>alert(1)</script> & co", 2), ("$x$ costs $5", 1)), "a", "n")
    svg = render_svg(chart)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    shown = " ".join(texts(svg))
    assert "<script>alert(1)</script> & co" in shown
    assert "$x$ costs $5" in shown


def test_rendering_leaves_global_matplotlib_settings_alone():
    before = dict(matplotlib.rcParams)
    render_svg(CHARTS["by-year"])
    assert dict(matplotlib.rcParams) == before


def test_colours_meet_wcag_aa_against_white():
    assert contrast(BAR) >= 4.5 and contrast(UNKNOWN) >= 4.5


def test_unknown_rows_are_hatched_not_only_coloured():
    svg = render_svg(CHARTS["by-language"])
    assert re.search(r'<pattern id="h[0-9a-f]+"', svg)


def test_language_names_come_from_cldr_in_the_readers_language():
    from evidence.models import language_name

    assert [language_name(c) for c in ("es", "en", "pt", "qu", "ay")] == [
        "Spanish",
        "English",
        "Portuguese",
        "Quechua",
        "Aymara",
    ]
    assert language_name("es", "es") == "español" and language_name("qu", "es") == "quechua"
    assert language_name("xx-not-a-code") == "xx-not-a-code"
