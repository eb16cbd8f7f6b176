"""Benchmark the generator at several sizes (make bench).

For each N: the parse floor (yaml.CSafeLoader over every study file), check,
generate cold (empty cache), generate with nothing changed, generate after
editing one study, mkdocs build, site size, search index size, the transfer
size of one study page, and peak memory. Each step runs in its own process,
timed from outside, so memory is that process's peak. Prints a table of
seconds and ratios and writes it to docs/benchmarks.md.
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
import time
from pathlib import Path

from benchmarks import synthetic
from evidence.cache import ENV
from evidence.i18n import EDITIONS

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


COLUMNS = [
    ("N", "{:d}"),
    ("parse floor", "{:.2f}"),
    ("check", "{:.2f}"),
    ("generate cold", "{:.2f}"),
    ("generate unchanged", "{:.2f}"),
    ("files rewritten", "{:d}"),
    ("generate one edit", "{:.2f}"),
    ("files rewritten after edit", "{:d}"),
    ("mkdocs build", "{:.2f}"),
    ("generate ÷ mkdocs", "{:.2f}"),
    ("one edit ÷ parse floor", "{:.1f}"),
    ("site MiB", "{:.1f}"),
    ("search index KiB", "{:.0f}"),
    ("study page KiB", "{:.0f}"),
    ("peak MiB", "{:.0f}"),
]


def table(rows: list[dict]) -> str:
    """One column per N, one row per measure: narrow enough for a phone."""
    lines = ["| Measure | " + " | ".join(f"N = {row['N']:,}" for row in rows) + " |", "|---|" + "---:|" * len(rows)]
    for name, fmt in COLUMNS[1:]:
        lines.append(f"| {name} | " + " | ".join(fmt.format(row[name]) for row in rows) + " |")
    return "\n".join(lines)


def machine() -> str:
    memory = ""
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
        memory = f", {kib / 2**20:.0f} GiB memory"
    except (OSError, TypeError):
        pass
    return (
        f"{platform.machine()}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}, {platform.system()}"
    )


def page(rows: list[dict]) -> str:
    return f"""# Benchmarks

How long the generator and MkDocs take as the evidence base grows, measured by
`make bench` on synthetic study files (accented and compound Spanish names,
every trend and group, years 2019–2023). Times are seconds of wall-clock time,
each step in its own process; memory is that process's peak.

Machine of the last run: {machine()}.

{table(rows)}

- *parse floor*: reading every study file with PyYAML's C loader and nothing else.
- *generate cold*: with an empty reference cache; *unchanged*: a second run, which rewrites no file;
  *one edit*: after changing one study's finding.
- *generate ÷ mkdocs*: cold generation against the MkDocs build of the same site.
- *study page KiB*: one study page with the CSS and JavaScript it loads, gzip-compressed.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[16, 500, 5000])
    parser.add_argument(
        "--page",
        type=Path,
        default=ROOT / "docs" / "benchmarks.md",
        help="where to write the Benchmarks page (use - for none)",
    )
    args = parser.parse_args()
    rows = []
    for n in args.sizes:
        rows.append(measure(n))
        print(table(rows), flush=True)
    if str(args.page) != "-":
        args.page.write_text(page(rows), encoding="utf-8")
        print(f"wrote {args.page}")


if __name__ == "__main__":
    main()
