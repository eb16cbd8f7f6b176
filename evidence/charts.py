"""The review's Figures 2-4 (and studies per trend) as data, then as deterministic SVG bar charts.

Each chart counts the published review's studies; when updates have added studies, it counts those
apart, in a second series drawn after the review's in another colour and pattern, never merged.

A chart is drawn in one edition's language: its words (title, caption, alt text, axis label, legend, row
labels) are part of it, so the drawing's cache keeps one SVG per language.
"""

from __future__ import annotations

import io
import re
import textwrap
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from .cache import fingerprint
from .i18n import N_, SOURCE, Language
from .models import Review, Study, language_name

NOT_RECORDED = N_("Not recorded")
NOT_REPORTED = N_("Not reported")
UNKNOWN_LABELS = (NOT_RECORDED, NOT_REPORTED)

BAR = "#1f5f8b"  # 7.1:1 against white
UNKNOWN = "#595959"  # 7.0:1 against white; also hatched, so colour is not the only cue
ADDED = "#a8430f"  # 5.9:1 against white; cross-hatched, so colour is not the only cue
REPORTED = N_("reported by the review")
COUNTED = N_("counted from the study files")
AXIS = N_("Number of included studies")
SERIES = (N_("Published review"), N_("Added in updates"))
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
    """One bar chart: what it shows (rows of label and count) and what is not known, in one language.

    `rows` count the published review's studies; `added`, when updates added studies, counts those for the
    same rows (a row may have none of the review's). `source` says where the numbers come from. `lang`,
    `axis`, `series` and `unknown` (the row labels that stand for "not known", drawn hatched) are the
    drawing's words in its language."""

    id: str
    title: str
    caption: str
    rows: tuple[tuple[str, int], ...]
    alt: str
    note: str
    added: tuple[int, ...] = ()
    source: str = COUNTED
    lang: str = SOURCE
    axis: str = AXIS
    series: tuple[str, str] = SERIES
    unknown: tuple[str, ...] = UNKNOWN_LABELS


@cache
def _source_language() -> Language:
    return Language(SOURCE)


def _values(language: Language, rows) -> str:
    return ", ".join(f"{label}: {language.number(n)}" for label, n in rows)


def _alt(language: Language, what: str, rows, added: tuple[int, ...] = ()) -> str:
    _ = language.gettext
    text = _("Bar chart of %(what)s: %(values)s.", what=what, values=_values(language, rows))
    if added:
        shown = [(label, n) for (label, _count), n in zip(rows, added) if n]
        text += " " + _("Added since the review, in updates: %(values)s.", values=_values(language, shown))
    return text


def _language_label(code: str, language: Language) -> str:
    """A language's name as a row label, capitalised: CLDR writes Spanish language names in lower case
    ("español"). A code with no name is shown as it is."""
    name = language_name(code, language.lang)
    return name[:1].upper() + name[1:] if name != code else name


def _split(studies: list[Study]) -> tuple[list[Study], list[Study]]:
    """The published review's studies, and those added in updates."""
    return [s for s in studies if not s.added], [s for s in studies if s.added]


def _with_added(language: Language, chart: Chart, added: list[Study], key, what: str) -> Chart:
    """The chart with a second series: the added studies counted by `key` (a row label, or None: not recorded)."""
    if not added:
        return chart
    _ = language.gettext
    counts = Counter(key(s) for s in added)
    rows = list(chart.rows)
    missing = counts.pop(None, 0)
    for label in counts:
        if label not in dict(rows):
            rows.append((label, 0))
    if missing:
        label = _(NOT_RECORDED) if chart.id == "by-database" else _(NOT_REPORTED)
        if label not in dict(rows):
            rows.append((label, 0))
        counts[label] = missing
    rows = tuple(rows)
    series = tuple(counts.get(label, 0) for label, _count in rows)
    source = (
        chart.source
        if chart.source == _(COUNTED)
        else _(
            "the published review's %(source)s, those added since %(counted)s",
            source=chart.source,
            counted=_(COUNTED),
        )
    )
    return replace(chart, rows=rows, added=series, alt=_alt(language, what, rows, series), source=source)


