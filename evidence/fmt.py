"""`python build_site.py fmt`: study files in one canonical layout, comments kept.

The file is read with ruamel.yaml's round-trip loader, which keeps every
comment, and written back with:

- the editor's schema line `# yaml-language-server: $schema=…` first;
- the fields in the order of schema/study.schema.json (fields the schema does
  not know stay at the end, as they were written), and `family`, `given` in
  that order in each author;
- 2-space indentation, list items indented under their field
  (`authors:` / `  - family: X` / `    given: Y`);
- text plain where YAML allows it and in double quotes where it does not;
  `volume`, `issue`, `series_volume` and `published` always in double quotes,
  since they must stay text;
- `finding` and `notes`, and their Spanish translations `finding_es` and
  `notes_es`, that do not fit on one line of 80 columns as folded `>-` blocks,
  wrapped at 80 columns; every other text on one line;
- `trends`, `countries` and `indexed_in` as flow lists (`[a, b]`) when they fit
  on one line and carry no comments; `also_cited_as`, `sources` and `authors`
  as block lists.

Formatting never changes the data: the result is read back with the checker's
own reader and must give exactly the same values, and must hold the same
comments; otherwise the file is left alone and the reason is reported.
"""

from __future__ import annotations

import hashlib
import io
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path
from types import SimpleNamespace

import yaml

from .cache import Cache, fingerprint
from .loader import _resolve, read_bytes, read_regular, relative
from .problems import ERROR, WARNING, Problem
from .schema import load_schema
from .writer import replace_file

SCHEMA_LINE = "# yaml-language-server: $schema=../schema/study.schema.json"
WIDTH = 80  # folded text is wrapped so that no line is longer than this
INDENT = 2
ALWAYS_QUOTED = ("volume", "issue", "series_volume", "published")
FOLDED = ("finding", "finding_es", "notes", "notes_es")
FLOW_LISTS = ("trends", "countries", "indexed_in")
NOT_CANONICAL = "file is not in canonical form; run python build_site.py fmt"

try:
    from yaml import CSafeLoader as _ScanLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _ScanLoader


class FormatError(Exception):
    """The file cannot be put in canonical form safely; it is left as it is."""


