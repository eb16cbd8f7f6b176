"""The contributor commands: `new`, `import` and `fmt` (and the canonical-form warning of `check`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, make_repo
from evidence import fmt, importer, scaffold
from evidence.cache import Cache
from evidence.dataset import load, study_files
from evidence.loader import read_bytes
from evidence.schema import load_schema

FIXTURES = ROOT / "tests" / "fixtures" / "import"
ORDER = list(load_schema("study")["properties"])
NOT_CANONICAL = "warning: file is not in canonical form; run python build_site.py fmt"


def cli(root: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """build_site.py as a contributor runs it; stdin is never a terminal here (no input() can block)."""
    return subprocess.run(
        [sys.executable, str(ROOT / "build_site.py"), "--root", str(root), *args],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=300,
        **({"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}),
    )


def data(path: Path) -> dict:
    doc, problems = read_bytes(path.read_bytes(), path.name)
    assert problems == [], problems
    return doc.data


def errors_for(result: subprocess.CompletedProcess, path: str) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith(f"{path}:")]


MISSING = ["missing required field `finding`", "missing required field `group`", "missing required field `trends`"]


def only_missing_placeholders(lines: list[str]) -> bool:
    """The file's only problems are the three fields left for the contributor."""
    return len(lines) == 3 and all(": error: " + m in line for line, m in zip(lines, MISSING))


def test_help_lists_every_command():
    result = subprocess.run([sys.executable, str(ROOT / "build_site.py"), "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    for command in ["check", "generate", "build", "serve", "diff", "new", "import", "fmt"]:
        assert f"    {command} " in result.stdout, command


# --- new --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "family, year, expected",
    [
        ("Huamán Coronel", 2022, "huaman-2022"),
        ("García-Estrella", 2022, "garcia-estrella-2022"),
        ("Machuca-Vílchez", 2023, "machuca-vilchez-2023"),
        ("Paiva Dias", 2019, "paiva-2019"),
        ("Julião", 2022, "juliao-2022"),
        ("Rentería", 2019, "renteria-2019"),
        ("Núñez del Prado", 2020, "nunez-2020"),
        ("de la Cruz Pérez", 2021, "de-la-cruz-2021"),
        ("O'Brien", 2020, "o-brien-2020"),
        ("Łukasiewicz", 2020, "lukasiewicz-2020"),
        ("Straße", 2020, "strasse-2020"),
        ("  Vicente  ", 2022, "vicente-2022"),
    ],
)
def test_id_derivation(family, year, expected):
    assert scaffold.derive_id(family, year) == expected


def test_id_needs_a_letter_or_digit():
    with pytest.raises(scaffold.ScaffoldError, match="--id"):
        scaffold.derive_id("李", 2020)


def test_new_scaffolds_a_file_the_checker_understands(repo):
    root = repo(keep_real=True)
    result = cli(
        root,
        "new",
        "--family",
        "Huamán Coronel",
        "--given",
        "Pepe Luis",
        "--year",
        "2022",
        "--title",
        "A second study: by the same author",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "created studies/huaman-2022b.yml",
        "  (huaman-2022.yml exists already, so the id is huaman-2022b)",
        "next: edit the file (finding, trends and group are marked TODO), then run make check",
    ]
    file = root / "studies" / "huaman-2022b.yml"
    text = file.read_text(encoding="utf-8")
    assert text.splitlines()[0] == fmt.SCHEMA_LINE
    assert data(file) == {
        "id": "huaman-2022b",
        "title": "A second study: by the same author",
        "year": 2022,
        "authors": [{"family": "Huamán Coronel", "given": "Pepe Luis"}],
    }
    for key in ORDER:  # every field is there, filled in or commented out
        assert f"{key}:" in text, key
    assert "# TODO finding" in text and "# TODO trends" in text and "# TODO group" in text
    assert fmt.canonical(text) == text
    check = cli(root, "check")
    assert check.returncode == 1
    assert only_missing_placeholders(errors_for(check, "studies/huaman-2022b.yml"))
    assert check.stdout.splitlines()[-1].startswith("3 errors, ")


def test_new_finds_the_next_free_suffix_and_never_overwrites(repo):
    root = repo(keep_real=False)
    made = []
    for _ in range(3):
        result = cli(root, "new", "--family", "Vicente", "--year", "2022", "--title", "T")
        assert result.returncode == 0, result.stderr
        made.append(result.stdout.splitlines()[0])
    assert made == [
        "created studies/vicente-2022.yml",
        "created studies/vicente-2022b.yml",
        "created studies/vicente-2022c.yml",
    ]
    before = (root / "studies" / "vicente-2022.yml").read_bytes()
    result = cli(root, "new", "--family", "Vicente", "--year", "2022", "--title", "T", "--id", "vicente-2022")
    assert result.returncode == 1
    assert "studies/vicente-2022.yml exists already; it was not changed" in result.stderr
    assert (root / "studies" / "vicente-2022.yml").read_bytes() == before


def test_new_without_a_terminal_lists_what_is_missing(repo):
    root = repo(keep_real=False)
    result = cli(root, "new", "--year", "twenty")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: missing --family, --title: give them as options, or run the command in a "
        "terminal to be asked; --year must be a year such as 2022; got 'twenty'"
    )
    assert "Traceback" not in result.stderr
    assert list((root / "studies").iterdir()) == []


