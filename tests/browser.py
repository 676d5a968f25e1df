"""Debian's headless Chromium for page tests, driven by Playwright (never `playwright install`):
skipped locally with one line saying what is missing, failed under CI."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        async_playwright = None
    missing = [what for what, ok in ((str(CHROMIUM), CHROMIUM.exists()),
                                     ("playwright", async_playwright is not None)) if not ok]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"the page test needs {', '.join(missing)} (.ci/run installs chromium)")
        pytest.skip(f"not installed: {', '.join(missing)}")
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield launched
        finally:
            await launched.close()
