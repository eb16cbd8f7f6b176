"""The review's Figures 2-4 (and studies per trend) as data, then as deterministic SVG bar charts."""

from __future__ import annotations

import io
import re
import textwrap
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .cache import fingerprint
from .models import LANGUAGES, Review, Study

UNKNOWN_LABELS = ("Not recorded", "Not reported")

BAR = "#1f5f8b"  # 7.1:1 against white
UNKNOWN = "#595959"  # 7.0:1 against white; also hatched, so colour is not the only cue
INK = "#1a1a1a"
GRID = "#d0d0d0"

RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "evidence",
    "text.parse_math": False,
    "text.usetex": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica", "sans-serif"],
    "font.size": 12,
    "text.color": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "hatch.color": "white",
    "hatch.linewidth": 1.0,
}
METADATA = {"Date": None, "Creator": None}


@dataclass(frozen=True)
class Chart:
    """One bar chart: what it shows (rows of label and count) and what is not known."""

    id: str
    title: str
    caption: str
    rows: tuple[tuple[str, int], ...]
    alt: str
    note: str


def _alt(what: str, rows) -> str:
    return f"Bar chart of {what}: " + ", ".join(f"{label}: {n}" for label, n in rows) + "."


def _by_count(counter: Counter, names) -> list[tuple[str, int]]:
    return sorted(((names(key), n) for key, n in counter.items()), key=lambda row: (-row[1], row[0]))


def by_database(review: Review, studies: list[Study]) -> Chart:
    coded = Counter(s.database for s in studies if s.database)
    if not coded:
        rows = tuple(
            sorted(
                ((d.name, d.included_reported) for d in review.databases if isinstance(d.included_reported, int)),
                key=lambda row: -row[1],
            )
        )
        missing = [d.name for d in review.databases if not isinstance(d.included_reported, int)]
        note = "Which study came from which database is not reported: no study file records it."
        if missing:
            note += f" The review does not report a count for {', '.join(missing)}."
        return Chart(
            "by-database",
            "Included studies by database",
            "Included studies per database, as reported by the review; "
            "which study came from which database is not reported.",
            rows,
            _alt("included studies by database, as reported by the review", rows),
            note,
        )
    names = {d.id: d.name for d in review.databases}
    rows = _by_count(coded, lambda key: names.get(key, key))
    unknown = len(studies) - sum(coded.values())
    if unknown:
        rows.append(("Not recorded", unknown))
    rows = tuple(rows)
    return Chart(
        "by-database",
        "Included studies by database",
        "Included studies per database, as coded in the study files.",
        rows,
        _alt("included studies by database, as coded in the study files", rows),
        f"{unknown} of {len(studies)} study files do not record the database they were found in."
        if unknown
        else "Every study file records its database.",
    )


def by_language(review: Review, studies: list[Study]) -> Chart:
    rows = _by_count(Counter(s.language for s in studies if s.language), lambda code: LANGUAGES.get(code, code))
    unknown = sum(1 for s in studies if not s.language)
    if unknown:
        rows.append(("Not reported", unknown))
    rows = tuple(rows)
    note = "The review's Figure 3 gives the languages as percentages in an image only. " + (
        f"{unknown} of {len(studies)} study files do not record the language."
        if unknown
        else "Every study file records its language."
    )
    return Chart(
        "by-language",
        "Included studies by language",
        "Included studies per language of publication, as coded in the study files.",
        rows,
        _alt("included studies by language", rows),
        note,
    )


def by_year(review: Review, studies: list[Study]) -> Chart:
    counts = Counter(s.year for s in studies)
    rows = tuple((str(year), counts.get(year, 0)) for year in review.years(studies))
    return Chart(
        "by-year",
        "Included studies by year of publication",
        "Included studies per year of publication, as coded in the study files; years with no study are shown as 0.",
        rows,
        _alt("included studies by year", rows),
        "The review's Figure 4 gives the years as percentages in an image only; its numbers are not in the text.",
    )


