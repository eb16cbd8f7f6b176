"""The PRISMA 2020 flow diagram (hand-built SVG) and its data in the PRISMA2020 app's CSV layout.

Without updates, the diagram is the template for new reviews with the review's reported counts.
With updates, it is the template for updated reviews: the published review's studies as the
"previous version" (the review's own numbers, unchanged), the updates' searches and the studies
they added as the new studies, and the total. `flow` computes the counts once, with where each
comes from; the diagram and the CSV are both drawn from it, so their totals agree.
"""

from __future__ import annotations

import csv
import io
import re
import textwrap
from dataclasses import dataclass
from html import escape

from .exports import spreadsheet_safe
from .i18n import N_, SOURCE, Language
from .models import NOT_REPORTED, Review, Study

NA = "NA"
NBSP = "\u00a0"
NOT_REPORTED_N = N_("n = not reported")
NOT_APPLICABLE = "not applicable"

# Where a count comes from, as the PRISMA page says it (in English; translated where shown).
REPORTED = N_("reported by the review")
COUNTED = N_("counted from the study files")
RECORDED = N_("the updates in review.yml (not reported where one of them does not give it)")
TOTAL = N_("reported by the review, plus the studies counted from the study files of the updates")
NO_REPORTS = N_("not reported: the study files record studies, not reports")
NO_SOURCE = N_("not applicable: no such source was searched")

# Layout, in viewBox units (about pixels at full size).
FONT = 16
LINE = 21
BASELINE = round((LINE + 0.7 * FONT) / 2)  # from the top of a line to its baseline
PAD_X, PAD_Y = 12, 10
CHAR_W = 8.6  # DejaVu Sans (the widest usual sans-serif) averages 8.1 at FONT
BOLD_CHAR_W = 9.0  # its bold, in the title boxes, averages about 8.8
INDENT = 14
BAND_X, BAND_W = 8, 34
MARGIN = 8
COL_W = 260
GAP = 36  # room for an arrow between boxes
INK, LINK, RULE = "#1a1a1a", "#0b57a4", "#404040"
FILLS = {"box": "#ffffff", "db": "#fff2cc", "grey": "#e7e6e6", "band": "#dbe9f6"}
STROKES = {"box": RULE, "db": "#8a6d00", "grey": "#6b6b6b", "band": "#4a7ab5"}
FONT_FAMILY = "Arial, Helvetica, 'Liberation Sans', 'DejaVu Sans', sans-serif"

