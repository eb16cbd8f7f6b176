"""Benchmark the generator at several sizes (make bench).

For each N: the parse floor (yaml.CSafeLoader over every study file), check,
generate cold (empty cache), generate with nothing changed, generate after
editing one study, mkdocs build, site size, search index size, the transfer
size of one study page, and peak memory. Each step runs in its own process,
timed from outside, so memory is that process's peak. Prints a table of
seconds and ratios and writes it, with what it measures, to the Benchmarks page
of each edition (docs/<lang>/benchmarks.md), in the edition's language: the
words from the catalogue (locale/), the figures the same. `--rewrite` writes
the pages again from the figures of the English page, without measuring (after
the catalogue or the page's wording changed).
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from babel.numbers import format_decimal

from benchmarks import synthetic
from evidence.cache import ENV
from evidence.i18n import EDITIONS, N_, SOURCE, Language

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".bench"
PARSE = (
    "import sys, yaml, pathlib\n"
    "for p in sorted(pathlib.Path(sys.argv[1]).glob('studies/*.yml')):\n"
    "    yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader)\n"
)


def timed(args: list[str], cwd: Path, allowed: tuple[int, ...] = (0,)) -> tuple[float, float, str]:
    """Seconds, peak memory (MiB) and output of one command."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH="0", PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = process.stdout.read()
    process.stdout.close()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in allowed:
        raise SystemExit(f"{' '.join(args)} failed:\n{output}")
    return seconds, usage.ru_maxrss / 1024, output


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def page_transfer(site: Path, page: Path) -> int:
    """Bytes of one page and the local CSS and JavaScript it loads, gzip-compressed as a server would send them."""
    html = page.read_text(encoding="utf-8")
    total = len(gzip.compress(html.encode(), mtime=0))
    for ref in re.findall(r'(?:href|src)="([^"]+\.(?:css|js))"', html):
        asset = (page.parent / ref.split("?")[0]).resolve()
        if asset.is_file() and site.resolve() in asset.parents:
            total += len(gzip.compress(asset.read_bytes(), mtime=0))
    return total