def _by_count(counter: Counter, names) -> list[tuple[str, int]]:
    return sorted(((names(key), n) for key, n in counter.items()), key=lambda row: (-row[1], row[0]))


def _chart(language: Language, *values, **fields) -> Chart:
    """A Chart with the drawing's words in `language`."""
    _ = language.gettext
    return Chart(
        *values,
        **fields,
        lang=language.lang,
        axis=_(AXIS),
        series=tuple(_(s) for s in SERIES),
        unknown=tuple(_(label) for label in UNKNOWN_LABELS),
    )


def by_database(review: Review, studies: list[Study], language: Language | None = None) -> Chart:
    language = language or _source_language()
    studies, added = _split(studies)
    names = {d.id: d.name for d in review.databases}
    chart = _by_database(language, review, studies)
    return _with_added(
        language,
        chart,
        added,
        lambda s: names.get(s.database, s.database) if s.database else None,
        language.gettext("included studies by database"),
    )


def _by_database(language: Language, review: Review, studies: list[Study]) -> Chart:
    _ = language.gettext
    coded = Counter(s.database for s in studies if s.database)
    if not coded:
        rows = tuple(
            sorted(
                ((d.name, d.included_reported) for d in review.databases if isinstance(d.included_reported, int)),
                key=lambda row: -row[1],
            )
        )
        missing = [d.name for d in review.databases if not isinstance(d.included_reported, int)]
        note = _("Which study came from which database is not reported: no study file records it.")
        if missing:
            note += " " + _("The review does not report a count for %(databases)s.", databases=", ".join(missing))
        return _chart(
            language,
            "by-database",
            _("Included studies by database"),
            _(
                "Included studies per database, as reported by the review; "
                "which study came from which database is not reported."
            ),
            rows,
            _alt(language, _("included studies by database, as reported by the review"), rows),
            note,
            source=_(REPORTED),
        )
    names = {d.id: d.name for d in review.databases}
    rows = _by_count(coded, lambda key: names.get(key, key))
    unknown = len(studies) - sum(coded.values())
    if unknown:
        rows.append((_(NOT_RECORDED), unknown))
    rows = tuple(rows)
    return _chart(
        language,
        "by-database",
        _("Included studies by database"),
        _("Included studies per database, as coded in the study files."),
        rows,
        _alt(language, _("included studies by database, as coded in the study files"), rows),
        _(
            "%(unknown)s of %(total)s study files do not record the database they were found in.",
            unknown=language.number(unknown),
            total=language.number(len(studies)),
        )
        if unknown
        else _("Every study file records its database."),
        source=_(COUNTED),
    )


def by_language(review: Review, studies: list[Study], language: Language | None = None) -> Chart:
    language = language or _source_language()
    studies, added = _split(studies)
    chart = _by_language(language, studies)
    return _with_added(
        language,
        chart,
        added,
        lambda s: _language_label(s.language, language) if s.language else None,
        language.gettext("included studies by language"),
    )


def _by_language(language: Language, studies: list[Study]) -> Chart:
    _ = language.gettext
    rows = _by_count(Counter(s.language for s in studies if s.language), lambda code: _language_label(code, language))
    unknown = sum(1 for s in studies if not s.language)
    if unknown:
        rows.append((_(NOT_REPORTED), unknown))
    rows = tuple(rows)
    note = (
        _("The review's Figure 3 gives the languages as percentages in an image only.")
        + " "
        + (
            _(
                "%(unknown)s of %(total)s study files do not record the language.",
                unknown=language.number(unknown),
                total=language.number(len(studies)),
            )
            if unknown
            else _("Every study file records its language.")
        )
    )
    return _chart(
        language,
        "by-language",
        _("Included studies by language"),
        _("Included studies per language of publication, as coded in the study files."),
        rows,
        _alt(language, _("included studies by language"), rows),
        note,
        source=_(COUNTED),
    )


