"""Tables that list every study, light at any number of studies.

A page carries the first PAGE_SIZE rows of such a table in its HTML; the others are in a JSON index beside the
page (findings.json, checks.json, trends/<id>.json), one per edition, in its language. tables.js fetches the index
when the reader first sorts, filters, turns the page or downloads, and from then on works over every study. Up to
PAGE_SIZE studies the page holds the whole table and nothing is fetched.

A row of the index is the row of the page itself, as a tree: one template writes every row, the page takes the
first ones as they are, and the index takes each as `tree(html)` gives it, so that a row built in the browser has
the same cells, links, attributes and words as one written in the page. A node is a text (a string: its
characters as the reader sees them, never markup) or `[tag, {attribute: value}, child, …]`; tables.js builds the
elements with createElement, setAttribute and createTextNode.

The index is `{"parts": [part, …]}`: the first PART rows of each of the page's tables, then the next PART, and so
on. A part is `{"pool": [value, …], "tables": {table id: table, …}}` (a table with no row in that part is not in
it), and stores each table's rows column by column, which gzip compresses a fifth better than row by row: `{"tag":
"tr", "rows": N, "attributes": {name: [each row's value], …}, "children": [[each row's first child], [second],
…]}`, null where a row lacks the attribute or the child. The rows repeat much (a cell whose words are the same in
every row, a column's label, a year, a language): a value used more than once in a part (a text, an attribute
object, an element) is written once in its pool when that is shorter than writing it at each use, and a number n
anywhere in the part, where a text, a node or an attribute object would be, stands for `pool[n]` (texts and
attribute values are always strings, so a number is never one). An entry of the pool refers only to entries
before it, so the pool is read once from its start, and never refers to itself. At 5,000 studies the findings
index is half the size of its rows written in full, the checks' a fifth (`rows_of` reads an index back, as
tables.js's rowsOf does).

Parts keep an edit cheap: a part is made from its rows alone, so after an edit to one study the others come from
the cache as they were (see `write_index`). Each part repeating its own pool makes the findings index at 5,000
studies about 1% larger than one pool would, and 8% larger compressed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape

from markupsafe import Markup

from .context import Context, relative_url

PAGE_SIZE = 50  # rows on one page of a table's pager, and rows of a long table in the page's HTML
PART = 500  # rows of a table in one part of its index
_VOID = {"br", "img", "input", "wbr", "hr"}
_REFERENCE = 3  # about how many characters a number standing for an entry of an index's pool takes


# The HTML the row templates write: elements with double-quoted attributes, and text in which "<" is always a
# character reference. Anything else (a comment, an unquoted attribute) is not expected and stops the run.
_TOKEN = re.compile(
    r'<(?P<end>/)?(?P<tag>[a-z][a-z0-9]*)(?P<attributes>(?:\s+[a-z][a-z0-9-]*(?:="[^"<]*")?)*)\s*/?>|(?P<text>[^<]+)'
)
_ATTRIBUTE = re.compile(r'\s+([a-z][a-z0-9-]*)(?:="([^"<]*)")?')


def _attributes(source: str) -> list[tuple[str, str]]:
    """The attributes of a start tag, as written (` name="value"…`): (name, value) pairs, character references
    read."""
    return [(name, unescape(value)) for name, value in _ATTRIBUTE.findall(source)]


def _unexpected(html: str) -> None:
    """Stop at the first "<" of `html` that starts no tag the templates write, if there is one: the tokens of
    `_TOKEN.findall` go past it."""
    position = 0
    for token in _TOKEN.finditer(html):
        if token.start() != position:
            break
        position = token.end()
    if position != len(html):
        raise ValueError(f"unexpected markup in a row: {html[position : position + 40]!r}")


def tree(html: str) -> list:
    """The one element of `html` (a table row as the template writes it) as a node: [tag, attributes, children…],
    its texts and attribute values with their character references read as a browser reads them."""
    values = _Values()
    return values.node(values.parse(html))


class _Values:
    """The distinct values of the rows of an index (texts, attribute objects, elements), each numbered once, equal
    values alike, a value after the values it holds. `parts[n]` is the value numbered n: a text, an attribute
    object {name: value's number}, or an element [tag, its attributes' number, its children's numbers…]."""

    def __init__(self) -> None:
        self.parts: list = []
        # A value's key -> its number: a text is its own key, an attribute object the tuple of its (name, value's
        # number) pairs, an element the tuple of its part; no two kinds of key are ever equal.
        self._numbers: dict = {}
        self._sources: dict[str, int] = {}  # the attributes of a start tag as written -> their object's number

    def number(self, key, part) -> int:
        number = self._numbers.get(key)
        if number is None:
            number = self._numbers[key] = len(self.parts)
            self.parts.append(part)
        return number

    def parse(self, html: str) -> int:
        """The number of the one element of `html` (see `tree`)."""
        number, sources = self.number, self._sources
        root: list = ["", None]
        stack = [root]
        top = root
        tags = 0
        for end, tag, source, text in _TOKEN.findall(html):
            if text:
                # A text runs to the next "<": two texts are never side by side.
                text = unescape(text)
                top.append(number(text, text))
                continue
            tags += 1
            if end:
                if len(stack) == 1 or top[0] != tag:
                    _unexpected(html)
                    raise ValueError(f"</{tag}> closes no element")
                node = stack.pop()
                top = stack[-1]
                top.append(number(tuple(node), node))
                continue
            attributes = sources.get(source)
            if attributes is None:
                found = {name: number(value, value) for name, value in _attributes(source)}
                attributes = sources[source] = number(tuple(found.items()), found)
            node = [tag, attributes]
            if tag in _VOID:
                top.append(number(tuple(node), node))
            else:
                stack.append(node)
                top = node
        if tags != html.count("<"):
            _unexpected(html)
        if len(stack) != 1:
            raise ValueError(f"<{stack[-1][0]}> is not closed")
        parts = self.parts
        elements = [n for n in root[2:] if not isinstance(parts[n], str) or parts[n].strip()]
        if len(elements) != 1 or isinstance(parts[elements[0]], str):
            raise ValueError("a row is one element")
        return elements[0]

    def node(self, number: int):
        """The value numbered `number`, as `tree` gives it."""
        part = self.parts[number]
        if isinstance(part, str):
            return part
        if isinstance(part, dict):
            return {name: self.parts[value] for name, value in part.items()}
        return [part[0], self.node(part[1]), *(self.node(child) for child in part[2:])]

    def _size(self, number: int, sizes: dict) -> int:
        """About how many characters the value numbered `number` takes written in full."""
        size = sizes.get(number)
        if size is None:
            part = self.parts[number]
            if isinstance(part, str):
                size = len(part) + 2
            elif isinstance(part, dict):
                size = 1 + sum(len(name) + 4 + self._size(value, sizes) for name, value in part.items())
            else:
                size = len(part[0]) + 3 + sum(1 + self._size(value, sizes) for value in part[1:])
            sizes[number] = size
        return size

    def index(self, tables: dict[str, list[int]]) -> dict:
        """The index of the tables whose rows are numbered `tables[id]`: the pool and each table by column."""
        parts = self.parts
        columns = {}
        for table, numbers in tables.items():
            rows = [parts[n] for n in numbers]
            tags = {row[0] for row in rows} or {"tr"}
            if len(tags) != 1:
                raise ValueError(f"rows of several elements: {sorted(tags)}")
            # Every row's attribute names, in an order in which each row has its own: a name a row has first goes
            # before the next of its names already there (a class written before the data-* attributes, say).
            names: list[str] = []
            for attributes in dict.fromkeys(row[1] for row in rows):
                order = list(parts[attributes])
                for i, name in enumerate(order):
                    if name not in names:
                        names.insert(next((names.index(n) for n in order[i + 1 :] if n in names), len(names)), name)
                if [name for name in names if name in parts[attributes]] != order:
                    raise ValueError(f"rows with their attributes in different orders: {names}, {order}")
            width = max((len(row) for row in rows), default=2)
            columns[table] = (
                tags.pop(),
                len(rows),
                {name: [parts[row[1]].get(name) for row in rows] for name in names},
                [[row[k] if k < len(row) else None for row in rows] for k in range(2, width)],
            )
        # How many times each value is written: a value of the pool once, the values it holds once in it.
        uses = [0] * len(parts)
        for _, _, attributes, children in columns.values():
            for column in (*attributes.values(), *children):
                for number in column:
                    if number is not None:
                        uses[number] += 1
        pooled = set()
        sizes: dict[int, int] = {}
        for number in range(len(parts) - 1, -1, -1):  # a value before the values it holds
            times = uses[number]
            if not times:
                continue
            if times > 1:
                size = self._size(number, sizes)
                if times * size > size + 1 + times * _REFERENCE:
                    pooled.add(number)
                    times = 1
            part = parts[number]
            if isinstance(part, dict):
                for value in part.values():
                    uses[value] += times
            elif isinstance(part, list):
                for value in part[1:]:
                    uses[value] += times
        # Each value as the index writes it where it is used (its number in the pool, or itself), a value after the
        # values it holds; the pool in the same order.
        pool: list = []
        written: list = [None] * len(parts)
        for number, part in enumerate(parts):
            if not uses[number]:
                continue
            if isinstance(part, dict):
                part = {name: written[value] for name, value in part.items()}
            elif isinstance(part, list):
                part = [part[0], *(written[value] for value in part[1:])]
            if number in pooled:
                written[number] = len(pool)
                pool.append(part)
            else:
                written[number] = part

        def column(numbers: list) -> list:
            return [None if number is None else written[number] for number in numbers]

        return {
            "pool": pool,
            "tables": {
                table: {
                    "tag": tag,
                    "rows": count,
                    "attributes": {name: column(numbers) for name, numbers in attributes.items()},
                    "children": [column(numbers) for numbers in children],
                }
                for table, (tag, count, attributes, children) in columns.items()
            },
        }


@dataclass
class Table:
    """A table of studies: what each of its rows is written from, the template's macro that writes one, and, when
    there are more rows than fit on one page of its pager, where the page finds the index of all of them.

    A row is `row(item, *shared)`, written only when something needs it: the page its first rows, the index the
    rows of its parts that changed (see `write_index`)."""

    id: str
    items: list
    row: Callable
    shared: tuple = ()  # what every row is written with besides its item (the columns' names, say)
    index: str | None = None  # the index's address, relative to the page, with its content's digest
    page_size: int = PAGE_SIZE

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def long(self) -> bool:
        """More rows than the page holds: the page carries the first ones, the index all of them."""
        return self.count > self.page_size

    def rows(self, start: int = 0, stop: int | None = None) -> list[str]:
        """The rows from `start` to `stop`, as the template writes them."""
        return [str(self.row(item, *self.shared)) for item in self.items[start:stop]]

    @property
    def html_rows(self) -> Markup:
        """The rows the page holds: all of them, or the first page of a long table."""
        return Markup("\n").join(Markup(row) for row in self.rows(0, self.page_size))


def _part_rows(part: dict, table: str) -> list[list]:
    """The rows of a table in one part of an index (none when the part has no row of it)."""
    if table not in part["tables"]:
        return []
    pool: list = []

    def value(stored, limit: int):
        """A stored value with its numbers replaced by the entries of the pool they stand for, before `limit`."""
        if isinstance(stored, int) and not isinstance(stored, bool):
            if not 0 <= stored < limit:
                raise ValueError(f"{stored} is no entry of the pool before {limit}")
            return pool[stored]
        if isinstance(stored, list):
            return [value(item, limit) for item in stored]
        if isinstance(stored, dict):
            return {name: value(item, limit) for name, item in stored.items()}
        return stored

    for stored in part["pool"]:
        pool.append(value(stored, len(pool)))
    stored = part["tables"][table]
    attributes = {name: value(column, len(pool)) for name, column in stored["attributes"].items()}
    children = [value(column, len(pool)) for column in stored["children"]]
    return [
        [
            stored["tag"],
            {name: column[i] for name, column in attributes.items() if column[i] is not None},
            *(column[i] for column in children if column[i] is not None),
        ]
        for i in range(stored["rows"])
    ]


def rows_of(index: dict, table: str) -> list[list]:
    """The rows of a table of an index, as `tree` gives them, part after part: the inverse of `write_index`
    (tables.js's rowsOf does the same in the browser)."""
    return [row for part in index["parts"] for row in _part_rows(part, table)]


def index_json(tables: dict[str, list[str]]) -> str:
    """One part of an index: the rows of each table (as the template wrote them), by the table's id, and the pool
    of the values they repeat."""
    values = _Values()
    data = values.index({table: [values.parse(row) for row in rows] for table, rows in tables.items()})
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def write_index(writer, ctx: Context, page: str, index: str, tables: list[Table]) -> None:
    """Write the index of `page`'s tables at `index` (a file beside it), and give each table its address, with
    the digest of the content so that a browser never pairs a page with an older index.

    The index is made of parts of PART rows of each table (see the module's docstring). A part whose rows are
    written from the same items as in an earlier run is taken from the cache as it was: after an edit to one
    study, only its part is written again."""
    space = ctx.cache.namespace(f"index-parts-{ctx.lang}", "1")  # an edition's own: read only where it is written
    parts = []
    for start in range(0, max((t.count for t in tables), default=0), PART):
        chunk = [t for t in tables if t.count > start]
        key = [ctx.key(index, [(t.id, t.items[start : start + PART], t.shared) for t in chunk])]
        part = space.get(key, lambda value: isinstance(value, str))
        if part is None:
            part = index_json({t.id: t.rows(start, start + PART) for t in chunk})
            space.put(key, part)
        parts.append(part)
    text = '{"parts":[' + ",".join(parts) + "]}\n"
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