# inst/extdata/PRISMA.csv of the PRISMA2020 R package: data, node, box, description, boxtext, tooltips, url.
HEADER = ("data", "node", "box", "description", "boxtext", "tooltips", "url", "n")
# The template's dbr_excluded and other_excluded rows end their description and tooltip with an instruction
# and example reasons ("[separate reasons and numbers using ; e.g. Reason1, xxx; …"); that placeholder text is
# left out here, so that it never reaches a page or a download.
TEMPLATE = (
    (
        "NA",
        "node4",
        "prevstud",
        "Grey title box; Previous studies",
        "Previous studies",
        "Grey title box; Previous studies",
        "prevstud.html",
    ),
    (
        "previous_studies",
        "node5",
        "box1",
        N_("Studies included in previous version of review"),
        "Studies included in previous version of review",
        "Studies included in previous version of review",
        "previous_studies.html",
    ),
    (
        "previous_reports",
        "NA",
        "box1",
        N_("Reports of studies included in previous version of review"),
        "Reports of studies included in previous version of review",
        "NA",
        "previous_reports.html",
    ),
    (
        "NA",
        "node6",
        "newstud",
        "Yellow title box; Identification of new studies via databases and registers",
        "Identification of new studies via databases and registers",
        "Yellow title box; Identification of new studies via databases and registers",
        "newstud.html",
    ),
    (
        "database_results",
        "node7",
        "box2",
        N_("Records identified from: Databases"),
        "Databases",
        "Records identified from: Databases",
        "database_results.html",
    ),
    ("register_results", "NA", "box2", N_("Records identified from: Registers"), "Registers", "NA", "NA"),
    (
        "NA",
        "node16",
        "othstud",
        "Grey title box; Identification of new studies via other methods",
        "Identification of new studies via other methods",
        "Grey title box; Identification of new studies via other methods",
        "othstud.html",
    ),
    (
        "website_results",
        "node17",
        "box11",
        N_("Records identified from: Websites"),
        "Websites",
        "Records identified from: Websites",
        "website_results.html",
    ),
    ("organisation_results", "", "box11", N_("Records identified from: Organisations"), "Organisations", "NA", "NA"),
    (
        "citations_results",
        "NA",
        "box11",
        N_("Records identified from: Citation searching"),
        "Citation searching",
        "NA",
        "NA",
    ),
    (
        "duplicates",
        "node8",
        "box3",
        N_("Duplicate records"),
        "Duplicate records",
        "Duplicate records",
        "duplicates.html",
    ),
    (
        "excluded_automatic",
        "NA",
        "box3",
        N_("Records marked as ineligible by automation tools"),
        "Records marked as ineligible by automation tools",
        "NA",
        "NA",
    ),
    (
        "excluded_other",
        "NA",
        "box3",
        N_("Records removed for other reasons"),
        "Records removed for other reasons",
        "NA",
        "NA",
    ),
    (
        "records_screened",
        "node9",
        "box4",
        N_("Records screened (databases and registers)"),
        "Records screened",
        "Records screened (databases and registers)",
        "records_screened.html",
    ),
    (
        "records_excluded",
        "node10",
        "box5",
        N_("Records excluded (databases and registers)"),
        "Records excluded",
        "Records excluded (databases and registers)",
        "records_excluded.html",
    ),
    (
        "dbr_sought_reports",
        "node11",
        "box6",
        N_("Reports sought for retrieval (databases and registers)"),
        "Reports sought for retrieval",
        "Reports sought for retrieval (databases and registers)",
        "dbr_sought_reports.html",
    ),
    (
        "dbr_notretrieved_reports",
        "node12",
        "box7",
        N_("Reports not retrieved (databases and registers)"),
        "Reports not retrieved",
        "Reports not retrieved (databases and registers)",
        "dbr_notretrieved_reports.html",
    ),
    (
        "other_sought_reports",
        "node18",
        "box12",
        N_("Reports sought for retrieval (other)"),
        "Reports sought for retrieval",
        "Reports sought for retrieval (other)",
        "other_sought_reports.html",
    ),
    (
        "other_notretrieved_reports",
        "node19",
        "box13",
        N_("Reports not retrieved (other)"),
        "Reports not retrieved",
        "Reports not retrieved (other)",
        "other_notretrieved_reports.html",
    ),
    (
        "dbr_assessed",
        "node13",
        "box8",
        N_("Reports assessed for eligibility (databases and registers)"),
        "Reports assessed for eligibility",
        "Reports assessed for eligibility (databases and registers)",
        "dbr_assessed.html",
    ),
    (
        "dbr_excluded",
        "node14",
        "box9",
        N_("Reports excluded (databases and registers)"),
        "Reports excluded",
        "Reports excluded (databases and registers)",
        "dbrexcludedrecords.html",
    ),
    (
        "other_assessed",
        "node20",
        "box14",
        N_("Reports assessed for eligibility (other)"),
        "Reports assessed for eligibility",
        "Reports assessed for eligibility (other)",
        "other_assessed.html",
    ),
    (
        "other_excluded",
        "node21",
        "box15",
        N_("Reports excluded (other)"),
        "Reports excluded",
        "Reports excluded (other)",
        "other_excluded.html",
    ),
    (
        "new_studies",
        "node15",
        "box10",
        N_("New studies included in review"),
        "New studies included in review",
        "New studies included in review",
        "new_studies.html",
    ),
    (
        "new_reports",
        "NA",
        "box10",
        N_("Reports of new included studies"),
        "Reports of new included studies",
        "NA",
        "NA",
    ),
    (
        "total_studies",
        "node22",
        "box16",
        N_("Total studies included in review"),
        "Total studies included in review",
        "Total studies included in review",
        "total_studies.html",
    ),
    (
        "total_reports",
        "NA",
        "box16",
        N_("Reports of total included studies"),
        "Reports of total included studies",
        "NA",
        "NA",
    ),
    (
        "identification",
        "node1",
        "identification",
        "Blue identification box",
        "Identification",
        "Blue identification box",
        "identification.html",
    ),
    ("screening", "node2", "screening", "Blue screening box", "Screening", "Blue screening box", "screening.html"),
    ("included", "node3", "included", "Blue included box", "Included", "Blue included box", "included.html"),
)
TITLE_BOXES = {"prevstud", "newstud", "othstud", "identification", "screening", "included"}


