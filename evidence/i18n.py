"""The site's two editions, and the one catalogue per language of everything the site itself writes.

Spanish is the default edition, at the site's root; English is under /en/. Interface text is written in
English in the templates (`{% trans %}…{% endtrans %}`, `{{ _("…") }}`) and the code (`ctx._("…")`, `N_("…")`
for a constant translated where it is used); `locale/es/LC_MESSAGES/messages.po` holds its Spanish, and is
the one file a translator edits. `make messages` extracts the messages again and adds new ones to it
(empty, for a translator to fill); a test fails while any message lacks its translation.

The catalogue is read from the .po file at build time: no compiled .mo file is kept in the repository.
"""

from __future__ import annotations

import gettext as gettext_module
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"
DOMAIN = "messages"
SOURCE = "en"  # the language the messages are written in
# CLDR's minimumGroupingDigits where it is not 1 (common/main/es.xml): see Language.number.
MIN_GROUPING = {"es": 2}


@dataclass(frozen=True)
class Edition:
    lang: str  # ISO 639-1 code, as in <html lang>
    name: str  # the language's own name, for the language switcher
    path: str  # where the edition lives under the site's root: "" or "en/"
    config: str  # its MkDocs configuration file


EDITIONS = (
    Edition("es", "Español", "", "mkdocs.yml"),
    Edition("en", "English", "en/", "mkdocs.en.yml"),
)
DEFAULT = EDITIONS[0]
LANGUAGES = tuple(e.lang for e in EDITIONS)


def edition(lang: str) -> Edition:
    return next(e for e in EDITIONS if e.lang == lang)


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined; it is translated where it is used."""
    return message


# The parts of the review a `place` names ("Discussion, paragraph 9", "Table 3", "Title").
SECTIONS = {
    "Title": N_("Title"),
    "Abstract": N_("Abstract"),
    "Introduction": N_("Introduction"),
    "Methodology": N_("Methodology"),
    "Results": N_("Results"),
    "Discussion": N_("Discussion"),
    "Conclusions": N_("Conclusions"),
    "Table": N_("Table"),
    "Figure": N_("Figure"),
}
_PLACE = re.compile(r"(?P<section>[A-Z][a-z]+)(?:, paragraphs? (?P<paragraph>\d+(?:[–-]\d+)?)| (?P<number>\d+))?\Z")


@cache
def translations(lang: str) -> gettext_module.NullTranslations:
    """The catalogue of a language; the source language's messages are their own translation.

    Fuzzy entries count as untranslated (the English shows, and the catalogue test fails)."""
    if lang == SOURCE:
        return gettext_module.NullTranslations()
    with catalogue_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


class Language:
    """Messages, dates and numbers in one language."""

    def __init__(self, lang: str):
        self.lang = lang
        self.locale = Locale.parse(lang)
        self._translations = translations(lang)

    def gettext(self, message: str, /, **values) -> str:
        """A message in this language, with `%(name)s` filled from `values` when there are any."""
        text = self._translations.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, number: int, /, **values) -> str:
        """The form of a message for `number` (`%(num)s` is the number), filled from `values` when given."""
        text = self._translations.ngettext(singular, plural, number)
        return text % {"num": number, **values} if values or "%(num)" in text else text

    def date(self, value: str | date | None) -> str:
        """An ISO date (2025-06-30) as the locale writes it in full: "30 de junio de 2025", "June 30, 2025"."""
        if not value:
            return ""
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
        return format_date(day, format="long", locale=self.locale)

    def place(self, place: str) -> str:
        """Where a passage stands in the review, in this language: "Discussion, paragraph 9" is "Discusión,
        párrafo 9". A place of another shape is shown as written."""
        match = _PLACE.match(place)
        if not match or match["section"] not in SECTIONS:
            return place
        section = self.gettext(SECTIONS[match["section"]])
        if match["paragraph"]:
            if not match["paragraph"].isdigit():
                return self.gettext("%(section)s, paragraphs %(range)s", section=section, range=match["paragraph"])
            return self.gettext("%(section)s, paragraph %(number)s", section=section, number=match["paragraph"])
        if match["number"]:
            return f"{section} {match['number']}"
        return section

    def number(self, value: int | float, format: str | None = None) -> str:
        """A number as this language writes it (in Babel's `format`, such as "#,##0.0", or the locale's), grouped
        as a browser's Intl.NumberFormat groups it (tables.js writes the counts it changes that way): CLDR's
        minimum grouping digits, which Babel does not apply, make Spanish group digits from five on ("5000",
        "12.500"; English "5,000")."""
        grouped = abs(value) >= 10 ** (2 + MIN_GROUPING.get(self.lang, 1))
        return format_decimal(value, format=format, locale=self.locale, group_separator=grouped)
