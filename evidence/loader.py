"""Read a YAML file safely, keeping the line and column of every key and value.

The file is read from the parser's event stream, so nothing is ever constructed
from a tag and an alias is never expanded: tags, anchors and aliases are
refused outright. Plain scalars are resolved with YAML 1.2 core rules, so that
`no` stays text, `2022-01-01` stays text and `010` is not an octal number.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .problems import ERROR, Problem

try:  # the C parser is several times faster; the pure-Python one behaves the same
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader

MAX_FILE_BYTES = 64 * 1024
MAX_DEPTH = 12

Key = tuple  # a path into the data: ("authors", 0, "family")

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+\.[0-9]*)([eE][-+]?[0-9]+)?\Z")
_NULL = {"", "~", "null", "Null", "NULL"}
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


@dataclass
class Document:
    """Data read from one file, with where each value and key stands."""

    path: str
    data: object
    positions: dict = field(default_factory=dict)
    key_positions: dict = field(default_factory=dict)

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
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    return value


def _mark(event) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


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
                        self.problem(_mark(event), "a file holds one YAML document; remove the second '---' and what follows it")
                        raise _Stop
                    continue
                if isinstance(event, yaml.AliasEvent):
                    self.problem(_mark(event), f"aliases (*{event.anchor}) are not allowed; write the value out in full")
                    self._add(stack, None, event, scalar=True)
                    continue
                if isinstance(event, (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                    if event.anchor is not None:
                        self.problem(_mark(event), f"anchors (&{event.anchor}) are not allowed; write each value out in full")
                    if event.tag is not None and not (isinstance(event, yaml.ScalarEvent) and event.tag == "!"):
                        self.problem(_mark(event), f"tags such as '{event.tag}' are not allowed; write plain values")
                        if not isinstance(event, yaml.ScalarEvent):
                            raise _Stop
                if isinstance(event, yaml.ScalarEvent):
                    self._add(stack, _resolve(event.value, not event.style), event, scalar=True)
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
            name = event.value
            if name in container:
                self.problem(where, f"field `{name}` appears twice; keep one")
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
        line_text = self.text.splitlines()[where[0] - 1] if where[0] <= len(self.text.splitlines()) else ""
        if "\t" in line_text[: where[1]] or "'\\t'" in problem:
            self.problem(where, "a tab character is not allowed here; indent with spaces")
            return
        context = f" ({exc.context})" if exc.context else ""
        self.problem(where, f"YAML syntax error: {problem}{context}")


def read_bytes(raw: bytes, path: str) -> tuple[Document | None, list[Problem]]:
    """Read YAML from bytes; return the document (None if unreadable) and its problems."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [Problem(path, 1, 1, ERROR, f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,} bytes")]
    if raw.startswith(b"\xef\xbb\xbf"):
        return None, [Problem(path, 1, 1, ERROR, "file starts with a byte-order mark; save it as UTF-8 without BOM")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position_of_offset(raw, exc.start)
        return None, [Problem(path, line, column, ERROR, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8")]
    reader = _Reader(path, text)
    doc = reader.read()
    if reader.problems:
        return None, reader.problems
    if doc.data is None:
        return None, [Problem(path, 1, 1, ERROR, "file is empty; copy studies/_template.yml to start one")]
    if not isinstance(doc.data, dict):
        return None, [Problem(path, *doc.where(()), ERROR, "file must hold a mapping of fields (`name: value` lines)")]
    return doc, []


def read_file(file: Path, root: Path) -> tuple[Document | None, list[Problem]]:
    """Read one YAML file; an unreadable file is a problem, never an exception."""
    path = relative(file, root)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        return None, [Problem(path, 1, 1, ERROR, f"cannot read file: {exc.strerror or exc}")]
    try:
        return read_bytes(raw, path)
    except Exception as exc:  # never a traceback for a contributor
        return None, [Problem(path, 1, 1, ERROR, f"cannot read file: {type(exc).__name__}: {exc}")]


def relative(file: Path, root: Path) -> str:
    try:
        return file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return file.as_posix()
