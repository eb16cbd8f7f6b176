"""Quotes of the review, checked against its text: verbatim, at the place the data gives.

The review's text (a plain-text copy of the published article) is split into
passages: each paragraph of a section, and each table or figure as a whole.
A quote stands in a passage when it matches it word for word, with these
conventions of quoting:

- whitespace differences are ignored (line breaks, runs of spaces);
- `[…]` marks an omission and matches any run of text within the same passage;
- a single character in brackets, such as `[t]he`, marks a changed letter and
  matches one character of the source, whatever its case.

Paragraphs are counted within each section as the text stands: headings, table
and figure captions, and the numbers of a numbered list are not paragraphs, so
each numbered conclusion is one paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OMISSION = "[…]"
# Section headings of the review, as its text writes them (case and a trailing colon aside).
SECTIONS = {
    "abstract": "Abstract",
    "introduction": "Introduction",
    "methodology": "Methodology",
    "results": "Results",
    "discussion": "Discussion",
    "conclusions": "Conclusions",
}
_FLOAT_START = re.compile(r"(Table|Figure) (\d+)\Z")  # a table or figure runs from its label to its note
_FLOAT_END = re.compile(r"Note:")
_PARAGRAPH_WORDS = 20  # a shorter line is a heading, a caption or a list number
_CHANGED = re.compile(r"\[([^\[\]…])\]")


@dataclass(frozen=True)
class Passage:
    """One paragraph of a section, or one whole table or figure."""

    section: str  # Abstract … Conclusions, or Table 1, Figure 1 …
    paragraph: int | None  # 1, 2 … within the section; None for a table or figure
    text: str  # whitespace collapsed

    @property
    def place(self) -> str:
        return self.section if self.paragraph is None else f"{self.section}, paragraph {self.paragraph}"


def _collapse(text: str) -> str:
    return " ".join(text.split())


def passages(review_text: str) -> list[Passage]:
    """The review's text as passages, in reading order."""
    found: list[Passage] = []
    section, counts = None, {}
    float_label, float_lines = None, []
    for raw in review_text.splitlines():
        line = _collapse(raw)
        if not line:
            continue
        if float_label:
            float_lines.append(line)
            if _FLOAT_END.match(line):
                found.append(Passage(float_label, None, " ".join(float_lines)))
                float_label, float_lines = None, []
            continue
        label = _FLOAT_START.match(line)
        if label:
            float_label, float_lines = line, []
            continue
        heading = SECTIONS.get(line.rstrip(":").lower())
        if heading:
            section = heading
            continue
        if section is None or len(line.split()) < _PARAGRAPH_WORDS:
            continue
        counts[section] = counts.get(section, 0) + 1
        found.append(Passage(section, counts[section], line))
    if float_label:  # a table or figure without a note runs to the end of the text
        found.append(Passage(float_label, None, " ".join(float_lines)))
    return found


def _pattern(quote: str) -> re.Pattern:
    """A quote as a regular expression over collapsed text."""
    parts = []
    for index, piece in enumerate(_collapse(quote).split(OMISSION)):
        if index:
            parts.append(".*?")
        position = 0
        for changed in _CHANGED.finditer(piece):
            parts.append(re.escape(piece[position : changed.start()]))
            parts.append(f"(?i:{re.escape(changed[1])})")
            position = changed.end()
        parts.append(re.escape(piece[position:]))
    return re.compile("".join(parts))


def find(quote: str, review_text: str | list[Passage]) -> list[Passage]:
    """The passages of the review in which `quote` stands verbatim (empty when it stands nowhere).

    `review_text` is the review's whole text, or its passages when the caller has them already.
    """
    if not _collapse(quote).replace(OMISSION, "").strip():
        return []
    pattern = _pattern(quote)
    found = passages(review_text) if isinstance(review_text, str) else review_text
    return [passage for passage in found if pattern.search(passage.text)]