def by_year(review: Review, studies: list[Study], language: Language | None = None) -> Chart:
    language = language or _source_language()
    _ = language.gettext
    years = review.years(studies)
    studies, added = _split(studies)
    counts = Counter(s.year for s in studies)
    rows = tuple((str(year), counts.get(year, 0)) for year in years)
    chart = _chart(
        language,
        "by-year",
        _("Included studies by year of publication"),
        _("Included studies per year of publication, as coded in the study files; years with no study are shown as 0."),
        rows,
        _alt(language, _("included studies by year"), rows),
        _("The review's Figure 4 gives the years as percentages in an image only; its numbers are not in the text."),
        source=_(COUNTED),
    )
    return _with_added(language, chart, added, lambda s: str(s.year), _("included studies by year"))


def by_trend(review: Review, studies: list[Study], language: Language | None = None) -> Chart:
    language = language or _source_language()
    _ = language.gettext
    studies, added = _split(studies)
    counts = Counter(t for s in studies for t in s.trends)
    rows = tuple((t.name, counts.get(t.id, 0)) for t in review.trends)
    chart = _chart(
        language,
        "by-trend",
        _("Included studies by trend"),
        _("Included studies per trend of the review's Discussion, in the review's order, as coded in the study files."),
        rows,
        _alt(language, _("included studies by trend"), rows),
        _("The review does not give a count per trend; a study coded to more than one trend is counted under each."),
        source=_(COUNTED),
    )
    if not added:
        return chart
    extra = Counter(t for s in added for t in s.trends)
    series = tuple(extra.get(t.id, 0) for t in review.trends)
    return replace(
        chart,
        added=series,
        alt=_alt(language, _("included studies by trend"), rows, series),
        note=chart.note + " " + _("The trends of an added study are those its update assigned, not the review's."),
    )


def chart_data(review: Review, studies: list[Study], language: Language | None = None) -> list[Chart]:
    """Every chart's numbers, labels, alt text and caveats in `language` (the source language by default),
    before any drawing."""
    return [
        by_database(review, studies, language),
        by_language(review, studies, language),
        by_year(review, studies, language),
        by_trend(review, studies, language),
    ]


def render_svg(chart: Chart) -> str:
    """A horizontal bar chart with the count on each bar; the same chart gives the same bytes."""
    import matplotlib  # imported here: it takes half a second, and cached charts do not need it
    from matplotlib.figure import Figure

    labels = ["\n".join(textwrap.wrap(label, 28)) or label for label, _ in chart.rows]
    counts = [n for _, n in chart.rows]
    number = Language(chart.lang).number
    lines = sum(label.count("\n") + 1 for label in labels)
    with matplotlib.rc_context({**RC, "svg.id": f"chart-{chart.id}"}):
        fig = Figure(figsize=(6.4, max(3.6, 0.8 + 0.24 * lines + 0.1 * len(labels))))
        ax = fig.subplots()
        positions = range(len(labels))
        unknown = [label in chart.unknown for label, _ in chart.rows]
        bars = ax.barh(
            positions,
            counts,
            height=0.6,
            color=[UNKNOWN if u else BAR for u in unknown],
            hatch=["//" if u else "" for u in unknown],
            label=chart.series[0],
        )
        ends = counts
        if chart.added:
            bars = ax.barh(
                positions, chart.added, left=counts, height=0.6, color=ADDED, hatch="xx", label=chart.series[1]
            )
            ends = [n + a for n, a in zip(counts, chart.added)]
            shown = [f"{number(n)} + {number(a)}" if a else number(n) for n, a in zip(counts, chart.added)]
            ax.bar_label(bars, labels=shown, padding=4, fontsize=13, fontweight="bold", color=INK)
            ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False, fontsize=11)
        else:
            ax.bar_label(bars, labels=[number(n) for n in counts], padding=4, fontsize=13, fontweight="bold", color=INK)
        ax.set_yticks(list(positions), labels=labels)
        ax.invert_yaxis()
        ax.set_xlim(0, max(ends + [1]) * (1.3 if chart.added else 1.15))
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel(chart.axis)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", color=GRID, linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.tight_layout()
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata=METADATA)
    return out.getvalue()


@cache  # the installed version is looked up in the packages' metadata, once
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