def _counts(review: Review) -> dict:
    """Every PRISMA stage the review.yml records, by its template name."""
    return {
        key: value for section in review.prisma.values() if isinstance(section, dict) for key, value in section.items()
    }


@dataclass(frozen=True)
class Flow:
    """The counts of one diagram by the template's names, where each comes from, and which branches it has."""

    counts: dict
    sources: dict
    previous: bool
    other: bool


# The stages of the screening of new studies, which an update may record (review.yml `updates[].prisma`).
SCREENING = (
    "duplicates",
    "excluded_automatic",
    "excluded_other",
    "records_screened",
    "records_excluded",
    "dbr_sought_reports",
    "dbr_notretrieved_reports",
    "dbr_assessed",
    "dbr_excluded",
)


def _combined(values: list):
    """One stage over all updates: the sum when every update gives a number, the reasons merged when every
    update gives reasons, else not reported."""
    if values and all(isinstance(v, int) for v in values):
        return sum(values)
    if values and all(isinstance(v, tuple) for v in values):
        merged: dict[str, list] = {}
        for reasons in values:
            for reason, n in reasons:
                merged.setdefault(reason, []).append(n)
        return [
            {"reason": reason, "n": sum(ns) if all(isinstance(n, int) for n in ns) else NOT_REPORTED}
            for reason, ns in merged.items()
        ]
    return NOT_REPORTED


def flow(review: Review, studies: list[Study] | None = None) -> Flow:
    """The published review's flow; with updates (and the study files), the flow of the review as updated."""
    if not review.updates or studies is None:
        counts = _counts(review)
        sources = {key: NO_SOURCE if value == NOT_APPLICABLE else REPORTED for key, value in counts.items()}
        return Flow(counts, sources, "previous" in review.prisma, "other_methods" in review.prisma)
    reported = _counts(review)
    previous = review.included_reported
    added = sum(1 for s in studies if s.added)
    searches = [s.records for u in review.updates for s in u.searches]
    counts = {
        "previous_studies": previous,
        "previous_reports": reported.get(
            "total_reports" if "previous" in review.prisma else "new_reports", NOT_REPORTED
        ),
        "database_results": sum(searches) if searches and all(isinstance(n, int) for n in searches) else NOT_REPORTED,
        "register_results": NOT_APPLICABLE,  # an update records database searches only
    }
    for key in SCREENING:
        counts[key] = _combined([dict(u.flow)[key] for u in review.updates if key in dict(u.flow)])
        if any(key not in dict(u.flow) for u in review.updates):
            counts[key] = NOT_REPORTED
    counts.update(
        new_studies=added,
        new_reports=NOT_REPORTED,
        total_studies=previous + added if isinstance(previous, int) else NOT_REPORTED,
        total_reports=NOT_REPORTED,
    )
    sources = {key: RECORDED for key in counts}
    sources.update(
        previous_studies=REPORTED,
        previous_reports=REPORTED,
        register_results=NO_SOURCE,
        new_studies=COUNTED,
        new_reports=NO_REPORTS,
        total_studies=TOTAL,
        total_reports=NO_REPORTS,
    )
    return Flow(counts, sources, True, False)


def _csv_reason(reason: str) -> str:
    return re.sub(r"\s*[,;]\s*", " - ", reason.strip())


def _csv_n(value) -> str:
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "; ".join(f"{_csv_reason(r['reason'])}, {_csv_n(r['n'])}" for r in value)
    return NA


def prisma_rows(review: Review, studies: list[Study] | None = None) -> list[dict]:
    """The template's rows with n filled in: the diagram's count, NA when not reported, not applicable or absent.

    With updates and the study files, the counts of the review as updated (see `flow`)."""
    counts = flow(review, studies).counts
    rows = []
    for row in TEMPLATE:
        n = "0" if row[2] in TITLE_BOXES else _csv_n(counts.get(row[0]))
        rows.append(dict(zip(HEADER, (*row, n))))
    return rows


