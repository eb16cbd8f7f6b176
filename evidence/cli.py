"""Command line: `python build_site.py COMMAND`. Thin: every command calls into the package."""

from __future__ import annotations

import argparse
import gc
import shutil
import subprocess
import sys
from pathlib import Path

from . import totals
from .as_of import as_of
from .build import (
    SITE,
    Build,
    BuildError,
    exclusive,
    inputs_key,
    layout_key,
    listing,
    serve,
    sources,
    start,
    stop,
)
from .cache import Cache
from .dataset import load, study_files
from .fmt import format_files, study_warnings
from .generate import DOCS, GENERATED_FILES, GENERATED_FOLDERS, generate, generated
from .i18n import DEFAULT, LANGUAGES
from .problems import has_errors, summary, visible

ROOT = Path(__file__).resolve().parent.parent


def _report(problems, fmt: str, stream=sys.stdout) -> None:
    for problem in problems:
        print(problem.github() if fmt == "github" else problem.text(), file=stream)
    print(summary(problems), file=stream)


def cmd_check(args) -> int:
    """Validate review.yml and every study file; print every problem."""
    cache = Cache.of(args.root)
    dataset = load(args.root, cache)
    problems = sorted(dataset.problems + study_warnings(dataset, cache))
    _report(problems, args.format)
    return 1 if has_errors(problems) else 0


def _checked(args, cache: Cache):
    """Load and check; print the problems; return the dataset, or None when there are errors."""
    dataset = load(args.root, cache)
    if dataset.problems:
        _report(dataset.problems, "text", sys.stderr)
    return None if has_errors(dataset.problems) else dataset


def cmd_generate(args) -> int:
    """Check, then write the generated pages, charts and downloads under docs/."""
    cache = Cache.of(args.root)
    with exclusive(args.root):
        dataset = _checked(args, cache)
        if dataset is None:
            print("not generated: fix the errors above", file=sys.stderr)
            return 1
        writer = generate(dataset, cache)
    print(f"generated docs/: {len(writer.kept)} files, {len(writer.written)} changed")
    return 0


def cmd_build(args) -> int:
    """Check, generate, then build the site with MkDocs (--strict) into site/: nothing at all when nothing it is
    built from changed since the last build, incrementally when it can (see evidence/build.py)."""
    cache = Cache.of(args.root)
    with exclusive(args.root):
        runner = start(args.root)  # MkDocs gets ready meanwhile (and is stopped at once if nothing changed)
        plan: list[Build] = []
        try:
            state = cache.namespace("build", "1")
            previous = None if args.clean else state.get(["site"], lambda value: isinstance(value, dict))
            layout, data = sources(args.root)
            inputs = inputs_key(layout, data, args.root)
            if previous and previous.get("inputs") == inputs and previous.get("listing") == listing(args.root / SITE):
                print(f"{SITE}/ is up to date: nothing it is built from changed since the last build")
                return 0
            dataset = _checked(args, cache)
            if dataset is None:
                print("site not built: fix the errors above; site/ was left as it was", file=sys.stderr)
                return 1
            layout = layout_key(layout, as_of(args.root, dataset.review))

            def meanwhile():  # looks at site/ (the lock keeps it as it is) while this process would otherwise wait
                plan.append(Build(args.root, layout, previous, runner))

            writer = generate(dataset, cache, meanwhile, lambda edition: plan[0].go(edition))
            built = plan[0].finish()
        finally:
            stop(runner)
            for build in plan:
                build.discard()
        state.put(["site"], {**built, "inputs": inputs})
        state.save()
    how = "incrementally: " if built["dirty"] else ""
    print(f"built site/ from {len(dataset.studies)} studies ({how}{len(writer.written)} generated files changed)")
    return 0


