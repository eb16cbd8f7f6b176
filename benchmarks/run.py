"""Benchmark the site's build at several sizes (make bench).

For each N, on synthetic study files: the parse floor (yaml.CSafeLoader over every study file), check, and `build`
as `make site` runs it: cold (after `clean`: no generated file, no cache, no site), with nothing changed, and after
editing one study's finding; then the site's size, each edition's search index, the transfer size of a study page
and of the findings page; and last, `clean` of all that. Each command runs in its own process, timed from outside;
memory is the peak of the command's whole process tree (the editions build side by side), sampled. All that is
done RUNS times over at each N, and each figure is the median of the runs (the peak and the files rewritten: the
largest), each ratio the ratio of the medians: a single run of a command that takes seconds on two busy cores
varies by a tenth and more from one run to the next. Prints a table of
seconds and ratios, and the targets with their figures, and writes them, with what they measure, to the Benchmarks
page of each edition (docs/<lang>/benchmarks.md), in the edition's language: the words from the catalogue (locale/),
the figures the same. `--rewrite` writes the pages again from the figures of the English page, without measuring
(after the catalogue or the page's wording changed).
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import re
import statistics
import subprocess
import sys
import textwrap
import threading
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


def _tree_rss(pid: int) -> int:
    """Resident memory (KiB) of a process and every process under it, from /proc (0 where it cannot be read)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        parent = re.search(r"^PPid:\s+(\d+)", status, re.M)
        resident = re.search(r"^VmRSS:\s+(\d+)", status, re.M)
        children.setdefault(int(parent[1]) if parent else 0, []).append(int(entry.name))
        rss[int(entry.name)] = int(resident[1]) if resident else 0
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack.extend(children.get(current, []))
    return total


