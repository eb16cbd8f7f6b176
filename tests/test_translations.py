"""The Spanish edition's translations: `X_es` beside each text `X` it translates, in review.yml and the study files.

The review's words stay in English (`X`); `X_es` is this site's unofficial Spanish translation of them, and of the
texts this site wrote itself. Every translation is there, is not a copy of the English, keeps every citation of its
English text as written, and quotes (in curly quotation marks) only words that its Spanish texts hold. The checker
refuses a translated list whose length differs from its list, and a translation that is not text.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from conftest import ROOT, run_cli
from evidence import fmt
from evidence.dataset import load, study_files
from evidence.loader import MAX_FILE_BYTES, MAX_REVIEW_BYTES, read_file
from evidence.quotes import Passage, find

SUFFIX = "_es"

# Every text of review.yml that is translated, once: a dotted path, `[]` for each item of a list. A text that
# review.yml has must have its `_es` beside it; a list (prisma.quotes) has a list of as many translations.
TRANSLATED = (
    "citation.notes",
    "objective",
    "questions[].kind",
    "questions[].text",
    "method.reporting_guideline_note",
    "method.description",
    "method.steps",
    "method.databases_quote",
    "criteria[].inclusion",
    "criteria[].exclusion",
    "criteria[].check.not_checked",
    "prisma.quotes",
    "prisma.notes",
    "figures[].title",
    "trends[].name",
    "trends[].first_pass[].text",
    "trends[].first_pass[].ours",
    "trends[].second_pass[].text",
    "trends[].second_pass[].ours",
    "trends[].passes_differ",
    "groups[].name",
    "groups[].passage.text",
    "groups[].passage.ours",
    "groups[].ours",
    "conclusions[].title",
    "conclusions[].text",
    "conclusions[].links[].reason",
    "reporting.wording",
    "reporting.assessment",
    "reporting.translation_note",
    "reporting.items[].text",
    "reporting.items[].quotes[].text",
    "reporting.items[].missing",
    "reporting.items[].why_not_applicable",
    "reporting.abstract_items[].text",
    "reporting.abstract_items[].quotes[].text",
    "reporting.abstract_items[].missing",
    "reporting.abstract_items[].why_not_applicable",
    "updates[].description",
    "updates[].criteria[].inclusion",
    "updates[].criteria[].exclusion",
    "updates[].changes[].what",
)
# This site's own readings: they may quote words (in curly quotation marks) of the texts they are about.
READINGS = ("ours", "passes_differ", "reason")
# A word Spanish spells as English does: its translation is the same word.
SAME_IN_BOTH = {"general"}

# How the review cites a study in its text: Surname (2021), Surname et al. (2022), Surname, et al. (2023),
# Surname and Surname (2023), and in parentheses (Surname, 2022), (Surname et al., 2020).
_NAME = r"[A-ZÁÉÍÓÚÑ][\w'’-]*"
CITATION = re.compile(
    rf"{_NAME}(?:,? et al\.| and {_NAME})? \([12][0-9]{{3}}\)|\({_NAME}(?: et al\.| and {_NAME})?, [12][0-9]{{3}}\)"
)


def _paths(data, parts: list[str], key: tuple = ()):
    """The paths in `data` of one dotted pattern, each with its value."""
    if not parts:
        yield key, data
        return
    part, rest = parts[0], parts[1:]
    name = part.removesuffix("[]")
    if not isinstance(data, dict) or name not in data:
        return
    if part.endswith("[]"):
        for index, item in enumerate(data[name] or []):
            yield from _paths(item, rest, key + (name, index))
    else:
        yield from _paths(data[name], rest, key + (name,))


def _dotted(key: tuple) -> str:
    return "".join(f"[{part + 1}]" if isinstance(part, int) else f".{part}" for part in key).lstrip(".")


def _parent(data, key: tuple):
    for part in key[:-1]:
        data = data[part]
    return data


REVIEW = read_file(ROOT / "review.yml", ROOT)[0].data
STUDIES = {path.stem: read_file(path, ROOT)[0].data for path in study_files(ROOT)}


def _review_texts():
    """(what, key, English, Spanish or None) for every translated text that review.yml has."""
    for pattern in TRANSLATED:
        for key, english in _paths(REVIEW, pattern.split(".")):
            yield _dotted(key), key, english, _parent(REVIEW, key).get(key[-1] + SUFFIX)


def _spanish_original(study: dict) -> bool:
    return isinstance(study.get("original_title"), str) and study.get("language") == "es"


def _study_texts():
    """(what, key, English, Spanish or None) for every translated text of the study files."""
    for study_id, study in STUDIES.items():
        yield f"{study_id} finding", ("finding",), study["finding"], study.get("finding_es")
        if not _spanish_original(study):
            yield f"{study_id} title", ("title",), study["title"], study.get("title_es")
        if "notes" in study:
            yield f"{study_id} notes", ("notes",), study["notes"], study.get("notes_es")
        for index, trend in enumerate(study.get("our_trends") or []):
            key = ("our_trends", index, "reason")
            yield f"{study_id} our_trends[{index + 1}]", key, trend["reason"], trend.get("reason_es")


REVIEW_TEXTS = list(_review_texts())
TEXTS = REVIEW_TEXTS + list(_study_texts())
PAIRS = [
    (f"{what}[{index + 1}]" if isinstance(english, list) else what, key, e, s)
    for what, key, english, spanish in TEXTS
    for index, (e, s) in enumerate(
        zip(english, spanish or []) if isinstance(english, list) else [(english, spanish)] if spanish else []
    )
]


def _collapse(text: str) -> str:
    return " ".join(text.split())


# --- Every text has its translation ---------------------------------------------------------------------------------


def test_the_list_of_translated_texts_finds_them():
    """Each pattern finds texts in review.yml, but those of what the published review has none of: updates, a
    reading of this site's attached to a group's paragraph (a group's reading is the group's own `ours`), and an
    abstract item that does not apply."""
    found = {pattern for pattern in TRANSLATED if any(True for _ in _paths(REVIEW, pattern.split(".")))}
    assert set(TRANSLATED) - found == {p for p in TRANSLATED if p.startswith("updates")} | {
        "groups[].passage.ours",
        "reporting.abstract_items[].why_not_applicable",
    }
    assert len(REVIEW_TEXTS) > 200


@pytest.mark.parametrize("what, key, english, spanish", REVIEW_TEXTS, ids=[t[0] for t in REVIEW_TEXTS])
def test_every_text_of_the_review_has_its_translation(what, key, english, spanish):
    assert spanish is not None, f"`{what}` has no `{key[-1]}{SUFFIX}`"
    if isinstance(english, list):
        assert isinstance(spanish, list) and len(spanish) == len(english), what
        assert all(isinstance(s, str) and s.strip() for s in spanish), what
    else:
        assert isinstance(spanish, str) and spanish.strip(), what


def test_every_study_of_the_published_review_has_its_finding_and_title_in_spanish():
    assert len(STUDIES) == 16
    for study_id, study in STUDIES.items():
        assert study.get("cited_as") and not study.get("update"), study_id  # the published review's
        assert isinstance(study.get("finding_es"), str) and study["finding_es"].strip(), study_id
        if _spanish_original(study):
            # the verified Spanish original is shown on the Spanish edition; a translation would stand beside it
            assert "title_es" not in study, study_id
        else:
            assert isinstance(study.get("title_es"), str) and study["title_es"].strip(), study_id
        assert ("notes" in study) == ("notes_es" in study), study_id


def test_studies_without_a_spanish_original_title_are_the_expected_ones():
    with_original = {i for i, s in STUDIES.items() if _spanish_original(s)}
    assert with_original == {"garcia-estrella-2022", "huaman-2022", "marquez-2022", "rodriguez-2021"}
    # rodriguez-2023 has an original title, but in English: it is translated like the others
    assert "title_es" in STUDIES["rodriguez-2023"] and STUDIES["rodriguez-2023"]["original_title"]


def test_the_loaded_studies_carry_their_translations():
    dataset = load(ROOT)
    assert dataset.ok
    for study in dataset.studies:
        assert study.finding_es == STUDIES[study.id]["finding_es"]
        assert study.title_es == STUDIES[study.id].get("title_es")
        assert study.notes_es == STUDIES[study.id].get("notes_es")
    # the review's translations stay in its raw data
    assert dataset.review.raw["trends"][0]["name_es"] == REVIEW["trends"][0]["name_es"]


# --- What a translation is ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("what, key, english, spanish", PAIRS, ids=[p[0] for p in PAIRS])
def test_a_translation_is_not_a_copy_of_the_english(what, key, english, spanish):
    assert _collapse(spanish) != _collapse(english) or english in SAME_IN_BOTH, what


@pytest.mark.parametrize("what, key, english, spanish", PAIRS, ids=[p[0] for p in PAIRS])
def test_a_translation_keeps_every_citation_as_written(what, key, english, spanish):
    """Names, "et al.", "and" and the year of each citation stay as the English writes them (spelling included)."""
    cited = Counter(CITATION.findall(_collapse(english)))
    assert Counter(CITATION.findall(_collapse(spanish))) == cited, what


def test_the_citation_pattern_finds_the_forms_the_review_uses():
    text = (
        "Studies by Vicente et al. (2022) and Jiménez et al. (2022); the study Valenzuela, et al. (2023); "
        "Huáman and Medina (2022); Valenzuela (2019); challenges (Ángeles, 2022); results "
        "(Villasís-Keever et al., 2020); Table 3 and PRISMA 2020 (item 13e)."
    )
    assert CITATION.findall(text) == [
        "Vicente et al. (2022)",
        "Jiménez et al. (2022)",
        "Valenzuela, et al. (2023)",
        "Huáman and Medina (2022)",
        "Valenzuela (2019)",
        "(Ángeles, 2022)",
        "(Villasís-Keever et al., 2020)",
    ]
    # a citation whose "and" is translated, or whose name is respelt, is not the same citation
    assert CITATION.findall("Huáman y Medina (2022)") == ["Medina (2022)"]
    assert "Huáman and Medina (2022)" not in CITATION.findall("Huamán and Medina (2022)")


def _spanish_passages() -> list[Passage]:
    """Every Spanish text a reading of ours may quote: the translations of the review's words and of the
    studies' titles and findings, and the studies' Spanish original titles."""
    found = []
    for what, _key, _english, spanish in TEXTS:
        for text in spanish if isinstance(spanish, list) else [spanish] if spanish else []:
            found.append(Passage(what, None, _collapse(text)))
    found += [Passage(i, None, s["original_title"]) for i, s in STUDIES.items() if _spanish_original(s)]
    return found


READINGS_ES = [(what, spanish) for what, key, _e, spanish in PAIRS if key[-1] in READINGS]
CURLY = re.compile("\u201c([^\u201d]+)\u201d")


@pytest.mark.parametrize("what, text", READINGS_ES, ids=[w for w, _ in READINGS_ES])
def test_words_a_spanish_reading_quotes_stand_in_the_spanish_texts(what, text):
    """As the English readings quote the review verbatim, their translations quote the translations verbatim."""
    passages = _spanish_passages()
    for quote in CURLY.findall(text):
        assert find(quote.rstrip(".,;:"), passages), f"{what}: \u201c{quote}\u201d is in no Spanish text"


def test_readings_that_quote_keep_their_quotes():
    """A reading quoting the review in English quotes as many passages in Spanish."""
    for what, key, english, spanish in PAIRS:
        if key[-1] in READINGS:
            assert len(CURLY.findall(spanish)) == len(CURLY.findall(english)), what


# --- The checker ----------------------------------------------------------------------------------------------------


def _line(text: str, line: str, after: int = 0) -> int:
    """1-based number of the first line equal to `line` at or after the character `after`."""
    return text.count("\n", 0, after) + next(n for n, found in enumerate(text[after:].splitlines(), 1) if found == line)


def _with_value(text: str, key_line: str, new: str) -> str:
    """`text` with the value starting on the line `key_line` (and its folded lines, if any) replaced by `new`."""
    lines = text.split("\n")
    start = lines.index(key_line)
    indent = len(key_line) - len(key_line.lstrip())
    end = start + 1
    while end < len(lines) and lines[end].strip() and len(lines[end]) - len(lines[end].lstrip()) > indent:
        end += 1
    return "\n".join(lines[:start] + new.split("\n") + lines[end:])


def _errors(result) -> list[str]:
    return [line for line in result.stdout.splitlines() if ": error: " in line]


def test_a_translated_list_of_the_wrong_length_is_an_error(repo):
    text = (ROOT / "review.yml").read_text(encoding="utf-8")
    assert "\n  quotes_es:\n    - >-\n" in text
    broken = text.replace("\n  quotes_es:\n", "\n  quotes_es:\n    - Una segunda cita que no está en la lista.\n")
    result = run_cli(repo({"review.yml": broken}), "check")
    assert result.returncode == 1
    assert _errors(result) == [
        f"review.yml:{_line(broken, '  quotes_es:')}:3: error: `prisma.quotes_es` lists 2 items but `prisma.quotes` "
        "lists 1; a translation gives one item for each item of its list, in the same order"
    ]


def test_a_translated_list_that_is_empty_is_an_error_too(repo):
    text = (ROOT / "review.yml").read_text(encoding="utf-8")
    start = text.index("\n  quotes_es:\n") + 1
    end = text.index("\n  notes:", start)
    broken = text[:start] + "  quotes_es: []" + text[end:]
    result = run_cli(repo({"review.yml": broken}), "check")
    assert result.returncode == 1
    assert _errors(result) == [
        f"review.yml:{_line(broken, '  quotes_es: []')}:3: error: `prisma.quotes_es` lists 0 items but "
        "`prisma.quotes` lists 1; a translation gives one item for each item of its list, in the same order"
    ]


@pytest.mark.parametrize(
    "file, key_line, new, expected",
    [
        (
            "studies/cuno-2021.yml",
            "finding_es: >-",
            "finding_es: 42",
            '`finding_es` must be text; put it in quotes, such as "42"; got 42',
        ),
        (
            "studies/cuno-2021.yml",
            "title_es: Un modelo de gestión de la identidad digital para el Estado peruano",
            "title_es: [Un modelo]",
            "`title_es` must be text; got a list",
        ),
        (
            "review.yml",
            "    kind_es: general",
            "    kind_es: 7",
            '`questions[2].kind_es` must be text; put it in quotes, such as "7"; got 7',
        ),
        (
            "review.yml",
            "    - >-",  # the first item of a list in review.yml is prisma.quotes_es's
            "    - 291",
            None,
        ),
        ("review.yml", "  wording_es: >-", "  wording_es: true", "`reporting.wording_es` must be text; got true"),
    ],
    ids=["number for a finding", "list for a title", "number for a label", "number in a list", "true for a text"],
)
def test_a_translation_that_is_not_text_is_a_schema_error(repo, file, key_line, new, expected):
    text = (ROOT / file).read_text(encoding="utf-8")
    if expected is None:  # find the item of prisma.quotes_es
        start = text.index("\n  quotes_es:\n") + len("\n  quotes_es:\n")
        broken = text[:start] + _with_value(text[start:], key_line, new)
        expected = '`prisma.quotes_es[1]` must be text; put it in quotes, such as "291"; got 291'
    else:
        assert text.split("\n").count(key_line) == 1
        broken = _with_value(text, key_line, new)
    result = run_cli(repo({file: broken}), "check")
    assert result.returncode == 1
    assert [e.split(": error: ", 1)[1] for e in _errors(result)] == [expected]


def test_an_unknown_translation_is_an_unknown_field(repo):
    text = (ROOT / "studies" / "cuno-2021.yml").read_text(encoding="utf-8")
    broken = text.replace("group: various-aspects\n", "group: various-aspects\ngroup_es: aspectos varios\n")
    result = run_cli(repo({"studies/cuno-2021.yml": broken}), "check")
    assert result.returncode == 1
    assert _errors(result) == [
        f"studies/cuno-2021.yml:{_line(broken, 'group_es: aspectos varios')}:1: error: unknown field `group_es`; "
        "did you mean `group`?"
    ]


def test_a_translation_without_the_text_it_translates_is_an_error(repo):
    study = (ROOT / "studies" / "cuno-2021.yml").read_text(encoding="utf-8")
    study = study.rstrip("\n") + "\nnotes_es: Una nota sin su original.\n"
    review = (ROOT / "review.yml").read_text(encoding="utf-8")
    start = review.index("\n  quotes_es:\n")
    review = review[:start] + _with_value(review[start:], "  notes: >-", "")  # prisma.notes, not its translation
    result = run_cli(repo({"studies/cuno-2021.yml": study, "review.yml": review}), "check")
    assert result.returncode == 1
    assert _errors(result) == [
        f"review.yml:{_line(review, '  notes_es: >-', start)}:13: error: `notes_es` translates `notes`, which is "
        "missing; add `notes` or remove `notes_es`",
        f"studies/cuno-2021.yml:{_line(study, 'notes_es: Una nota sin su original.')}:11: error: `notes_es` "
        "translates `notes`, which is missing; add `notes` or remove `notes_es`",
    ]


def test_review_yml_with_its_translations_fits_its_size_cap_and_a_study_file_keeps_its_own():
    size = (ROOT / "review.yml").stat().st_size
    assert MAX_FILE_BYTES < size < MAX_REVIEW_BYTES // 2  # room for updates to come


# --- fmt ------------------------------------------------------------------------------------------------------------


def test_fmt_puts_each_translation_after_its_text_and_folds_the_long_ones():
    long = " ".join(["Los registros compartidos redujeron los tiempos de espera en la municipalidad."] * 2)
    text = (
        "id: quispe-2023\n"
        'notes_es: "Una nota."\n'
        f'finding_es: "{long}"\n'
        "title: Shared registries\n"
        "year: 2023\n"
        "authors:\n  - family: Quispe\n"
        "finding: Shared registries cut waiting times.\n"
        "trends: [local-regional]\n"
        "notes: A note.\n"
        "title_es: Registros compartidos\n"
    )
    result = fmt.canonical(text, "studies/quispe-2023.yml")
    keys = [line.split(":")[0] for line in result.splitlines() if re.match(r"[a-z_]+:", line)]
    assert keys == [
        "id",
        "title",
        "title_es",
        "year",
        "authors",
        "finding",
        "finding_es",
        "trends",
        "notes",
        "notes_es",
    ]
    assert "finding_es: >-\n  Los registros compartidos" in result
    assert all(len(line) <= fmt.WIDTH for line in result.splitlines())