def prisma_csv(review: Review, studies: list[Study] | None = None) -> str:
    """The PRISMA2020 app's CSV (data,node,box,description,boxtext,tooltips,url,n), with the diagram's counts."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(
        {key: spreadsheet_safe(value) for key, value in row.items()} for row in prisma_rows(review, studies)
    )
    return out.getvalue()


# --- The diagram -------------------------------------------------------------

ROWS = ("head", "ident", "screen", "sought", "assess", "incl", "total")
COLS = ("prev", "main", "side", "other", "oside")
BANDS = (
    (N_("Identification"), ("ident",)),
    (N_("Screening"), ("screen", "sought", "assess")),
    (N_("Included"), ("incl", "total")),
)
LINK_TEXT = N_("See the included studies")


@dataclass
class Box:
    """One box of the diagram: its grid cell, its text, and (after layout) its place."""

    col: str
    row: str
    paragraphs: list  # str, or (indent level, str)
    kind: str = "box"  # box, db (yellow header) or grey (grey header)
    span: int = 1  # headers span a box and its side box
    href: str | None = None
    lines: tuple = ()
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0


def _n(value, language: Language) -> str:
    if isinstance(value, int):
        return f"n = {language.number(value)}"
    if value == NOT_APPLICABLE:
        return "n = " + language.gettext("not applicable")
    return language.gettext(NOT_REPORTED_N)


def _excluded(value, language: Language) -> list:
    _ = language.gettext
    if isinstance(value, list):
        return [_("Reports excluded:")] + [(1, f"{r['reason']} ({_n(r['n'], language)})") for r in value]
    label = _("Reports excluded")
    return [f"{label} ({_n(value, language)})"]


def _boxes(drawn: Flow, findings_href: str, language: Language) -> list[Box]:
    """The boxes of the diagram, their words in `language`."""
    _ = language.gettext
    counts = drawn.counts

    def stage(label: str, key: str) -> str:
        """A stage's label (already translated) and its count: "Records screened (n = 291)"."""
        return f"{label} ({_n(counts.get(key), language)})"

    previous, other = drawn.previous, drawn.other
    boxes = [
        Box(
            "main",
            "head",
            [
                _("Identification of new studies via databases and registers")
                if previous
                else _("Identification of studies via databases and registers")
            ],
            "db",
            2,
        ),
        Box(
            "main",
            "ident",
            [
                _("Records identified from:"),
                (1, stage(_("Databases"), "database_results")),
                (1, stage(_("Registers"), "register_results")),
            ],
        ),
        Box(
            "side",
            "ident",
            [
                _("Records removed before screening:"),
                (1, stage(_("Duplicate records"), "duplicates")),
                (1, stage(_("Records marked as ineligible by automation tools"), "excluded_automatic")),
                (1, stage(_("Records removed for other reasons"), "excluded_other")),
            ],
        ),
        Box("main", "screen", [stage(_("Records screened"), "records_screened")]),
        Box("side", "screen", [stage(_("Records excluded"), "records_excluded")]),
        Box("main", "sought", [stage(_("Reports sought for retrieval"), "dbr_sought_reports")]),
        Box("side", "sought", [stage(_("Reports not retrieved"), "dbr_notretrieved_reports")]),
        Box("main", "assess", [stage(_("Reports assessed for eligibility"), "dbr_assessed")]),
        Box("side", "assess", _excluded(counts.get("dbr_excluded"), language)),
    ]
    if previous:
        boxes += [
            Box("prev", "head", [_("Previous studies")], "grey"),
            Box(
                "prev",
                "ident",
                [
                    stage(_("Studies included in previous version of review"), "previous_studies"),
                    stage(_("Reports of studies included in previous version of review"), "previous_reports"),
                ],
            ),
            Box(
                "main",
                "incl",
                [
                    stage(_("New studies included in review"), "new_studies"),
                    stage(_("Reports of new included studies"), "new_reports"),
                ],
            ),
            Box(
                "main",
                "total",
                [
                    stage(_("Total studies included in review"), "total_studies"),
                    stage(_("Reports of total included studies"), "total_reports"),
                ],
                href=findings_href,
            ),
        ]
    else:
        boxes.append(
            Box(
                "main",
                "incl",
                [
                    stage(_("Studies included in review"), "new_studies"),
                    stage(_("Reports of included studies"), "new_reports"),
                ],
                href=findings_href,
            )
        )
    if other:
        boxes += [
            Box(
                "other",
                "head",
                [
                    _("Identification of new studies via other methods")
                    if previous
                    else _("Identification of studies via other methods")
                ],
                "grey",
                2,
            ),
            Box(
                "other",
                "ident",
                [
                    _("Records identified from:"),
                    (1, stage(_("Websites"), "website_results")),
                    (1, stage(_("Organisations"), "organisation_results")),
                    (1, stage(_("Citation searching"), "citations_results")),
                ],
            ),
            Box("other", "sought", [stage(_("Reports sought for retrieval"), "other_sought_reports")]),
            Box("oside", "sought", [stage(_("Reports not retrieved"), "other_notretrieved_reports")]),
            Box("other", "assess", [stage(_("Reports assessed for eligibility"), "other_assessed")]),
            Box("oside", "assess", _excluded(counts.get("other_excluded"), language)),
        ]
    return sorted(boxes, key=lambda b: (ROWS.index(b.row), COLS.index(b.col)))


