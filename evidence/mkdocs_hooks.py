"""MkDocs hook: under `mkdocs serve`, regenerate the pages before each rebuild.

mkdocs.yml watches studies/, review.yml, templates/ and schema/; a change there
triggers a rebuild, this hook regenerates (writing only files whose content
changed) and the browser reloads. A file with errors is reported and the last
good pages are kept.
"""

from __future__ import annotations

import json
import sys
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from evidence.cache import Cache  # noqa: E402
from evidence.dataset import load  # noqa: E402
from evidence.generate import generate  # noqa: E402
from evidence.problems import has_errors  # noqa: E402

_serving = False


def on_startup(command, dirty):
    global _serving
    _serving = command == "serve"


def as_of(docs_dir: str) -> str | None:
    """The sentence saying what date the data are as of, from the generated data/review.json."""
    try:
        data = json.loads((Path(docs_dir) / "data" / "review.json").read_text(encoding="utf-8"))
        text = data["as_of"]["text"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return text if isinstance(text, str) else None


def on_config(config):
    """Without a repository (REPO_URL unset) there is no edit address either, rather than one with no host.

    The footer of every page says what date the data are as of (see evidence/as_of.py)."""
    if not config.repo_url:
        config.edit_uri = None
    text = as_of(config.docs_dir)
    if text:
        config.copyright = f"{config.copyright or ''} {escape(text)}".strip()
    return config


def on_pre_build(config):
    if not _serving:
        return
    cache = Cache.of(ROOT)
    dataset = load(ROOT, cache)
    for problem in dataset.problems:
        print(problem.text(), file=sys.stderr)
    if not has_errors(dataset.problems):
        generate(dataset, cache)