def timed(args: list[str], cwd: Path, allowed: tuple[int, ...] = (0,)) -> tuple[float, float, str]:
    """Seconds, peak memory (MiB, of the whole process tree) and output of one command."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH="0", PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.wait(0.1):
            peak[0] = max(peak[0], _tree_rss(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    if Path("/proc/self/status").exists():
        sampler.start()
    output = process.stdout.read()
    process.stdout.close()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in allowed:
        raise SystemExit(f"{' '.join(args)} failed:\n{output}")
    return seconds, max(peak[0], usage.ru_maxrss) / 1024, output


def stats(site: Path) -> dict[str, tuple[int, int]]:
    """Every file under site/ with its inode and modification time: a file rewritten has a new one of either."""
    return {
        p.relative_to(site).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in site.rglob("*") if p.is_file()
    }


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


RUNS = 3  # runs at each N, of which each figure is the median (see `median_row`; the page says "three")
LARGEST = ("peak MiB", "files rewritten", "files rewritten after edit")  # the largest of the runs, not the median
RATIOS = {  # each ratio and the two figures it is made of
    "one edit ÷ cold": ("site one edit", "site cold"),
    "one edit ÷ (clean, then cold)": ("site one edit", "clean, then site cold"),
}


def measure(n: int, work: Path = WORK) -> dict:
    root = synthetic.make(work / f"n{n}", n)
    cache = work / f"cache-n{n}"  # each N its own cache, outside its repository
    os.environ[ENV] = str(cache)
    cli = [sys.executable, str(ROOT / "build_site.py"), "--root", str(root)]
    row = {"N": n}
    row["parse floor"], _, _ = timed([sys.executable, "-c", PARSE, str(root)], root)
    row["check"], _, _ = timed(cli + ["check"], root, allowed=(0, 1))
    timed(cli + ["clean"], root)
    row["site cold"], row["peak MiB"], _ = timed(cli + ["build"], root)
    site = root / "site"
    before = stats(site)
    row["site unchanged"], _, _ = timed(cli + ["build"], root)
    after = stats(site)
    row["files rewritten"] = sum(1 for path, stat in after.items() if before.get(path) != stat) + len(
        set(before) - set(after)
    )
    edited = sorted((root / "studies").glob("*.yml"))[n // 2]
    edited.write_text(edited.read_text(encoding="utf-8").replace("finding: ", "finding: Edited. ", 1), encoding="utf-8")
    row["site one edit"], peak, _ = timed(cli + ["build"], root)
    row["peak MiB"] = max(row["peak MiB"], peak)
    edit = stats(site)
    row["files rewritten after edit"] = sum(1 for path, stat in edit.items() if after.get(path) != stat)
    row["site MiB"] = folder_size(site) / 2**20
    for edition in EDITIONS:
        index = site / edition.path / "search" / "search_index.json"
        row[f"search index KiB ({edition.lang})"] = index.stat().st_size / 1024
    study_page = next(iter(sorted((site / "studies").glob("*/index.html"))))
    row["study page KiB"] = page_transfer(site, study_page) / 1024
    row["findings page KiB"] = (
        max(page_transfer(site, site / edition.path / "findings" / "index.html") for edition in EDITIONS) / 1024
    )
    # Last, `clean` where there is a site, generated pages and a cache to remove, as where `make clean && make site`
    # is run: with the cold `build` above, that is the cold build as the targets define it.
    row["clean"], _, _ = timed(cli + ["clean"], root)
    row["clean, then site cold"] = row["clean"] + row["site cold"]
    for ratio, (part, whole) in RATIOS.items():
        row[ratio] = row[part] / row[whole]
    return row


def median_row(rows: list[dict]) -> dict:
    """One row from the rows of several runs at the same N: each figure the median of the runs' (the largest for
    LARGEST), each ratio made again from the medians."""
    row = {key: (max if key in LARGEST else statistics.median)(r[key] for r in rows) for key in rows[0]}
    for ratio, (part, whole) in RATIOS.items():
        row[ratio] = row[part] / row[whole]
    return row


# The targets at N = 5,000: each measure, the most it may be, and the unit of the figure.
TARGETS = [
    ("clean, then site cold", 60.0),
    ("site one edit", 10.0),
    ("one edit ÷ (clean, then cold)", 0.15),
    ("one edit ÷ cold", 0.15),
    ("site unchanged", 3.0),
    ("files rewritten", 0),
    ("site MiB", 200.0),
    ("peak MiB", 1024.0),
    ("study page KiB", 250 * 1000 / 1024),
    ("findings page KiB", 250 * 1000 / 1024),
]


def targets(row: dict, language: Language | None = None) -> str:
    """Each target against the figure of `row` (the largest N): the figure, the target, their ratio, and whether
    it holds."""
    say = language.gettext if language else str
    heading = [
        say(N_("Target")),
        say(N_("Measured")),
        say(N_("At most")),
        say(N_("Measured ÷ target")),
        say(N_("Holds")),
    ]
    lines = ["| " + " | ".join(heading) + " |", "|---|---:|---:|---:|---|"]
    formats = dict(COLUMNS)
    for name, limit in TARGETS:
        value = row[name]
        ratio = "—" if not limit else _figure(value / limit, "{:.2f}", language)
        holds = say(N_("yes")) if value <= limit else say(N_("no"))
        cells = [
            say(name),
            _figure(value, formats[name], language),
            _figure(limit, formats[name], language),
            ratio,
            holds,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# Each measure: its name (the row's key, and its label in the table, translated) and how its figure is written.
COLUMNS = [
    ("N", "{:d}"),
    (N_("parse floor"), "{:.2f}"),
    (N_("check"), "{:.2f}"),
    (N_("clean"), "{:.2f}"),
    (N_("site cold"), "{:.2f}"),
    (N_("clean, then site cold"), "{:.2f}"),
    (N_("site unchanged"), "{:.2f}"),
    (N_("files rewritten"), "{:d}"),
    (N_("site one edit"), "{:.2f}"),
    (N_("files rewritten after edit"), "{:d}"),
    (N_("one edit ÷ cold"), "{:.2f}"),
    (N_("one edit ÷ (clean, then cold)"), "{:.2f}"),
    (N_("site MiB"), "{:.1f}"),
    (N_("search index KiB (es)"), "{:.0f}"),
    (N_("search index KiB (en)"), "{:.0f}"),
    (N_("study page KiB"), "{:.0f}"),
    (N_("findings page KiB"), "{:.0f}"),
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
            "*site cold*: `build` after `clean` (no generated page, no cache, no site), both editions; "
            "*unchanged*: `build` again, with nothing changed; *one edit*: `build` after changing one study's finding."
        ),
        _(
            "*clean*: `clean` of the built site, its generated pages and its cache, after the other measures; "
            "*clean, then site cold*: that and the cold `build`, the cold build as the targets define it "
            "(`make clean && make site`). *one edit ÷ (clean, then cold)* is measured against it, *one edit ÷ "
            "cold* against `build` alone."
        ),
        _(
            "*files rewritten*: files under site/ that the run wrote (a new inode or modification time) or removed; "
            "with nothing changed there must be none."
        ),
        _("*search index KiB*: each edition's search index, uncompressed."),
        _(
            "*study page KiB* and *findings page KiB*: the page with the CSS and JavaScript it loads, "
            "gzip-compressed (the findings page: the larger of the two editions')."
        ),
        _("*peak MiB*: the most memory the build's processes held at once, sampled every 0.1 s."),
        _(
            "Each figure is the median of three runs (*peak MiB* and *files rewritten*: the largest of the three), "
            "each ratio the ratio of the medians."
        ),
    ]
    intro = _(
        "How long the site takes to build as the evidence base grows, measured by `make bench` on synthetic "
        "study files (accented and compound Spanish names, every trend and group, years 2019–2023). Times are "
        "seconds of wall-clock time, each command in its own process."
    )
    largest = max(rows, key=lambda row: row["N"])
    return (
        "\n\n".join(
            [
                "# " + _("Benchmarks"),
                _paragraph(intro),
                _paragraph(_("Machine of the last run: %(machine)s.", machine=machine_text(info, language))),
                table(rows, language),
                "\n".join(_item(note) for note in notes),
                "## " + _("Targets"),
                _paragraph(
                    _(
                        "What the site must hold to at N = %(n)s studies, and the figures of this run.",
                        n=_figure(largest["N"], "{:,}", language),
                    )
                ),
                targets(largest, language),
                # Not in the navigation: the theme does not write the toggle its table of contents' label points at.
                '<div class="toc-toggle"><input class="md-toggle" type="checkbox" id="__toc"></div>',
            ]
        )
        + "\n"
    )


def figures(text: str) -> tuple[list[dict], dict]:
    """The rows and the machine of a Benchmarks page in English, as `page` wrote them."""
    lines = [line for line in text.split("\n\n")[3].splitlines() if line.startswith("| ")]  # the first table
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
        runs = []
        for number in range(1, RUNS + 1):
            runs.append(measure(n))
            shown = ", ".join(f"{name} {runs[-1][name]:.2f}" for name in ("site cold", "site one edit", "clean"))
            print(f"N = {n}, run {number} of {RUNS}: {shown}", flush=True)
        rows.append(median_row(runs))
        print(table(rows), flush=True)
    print(targets(max(rows, key=lambda row: row["N"])), flush=True)
    if str(args.docs) != "-":
        write_pages(rows, machine(), args.docs)


if __name__ == "__main__":
    main()