def _wrap(box: Box, link_text: str) -> tuple:
    lines = []
    for paragraph in box.paragraphs:
        indent, text = paragraph if isinstance(paragraph, tuple) else (0, paragraph)
        chars = int((box.w - 2 * PAD_X - indent * INDENT) / (CHAR_W if box.kind == "box" else BOLD_CHAR_W))
        text = re.sub(r"\(n = [^)]*\)", lambda m: m[0].replace(" ", NBSP), text)  # never break inside "(n = …)"
        lines += [(indent, line.replace(NBSP, " ")) for line in textwrap.wrap(text, chars, break_on_hyphens=False)]
    return tuple(lines) + (((0, link_text),) if box.href else ())


def _layout(boxes: list[Box], bands, link_text: str) -> tuple[dict, float, float]:
    """Place every box on the grid; return each row's (y, height) and the diagram's size."""
    cols = [c for c in COLS if any(b.col == c for b in boxes)]
    left = BAND_X + BAND_W + 16
    xs = {c: left + i * (COL_W + GAP) for i, c in enumerate(cols)}
    for box in boxes:
        box.x, box.w = xs[box.col], box.span * COL_W + (box.span - 1) * GAP
        box.lines = _wrap(box, link_text)
    rows = [r for r in ROWS if any(b.row == r for b in boxes)]
    heights = {r: max(2 * PAD_Y + len(b.lines) * LINE for b in boxes if b.row == r) for r in rows}
    for label, spanned in bands:
        spanned = [r for r in spanned if r in heights]
        short = len(label) * CHAR_W * 1.2 + 2 * PAD_Y - sum(heights[r] for r in spanned) - GAP * (len(spanned) - 1)
        if short > 0:
            heights[spanned[-1]] += short
    y, placed = MARGIN, {}
    for r in rows:
        placed[r] = (y, heights[r])
        y += heights[r] + (16 if r == "head" else GAP)
    for box in boxes:
        box.y, box.h = placed[box.row]
    return placed, xs[cols[-1]] + COL_W + MARGIN, y - GAP + MARGIN


