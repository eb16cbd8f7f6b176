"""The one cache of the build: where it lives, how entries are keyed, stored, checked and dropped.

What it holds: parsed and validated documents, rendered references, chart drawings,
each study's fragments of the downloads, the parts of the long tables' indexes, the
content of generated pages and canonical-form verdicts. Each is a *namespace*:
one file of entries, a line each (`key<TAB>seal<TAB>value as JSON`, after a first
line naming the format), so that a run reads and writes them without escaping one
value inside another. Deleting the folder (`make clean`) changes nothing in the
output; it only makes the next run slower.

Nothing in it is trusted:

- **Outside the repository.** The folder is `$EVIDENCE_CACHE_DIR`, or the user's cache
  folder (`~/.cache/evidence-site/<hash of the repository's path>` on Linux), as most
  build tools keep theirs. A folder inside the repository is never used, so nothing a
  pull request commits (`git add -f .cache/...`) is ever read as cache.
- **Data, not code.** Entries are JSON, never pickles: reading one runs nothing.
- **Sealed.** Each entry is stored with an HMAC of its key and value under a random
  secret kept in the folder (mode 0600). An entry that was edited, moved to another key
  or written by anyone without the secret is a miss, as is one that fails the reader's
  shape check. Whatever comes out is escaped on output like any other input.
- **Keyed by everything that decides it.** A key is the SHA-256 of the namespace, the
  code that makes the value (`fingerprint`) and the inputs; a change to any of them is a
  miss. A run adds the entries it made to the end of the file, and writes the file
  anew with only the entries it used once more than half of it (in characters) is
  of no use, so the files do not grow.
- **Optional.** A folder that cannot be created, read or written makes the run uncached,
  never failed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path

from .writer import replace_file

ENV = "EVIDENCE_CACHE_DIR"
APP = "evidence-site"
FORMAT = 2
_HEADER = f"evidence-cache {FORMAT}"
_SECRET = "secret"


def folder_for(root: Path) -> Path | None:
    """The cache folder of the repository at `root`, or None when the only candidate lies inside it."""
    root = root.resolve()
    configured = os.environ.get(ENV)
    if configured:
        folder = Path(configured).expanduser().resolve()
    else:
        from platformdirs import user_cache_dir

        tag = hashlib.sha256(str(root).encode()).hexdigest()[:16]
        folder = Path(user_cache_dir(APP, appauthor=False)).resolve() / tag
    if folder == root or root in folder.parents:
        return None  # a folder inside the repository could hold committed files
    return folder


@cache
def fingerprint(*files: Path) -> str:
    """A digest of the files (code, schemas, style) that decide a cached value."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def _secret(folder: Path) -> bytes | None:
    """The folder's random key, created on first use; None when it cannot be had."""
    file = folder / _SECRET
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(secrets.token_bytes(32))
        descriptor = os.open(file, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(descriptor, "rb") as handle:
            key = handle.read(64)
        return key if len(key) == 32 else None
    except OSError:
        return None


class Cache:
    """The cache of one repository; `Cache(None)` caches nothing."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.key = _secret(folder) if folder else None
        self.spaces: dict[str, Namespace] = {}
        self.saving = True  # False while another process is to save this one's entries (see generate)

    @classmethod
    def of(cls, root: Path) -> Cache:
        return cls(folder_for(root))

    def namespace(self, name: str, version: str) -> Namespace:
        if name not in self.spaces:
            self.spaces[name] = Namespace(self, name, version)
        return self.spaces[name]

    def save(self) -> None:
        for space in self.spaces.values():
            space.save()

    def clear(self) -> None:
        if self.folder and self.folder.is_dir():
            shutil.rmtree(self.folder, ignore_errors=True)


def _lines(entries: dict[str, list[str]]) -> list[str]:
    return [f"{key}\t{seal}\t{payload}\n" for key, (payload, seal) in entries.items()]


def _size(entries: dict[str, list[str]]) -> int:
    """The characters the entries' lines take in a file."""
    return sum(len(key) + len(seal) + len(payload) + 3 for key, (payload, seal) in entries.items())


def read_entries(file: Path) -> tuple[dict[str, list[str]], int]:
    """The entries of a namespace's file, {key: [value as JSON, seal]} (the last line of a key counts), unchecked,
    and how many characters its lines of entries take (more than the entries' when a key was written again);
    nothing for a file of another format. Raises OSError when it cannot be read."""
    header, _, body = file.read_text(encoding="utf-8").partition("\n")
    if header != _HEADER:
        return {}, 0
    entries = {}
    lines = body.split("\n")  # JSON writes a line break inside a value as \n: a value is never split
    for line in lines:
        key, _, rest = line.partition("\t")
        seal, _, payload = rest.partition("\t")
        if payload:
            entries[key] = [payload, seal]
    return entries, len(body)


def write_entries(file: Path, entries: dict[str, list[str]]) -> None:
    """Write a namespace's file, whole or not at all."""
    replace_file(file, "".join([_HEADER, "\n", *_lines(entries)]))


class Namespace:
    """Entries of one kind, in one file: a key, its value as JSON and the value's seal (see `read_entries`)."""

    def __init__(self, owner: Cache, name: str, version: str):
        self.name = name
        self.version = version
        self.owner = owner
        self.secret = owner.key
        self.file = owner.folder / f"{name}.cache" if owner.folder and owner.key else None
        self.stored: dict[str, list] = {}  # the file's entries
        self.size = 0  # the characters of the file's lines of entries (see `read_entries`)
        self.used: dict[str, list] = {}
        if self.file is None:
            return
        try:
            self.stored, self.size = read_entries(self.file)
        except (OSError, ValueError):
            self.stored, self.size = {}, 0

    def key(self, parts) -> str:
        text = json.dumps([self.name, self.version, parts], ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _seal(self, key: str, payload: str) -> str:
        return hmac.digest(self.secret, f"{key}\0{payload}".encode(), "sha256").hex()

    def get(self, parts, valid: Callable[[object], bool]):
        """The value stored under `parts`, or None when there is none, or it was tampered with or is malformed."""
        if self.file is None:
            return None
        key = self.key(parts)
        entry = self.used.get(key) or self.stored.get(key)  # one put earlier in this run counts too
        if not (isinstance(entry, list) and len(entry) == 2 and all(isinstance(x, str) for x in entry)):
            return None
        payload, seal = entry
        if not hmac.compare_digest(seal, self._seal(key, payload)):
            return None
        try:
            value = json.loads(payload)
        except ValueError:
            return None
        if not valid(value):
            return None
        self.used[key] = entry
        return value

    def put(self, parts, value) -> None:
        if self.file is None:
            return
        key = self.key(parts)
        payload = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        self.used[key] = [payload, self._seal(key, payload)]

    def save(self) -> None:
        """Keep the entries this run used: the new ones added at the end of the file while at least half of it (in
        characters) is of use to this run, else the file written anew with them alone. A cache that cannot be
        written is left as it was."""
        if self.file is None or not self.owner.saving:
            return
        new = {key: entry for key, entry in self.used.items() if self.stored.get(key) != entry}
        size, useful = self.size + _size(new), _size(self.used)
        if not new and size <= 2 * useful:
            return
        try:
            if self.size and size <= 2 * useful:
                with self.file.open("a", encoding="utf-8") as handle:
                    handle.write("".join(_lines(new)))
                self.stored.update(new)
                self.size = size
            else:
                write_entries(self.file, self.used)
                self.stored, self.size = dict(self.used), useful
        except OSError:
            return
