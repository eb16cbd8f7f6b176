"""`python -m evidence.mkdocs_runner CONFIG...`: `mkdocs build --strict -f CONFIG` of each edition, got ready before
it is asked for (see evidence/build.py).

Started while the generator still writes docs/, it imports MkDocs, its theme, plugins and Markdown extensions, and
compiles the theme's templates, once for every edition. It then reads jobs on its standard input, a line each:
which edition (`edition`, its place among the CONFIGs), where to build it (`site_dir`) and, for an incremental
build, the previous site (`previous`). It builds each in a process of its own, forked at once, as `mkdocs build
--strict` does, with the templates it compiled: an edition's build starts as soon as its pages are written, while
the others' are still being written. At the end of its input it waits for them and prints, a line each in the
order they were asked for, `{"edition", "code", "output"}`: the exit code (0, or 1 after printing why) and what the
build printed. An input without jobs (nothing to build, or the caller stopped) ends it without building.

The compiled templates are kept in memory only, and used only when the theme's file is the one compiled, byte for
byte (Jinja's bytecode cache compares the source's checksum).
"""

from __future__ import annotations

import functools
import gc
import json
import logging
import os
import sys
import tempfile
import traceback

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


def _ready(config_files: list[str], compiled: _Compiled) -> None:
    """Import what the builds need and compile the theme's page templates and partials (of the language files, the
    editions'); a failure is the build's to report. The configurations loaded here are not the builds': MkDocs
    keeps one instance of each plugin in a process, which the configuration loaded last configures (each build
    loads its edition's again, in its own process)."""
    from mkdocs import config

    try:
        configs = [config.load_config(config_file=name, strict=True) for name in config_files]
        env = configs[0].theme.get_env()
        env.bytecode_cache = compiled
        own = {f"partials/languages/{cfg.theme['language']}.html" for cfg in configs}

        def wanted(name: str) -> bool:  # a page's template or partial; of the languages, the editions'
            return name.endswith((".html", ".xml")) and (not name.startswith("partials/languages/") or name in own)

        for name in env.list_templates(filter_func=wanted):
            try:
                env.get_template(name)
            except jinja2.TemplateError:
                pass
    except Exception:  # noqa: BLE001 - only time is at stake here; the build itself reports what is wrong
        pass


def _build(config_file: str, job: dict, compiled: _Compiled) -> int:
    """One edition's `mkdocs build --strict`, in this (forked) process."""
    from mkdocs import config, exceptions, theme
    from mkdocs.commands import build

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


def _fork(config_file: str, job: dict, compiled: _Compiled) -> tuple[int, object]:
    """Start one edition's build in a process of its own, its output into a file; (its process id, the file)."""
    output = tempfile.TemporaryFile()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid, output
    code = 1
    try:
        os.dup2(output.fileno(), 1)
        os.dup2(output.fileno(), 2)
        code = _build(config_file, job, compiled)
    except BaseException:  # noqa: BLE001 - said in its output, and its exit code
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def main(argv: list[str]) -> int:
    from mkdocs.__main__ import _enable_warnings

    logger = logging.getLogger("mkdocs")  # as the mkdocs command logs into a pipe: INFO and up, "WARNING -  message"
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-8s-  %(message)s"))
    logger.addHandler(handler)
    _enable_warnings()
    os.nice(10)  # getting ready takes what the generator, which runs meanwhile, leaves of the processors
    compiled = _Compiled()
    _ready(argv, compiled)
    gc.freeze()  # what getting ready made stays out of the builds' full garbage-collector passes (see generate)

    started = []
    for line in sys.stdin:
        if line.strip():
            job = json.loads(line)
            started.append((job["edition"], *_fork(argv[job["edition"]], job, compiled)))
    for edition, pid, output in started:
        _, status = os.waitpid(pid, 0)
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
        print(json.dumps({"edition": edition, "code": os.waitstatus_to_exitcode(status), "output": text}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
