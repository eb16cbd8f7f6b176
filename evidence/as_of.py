"""The date the site's data are as of: the newest update's, else the last commit's. Never the wall clock,
so that two builds of one commit are identical."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from .build import source_date_epoch
from .models import Review

UPDATE, COMMIT, UNKNOWN = "update", "commit", "unknown"


@dataclass(frozen=True)
class AsOf:
    """A date (YYYY-MM-DD, or None when no date is known) and what it is the date of."""

    date: str | None
    basis: str  # UPDATE, COMMIT or UNKNOWN
    update: str | None = None

    @property
    def text(self) -> str:
        """One sentence for the footer of every page."""
        if self.basis == UPDATE:
            return f"Data as of {self.date} ({self.update})."
        if self.basis == COMMIT:
            return f"Data as of {self.date} (last commit): the published review, with no update since."
        return "Data: the published review, with no update since."

    def sentence(self, language) -> str:
        """The footer's sentence in an edition's language (an i18n.Language)."""
        if self.basis == UPDATE:
            return language.gettext(
                "Data as of %(date)s (%(update)s).", date=language.date(self.date), update=self.update
            )
        if self.basis == COMMIT:
            return language.gettext(
                "Data as of %(date)s (last commit): the published review, with no update since.",
                date=language.date(self.date),
            )
        return language.gettext("Data: the published review, with no update since.")

    def as_dict(self) -> dict:
        return {"date": self.date, "basis": self.basis, "update": self.update, "text": self.text}


def as_of(root: Path, review: Review) -> AsOf:
    """The newest update's date; without updates, the date of the last commit (or of SOURCE_DATE_EPOCH)."""
    if review.updates:
        newest = max(review.updates, key=lambda u: u.date)
        return AsOf(newest.date, UPDATE, newest.id)
    epoch = source_date_epoch(root)
    try:
        seconds = int(epoch)
    except ValueError:
        seconds = 0
    if seconds <= 0:
        return AsOf(None, UNKNOWN)
    return AsOf(datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC).date().isoformat(), COMMIT)


_READ: dict[tuple, AsOf | None] = {}


def stamp_of(review_json: Path) -> AsOf | None:
    """The date a generated data/review.json says its data are as of; None when it cannot be read. Read once for
    each state of the file (path, size, modification time, inode): the builds evidence/mkdocs_runner.py forks find
    what it read while getting ready, if the file is still as it was then."""
    try:
        now = review_json.stat()
        state = (str(review_json), now.st_size, now.st_mtime_ns, now.st_ino)
        if state not in _READ:
            data = json.loads(review_json.read_text(encoding="utf-8"))["as_of"]
            _READ[state] = AsOf(data["date"], data["basis"], data["update"])
        return _READ[state]
    except (OSError, ValueError, KeyError, TypeError):
        return None
