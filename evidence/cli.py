"""Command line: `python build_site.py COMMAND`. Thin: every command calls into the package."""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from . import totals
from .build import build_site, serve
from .dataset import load
from .generate import generate
from .problems import has_errors, summary

ROOT = Path(__file__).resolve().parent.parent


def _report(problems, fmt: str, stream=sys.stdout) -> None:
    for problem in problems:
        print(problem.github() if fmt == "github" else problem.text(), file=stream)
    print(summary(problems), file=stream)


def cmd_check(args) -> int:
    """Validate review.yml and every study file; print every problem."""
    dataset = load(args.root)
    _report(dataset.problems, args.format)
    return 1 if has_errors(dataset.problems) else 0


def _checked(args):
    """Load and check; print the problems; return the dataset, or None when there are errors."""
    dataset = load(args.root)
    if dataset.problems:
        _report(dataset.problems, "text", sys.stderr)
    return None if has_errors(dataset.problems) else dataset


def cmd_generate(args) -> int:
    """Check, then write the generated pages, charts and downloads under docs/."""
    dataset = _checked(args)
    if dataset is None:
        print("not generated: fix the errors above", file=sys.stderr)
        return 1
    writer = generate(dataset)
    print(f"generated docs/: {len(writer.kept)} files, {len(writer.written)} changed")
    return 0


def cmd_build(args) -> int:
    """Check, generate, then build the site with MkDocs (--strict) into site/."""
    dataset = _checked(args)
    if dataset is None:
        print("site not built: fix the errors above; site/ was left as it was", file=sys.stderr)
        return 1
    generate(dataset)
    status = build_site(args.root)
    if status == 0:
        print(f"built site/ from {len(dataset.studies)} studies")
    return status


def cmd_serve(args) -> int:
    """Generate, then preview with live reload; edits to studies/ or review.yml regenerate the pages."""
    if cmd_generate(args) != 0:
        return 1
    return serve(args.root, args.address)


def cmd_diff(args) -> int:
    """Print, as Markdown, what the working tree changes in the counts and pages against a commit."""
    try:
        print(totals.diff(args.root, args.base), end="")
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"No totals diff: the base {args.base} could not be read ({exc}).")
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="build_site.py",
        description="Check the evidence data and build the review's website.",
    )
    main.add_argument("--root", type=Path, default=ROOT, help="repository folder (default: this one)")
    commands = main.add_subparsers(dest="command", metavar="COMMAND", required=True)
    check = commands.add_parser("check", help="validate review.yml and studies/*.yml and print every problem")
    check.add_argument("--format", choices=["text", "github"], default="text",
                       help="text (path:line:column) or github (pull-request annotations)")
    check.set_defaults(func=cmd_check)
    commands.add_parser("generate", help="write the generated pages, charts and downloads under docs/").set_defaults(func=cmd_generate)
    commands.add_parser("build", help="check, generate and build the site into site/ (mkdocs --strict)").set_defaults(func=cmd_build)
    serve_cmd = commands.add_parser("serve", help="preview the site with live reload")
    serve_cmd.add_argument("--address", default="127.0.0.1:8000", help="host:port (default 127.0.0.1:8000)")
    serve_cmd.set_defaults(func=cmd_serve)
    diff_cmd = commands.add_parser("diff", help="Markdown summary of how the counts change against a base commit")
    diff_cmd.add_argument("--base", required=True, help="the commit to compare with, e.g. origin/main")
    diff_cmd.set_defaults(func=cmd_diff)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.root = args.root.resolve()
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