def cmd_clean(args) -> int:
    """Remove the built site, the generated pages and this repository's cache."""
    with exclusive(args.root):
        shutil.rmtree(args.root / SITE, ignore_errors=True)
        docs = args.root / DOCS
        folders, files = generated(GENERATED_FOLDERS, GENERATED_FILES)
        for folder in folders:
            shutil.rmtree(docs / folder, ignore_errors=True)
        for name in files:
            (docs / name).unlink(missing_ok=True)
        cache = Cache.of(args.root)
        cache.clear()
    print(
        f"removed {SITE}/, the generated files under {DOCS}/ and the cache"
        + (f" ({cache.folder})" if cache.folder else "")
    )
    return 0


def cmd_serve(args) -> int:
    """Generate, then preview with live reload; edits to the data, templates, schemas or catalogue regenerate the
    pages once (a file with errors is reported, and the last good pages are kept)."""
    if cmd_generate(args) != 0:
        return 1
    return serve(args.root, args.address, args.lang, lambda: cmd_generate(args))


def cmd_release(args) -> int:
    """Pack site/data/ and CITATION.cff into a versioned, dated archive under dist/."""
    from .release import ReleaseError, release

    try:
        with exclusive(args.root):
            made = release(args.root)
    except ReleaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"made {_shown(made, args.root)}")
    return 0


def cmd_diff(args) -> int:
    """Print, as Markdown, what the working tree changes in the counts and pages against a commit."""
    try:
        print(totals.diff(args.root, args.base), end="")
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"No totals diff: the base {args.base} could not be read ({exc}).")
    return 0


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def cmd_new(args) -> int:
    """Scaffold studies/<id>.yml from the options, asking for what is missing when run in a terminal."""
    from . import scaffold  # imported here so that `check` does not pay for it

    answers = scaffold.Answers(args.family, args.given, args.year, args.title, args.id)
    try:
        scaffold.complete(answers, input if sys.stdin.isatty() else None)
        created = scaffold.new_study(args.root, answers)
    except scaffold.ScaffoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except EOFError:
        print("error: no answer; nothing was written", file=sys.stderr)
        return 1
    print(f"created {_shown(created.path, args.root)}")
    if created.study_id != created.base_id:
        print(f"  ({created.base_id}.yml exists already, so the id is {created.study_id})")
    print("next: edit the file (finding, trends and group are marked TODO), then run make check")
    return 0


def cmd_import(args) -> int:
    """Start study files from BibTeX, RIS or CSL-JSON exports; report what could not be used."""
    from . import importer

    references, errors = [], []
    for file in args.files:
        try:
            references += importer.read_references(file)
        except importer.ReferenceFileError as exc:
            errors.append(str(exc))
    if errors:
        for error in errors:
            print(f"error: {error}", file=sys.stderr)
        print("nothing was imported", file=sys.stderr)
        return 1
    outcomes = importer.import_references(args.root, references)
    for outcome in outcomes:
        if outcome.path:
            print(f"created {_shown(outcome.path, args.root)} from {outcome.reference.where}")
            if outcome.reference.unused:
                print(f"  not used: {', '.join(outcome.reference.unused)}")
        else:
            print(f"not imported: {outcome.reference.where}: {outcome.skipped}", file=sys.stderr)
    if any(o.path for o in outcomes):
        print(
            "next: check every field against a public record and add its address under sources:, "
            "write finding, trends and group (marked TODO), then run make check"
        )
    return 0 if all(o.path for o in outcomes) else 1