def test_new_asks_for_what_is_missing_and_again_for_a_wrong_answer(capsys):
    answers = iter(["Huamán Coronel", "", "nineteen", "2022", "A title"])
    asked = []

    def ask(question):
        asked.append(question)
        return next(answers)

    result = scaffold.complete(scaffold.Answers(), ask)
    assert (result.family, result.given, result.year, result.title) == ("Huamán Coronel", None, "2022", "A title")
    assert [q.split()[0] for q in asked] == ["First", "First", "Year", "Year", "Title,"]
    assert "year must be a year such as 2022; got 'nineteen'" in capsys.readouterr().out


def test_every_schema_field_has_an_example_or_is_filled():
    assert set(ORDER) == set(scaffold.EXAMPLES) | {"id", "title", "year", "authors"} | set(scaffold.REQUIRED_BY_HAND)


# --- import ----------------------------------------------------------------------------

REAL = {path.stem: data(path) for path in study_files(ROOT)}
COMPARED = [
    "authors",
    "authors_complete",
    "year",
    "type",
    "journal",
    "proceedings",
    "event",
    "series",
    "series_volume",
    "publisher",
    "volume",
    "issue",
    "pages",
    "published",
    "doi",
    "language",
]
# fixture -> {created file: fields that must be there}
EXPECTED = {
    "zotero.bib": {
        "huaman-2022": ["journal", "volume", "issue", "doi", "language"],
        "marquez-2022": ["journal", "issue", "doi"],
        "paiva-2019": ["proceedings", "series", "series_volume", "publisher", "doi", "type"],
        "machuca-vilchez-2023": ["journal", "volume", "issue", "pages", "doi", "authors_complete"],
    },
    "mendeley.ris": {
        "huaman-2022": ["journal", "volume", "issue", "doi", "language"],
        "marquez-2022": ["journal", "issue", "published", "doi", "language"],
        "machuca-vilchez-2023": ["journal", "volume", "issue", "pages", "doi", "language"],
    },
    "zotero.json": {
        "huaman-2022": ["journal", "volume", "issue", "doi", "language"],
        "marquez-2022": ["journal", "issue", "published", "doi", "language"],
        "paiva-2019": ["proceedings", "event", "series", "series_volume", "publisher", "doi", "type"],
    },
}
UNUSED = {
    "zotero.bib": [
        "not used: http URL (http://www.scielo.org.pe/scielo.php?script=sci_arttext&pid=S2219-71682022000200093), "
        "abstract, urldate, keywords",
        "not used: month",
        "not used: keywords",
    ],
    "mendeley.ris": ["not used: abstract (AB), keywords (KW)"],
    "zotero.json": ["not used: source, accessed", "not used: abstract", "not used: URL (the DOI's own address)"],
}