@lru_cache(maxsize=1)
def _ruamel() -> SimpleNamespace:
    """ruamel.yaml, imported on first use: `check` only needs it for files it has not seen before."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.compat import ordereddict
    from ruamel.yaml.emitter import RoundTripEmitter
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString, LiteralScalarString

    class Emitter(RoundTripEmitter):
        """Where text needs quotes, double quotes (as in the project's files), not single."""

        def choose_scalar_style(self):
            style = super().choose_scalar_style()
            if style == "'" and self.event.style != "'":
                return '"'
            return style

    return SimpleNamespace(
        YAML=YAML,
        Map=CommentedMap,
        Seq=CommentedSeq,
        ordereddict=ordereddict,
        Emitter=Emitter,
        Double=DoubleQuotedScalarString,
        Folded=FoldedScalarString,
        Literal=LiteralScalarString,
    )


def _yaml():
    r = _ruamel()
    handler = r.YAML(typ="rt")
    handler.preserve_quotes = True  # fields the schema does not know keep their quotes
    handler.indent(mapping=INDENT, sequence=INDENT + 2, offset=INDENT)
    handler.width = 4096  # never wrap: only folded blocks are wrapped, by fold positions
    handler.allow_unicode = True
    handler.Emitter = r.Emitter
    return handler


def _order() -> tuple[list[str], list[str]]:
    schema = load_schema("study")
    return list(schema["properties"]), list(schema["properties"]["authors"]["items"]["properties"])


def _reorder(mapping, order: list[str]) -> None:
    """Known keys in `order`, then the others as they were. Comments travel with their key."""
    known = [key for key in order if key in mapping]
    others = [key for key in mapping if key not in order]
    for key in known + others:
        mapping.move_to_end(key)


def fold_positions(text: str, first_column: int = INDENT, width: int = WIDTH) -> list[int]:
    """Indexes of the spaces where a folded block of `text` breaks its lines (greedy, at most `width` columns).

    A line breaks only at a single space between two non-space characters,
    which is where folding gives the space back when the block is read. A word
    longer than a line stays whole.
    """
    positions: list[int] = []
    start = 0  # where the current line starts in `text`
    previous = None  # the last space on the current line where it may break
    spaces = [i for i in range(1, len(text) - 1) if text[i] == " " and text[i - 1] != " " and text[i + 1] != " "]
    for index in spaces + [len(text)]:
        if first_column + (index - start) > width and previous is not None:
            positions.append(previous)
            start = previous + 1
        previous = index
    return positions


def _foldable(text: str) -> bool:
    """Text that a folded block gives back exactly: one paragraph, printable, no edge spaces."""
    return bool(text) and text == text.strip() and all(c == " " or (c.isprintable() and not c.isspace()) for c in text)


def _folded(text: str):
    folded = _ruamel().Folded(text)
    folded.fold_pos = fold_positions(text)
    return folded


_YAML_1_1 = yaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"


def _looks_typed(value: str) -> bool:
    """Text that some YAML reader would take for a number, a date, true/false or null when written plain.

    The checker's reader follows YAML 1.2 (`no` is text), but editors and
    other tools may follow YAML 1.1 (`no` is false): such text is quoted for both.
    """
    return (
        not isinstance(_resolve(value, True), str) or _YAML_1_1.resolve(yaml.ScalarNode, value, (True, False)) != _STR
    )


def _text(value: str, key: str | None = None):
    """The canonical style of one text value."""
    if key in ALWAYS_QUOTED:
        return _ruamel().Double(value)
    if key in FOLDED and len(key) + 2 + len(value) > WIDTH and _foldable(value):
        return _folded(value)
    if _looks_typed(value):  # `2022`, `true` or `no` as text must keep its quotes
        return _ruamel().Double(value)
    return str(value)  # plain where YAML allows it; the emitter quotes it otherwise


def _put(container, key, value) -> None:
    """Set a value; ruamel's own setters would keep the old value's quoting style."""
    if isinstance(container, list):
        list.__setitem__(container, key, value)
    else:
        _ruamel().ordereddict.__setitem__(container, key, value)


def _comments_inside(node) -> bool:
    """Comments between the items of a list: changing its style would misplace them."""
    ca = getattr(node, "ca", None)
    return bool(ca and (ca.items or ca.end))


def _restyle_list(items, data: list, key: str) -> None:
    for index, value in enumerate(data):
        if isinstance(value, str) and index < len(items):
            _put(items, index, _text(value))
    if _comments_inside(items):
        return
    line = f"{key}: [" + ", ".join(str(v) for v in data) + "]"
    if key in FLOW_LISTS and len(line) <= WIDTH and all(isinstance(v, str) for v in data):
        items.fa.set_flow_style()
    else:
        items.fa.set_block_style()


def _comment_after_scalar(tree, key: str, to_block: bool) -> None:
    """Keep the comment after a value in its place when the value turns into a block or out of one.

    After a one-line value, the comment text starts with that line's end (or
    is an end-of-line comment); after a block, the block has ended the line.
    """
    slot = tree.ca.items.get(key)
    token = slot[2] if slot and len(slot) > 2 else None
    if token is None or not token.value:
        return
    if to_block and token.value.startswith("\n"):
        token.value = token.value[1:]
    elif to_block:  # an end-of-line comment: on its own line after the block
        token.column = 0
    else:
        token.value = "\n" + token.value


def _restyle(tree, data: dict) -> None:
    """Order and style the fields the schema knows; `data` is the same file read by the checker's reader."""
    r = _ruamel()
    order, author_order = _order()
    _reorder(tree, order)
    for key in order:
        if key not in tree or key not in data:
            continue
        value, node = data[key], tree[key]
        if isinstance(value, str):
            new = _text(value, key)
            comment = getattr(node, "comment", None)
            if comment and isinstance(new, r.Folded):
                new.comment = comment
            elif comment:  # a comment after `>-`: keep the folded block rather than lose it
                continue
            _put(tree, key, new)
            was_block, is_block = isinstance(node, (r.Folded, r.Literal)), isinstance(new, r.Folded)
            if was_block != is_block:
                _comment_after_scalar(tree, key, is_block)
        elif key == "authors" and isinstance(value, list) and isinstance(node, r.Seq):
            if not _comments_inside(node):
                node.fa.set_block_style()
            for author, author_node in zip(value, node):
                if isinstance(author, dict) and isinstance(author_node, r.Map):
                    author_node.fa.set_block_style()
                    _reorder(author_node, author_order)
                    for name in author_order:
                        if isinstance(author.get(name), str) and name in author_node:
                            _put(author_node, name, _text(author[name]))
        elif isinstance(value, list) and isinstance(node, r.Seq):
            _restyle_list(node, value, key)


def _with_schema_line(text: str) -> str:
    lines = text.split("\n")
    head = 0
    while head < len(lines) and (lines[head].startswith("#") or not lines[head].strip()):
        head += 1
    kept = [line for i, line in enumerate(lines) if not (i < head and line.strip() == SCHEMA_LINE)]
    return "\n".join([SCHEMA_LINE] + kept)


def comments(text: str) -> list[str]:
    """Every comment of a YAML text, in order, without the schema line (found with PyYAML's scanner)."""
    covered = bytearray(len(text) + 1)
    for token in yaml.scan(text, Loader=_ScanLoader):
        if isinstance(token, yaml.ScalarToken):
            covered[token.start_mark.index : token.end_mark.index] = b"\x01" * (
                token.end_mark.index - token.start_mark.index
            )
    found = []
    index = text.find("#")
    while index >= 0:
        if not covered[index] and (index == 0 or text[index - 1] in " \t\n"):
            end = text.find("\n", index)
            end = len(text) if end < 0 else end
            comment = text[index:end].rstrip()
            if comment != SCHEMA_LINE:
                found.append(comment)
            index = text.find("#", end)
        else:
            index = text.find("#", index + 1)
    return found


def canonical(text: str, path: str = "study") -> str:
    """The canonical form of a study file's text. Raises FormatError when it cannot be made safely."""
    try:
        doc, problems = read_bytes(text.encode("utf-8"), path)
    except Exception as exc:  # the checker's reader reports these through read_file; never a traceback here
        raise FormatError(f"cannot be read: {type(exc).__name__}: {exc}") from None
    if doc is None:
        first = problems[0] if problems else None
        raise FormatError(f"cannot be read: {first.message}" if first else "cannot be read")
    handler = _yaml()
    try:
        tree = handler.load(text)
        if not isinstance(tree, _ruamel().Map):
            raise FormatError("file must hold a mapping of fields")
        _restyle(tree, doc.data)
        stream = io.StringIO()
        handler.dump(tree, stream)
    except FormatError:
        raise
    except Exception as exc:  # ruamel.yaml and the checker's reader disagree on an odd file
        raise FormatError(f"cannot be formatted: {type(exc).__name__}: {exc}") from None
    result = _with_schema_line(stream.getvalue())
    if not result.endswith("\n"):
        result += "\n"
    after, problems = read_bytes(result.encode("utf-8"), path)
    if after is None or after.data != doc.data:
        raise FormatError("formatting would change the data; please report this file")
    if sorted(comments(result)) != sorted(comments(text)):
        raise FormatError(
            "a comment stands where it could not be kept (inside a value or a [ ] list); "
            "move it to a line of its own between two fields"
        )
    return result


@dataclass
class Outcome:
    path: str
    changed: bool = False
    error: str | None = None


def format_files(files: list[Path], root: Path, write: bool = True) -> list[Outcome]:
    """Put each file in canonical form (or, with write=False, only tell which are not)."""
    outcomes = []
    studies = Path(os.path.abspath(root / "studies"))
    for file in files:
        path = relative(file, root)
        if Path(os.path.abspath(file)).parent != studies:
            outcomes.append(Outcome(path, error="is not in studies/; fmt formats study files only"))
            continue
        raw, refused = read_regular(file, path)
        if raw is None:
            outcomes.append(Outcome(path, error=refused[0].message))
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            outcomes.append(Outcome(path, error=f"cannot be read: {exc}"))
            continue
        try:
            result = canonical(text, path)
        except FormatError as exc:
            outcomes.append(Outcome(path, error=str(exc)))
            continue
        except yaml.YAMLError as exc:
            outcomes.append(Outcome(path, error=f"cannot be read: {exc}"))
            continue
        changed = result != text
        if changed and write:
            replace_file(file, result)  # a new file renamed into place: never written through a link
        outcomes.append(Outcome(path, changed))
    return outcomes


def is_canonical(text: str, path: str = "study") -> bool | None:
    """True or False; None when the file cannot be formatted (its problems are reported elsewhere)."""
    try:
        return canonical(text, path) == text
    except (FormatError, yaml.YAMLError):
        return None


def _version() -> str:
    """What the canonical form depends on: this module, the schema, the reader and ruamel.yaml's version."""
    here = Path(__file__).resolve().parent
    from importlib.metadata import version

    return fingerprint(Path(__file__), here.parent / "schema" / "study.schema.json", here / "loader.py") + version(
        "ruamel.yaml"
    )


def _verdict(item: tuple[str, bytes]) -> bool | None:
    path, raw = item
    try:
        return is_canonical(raw.decode("utf-8"), path)
    except UnicodeDecodeError:
        return None


PARALLEL_FROM = 200  # files not seen before worth starting worker processes for (ruamel takes ~10 ms a file)


def canonical_warnings(root: Path, paths: list[str], cache: Cache | None = None) -> list[Problem]:
    """A warning for each of these study files (valid ones; paths relative to root) that is not canonical.

    With a cache, a content already seen is not formatted again, and ruamel.yaml is not
    even imported when every file was seen. Many new files are checked on every core.
    """
    space = (cache or Cache(None)).namespace("canonical", _version())
    keys: dict[str, str] = {}
    known: dict[str, bool | None] = {}
    unseen: list[tuple[str, bytes]] = []
    for path in paths:
        raw, _ = read_regular(root / path, path)
        if raw is None:
            continue
        keys[path] = hashlib.sha256(raw).hexdigest()
        stored = space.get([keys[path]], lambda value: value in ([None], [True], [False]))
        if stored is not None:
            known[keys[path]] = stored[0]
        elif keys[path] not in known:
            unseen.append((path, raw))
    if len(unseen) >= PARALLEL_FROM and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor(max_workers=os.cpu_count(), mp_context=get_context("fork")) as pool:
            verdicts = list(pool.map(_verdict, unseen, chunksize=32))
    else:
        verdicts = [_verdict(item) for item in unseen]
    for (path, _), verdict in zip(unseen, verdicts):
        known[keys[path]] = verdict
        space.put([keys[path]], [verdict])
    space.save()
    return [Problem(path, 1, 1, WARNING, NOT_CANONICAL) for path, key in keys.items() if known[key] is False]


def study_warnings(dataset, cache: Cache | None = None) -> list[Problem]:
    """The canonical-form warnings of `check`: only for study files without errors."""
    from .dataset import STUDY_DIR, study_files

    errors = {p.path for p in dataset.problems if p.severity == ERROR}
    paths = [f"{STUDY_DIR}/{file.name}" for file in study_files(dataset.root)]
    return canonical_warnings(dataset.root, [p for p in paths if p not in errors], cache)