def cmd_fmt(args) -> int:
    """Rewrite study files in canonical form, keeping comments; --check only lists those that are not."""
    files = args.files or study_files(args.root)
    outcomes = format_files(files, args.root, write=not args.check)
    for outcome in outcomes:
        if outcome.error:
            print(f"{outcome.path}: not formatted: {outcome.error}", file=sys.stderr)
        elif outcome.changed:
            print(f"{outcome.path}: not in canonical form" if args.check else f"formatted {outcome.path}")
    changed = sum(o.changed for o in outcomes)
    if args.check:
        print(
            f"{changed} of {len(outcomes)} files not in canonical form"
            + ("; run python build_site.py fmt" if changed else "")
        )
    else:
        print(f"{changed} of {len(outcomes)} files formatted")
    return 1 if any(o.error for o in outcomes) or (args.check and changed) else 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="build_site.py",
        description="Check the evidence data and build the review's website.",
    )
    main.add_argument("--root", type=Path, default=ROOT, help="repository folder (default: this one)")
    commands = main.add_subparsers(dest="command", metavar="COMMAND", required=True)
    check = commands.add_parser("check", help="validate review.yml and studies/*.yml and print every problem")
    check.add_argument(
        "--format",
        choices=["text", "github"],
        default="text",
        help="text (path:line:column) or github (pull-request annotations)",
    )
    check.set_defaults(func=cmd_check)
    commands.add_parser("generate", help="write the generated pages, charts and downloads under docs/").set_defaults(
        func=cmd_generate
    )
    build_cmd = commands.add_parser("build", help="check, generate and build the site into site/ (mkdocs --strict)")
    build_cmd.add_argument(
        "--clean", action="store_true", help="build every page from nothing (by default only what changed is rebuilt)"
    )
    build_cmd.set_defaults(func=cmd_build)
    commands.add_parser("clean", help="remove site/, the generated files under docs/ and the cache").set_defaults(
        func=cmd_clean
    )
    serve_cmd = commands.add_parser("serve", help="preview the site with live reload")
    serve_cmd.add_argument("--address", default="127.0.0.1:8000", help="host:port (default 127.0.0.1:8000)")
    serve_cmd.add_argument(
        "--lang", choices=LANGUAGES, default=DEFAULT.lang, help=f"the edition to preview (default {DEFAULT.lang})"
    )
    serve_cmd.set_defaults(func=cmd_serve)
    commands.add_parser(
        "release", help="pack site/data/ and CITATION.cff into a versioned, dated archive under dist/"
    ).set_defaults(func=cmd_release)
    diff_cmd = commands.add_parser("diff", help="Markdown summary of how the counts change against a base commit")
    diff_cmd.add_argument("--base", required=True, help="the commit to compare with, e.g. origin/main")
    diff_cmd.set_defaults(func=cmd_diff)
    new_cmd = commands.add_parser("new", help="start a study file studies/<id>.yml (asks for what is missing)")
    new_cmd.add_argument("--family", help='first author\'s family name(s), e.g. "Huamán Coronel"')
    new_cmd.add_argument("--given", help='first author\'s given name(s), e.g. "Pepe Luis"')
    new_cmd.add_argument("--year", help="year of publication, e.g. 2022")
    new_cmd.add_argument("--title", help="title, in English as the review's Table 3 gives it")
    new_cmd.add_argument("--id", help="the id, when the one made from family name and year does not suit")
    new_cmd.set_defaults(func=cmd_new)
    import_cmd = commands.add_parser("import", help="start study files from a BibTeX, RIS or CSL-JSON export")
    import_cmd.add_argument("files", nargs="+", type=Path, metavar="FILE", help="a .bib, .ris or .json file")
    import_cmd.set_defaults(func=cmd_import)
    fmt_cmd = commands.add_parser("fmt", help="rewrite study files in canonical form, keeping comments")
    fmt_cmd.add_argument("files", nargs="*", type=Path, metavar="FILE", help="study files (default: studies/*.yml)")
    fmt_cmd.add_argument(
        "--check", action="store_true", help="only list the files that are not canonical; exit 1 if any"
    )
    fmt_cmd.set_defaults(func=cmd_fmt)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.root = args.root.resolve()
    # What is imported (tens of thousands of objects) stays out of the garbage collector's full passes, which go
    # over every object: two of them came while 5,000 studies were read (see also generate).
    gc.freeze()
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a read-only folder, a full disk: one line, never a traceback
        where = f"{visible(_shown(Path(exc.filename), args.root))}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}; {SITE}/ was left as it was", file=sys.stderr)
        return 1
    except RecursionError:
        print("error: the input is nested too deeply to be read", file=sys.stderr)
        return 1
    finally:
        gc.unfreeze()