def _without(root: Path, ids) -> Path:
    for study_id in ids:
        (root / "studies" / f"{study_id}.yml").unlink()
    return root


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_import_gives_the_verified_facts_of_the_real_files(repo, fixture):
    expected = EXPECTED[fixture]
    root = _without(repo(), expected)
    result = cli(root, "import", str(FIXTURES / fixture))
    assert result.returncode == 0, result.stderr
    created = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("created ")]
    assert created == [f"studies/{study_id}.yml" for study_id in expected]
    assert [line.strip() for line in result.stdout.splitlines() if line.startswith("  not used: ")] == UNUSED[fixture]
    check = cli(root, "check")
    for study_id, required in expected.items():
        file = root / "studies" / f"{study_id}.yml"
        imported, real = data(file), REAL[study_id]
        assert imported["title"] == real.get("original_title", real["title"])
        for key in COMPARED:
            # A reference manager's language is its user's entry; the real files record a language only where
            # a public record states it (none does for the three studies published in English).
            if key in imported and not (key == "language" and key not in real):
                assert imported[key] == real.get(key), (study_id, key)
        for key in ["title", "authors", "year"] + required:
            assert key in imported, (study_id, key)
        assert not {"finding", "trends", "group", "sources"} & set(imported)
        strings = [imported["title"], imported.get("journal", ""), imported.get("proceedings", "")] + [
            part for author in imported["authors"] for part in author.values()
        ]
        assert not any(c in s for s in strings for c in "{}\\"), strings
        text = file.read_text(encoding="utf-8")
        assert text.splitlines()[0] == fmt.SCHEMA_LINE
        assert "# TODO sources: the address (https://) of each record where you verified the facts." in text
        assert fmt.canonical(text) == text
        assert only_missing_placeholders(errors_for(check, f"studies/{study_id}.yml"))


def test_latex_is_decoded_and_braces_removed(repo):
    root = _without(repo(), EXPECTED["zotero.bib"])
    assert cli(root, "import", str(FIXTURES / "zotero.bib")).returncode == 0
    huaman, marquez, paiva = (
        data(root / "studies" / f"{i}.yml") for i in ("huaman-2022", "marquez-2022", "paiva-2019")
    )
    assert huaman["title"].endswith("desafíos para una gobernanza activa en el Perú")
    assert huaman["journal"] == "Comuni@cción" and huaman["authors"][0]["family"] == "Huamán Coronel"
    assert marquez["title"].endswith("en Perú y Ecuador durante la gestión gubernamental de crisis por la COVID-19")
    assert marquez["journal"] == "Revista Española de la Transparencia"
    assert marquez["authors"][0]["family"] == "Márquez Domínguez"
    assert paiva["authors"][0] == {"family": "Paiva Dias", "given": "Gonçalo"}
    assert paiva["title"] == "Evaluation of Local E-government Maturity in the Lima Metropolitan Area"


@pytest.mark.parametrize(
    "latex, text",
    [
        (r"Huam{\'a}n", "Huamán"),
        (r"Rodr{\'\i}guez", "Rodríguez"),
        (r"\'{a}", "á"),
        (r"Espa{\~n}a", "España"),
        (r"M\"uller", "Müller"),
        (r"Gon{\c c}alo", "Gonçalo"),
        (r"Gon{\c{c}}alo", "Gonçalo"),
        (r"a---b", "a—b"),
        (r"1--14", "1–14"),
        (r"{Peru}", "Peru"),
        (r"{{COVID}-19}", "COVID-19"),
        (r"50% of  the\ncases", "50% of the cases"),
        (r"A \& B", "A & B"),
        (r"A & B", "A & B"),
        (r"J.~Smith", "J. Smith"),
        (r"\textit{Gobierno} digital", "Gobierno digital"),
    ],
)
def test_decode_latex(latex, text):
    assert importer.decode_latex(latex.replace(r"\n", "\n")) == text


@pytest.mark.parametrize(
    "function, value, expected",
    [
        (importer.pages, "1--14", "1–14"),
        (importer.pages, "163-179", "163–179"),
        (importer.pages, "e12 – e20", "e12–e20"),
        (importer.doi, "https://doi.org/10.51915/ret.197", "10.51915/ret.197"),
        (importer.doi, "http://dx.doi.org/10.1/x", "10.1/x"),
        (importer.doi, "doi:10.51915/ret.197", "10.51915/ret.197"),
        (importer.language, "spa", "es"),
        (importer.language, "Spanish", "es"),
        (importer.language, "español", "es"),
        (importer.language, "es-PE", "es"),
        (importer.language, "eng", "en"),
        (importer.language, "English", "en"),
        (importer.language, "en_US", "en"),
        (importer.language, "Klingon", None),
    ],
)
def test_value_normalisation(function, value, expected):
    assert function(value) == expected


