"""Save screenshots of the built site's main pages (make screenshots).

Serves site/ on 127.0.0.1 and drives Chromium with Playwright: Debian's, or the one the CHROMIUM variable names.
Usage: python tools/screenshots.py [OUT_DIR] [--width 1280] [--page PATH ...]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")  # Debian's; CI sets Playwright's
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = {
    "home": "",
    "findings": "findings/",
    "study": "studies/huaman-2022/",
    "trend": "trends/citizen-perception/",
    "method": "method/",
}


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder: Path) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="screenshots")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--page", action="append", help="extra page path, e.g. checks/")
    parser.add_argument("--dark", action="store_true", help="dark colour scheme")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    pages = dict(PAGES)
    for extra in args.page or []:
        pages[extra.strip("/").replace("/", "-") or "home"] = extra
    server = serve(ROOT / "site")
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(
            viewport={"width": args.width, "height": 900}, color_scheme="dark" if args.dark else "light"
        )
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
        for name, path in pages.items():
            page.goto(base + path, wait_until="load")
            target = out / f"{name}-{args.width}{'-dark' if args.dark else ''}.png"
            page.screenshot(path=str(target), full_page=True, animations="disabled")  # the tabs fade in
            print(target)
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