def measure(n: int, work: Path = WORK) -> dict:
    root = synthetic.make(work / f"n{n}", n)
    cache = work / f"cache-n{n}"  # each N its own cache, outside its repository
    os.environ[ENV] = str(cache)
    cli = [sys.executable, str(ROOT / "build_site.py"), "--root", str(root)]
    row = {"N": n}
    row["parse floor"], _, _ = timed([sys.executable, "-c", PARSE, str(root)], root)
    row["check"], row["check MiB"], _ = timed(cli + ["check"], root, allowed=(0, 1))
    shutil.rmtree(cache, ignore_errors=True)
    row["generate cold"], row["generate MiB"], _ = timed(cli + ["generate"], root)
    row["generate unchanged"], _, out = timed(cli + ["generate"], root)
    row["files rewritten"] = int(re.search(r"(\d+) changed", out)[1])
    edited = sorted((root / "studies").glob("*.yml"))[n // 2]
    edited.write_text(edited.read_text(encoding="utf-8").replace("finding: ", "finding: Edited. ", 1), encoding="utf-8")
    row["generate one edit"], _, out = timed(cli + ["generate"], root)
    row["files rewritten after edit"] = int(re.search(r"(\d+) changed", out)[1])
    # Both editions, one after the other as `build_site.py build` runs them (the default one first).
    mkdocs = [
        f"{shlex.quote(sys.executable)} -m mkdocs build --quiet -f {e.config} -d {shlex.quote(str(root / 'site' / e.path))}"
        for e in EDITIONS
    ]
    row["mkdocs build"], row["mkdocs MiB"], _ = timed(["sh", "-c", " && ".join(mkdocs)], root)
    site = root / "site"
    row["site MiB"] = folder_size(site) / 2**20
    row["search index KiB"] = (site / "search" / "search_index.json").stat().st_size / 1024
    study_page = next(iter(sorted((site / "studies").glob("*/index.html"))))
    row["study page KiB"] = page_transfer(site, study_page) / 1024
    row["generate ÷ mkdocs"] = row["generate cold"] / row["mkdocs build"]
    row["one edit ÷ parse floor"] = row["generate one edit"] / row["parse floor"]
    row["peak MiB"] = max(row["check MiB"], row["generate MiB"], row["mkdocs MiB"])
    return row


# Each measure: its name (the row's key, and its label in the table, translated) and how its figure is written.
COLUMNS = [
    ("N", "{:d}"),
    (N_("parse floor"), "{:.2f}"),
    (N_("check"), "{:.2f}"),
    (N_("generate cold"), "{:.2f}"),
    (N_("generate unchanged"), "{:.2f}"),
    (N_("files rewritten"), "{:d}"),
    (N_("generate one edit"), "{:.2f}"),
    (N_("files rewritten after edit"), "{:d}"),
    (N_("mkdocs build"), "{:.2f}"),
    (N_("generate ÷ mkdocs"), "{:.2f}"),
    (N_("one edit ÷ parse floor"), "{:.1f}"),
    (N_("site MiB"), "{:.1f}"),
    (N_("search index KiB"), "{:.0f}"),
    (N_("study page KiB"), "{:.0f}"),
    (N_("peak MiB"), "{:.0f}"),
]


def _figure(value, fmt: str, language: Language | None) -> str:
    """A figure as the English page writes it (which `figures` reads back), or in another edition's locale with as
    many decimals ("0,04" in Spanish)."""
    text = fmt.format(value)
    if language is None or language.lang == SOURCE:
        return text
    decimals = len(text.split(".")[1]) if "." in text else 0
    if not decimals:
        return language.number(round(value))  # the locale's grouping: 5000 and 13.596 in Spanish
    return format_decimal(value, format="0." + "0" * decimals, locale=language.locale)


def table(rows: list[dict], language: Language | None = None) -> str:
    """One column per N, one row per measure: narrow enough for a phone. The labels and the way figures are
    written are the edition's."""
    say = language.gettext if language else str
    heading = say(N_("Measure"))
    lines = [
        f"| {heading} | " + " | ".join(f"N = {_figure(row['N'], '{:,}', language)}" for row in rows) + " |",
        "|---|" + "---:|" * len(rows),
    ]
    for name, fmt in COLUMNS[1:]:
        lines.append(f"| {say(name)} | " + " | ".join(_figure(row[name], fmt, language) for row in rows) + " |")
    return "\n".join(lines)


def machine() -> dict:
    """The machine of this run: architecture, cores, memory (GiB, None when unknown), Python, system."""
    memory = None
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
        memory = round(kib / 2**20)
    except (OSError, TypeError):
        pass
    return {
        "machine": platform.machine(),
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "system": platform.system(),
    }


def machine_text(info: dict, language: Language) -> str:
    """x86_64, 2 cores, 24 GiB memory, Python 3.11.7, Linux"""
    parts = [info["machine"], language.ngettext("%(num)s core", "%(num)s cores", info["cores"])]
    if info["memory"] is not None:
        parts.append(language.gettext("%(gib)s GiB memory", gib=info["memory"]))
    parts += [f"Python {info['python']}", info["system"]]
    return ", ".join(parts)


def _paragraph(text: str) -> str:
    return textwrap.fill(text, width=80, break_long_words=False, break_on_hyphens=False)


def _item(text: str) -> str:
    return textwrap.fill(
        text, width=100, initial_indent="- ", subsequent_indent="  ", break_long_words=False, break_on_hyphens=False
    )


def page(rows: list[dict], info: dict | None = None, lang: str = SOURCE) -> str:
    """The Benchmarks page of an edition: its words from the catalogue, the figures of `rows`."""
    language = Language(lang)
    _ = language.gettext
    info = info or machine()
    notes = [
        _("*parse floor*: reading every study file with PyYAML's C loader and nothing else."),
        _(
            "*generate cold*: with an empty reference cache; *unchanged*: a second run, which rewrites no file; "
            "*one edit*: after changing one study's finding."
        ),
        _("*generate ÷ mkdocs*: cold generation against the MkDocs build of the same site."),
        _("*study page KiB*: one study page with the CSS and JavaScript it loads, gzip-compressed."),
    ]
    intro = _(
        "How long the generator and MkDocs take as the evidence base grows, measured by `make bench` on synthetic "
        "study files (accented and compound Spanish names, every trend and group, years 2019–2023). Times are "
        "seconds of wall-clock time, each step in its own process; memory is that process's peak."
    )
    return (
        "\n\n".join(
            [
                "# " + _("Benchmarks"),
                _paragraph(intro),
                _paragraph(_("Machine of the last run: %(machine)s.", machine=machine_text(info, language))),
                table(rows, language),
                "\n".join(_item(note) for note in notes),
            ]
        )
        + "\n"
    )


def figures(text: str) -> tuple[list[dict], dict]:
    """The rows and the machine of a Benchmarks page in English, as `page` wrote them."""
    lines = [line for line in text.splitlines() if line.startswith("| ")]
    sizes = [int(cell.strip().removeprefix("N = ").replace(",", "")) for cell in lines[0].strip("| ").split(" | ")[1:]]
    rows = [{"N": n} for n in sizes]
    formats = dict(COLUMNS)
    for line in lines[1:]:
        name, *cells = line.strip("| ").split(" | ")
        for row, cell in zip(rows, cells, strict=True):
            row[name] = int(cell) if formats[name] == "{:d}" else float(cell)
    found = re.search(
        r"Machine of the last run: (?P<machine>[^,]+), (?P<cores>\d+) cores?(?:, (?P<memory>\d+) GiB memory)?, "
        r"Python (?P<python>[^,]+), (?P<system>[^\n]+)\.\n",
        " ".join(text.split("\n\n")[2].split()) + "\n",
    )
    info = {**found.groupdict(), "cores": int(found["cores"])}
    info["memory"] = int(info["memory"]) if info["memory"] else None
    return rows, info


def write_pages(rows: list[dict], info: dict, docs: Path) -> None:
    """The Benchmarks page of every edition, docs/<lang>/benchmarks.md."""
    for edition in EDITIONS:
        path = docs / edition.lang / "benchmarks.md"
        path.write_text(page(rows, info, edition.lang), encoding="utf-8")
        print(f"wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[16, 500, 5000])
    parser.add_argument(
        "--docs",
        type=Path,
        default=ROOT / "docs",
        help="the folder of the editions, where to write each one's Benchmarks page (use - for none)",
    )
    parser.add_argument(
        "--rewrite",
        action="store_true",
        help="measure nothing: write every edition's page again from the figures of the English one",
    )
    args = parser.parse_args()
    if args.rewrite:
        english = args.docs / SOURCE / "benchmarks.md"
        write_pages(*figures(english.read_text(encoding="utf-8")), args.docs)
        return
    rows = []
    for n in args.sizes:
        rows.append(measure(n))
        print(table(rows), flush=True)
    if str(args.docs) != "-":
        write_pages(rows, machine(), args.docs)


if __name__ == "__main__":
    main()