def test_bibtex_names_corporate_authors_and_et_al(tmp_path):
    file = tmp_path / "names.bib"
    file.write_text(
        "@article{a, title = {T}, year = 2020,\n"
        '  author = {{{Banco Mundial}} and Juan de la Cruz and M{\\"u}ller, J{\\"o}rg and others}}\n',
        encoding="utf-8",
    )
    [reference] = importer.read_references(file)
    assert reference.values["authors"] == [
        {"family": "Banco Mundial"},
        {"family": "de la Cruz", "given": "Juan"},
        {"family": "Müller", "given": "Jörg"},
    ]
    assert reference.values["authors_complete"] is False


def test_import_never_imports_a_study_twice_nor_overwrites(repo):
    root = repo()
    before = {p.name: p.read_bytes() for p in (root / "studies").iterdir()}
    result = cli(root, "import", str(FIXTURES / "zotero.bib"))
    assert result.returncode == 1
    assert result.stdout == ""
    assert (
        f"not imported: {FIXTURES / 'zotero.bib'}, entry huaman_coronel_transformacion_2022: "
        "its DOI 10.33595/2226-1478.13.2.594 is already in studies/huaman-2022.yml"
    ) in result.stderr.splitlines()
    assert result.stderr.count("not imported: ") == 4
    assert {p.name: p.read_bytes() for p in (root / "studies").iterdir()} == before


def test_import_ids_are_collision_safe_within_one_import(repo, tmp_path):
    root = repo()
    file = tmp_path / "two.ris"
    file.write_text(
        "TY  - JOUR\nTI  - First other study\nAU  - Vicente, Ana\nPY  - 2022\nER  - \n\n"
        "TY  - JOUR\nTI  - Second other study\nAU  - Vicente, Luis\nPY  - 2022\nER  - \n",
        encoding="utf-8",
    )
    result = cli(root, "import", str(file))
    assert result.returncode == 0, result.stderr
    assert [line.split()[1] for line in result.stdout.splitlines() if line.startswith("created ")] == [
        "studies/vicente-2022b.yml",
        "studies/vicente-2022c.yml",
    ]
    again = cli(root, "import", str(file))  # same titles: refused, nothing new
    assert again.returncode == 1 and again.stderr.count("its title is already in studies/vicente-2022") == 2


MALFORMED = [
    (
        "unclosed.bib",
        "@article{x,\n  title = {Unclosed,\n  year = 2020,\n",
        "unclosed.bib:1: this BibTeX entry cannot be read",
    ),
    ("empty.bib", "Just some text, no entries.\n", "no BibTeX entries found"),
    (
        "cut.ris",
        "TY  - JOUR\nTI  - A title\nAU  - Quispe, Rosa\n",
        "cut.ris:1: the record that starts here has no 'ER  - ' line",
    ),
    ("garbage.ris", "<html>not RIS</html>\n", "garbage.ris:1: expected a RIS line such as 'TY  - JOUR'"),
    ("broken.json", '[{"title": "x",}]', "broken.json:1:16: not valid JSON"),
    ("object.json", '["a", "b"]', "expected CSL-JSON, a list of items"),
    ("latin1.ris", "TY  - JOUR\nTI  - Per\xfa\nER  - \n".encode("latin-1"), "is not UTF-8 (byte 0xfa"),
    ("refs.txt", "anything", "unknown kind of file"),
]