def _f(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _mid(box: Box) -> float:
    return box.y + box.h / 2


def _cx(box: Box) -> float:
    return box.x + box.w / 2


def _arrows(boxes: list[Box]) -> list[list[tuple[float, float]]]:
    """Arrow paths: down each column, across to its side boxes, and into the included boxes."""
    at = {(b.col, b.row): b for b in boxes if b.row != "head"}
    paths = []
    for col, side, chain in (
        ("main", "side", ("ident", "screen", "sought", "assess", "incl", "total")),
        ("other", "oside", ("ident", "sought", "assess")),
    ):
        present = [at[(col, r)] for r in chain if (col, r) in at]
        paths += [[(_cx(a), a.y + a.h), (_cx(b), b.y)] for a, b in zip(present, present[1:])]
        paths += [[(a.x + a.w, _mid(a)), (at[(side, a.row)].x, _mid(a))] for a in present if (side, a.row) in at]
    if ("other", "assess") in at:
        a, target = at[("other", "assess")], at[("main", "incl")]
        paths.append([(_cx(a), a.y + a.h), (_cx(a), _mid(target)), (target.x + target.w, _mid(target))])
    if ("prev", "ident") in at:
        a, target = at[("prev", "ident")], at[("main", "total")]
        paths.append([(_cx(a), a.y + a.h), (_cx(a), _mid(target)), (target.x, _mid(target))])
    return paths


def _box_svg(box: Box) -> str:
    header = box.kind != "box"
    parts = [
        f'<rect x="{_f(box.x)}" y="{_f(box.y)}" width="{_f(box.w)}" height="{_f(box.h)}" rx="4" '
        f'fill="{FILLS[box.kind]}" stroke="{STROKES[box.kind]}" stroke-width="{3 if box.href else 1.5}"/>'
    ]
    top = box.y + (box.h - len(box.lines) * LINE) / 2
    anchor = ' text-anchor="middle" font-weight="bold"' if header else ""
    spans = []
    for i, (indent, line) in enumerate(box.lines):
        x = box.x + box.w / 2 if header else box.x + PAD_X + indent * INDENT
        style = f' fill="{LINK}" text-decoration="underline"' if box.href and i == len(box.lines) - 1 else ""
        spans.append(f'<tspan x="{_f(x)}" y="{_f(top + i * LINE + BASELINE)}"{style}>{escape(line)}</tspan>')
    parts.append(f"<text{anchor}>{''.join(spans)}</text>")
    body = "".join(parts)
    return f'<a href="{escape(box.href)}">{body}</a>' if box.href else f"<g>{body}</g>"


def _band_svg(label: str, top: float, bottom: float) -> str:
    cx, cy = BAND_X + BAND_W / 2, (top + bottom) / 2
    return (
        f'<rect x="{BAND_X}" y="{_f(top)}" width="{BAND_W}" height="{_f(bottom - top)}" rx="4" '
        f'fill="{FILLS["band"]}" stroke="{STROKES["band"]}" stroke-width="1.5"/>'
        f'<text x="{_f(cx)}" y="{_f(cy)}" transform="rotate(-90 {_f(cx)} {_f(cy)})" text-anchor="middle" '
        f'dominant-baseline="central" font-weight="bold" font-size="{FONT + 1}">{escape(label)}</text>'
    )


def _sentence(paragraphs: list) -> str:
    text = ""
    for paragraph in paragraphs:
        part = paragraph[1] if isinstance(paragraph, tuple) else paragraph
        text += part if not text else (" " if text.endswith(":") else "; ") + part
    return text + "."


def prisma_svg(
    review: Review,
    findings_href: str = "../findings/",
    studies: list[Study] | None = None,
    ident: str = "prisma",
    language: Language | None = None,
) -> str:
    """The PRISMA 2020 flow diagram: stages the review does not report read `n = not reported`.

    With updates and the study files, the diagram for updated reviews (see `flow`). `ident` starts the ids
    inside the SVG, so that two diagrams can stand on one page. Its words are in `language` (an
    i18n.Language; the source language by default)."""
    language = language or Language(SOURCE)
    _ = language.gettext
    drawn = flow(review, studies)
    if studies is not None and review.updates:
        title = _("PRISMA 2020 flow diagram of the review as updated")
    else:
        title = _("PRISMA 2020 flow diagram")
    bands = [(_(label), spanned) for label, spanned in BANDS]
    boxes = _boxes(drawn, findings_href, language)
    rows, width, height = _layout(boxes, bands, _(LINK_TEXT))
    desc = " ".join(_sentence(b.paragraphs) for b in boxes if b.kind == "box")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_f(width)} {_f(height)}" width="100%" '
        f'style="max-width:{_f(width)}px;height:auto" role="group" aria-labelledby="{ident}-title" aria-describedby="{ident}-desc" '
        f'font-family="{FONT_FAMILY}" font-size="{FONT}" fill="{INK}">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
        f'<defs><marker id="{ident}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{RULE}"/></marker></defs>',
        # Its own white ground, so the arrows stay visible on a dark page.
        f'<rect width="{_f(width)}" height="{_f(height)}" fill="#ffffff"/>',
    ]
    for label, spanned in bands:
        spanned = [rows[r] for r in spanned if r in rows]
        out.append(_band_svg(label, spanned[0][0], spanned[-1][0] + spanned[-1][1]))
    out += [_box_svg(b) for b in boxes]
    for path in _arrows(boxes):
        points = " ".join(f"{_f(x)},{_f(y)}" for x, y in path)
        out.append(
            f'<polyline points="{points}" fill="none" stroke="{RULE}" stroke-width="1.5" '
            f'marker-end="url(#{ident}-arrow)"/>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"
