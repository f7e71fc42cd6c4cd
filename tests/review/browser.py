"""Headless Chromium for the tests that look at pages in a browser (the review report, its decision
controls, Datasette): Debian's chromium, installed by scripts/install_browser.sh (make test does),
never a browser download. `chromium_page` opens one page and collects what should never happen on
it: console errors, page errors and requests to anywhere but the allowed URL prefixes."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
LOCAL_PAGES = ("file:", "data:")  # a static report: its page, its sidecar scripts, inline images


def chromium_path() -> str:
    """The Chromium binary (KP_EXTRACT_CHROMIUM, else /usr/bin/chromium); the test fails plainly without it."""
    path = os.environ.get("KP_EXTRACT_CHROMIUM", "/usr/bin/chromium")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"Chromium not found at {path}: run `sh scripts/install_browser.sh` (make test does) "
                    "or set KP_EXTRACT_CHROMIUM to a Chromium binary", pytrace=False)
    return path


@contextmanager
def chromium_page(pw: Any, allowed: tuple[str, ...] = LOCAL_PAGES, **page_options: Any
                  ) -> Iterator[tuple[Any, list[str]]]:
    """(page, problems) in a fresh headless Chromium of the playwright `pw`, closed on exit. page_options
    go to new_page (default viewport 1400x1000)."""
    browser = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
    try:
        page = browser.new_page(**{"viewport": {"width": 1400, "height": 1000}, **page_options})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("request", lambda r: None if r.url.startswith(allowed) else problems.append(f"request: {r.url}"))
        yield page, problems
    finally:
        browser.close()
