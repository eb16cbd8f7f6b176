"""Escaping and the Jinja environment: contributor text always displays, never executes.

Templates write Markdown with embedded HTML. Every value printed with
`{{ … }}` that is not already `Markup` is escaped for both HTML and
Markdown: HTML-special characters and every character that Markdown (or
Python-Markdown's extensions) gives a meaning to becomes a character
reference, and line breaks become spaces so no value can end an HTML block.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined
from markdown.extensions.toc import slugify
from markupsafe import Markup
from markupsafe import escape as escape_html

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"

_ENTITIES = {c: f"&#{ord(c)};" for c in "&<>\"'*_`[]{}|\\#~^"}
_ENTITIES.update({"\r": " ", "\n": " ", "\t": " "})
# Each of those characters replaced in one pass (several times quicker than str.translate with this table).
_SPECIAL = re.compile("[" + re.escape("".join(_ENTITIES)) + "]")


def _entity(match: re.Match) -> str:
    return _ENTITIES[match[0]]


def escape(value: object) -> Markup:
    """Text safe to place anywhere in a Markdown page: inline, in a table cell, in HTML."""
    if isinstance(value, Markup):
        return value
    # The escaped text made Markup as Markup(text) makes it, without its check for __html__ (text has none).
    return str.__new__(Markup, _SPECIAL.sub(_entity, str(value)))


def href(url: str | None) -> str | None:
    """An address that may become a link: https:// only, anything else is dropped."""
    if url and url.startswith("https://") and not any(c in url for c in " \t\r\n<>\"'`"):
        return url
    return None


def link(url: str | None, text: object | None = None) -> Markup:
    """An <a> element for an https:// address, or the escaped text alone when the address is not safe."""
    safe = href(url)
    label = escape(text if text is not None else url or "")
    if not safe:
        return label
    return Markup(f'<a href="{escape(safe)}">{label}</a>')


def front_matter(value: object) -> Markup:
    """A value for a line of YAML front matter (`title: {{ x|front_matter }}`).

    HTML-escaped, because the theme prints the title as HTML (page header, <title>); then
    written as a JSON string, which YAML reads back unchanged. Not Jinja's `tojson`: it writes
    a character beyond U+FFFF (an emoji, a mathematical letter) as a surrogate pair such as
    \\ud83d\\ude00, which YAML cannot read, so MkDocs would drop the whole front matter and
    print it at the top of the page.
    """
    text = json.dumps(str(escape_html(str(value))), ensure_ascii=False)
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\x85"))


def slug(text: object) -> str:
    """The id the Markdown toc extension gives a heading of these words (templates/_html.j2)."""
    return slugify(Markup(str(text)).striptags(), "-")


def code_spans(text: object) -> Markup:
    """Escaped text in which a name between backticks (`finding_es`) becomes <code>: field and column names in
    the site's own descriptions, which stay as they are in every language."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: nothing is code
        return escape(text)
    return Markup("").join(
        escape(part) if i % 2 == 0 else Markup(f"<code>{escape(part)}</code>") for i, part in enumerate(parts)
    )


def _finalize(value: object) -> object:
    if value is None:
        return ""
    return escape(value)


def _gettext(language):
    """The templates' `_()`, `gettext` and `{% trans %}`: the message in the page's language (trusted, from
    the catalogue), with every value put into it escaped like any other printed value."""

    def gettext(message: str, /, **values) -> Markup:
        return Markup(language.gettext(message)) % {key: escape(value) for key, value in values.items()}

    def ngettext(singular: str, plural: str, number: int, /, **values) -> Markup:
        values.setdefault("num", number)
        text = language.ngettext(singular, plural, number)
        return Markup(text) % {key: escape(value) for key, value in values.items()}

    return gettext, ngettext


class _Compiled(BytecodeCache):
    """Each template compiled once in a process, for the environments of every edition: they are configured alike
    and differ only in their globals and language filters, which a template's code looks up when it is loaded. The
    code objects stay in memory: nothing is written or read (Jinja's own caches would store them with marshal)."""

    def __init__(self):
        self.code: dict = {}

    def load_bytecode(self, bucket) -> None:
        bucket.code = self.code.get((bucket.key, bucket.checksum))  # the checksum is the template source's

    def dump_bytecode(self, bucket) -> None:
        self.code[(bucket.key, bucket.checksum)] = bucket.code


_COMPILED = _Compiled()


def environment(language) -> Environment:
    """The templates' environment for one language (an i18n.Language)."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        bytecode_cache=_COMPILED,
        extensions=["jinja2.ext.i18n"],
        autoescape=True,
        finalize=_finalize,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["front_matter"] = front_matter
    env.filters["code_spans"] = code_spans
    env.filters["slug"] = slug
    gettext, ngettext = _gettext(language)
    env.globals.update(gettext=gettext, ngettext=ngettext, _=gettext, edition=language.lang)
    env.filters["place"] = language.place
    env.filters["date"] = language.date
    env.filters["number"] = language.number
    env.newstyle_gettext = True  # values are passed as keywords, and `%` in a message is written once
    return env


def escape_lines(text: str) -> Markup:
    """Escaped text that keeps its line breaks, for <pre> blocks (blank lines dropped)."""
    return Markup("\n".join(escape(line) for line in text.splitlines() if line.strip()))


def join(items, separator: str = ", ") -> Markup:
    """Join escaped values or Markup with a separator."""
    return Markup(escape(separator)).join(escape(item) for item in items)
