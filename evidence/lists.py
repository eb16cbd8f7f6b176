"""Tables that list every study, light at any number of studies.

A page carries the first PAGE_SIZE rows of such a table in its HTML; the others are in a JSON index beside the
page (findings.json, checks.json, trends/<id>.json), one per edition, in its language. tables.js fetches the index
when the reader first sorts, filters, turns the page or downloads, and from then on works over every study. Up to
PAGE_SIZE studies the page holds the whole table and nothing is fetched.

A row of the index is the row of the page itself, as a tree: the template renders every row once, the page takes
the first ones as they are, and the index takes each as `tree(html)` gives it, so that a row built in the browser
has the same cells, links, attributes and words as one written in the page. A node is a text (a string: its
characters as the reader sees them, never markup) or `[tag, {attribute: value}, child, …]`; tables.js builds the
elements with createElement, setAttribute and createTextNode.

The index stores a table's rows column by column, which gzip compresses a fifth better than row by row:
`{"tag": "tr", "attributes": [each row's attributes], "children": [[each row's first child], [second], …]}`, a
row with fewer children having null in the columns it lacks (see `rows_of`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from html import unescape

from markupsafe import Markup

from .context import Context, relative_url

PAGE_SIZE = 50  # rows on one page of a table's pager, and rows of a long table in the page's HTML
_VOID = {"br", "img", "input", "wbr", "hr"}


# The HTML the row templates write: elements with double-quoted attributes, and text in which "<" is always a
# character reference. Anything else (a comment, an unquoted attribute) is not expected and stops the run.
_TOKEN = re.compile(
    r'<(?P<end>/)?(?P<tag>[a-z][a-z0-9]*)(?P<attributes>(?:\s+[a-z][a-z0-9-]*(?:="[^"<]*")?)*)\s*/?>|(?P<text>[^<]+)'
)
_ATTRIBUTE = re.compile(r'\s+([a-z][a-z0-9-]*)(?:="([^"<]*)")?')


def tree(html: str) -> list:
    """The one element of `html` (a table row as the template writes it) as a node: [tag, attributes, children…],
    its texts and attribute values with their character references read as a browser reads them."""
    root: list = ["", {}]
    stack = [root]
    position = 0
    for token in _TOKEN.finditer(html):
        if token.start() != position:
            break
        position = token.end()
        if token["text"] is not None:
            text = unescape(token["text"])
            parent = stack[-1]
            if len(parent) > 2 and isinstance(parent[-1], str):
                parent[-1] += text
            else:
                parent.append(text)
        elif token["end"]:
            if len(stack) == 1 or stack[-1][0] != token["tag"]:
                raise ValueError(f"</{token['tag']}> closes no element")
            stack.pop()
        else:
            attributes = {name: unescape(value or "") for name, value in _ATTRIBUTE.findall(token["attributes"])}
            node = [token["tag"], attributes]
            stack[-1].append(node)
            if token["tag"] not in _VOID:
                stack.append(node)
    if position != len(html):
        raise ValueError(f"unexpected markup in a row: {html[position : position + 40]!r}")
    if len(stack) != 1:
        raise ValueError(f"<{stack[-1][0]}> is not closed")
    elements = [node for node in root[2:] if not isinstance(node, str) or node.strip()]
    if len(elements) != 1 or isinstance(elements[0], str):
        raise ValueError("a row is one element")
    return elements[0]


@dataclass
class Table:
    """A table of studies: its rows as the template wrote them, and, when there are more than fit on one page of
    its pager, where the page finds the index of all of them."""

    id: str
    rows: list[str]
    index: str | None = None  # the index's address, relative to the page, with its content's digest
    page_size: int = PAGE_SIZE

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def long(self) -> bool:
        """More rows than the page holds: the page carries the first ones, the index all of them."""
        return len(self.rows) > self.page_size

    @property
    def html_rows(self) -> Markup:
        """The rows the page holds: all of them, or the first page of a long table."""
        return Markup("\n").join(Markup(row) for row in self.rows[: self.page_size])


def by_column(rows: list[list]) -> dict:
    """Rows (trees of one tag) stored column by column."""
    tags = {row[0] for row in rows} or {"tr"}
    if len(tags) != 1:
        raise ValueError(f"rows of several elements: {sorted(tags)}")
    width = max((len(row) for row in rows), default=2)
    return {
        "tag": tags.pop(),
        "attributes": [row[1] for row in rows],
        "children": [[row[k] if k < len(row) else None for row in rows] for k in range(2, width)],
    }


def rows_of(table: dict) -> list[list]:
    """The rows of a table of the index, as `tree` gives them (what tables.js does in the browser)."""
    return [
        [table["tag"], attributes, *(column[i] for column in table["children"] if column[i] is not None)]
        for i, attributes in enumerate(table["attributes"])
    ]


def index_json(tables: list[Table]) -> str:
    """The index of one page: each table's rows, by the table's id."""
    data = {t.id: by_column([tree(row) for row in t.rows]) for t in tables}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def write_index(writer, page: str, index: str, tables: list[Table]) -> None:
    """Write the index of `page`'s tables at `index` (a file beside it), and give each table its address, with
    the digest of the content so that a browser never pairs a page with an older index."""
    text = index_json(tables)
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    for table in tables:
        table.index = f"{relative_url(page, index)}?v={digest}"
    writer.write(index, text)


def messages(ctx: Context) -> dict[str, str]:
    """What tables.js writes about a table of studies, in the page's language, for its data-* attributes: `{num}`
    and `{shown}` stand for numbers it fills in; `-one` and `-other` are the plural forms (Intl.PluralRules')."""
    found = {}
    for form, number in (("one", 1), ("other", 2)):
        found[f"status-{form}"] = ctx.ngettext("%(num)s study", "%(num)s studies", number, num="{num}")
        found[f"status-filtered-{form}"] = ctx.ngettext(
            "%(shown)s of %(num)s study", "%(shown)s of %(num)s studies", number, num="{num}", shown="{shown}"
        )
        found[f"status-loading-{form}"] = ctx.ngettext(
            "Loading the %(num)s study…", "Loading all %(num)s studies…", number, num="{num}"
        )
    found["page-label"] = ctx._("Page %(num)s", num="{num}")
    found["index-failed"] = ctx._(
        "The other studies could not be loaded: every study is in studies.csv, on the Data page."
    )
    return found
