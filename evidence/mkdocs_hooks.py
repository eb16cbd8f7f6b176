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

from evidence.as_of import AsOf  # noqa: E402
from evidence.cache import Cache  # noqa: E402
from evidence.dataset import load  # noqa: E402
from evidence.generate import DOCS, generate  # noqa: E402
from evidence.i18n import DEFAULT, EDITIONS, Language, edition  # noqa: E402
from evidence.problems import has_errors  # noqa: E402

_serving = False


def on_startup(command, dirty):
    global _serving
    _serving = command == "serve"


def as_of(lang: str) -> str | None:
    """The sentence saying what date the data are as of, in the edition's language, from the generated
    data/review.json (which only the default edition carries)."""
    try:
        data = json.loads((ROOT / DOCS / DEFAULT.lang / "data" / "review.json").read_text(encoding="utf-8"))
        stamp = AsOf(data["as_of"]["date"], data["as_of"]["basis"], data["as_of"]["update"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return stamp.sentence(Language(lang))


def roots(config) -> list[dict]:
    """Each edition's language and address, from this edition's site_url."""
    here = edition(config.theme["language"])
    root = config.site_url[: -len(here.path)] if here.path else config.site_url
    return [{"lang": other.lang, "url": f"{root}{other.path}"} for other in EDITIONS]


def alternates(config, page) -> list[dict]:
    """The language switcher's entries: the same page in each edition, by an address relative to the page (it must
    work wherever the site is served); on the theme's 404 page, served at any address, each edition's home."""
    here = edition(config.theme["language"])
    url = page.url if page else ""
    up = "../" * (url.count("/") + here.path.count("/"))
    return [
        {
            "name": other.name,
            "lang": other.lang,
            "href": (up + other.path + url or "./") if page else root["url"],
            "current": other is here,
        }
        for other, root in zip(EDITIONS, roots(config), strict=True)
    ]


def on_config(config):
    """Without a repository (REPO_URL unset) there is no edit address either, rather than one with no host.

    An edition other than the default lives under its path (en/) of the site's address.
    The footer of every page says what date the data are as of (see evidence/as_of.py)."""
    if not config.repo_url:
        config.edit_uri = None
    here = edition(config.theme["language"])
    if here.path and config.site_url and not config.site_url.endswith("/" + here.path):
        config.site_url = config.site_url.rstrip("/") + "/" + here.path
    config.extra["editions"] = roots(config)  # for sitemap.xml: each page's address in every edition
    # The two sentences the theme writes in English whatever its language (overrides/404.html, partials/copyright.html).
    language = Language(here.lang)
    config.extra["not_found"] = language.gettext("404: this page does not exist")
    config.extra["made_with"] = language.gettext("Made with")
    text = as_of(here.lang)
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


def on_page_context(context, page, config, nav):
    """The language switcher and the hreflang links of this page point to the same page in each edition."""
    config.extra["alternate"] = alternates(config, page)
    return context


def on_template_context(context, template_name, config):
    """The theme's own pages (404.html): each edition's home."""
    config.extra["alternate"] = alternates(config, None)
    return context