def by_trend(review: Review, studies: list[Study]) -> Chart:
    counts = Counter(t for s in studies for t in s.trends)
    rows = tuple((t.name, counts.get(t.id, 0)) for t in review.trends)
    return Chart(
        "by-trend",
        "Included studies by trend",
        "Included studies per trend of the review's Discussion, in the review's order, as coded in the study files.",
        rows,
        _alt("included studies by trend", rows),
        "The review does not give a count per trend; a study coded to more than one trend is counted under each.",
    )


def chart_data(review: Review, studies: list[Study]) -> list[Chart]:
    """Every chart's numbers, labels, alt text and caveats, before any drawing."""
    return [
        by_database(review, studies),
        by_language(review, studies),
        by_year(review, studies),
        by_trend(review, studies),
    ]


def render_svg(chart: Chart) -> str:
    """A horizontal bar chart with the count on each bar; the same chart gives the same bytes."""
    import matplotlib  # imported here: it takes half a second, and cached charts do not need it
    from matplotlib.figure import Figure

    labels = ["\n".join(textwrap.wrap(label, 28)) or label for label, _ in chart.rows]
    counts = [n for _, n in chart.rows]
    lines = sum(label.count("\n") + 1 for label in labels)
    with matplotlib.rc_context({**RC, "svg.id": f"chart-{chart.id}"}):
        fig = Figure(figsize=(6.4, max(3.6, 0.8 + 0.24 * lines + 0.1 * len(labels))))
        ax = fig.subplots()
        positions = range(len(labels))
        unknown = [label in UNKNOWN_LABELS for label, _ in chart.rows]
        bars = ax.barh(
            positions,
            counts,
            height=0.6,
            color=[UNKNOWN if u else BAR for u in unknown],
            hatch=["//" if u else "" for u in unknown],
        )
        ax.bar_label(bars, padding=4, fontsize=13, fontweight="bold", color=INK)
        ax.set_yticks(list(positions), labels=labels)
        ax.invert_yaxis()
        ax.set_xlim(0, max(counts + [1]) * 1.15)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel("Number of included studies")
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", color=GRID, linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.tight_layout()
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata=METADATA)
    return out.getvalue()


def version() -> str:
    """What decides a drawing besides the chart's data: this code and matplotlib's version."""
    from importlib.metadata import version as installed

    return fingerprint(Path(__file__)) + installed("matplotlib")


# What render_svg's drawings are made of; a cached drawing with anything else is drawn again.
_SVG, _XLINK, _RDF = (
    "{http://www.w3.org/2000/svg}",
    "{http://www.w3.org/1999/xlink}",
    "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}",
)
_TAGS = {
    _SVG + t for t in ("svg", "metadata", "defs", "style", "g", "path", "clipPath", "pattern", "rect", "text", "use")
} | {
    "{http://creativecommons.org/ns#}Work",
    _RDF + "RDF",
    "{http://purl.org/dc/elements/1.1/}format",
    "{http://purl.org/dc/elements/1.1/}type",
}
_ATTRIBUTES = {
    "clip-path",
    "d",
    "fill",
    "height",
    "id",
    "patternUnits",
    "style",
    "transform",
    "type",
    "version",
    "viewBox",
    "width",
    "x",
    "y",
    _XLINK + "href",
    _RDF + "resource",
}
_URL = re.compile(r"url\((?!#)|@import|javascript:|expression\(", re.IGNORECASE)


def is_safe_svg(value: object) -> bool:
    """True when `value` is an SVG of the kind render_svg draws: known elements and attributes, no script,
    no event handler, no link or style that leaves the file."""
    if not isinstance(value, str) or "<!ENTITY" in value or "<?xml-stylesheet" in value:
        return False
    try:
        root = ET.fromstring(value)
    except ET.ParseError:
        return False
    if root.tag != _SVG + "svg":
        return False
    for element in root.iter():
        if element.tag not in _TAGS or not set(element.attrib) <= _ATTRIBUTES:
            return False
        if element.get(_XLINK + "href", "#").startswith("#") is False:
            return False
        if (
            element.get(_RDF + "resource", "http://purl.org/dc/dcmitype/StillImage")
            != "http://purl.org/dc/dcmitype/StillImage"
        ):
            return False
        if any(_URL.search(text) for text in [element.text or "", *element.attrib.values()]):
            return False
    return True