@pytest.mark.parametrize("name, content, message", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_export_is_a_clear_error_and_nothing_is_written(repo, tmp_path, name, content, message):
    root = _without(repo(), ["huaman-2022"])
    bad = tmp_path / name
    bad.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    result = cli(root, "import", str(FIXTURES / "zotero.json"), str(bad))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert message in result.stderr, result.stderr
    assert (
        result.stderr.splitlines()[0].startswith("error: ") and result.stderr.splitlines()[-1] == "nothing was imported"
    )
    assert not (root / "studies" / "huaman-2022.yml").exists()


# --- fmt ----------------------------------------------------------------------------------

MESSY = """\
# A comment at the top, before the schema line.
# yaml-language-server: $schema=../schema/study.schema.json
group: challenges   # the group
trends:
  - citizen-perception
year: 2023
finding: 'A finding that is long enough to be folded, because it does not fit on one line of eighty columns at all.'
# A comment between two fields.
authors:
- given: Rosa   # given first
  family: Quispe
title: "A title"
volume: '13'
issue: '2'
published: 2022-03-30
countries:
- Peru
id: new-2023
notes: "yes"
sources: [https://example.org/record]
"""


def test_fmt_puts_fields_in_schema_order_and_keeps_every_comment():
    result = fmt.canonical(MESSY)
    assert (
        result
        == """\
# yaml-language-server: $schema=../schema/study.schema.json
# A comment at the top, before the schema line.
id: new-2023
title: A title
year: 2023
authors:
  - family: Quispe
    given: Rosa # given first
volume: "13"
issue: "2"
published: "2022-03-30"
countries: [Peru]
finding: >-
  A finding that is long enough to be folded, because it does not fit on one
  line of eighty columns at all.
# A comment between two fields.
trends: [citizen-perception]
group: challenges   # the group
notes: "yes"
sources:
  - https://example.org/record
"""
    )
    assert fmt.canonical(result) == result
    assert sorted(fmt.comments(result)) == sorted(fmt.comments(MESSY))
    before, after = read_bytes(MESSY.encode(), "x.yml")[0].data, read_bytes(result.encode(), "x.yml")[0].data
    assert after == before and list(after) == [k for k in ORDER if k in after]


def test_fmt_keeps_unknown_fields_at_the_end_as_written():
    text = f"{fmt.SCHEMA_LINE}\nzzz: 'single'   # mine\nid: a-2020\nextra:\n- {{a: 1}}\n"
    assert fmt.canonical(text) == f"{fmt.SCHEMA_LINE}\nid: a-2020\nzzz: 'single'   # mine\nextra:\n  - {{a: 1}}\n"


def test_fmt_of_a_template_style_file_keeps_its_comments():
    text = (ROOT / "studies" / "_template.yml").read_text(encoding="utf-8")
    result = fmt.canonical(text)
    assert fmt.canonical(result) == result
    assert fmt.comments(result) == fmt.comments(text)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet="abcdefghij ÁéñÜ.,;:-'\"#&%[]{}@!?()–—", min_size=1, max_size=25), min_size=1, max_size=60
    )
)
def test_folded_text_keeps_its_exact_value(words):
    finding = " ".join(words)
    text = f"{fmt.SCHEMA_LINE}\nid: a-2020\nfinding: {yaml.safe_dump(finding, allow_unicode=True, width=10**6).split(chr(10))[0]}\n"
    if read_bytes(text.encode(), "x.yml")[1]:
        return
    result = fmt.canonical(text)
    assert read_bytes(result.encode(), "x.yml")[0].data["finding"] == finding
    assert fmt.canonical(result) == result
    if "finding: >-" in result:
        assert all(len(line) <= fmt.WIDTH or " " not in line.strip() for line in result.splitlines()[3:])


def test_real_files_are_canonical_and_fmt_rebuilds_them_from_their_data(tmp_path):
    """Every real file is its data in canonical form: fmt of a plain dump of the data gives the file back."""
    for file in study_files(ROOT):
        text = file.read_text(encoding="utf-8")
        assert fmt.canonical(text) == text, file.name
        dumped = yaml.safe_dump(data(file), sort_keys=True, allow_unicode=True)
        assert fmt.canonical(dumped) == text, file.name


def test_fmt_command_and_check_mode(tmp_path):
    root = make_repo(tmp_path, {"studies/new-2023.yml": MESSY})
    before = load(root)
    studies = {s.id: s for s in before.studies}
    result = cli(root, "fmt", "--check")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "studies/new-2023.yml: not in canonical form",
        "1 of 17 files not in canonical form; run python build_site.py fmt",
    ]
    assert (root / "studies" / "new-2023.yml").read_text(encoding="utf-8") == MESSY
    check = cli(root, "check")
    assert f"studies/new-2023.yml:1:1: {NOT_CANONICAL}" in check.stdout.splitlines()
    assert check.returncode == 0
    result = cli(root, "fmt")
    assert result.returncode == 0
    assert result.stdout.splitlines() == ["formatted studies/new-2023.yml", "1 of 17 files formatted"]
    assert cli(root, "fmt", "--check").returncode == 0
    after = load(root)
    assert {s.id: s for s in after.studies} == studies and after.problems == before.problems
    assert NOT_CANONICAL not in cli(root, "check").stdout


