"""Read a YAML file safely, keeping the line and column of every key and value.

The file is read from the parser's event stream, so nothing is ever constructed
from a tag and an alias is never expanded: tags, anchors and aliases are
refused outright. Plain scalars are resolved with YAML 1.2 core rules, so that
`no` stays text, `2022-01-01` stays text and `010` is not an octal number.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import unicodedata
from pathlib import Path

import yaml

from .problems import ERROR, Problem, visible  # noqa: F401 (visible is used by the modules that read documents)

try:  # the C parser is several times faster; the pure-Python one behaves the same
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader

MAX_FILE_BYTES = 64 * 1024
# review.yml holds the whole review, and beside its words their Spanish translation: it may be larger.
MAX_REVIEW_BYTES = 256 * 1024
_LIMITS = {"review.yml": MAX_REVIEW_BYTES}
MAX_DEPTH = 12

Key = tuple  # a path into the data: ("authors", 0, "family")

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+\.[0-9]*)([eE][-+]?[0-9]+)?\Z")
_NULL = {"", "~", "null", "Null", "NULL"}
# Characters refused in a file and in a value (where double quotes can write any character as an
# escape): those YAML does not allow (outside its "printable" set), and the line breaks U+0085,
# U+2028 and U+2029, which most editors do not show and which would shift every line number.
_REFUSED = re.compile("[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what PyYAML counts as a line break
_CORE_TAG = "tag:yaml.org,2002:"
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


class Document:
    """Data read from one file, with where each value and key stands.

    A document made from cached data has its file's bytes instead of the two tables: they are found again
    by reading those bytes, the first time a problem needs a place (most documents never do).
    """

    def __init__(
        self,
        path: str,
        data: object,
        positions: dict | None = None,
        key_positions: dict | None = None,
        source: bytes | None = None,
    ):
        self.path = path
        self.data = data
        self._source = source
        if source is None or positions is not None:
            self._tables = (
                positions if positions is not None else {},
                key_positions if key_positions is not None else {},
            )
        else:
            self._tables = None

    def __repr__(self) -> str:
        return f"Document({self.path!r})"

    @property
    def positions(self) -> dict:
        return self._located()[0]

    @property
    def key_positions(self) -> dict:
        return self._located()[1]

    def _located(self) -> tuple[dict, dict]:
        if self._tables is None:
            reader = _Reader(self.path, self._source.decode("utf-8"))
            reader.read()
            self._tables = (reader.doc.positions, reader.doc.key_positions)
        return self._tables

    def where(self, key: Key) -> tuple[int, int]:
        """Line and column of the value at `key`, or of its nearest parent."""
        while key not in self.positions and key:
            key = key[:-1]
        return self.positions.get(key, (1, 1))

    def where_key(self, key: Key) -> tuple[int, int]:
        return self.key_positions.get(key) or self.where(key)


class _Stop(Exception):
    """Raised inside the reader when the file cannot be read any further."""


def _resolve(value: str, plain: bool) -> object:
    if not plain:
        return value
    if value in _NULL:
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        try:
            return int(value)
        except ValueError:  # more digits than Python converts (4,300): keep the text
            return value
    if _FLOAT.match(value):
        return float(value)
    return value


def _mark(event) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


# What no text value may hold: control characters (a line break inside a value is allowed), invisible
# formatting characters (zero-width spaces, joiners, the soft hyphen, bidirectional controls that reverse
# the text after them), private-use and surrogate code points, line and paragraph separators, and the
# characters that print as nothing although they are letters or symbols (Hangul fillers, Braille blank,
# Khmer inherent vowels, the combining grapheme joiner).
_REFUSED_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}
BLANK_LOOKALIKES = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
_KINDS = {
    "Cc": "a control character",
    "Cf": "an invisible formatting character",
    "Co": "a private-use character",
    "Cs": "a lone surrogate",
    "Zl": "an invisible line break",
    "Zp": "an invisible line break",
}


def refused_in_text(text: str) -> list[str]:
    """Each character of a value that may not stand in text, named by code point (none: an empty list)."""
    found = []
    for char in dict.fromkeys(text):
        if char == "\n":
            continue
        category = unicodedata.category(char)
        if category in _REFUSED_CATEGORIES or char in BLANK_LOOKALIKES:
            kind = _KINDS.get(category, "a character that shows as blank")
            if char == "\x85":
                kind = "an invisible line break"
            name = unicodedata.name(char, "")
            found.append(f"U+{ord(char):04X}{f' ({name})' if name else ''}, {kind}")
    return found


def _refused(char: str) -> str:
    kind = "an invisible line break" if char in "\x85\u2028\u2029" else "a control character"
    return f"U+{ord(char):04X}, {kind}"


def _tag(tag: str) -> str:
    """A tag as it is written in a file: tag:yaml.org,2002:python/name:x is written !!python/name:x."""
    return "!!" + tag[len(_CORE_TAG) :] if tag.startswith(_CORE_TAG) else tag


def _position_in_text(text: str, index: int) -> tuple[int, int]:
    """Line and column of a character, counting line breaks as the YAML parser does."""
    breaks = list(_LINE_BREAK.finditer(text, 0, index))
    start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, index - start + 1


def _position_of_offset(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return line, column


class _Reader:
    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self.problems: list[Problem] = []
        self.doc = Document(path, None)
        self.aliases: set[str] = set()

    def problem(self, where: tuple[int, int], message: str) -> None:
        self.problems.append(Problem(self.path, where[0], where[1], ERROR, message))

    def read(self) -> Document:
        stack: list[list] = []  # [container, path, pending key or None]
        documents = 0
        try:
            for event in yaml.parse(self.text, Loader=_Loader):
                if isinstance(event, yaml.DocumentStartEvent):
                    documents += 1
                    if documents > 1:
                        self.problem(
                            _mark(event), "a file holds one YAML document; remove the second '---' and what follows it"
                        )
                        raise _Stop
                    continue
                if isinstance(event, yaml.AliasEvent):
                    if event.anchor not in self.aliases:  # once per name: an alias bomb repeats a few names
                        self.aliases.add(event.anchor)
                        self.problem(
                            _mark(event), f"aliases (*{event.anchor}) are not allowed; write the value out in full"
                        )
                    self._add(stack, None, event, scalar=True)
                    continue
                if isinstance(event, (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                    if event.anchor is not None:
                        self.problem(
                            _mark(event), f"anchors (&{event.anchor}) are not allowed; write each value out in full"
                        )
                    if event.tag is not None and not (isinstance(event, yaml.ScalarEvent) and event.tag == "!"):
                        # Nothing is ever built from a tag, so reading goes on and finds the other problems.
                        self.problem(
                            _mark(event),
                            f"tags such as '{visible(_tag(event.tag))}' are not allowed; write plain values",
                        )
                if isinstance(event, yaml.ScalarEvent):
                    refused = refused_in_text(event.value)
                    if refused:  # in the file itself, or written as an escape such as "\0" or "\u200b"
                        self.problem(
                            _mark(event),
                            f"the value contains {'; and '.join(refused)}; "
                            f"remove {'it' if len(refused) == 1 else 'them'}",
                        )
                    plain = not event.style and event.tag is None  # `! 2022` is text, like "2022"
                    value = unicodedata.normalize("NFC", event.value)  # one spelling of "é" for every comparison
                    self._add(stack, _resolve(value, plain), event, scalar=True)
                elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                    if len(stack) >= MAX_DEPTH:
                        self.problem(_mark(event), f"data is nested more than {MAX_DEPTH} levels deep")
                        raise _Stop
                    container: object = {} if isinstance(event, yaml.MappingStartEvent) else []
                    path = self._add(stack, container, event, scalar=False)
                    stack.append([container, path, None])
                elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                    stack.pop()
        except _Stop:
            pass
        except yaml.MarkedYAMLError as exc:
            self._syntax_error(exc)
        except yaml.YAMLError as exc:  # checked for before parsing; kept so that no parser error escapes
            self.problem((1, 1), f"the YAML cannot be read: {visible(exc)}")
        return self.doc

    def _add(self, stack: list[list], value: object, event, scalar: bool) -> Key:
        where = _mark(event)
        if not stack:
            self.doc.data = value
            self.doc.positions[()] = where
            return ()
        top = stack[-1]
        container, path, pending = top
        if isinstance(container, list):
            key = path + (len(container),)
            container.append(value)
            self.doc.positions[key] = where
            return key
        if pending is None:  # this node is a key
            if not scalar:
                self.problem(where, "a key must be a plain name, not a list or a mapping")
                raise _Stop
            # An alias as a key has no value of its own; it is reported as an alias.
            name = event.value if isinstance(event, yaml.ScalarEvent) else f"*{event.anchor}"
            if name in container:
                self.problem(where, f"field `{visible(name)}` appears twice; keep one")
            top[2] = (name, where)
            return path
        name, key_where = pending
        top[2] = None
        key = path + (name,)
        if name not in container:
            container[name] = value
            self.doc.positions[key] = where
            self.doc.key_positions[key] = key_where
        return key

    def _syntax_error(self, exc: yaml.MarkedYAMLError) -> None:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "the YAML cannot be read"
        lines = self.text.splitlines()
        line_text = lines[where[0] - 1] if where[0] <= len(lines) else ""
        if "\t" in line_text[: where[1]] or "'\\t'" in problem:
            self.problem(where, "a tab character is not allowed here; indent with spaces")
            return
        opened = (exc.context_mark.line + 1, exc.context_mark.column + 1) if exc.context_mark else None
        if opened and (
            where[0] > len(lines)
            or problem.startswith("could not find expected ':'")
            or "alphabetic or numeric character" in problem
        ):
            where = opened  # point at what was left open, the key without ':', or the '*' or '&'
        at = "" if opened in (None, where) else f"at line {opened[0]}, column {opened[1]}"
        chars = (self._char(where), self._char(opened))
        self.problem(where, f"YAML syntax error: {_explain(problem, exc.context or '', at, chars)}")

    def _char(self, where: tuple[int, int] | None) -> str:
        lines = self.text.splitlines()
        if not where or where[0] > len(lines) or where[1] > len(lines[where[0] - 1]):
            return ""
        return lines[where[0] - 1][where[1] - 1]


def _explain(problem: str, context: str, at: str, chars: tuple[str, str]) -> str:
    """PyYAML's description of a syntax error, in words a contributor can act on.

    `at` says where the construct being read starts ("at line 2, column 8"; empty when that is
    where the error is reported); `chars` are the characters where the error is and where the
    construct starts.
    """
    if problem.startswith("did not find expected ',' or ']'"):
        return (
            f"expected ',' or ']' in the list that starts {at or 'here'}; close it with ']', "
            "or put text that starts with '[' in quotes"
        )
    if problem.startswith("did not find expected ',' or '}'"):
        return (
            f"expected ',' or '}}' in the fields that start {at or 'here'}; close them with '}}', "
            "or put text that starts with '{' in quotes"
        )
    if problem.startswith("mapping values are not allowed"):
        return (
            "a ':' followed by a space cannot appear here; put a value that contains ': ' in quotes, "
            "and check the indentation"
        )
    if problem.startswith("did not find expected key"):
        return (
            "expected a new `name: value` line here; check the indentation, "
            "and that a quoted or bracketed value ends where it should"
        )
    if problem.startswith("did not find expected '-' indicator"):
        return "expected a list item (a line starting with '- ') here; check the indentation"
    if problem.startswith("could not find expected ':'"):
        return "expected ':' after the field name; write each field as `name: value`"
    if problem.startswith("found unexpected end of stream") and "quoted scalar" in context:
        return f"the quoted value that starts {at or 'here'} is not closed; end it with the same quote mark"
    if problem.startswith("found unknown escape character"):
        return (
            "a backslash inside double quotes starts an escape such as \\n; "
            "use single quotes instead, or write the backslash twice"
        )
    if problem.startswith("found character that cannot start any token"):
        return f"a value cannot start with '{visible(chars[0])}'; put it in quotes"
    if "alphabetic or numeric character" in problem and ("alias" in context or "anchor" in context):
        return f"a value cannot start with '{chars[1] or '*'}' (it would mark an alias or anchor); put it in quotes"
    if problem.startswith("found invalid Unicode character escape code"):
        return (
            "a \\u escape may not be half of a surrogate pair (such as \\ud83d); "
            "write the character itself, or as \\U0001F600"
        )
    if problem.startswith("found undefined tag handle"):
        return (
            "tags (words starting with '!') are not allowed; write plain values, "
            "and put text that starts with '!' in quotes"
        )
    return f"{problem} ({context})" if context else problem


def size_limit(path: str) -> int:
    """The most bytes a file may hold: MAX_FILE_BYTES, and MAX_REVIEW_BYTES for review.yml."""
    return _LIMITS.get(path, MAX_FILE_BYTES)


def _too_big(path: str, size: int) -> Problem:
    return Problem(path, 1, 1, ERROR, f"file is {size:,} bytes; the limit is {size_limit(path):,} bytes")


def read_bytes(raw: bytes, path: str) -> tuple[Document | None, list[Problem]]:
    """Read YAML from bytes; return the document (None if unreadable) and its problems."""
    if len(raw) > size_limit(path):
        return None, [_too_big(path, len(raw))]
    if raw.startswith(b"\xef\xbb\xbf"):
        return None, [Problem(path, 1, 1, ERROR, "file starts with a byte-order mark; save it as UTF-8 without BOM")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position_of_offset(raw, exc.start)
        return None, [
            Problem(
                path, line, column, ERROR, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
            )
        ]
    bad = _REFUSED.search(text)  # U+0085, U+2028 and U+2029 too: YAML would read them as line breaks
    if bad:
        line, column = _position_in_text(text, bad.start())
        return None, [
            Problem(
                path,
                line,
                column,
                ERROR,
                f"file contains {_refused(bad.group())}; delete it (most editors do not show it)",
            )
        ]
    reader = _Reader(path, text)
    doc = reader.read()
    if reader.problems:
        return None, reader.problems
    if doc.data is None:
        comments = [line for line in text.splitlines() if line.strip()]
        what = (
            "is empty"
            if not comments
            else "holds only comments, no fields"
            if all(line.lstrip().startswith("#") for line in comments)
            else "holds no fields"
        )
        return None, [Problem(path, 1, 1, ERROR, f"file {what}; copy studies/_template.yml to start one")]
    if not isinstance(doc.data, dict):
        return None, [Problem(path, *doc.where(()), ERROR, "file must hold a mapping of fields (`name: value` lines)")]
    return doc, []


def read_regular(file: Path, path: str) -> tuple[bytes | None, list[Problem]]:
    """The bytes of a regular file, never following a symbolic link and never reading past the size cap.

    A link, folder, FIFO or device is a problem naming `path` (as the contributor gave it),
    so nothing outside the repository is read and nothing blocks or reads forever.
    """
    try:
        descriptor = os.open(file, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, [Problem(path, 1, 1, ERROR, NOT_REGULAR["link"])]
        return None, [Problem(path, 1, 1, ERROR, f"cannot read file: {exc.strerror or exc}")]
    try:
        status = os.fstat(descriptor)
        kind = _kind(status.st_mode)
        if kind != "file":
            return None, [Problem(path, 1, 1, ERROR, NOT_REGULAR[kind])]
        limit = size_limit(path)
        if status.st_size > limit:
            return None, [_too_big(path, status.st_size)]
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(descriptor, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks), []
    except OSError as exc:
        return None, [Problem(path, 1, 1, ERROR, f"cannot read file: {exc.strerror or exc}")]
    finally:
        os.close(descriptor)


NOT_REGULAR = {
    "link": "is a symbolic link; a data file must be a regular file in the repository (copy the file instead)",
    "folder": "is a folder; study files go directly in studies/, one <id>.yml file each",
    "other": "is not a regular file (a FIFO, socket or device); a data file must be a regular file",
}


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISDIR(mode):
        return "folder"
    return "file" if stat.S_ISREG(mode) else "other"


def read_file(file: Path, root: Path) -> tuple[Document | None, list[Problem]]:
    """Read one YAML file; an unreadable file is a problem, never an exception."""
    path = relative(file, root)
    raw, problems = read_regular(file, path)
    if raw is None:
        return None, problems
    try:
        return read_bytes(raw, path)
    except Exception as exc:  # never a traceback for a contributor
        return None, [Problem(path, 1, 1, ERROR, f"cannot read file: {type(exc).__name__}: {exc}")]


def relative(file: Path, root: Path) -> str:
    """The path as the contributor knows it: relative to the repository, links not followed."""
    absolute = Path(os.path.abspath(file))
    try:
        return absolute.relative_to(Path(os.path.abspath(root))).as_posix()
    except ValueError:
        return file.as_posix()
