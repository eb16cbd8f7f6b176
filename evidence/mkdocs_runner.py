"""`python -m evidence.mkdocs_runner CONFIG`: `mkdocs build --strict -f CONFIG` of one edition, got ready before it
is asked for (see evidence/build.py).

Started while the generator still writes docs/, it imports MkDocs, its theme, plugins and Markdown extensions, and
compiles the theme's templates, then waits for one line on its standard input: where to build (`site_dir`), and,
for an incremental build, the previous site (`previous`). It then builds as `mkdocs build --strict` does, with the
templates it compiled, and exits: 0, or 1 after printing why. An empty input (nothing to build, or the caller
stopped) ends it without building.

The compiled templates are kept in this process's memory only, and used only when the theme's file is the one
compiled, byte for byte (Jinja's bytecode cache compares the source's checksum).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys

import jinja2

from .build import PREVIOUS_SITE


class _Compiled(jinja2.BytecodeCache):
    """The templates this process compiled, by name, file and source checksum."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


def _theme_files(loader: jinja2.FileSystemLoader) -> list[str]:
    """`loader.list_templates()` less what is in a folder, or a file, whose name starts with a dot: the theme's
    thousands of icons (.icons/), which MkDocs leaves out of the site (`Files.add_files_from_theme` drops such
    names) and would otherwise walk and match one by one on every build."""
    found = set()
    for searchpath in loader.searchpath:
        for folder, folders, names in os.walk(searchpath, followlinks=loader.followlinks):
            folders[:] = [name for name in folders if not name.startswith(".")]
            for name in names:
                if not name.startswith("."):
                    found.add(os.path.join(folder, name)[len(searchpath) :].strip(os.sep).replace(os.sep, "/"))
    return sorted(found)


def _ready(config_file: str, compiled: _Compiled) -> None:
    """Import what the build needs and compile the theme's page templates; a failure is the build's to report."""
    from mkdocs import config

    try:
        cfg = config.load_config(config_file=config_file, strict=True)
        env = cfg.theme.get_env()
        env.bytecode_cache = compiled
        own = f"partials/languages/{cfg.theme['language']}.html"

        def wanted(name: str) -> bool:  # a page's template or partial; of the languages, the edition's
            return name.endswith((".html", ".xml")) and (not name.startswith("partials/languages/") or name == own)

        for name in env.list_templates(filter_func=wanted):
            try:
                env.get_template(name)
            except jinja2.TemplateError:
                pass
    except Exception:  # noqa: BLE001: only time is at stake here; the build itself reports what is wrong
        pass


def main(argv: list[str]) -> int:
    from mkdocs import config, exceptions, theme
    from mkdocs.__main__ import _enable_warnings
    from mkdocs.commands import build

    logger = logging.getLogger("mkdocs")  # as the mkdocs command logs into a pipe: INFO and up, "WARNING -  message"
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-8s-  %(message)s"))
    logger.addHandler(handler)
    _enable_warnings()
    config_file = argv[0]
    os.nice(10)  # getting ready takes what the generator, which runs meanwhile, leaves of the processors
    compiled = _Compiled()
    _ready(config_file, compiled)

    line = sys.stdin.readline()
    if not line.strip():
        return 0
    job = json.loads(line)
    dirty = job.get("previous") is not None
    if dirty:
        os.environ[PREVIOUS_SITE] = job["previous"]
    get_env = theme.Theme.get_env

    def with_compiled(self):
        env = get_env(self)
        env.bytecode_cache = compiled
        env.loader.list_templates = functools.partial(_theme_files, env.loader)
        return env

    theme.Theme.get_env = with_compiled
    try:
        cfg = config.load_config(config_file=config_file, strict=True, site_dir=job["site_dir"])
        cfg.plugins.on_startup(command="build", dirty=dirty)
        try:
            build.build(cfg, dirty=dirty)
        finally:
            cfg.plugins.on_shutdown()
    except exceptions.MkDocsException as exc:  # as the mkdocs command says it: "Aborted with …", "Error: …"
        exc.show()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