def test_fmt_leaves_a_file_it_cannot_read_alone(tmp_path):
    root = make_repo(tmp_path, {"studies/broken-2020.yml": "id: broken-2020\ntitle: [unclosed\n"}, keep_real=False)
    result = cli(root, "fmt", "studies/broken-2020.yml")
    assert result.returncode == 1
    assert result.stderr.startswith("studies/broken-2020.yml: not formatted: cannot be read: YAML syntax error")
    assert (root / "studies" / "broken-2020.yml").read_text() == "id: broken-2020\ntitle: [unclosed\n"
    assert "Traceback" not in result.stderr


def test_check_warns_only_for_a_valid_file(tmp_path):
    valid = MESSY
    invalid = MESSY.replace("id: new-2023", "id: bad-2023").replace("year: 2023", "year: twenty")
    root = make_repo(tmp_path, {"studies/new-2023.yml": valid, "studies/bad-2023.yml": invalid})
    lines = cli(root, "check").stdout.splitlines()
    assert f"studies/new-2023.yml:1:1: {NOT_CANONICAL}" in lines
    assert not [line for line in lines if line.startswith("studies/bad-2023.yml") and "canonical" in line]


def test_canonical_verdicts_are_cached(tmp_path):
    root = make_repo(tmp_path, {"studies/new-2023.yml": MESSY})
    folder = tmp_path / "cache"
    paths = ["studies/new-2023.yml", "studies/vicente-2022.yml"]
    first = fmt.canonical_warnings(root, paths, Cache(folder))
    assert [p.path for p in first] == ["studies/new-2023.yml"]
    assert (folder / "canonical.cache").exists()
    assert fmt.canonical_warnings(root, paths, Cache(folder)) == first
    shutil.rmtree(folder)
    assert fmt.canonical_warnings(root, paths, None) == first


def test_import_knows_a_title_in_another_unicode_form(repo, tmp_path):
    """Huamán written with a combining accent (NFD) is the same title as the one in studies/."""
    root = repo()
    title = unicodedata.normalize(
        "NFD", "Transformación digital en la administración pública: desafíos para una gobernanza activa en el Perú"
    )
    file = tmp_path / "nfd.ris"
    file.write_text(
        f"TY  - JOUR\nTI  - {title}\nAU  - Huama\u0301n Coronel, Pepe Luis\nPY  - 2022\nER  - \n", encoding="utf-8"
    )
    result = cli(root, "import", str(file))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].endswith("its title is already in studies/huaman-2022.yml")


@pytest.mark.parametrize(
    "name, text",
    [
        ("deep.json", "[" * 100_000 + "]" * 100_000),
        ("deep-items.json", '[{"title": ' + "[" * 5_000 + "]" * 5_000 + "}]"),
    ],
)
def test_import_of_deeply_nested_input_is_one_line(repo, tmp_path, name, text):
    root = repo()
    file = tmp_path / name
    file.write_text(text, encoding="utf-8")
    result = cli(root, "import", str(file))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"error: {file}: is nested too deeply to be read (brackets or braces inside each other thousands of times); "
        "export it again",
        "nothing was imported",
    ]


def test_a_deeply_nested_bibtex_entry_is_read_or_refused_never_a_traceback(repo, tmp_path):
    root = repo()
    file = tmp_path / "deep.bib"
    file.write_text(
        "@article{x, title={" + "{" * 50_000 + "A title" + "}" * 50_000 + "}, author={Quispe, Rosa}, year={2020}}",
        encoding="utf-8",
    )
    result = cli(root, "import", str(file))
    assert "Traceback" not in result.stderr
    assert result.returncode in (0, 1) and len(result.stderr.splitlines()) <= 2


@pytest.mark.parametrize("bad", ["index", "con", "vicente-2022\n", "Vicente-2022"])
def test_new_refuses_an_id_the_schema_refuses(repo, bad):
    root = repo()
    result = cli(
        root, "new", "--family", "Quispe", "--given", "Rosa", "--year", "2022", "--title", "A title", "--id", bad
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: --id must be lower-case letters, digits and single hyphens")
    assert len(result.stderr.splitlines()) == 1
