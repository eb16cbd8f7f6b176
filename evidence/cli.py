"""Command line: `python build_site.py COMMAND`. Thin: every command calls into the package."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .dataset import load
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
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.root = args.root.resolve()
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
