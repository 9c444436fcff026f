"""Playwright on Debian's Chromium, for live-server tests (pip playwright cannot download a browser here)."""

from __future__ import annotations

import os
import re
from contextlib import suppress

from channels.testing import ChannelsLiveServerTestCase
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.helpers import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

# Chromium's console line for a reply the page shows in place (see BrowserTestCase.watch).
EXPECTED_REFUSAL = re.compile(r"the server responded with a status of (409|422|429)")

# A loaded 2-core CI machine can take a few seconds to resolve a turn and push it to every page.
expect.set_options(timeout=15_000)


class SharedChromium:
    """One Chromium per test process, shared by consecutive browser test classes (starting
    Playwright and Chromium costs about a second per class). Each class still gets fresh browser
    contexts (own cookies, storage, cache) and closes them all when it ends, as closing the browser
    did. tests/conftest.py stops it before any test that is not a browser test runs in the same
    process, because Playwright's sync API keeps an event loop running in this thread."""

    _playwright = None
    _browser: Browser | None = None

    @classmethod
    def get(cls) -> Browser:
        if cls._browser is None or not cls._browser.is_connected():
            cls.stop()
            cls._playwright = sync_playwright().start()
            cls._browser = cls._playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        return cls._browser

    @classmethod
    def close_contexts(cls) -> None:
        if cls._browser is not None:
            for context in list(cls._browser.contexts):
                with suppress(Exception):
                    context.close()

    @classmethod
    def stop(cls) -> None:
        if cls._browser is not None:
            with suppress(Exception):
                cls._browser.close()
        if cls._playwright is not None:
            with suppress(Exception):
                cls._playwright.stop()
        cls._browser = cls._playwright = None

    @classmethod
    def running(cls) -> bool:
        return cls._playwright is not None


class BrowserTestCase(ChannelsLiveServerTestCase):
    """A Daphne child process serving the test database for the class, and fresh browser contexts
    in the process's shared Chromium."""

    serve_static = True

    @classmethod
    def setUpClass(cls):
        # Playwright's sync API keeps an event loop running in this thread; the ORM calls the
        # test makes (and the teardown flush) are safe because nothing else uses this connection.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        # The server child is spawned and reads its settings afresh: without this it runs with
        # DEBUG on, and an expected 404 shows Django's debug page, whose inline <style> the CSP
        # refuses (a console error); users get templates/404.html.
        debug = os.environ.get("DJANGO_DEBUG")
        os.environ["DJANGO_DEBUG"] = "0"
        try:
            super().setUpClass()
        finally:
            if debug is None:
                os.environ.pop("DJANGO_DEBUG", None)
            else:
                os.environ["DJANGO_DEBUG"] = debug
        cls.browser = SharedChromium.get()

    @classmethod
    def tearDownClass(cls):
        # Every page of the class goes (no socket or timer of it outlives the class's server).
        SharedChromium.close_contexts()
        super().tearDownClass()
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def new_page(self, width: int = 1280, height: int = 900, **context_options) -> Page:
        context = self.browser.new_context(viewport={"width": width, "height": height}, **context_options)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("dialog", lambda dialog: dialog.accept())
        return self.watch(page)

    def watch(self, page: Page) -> Page:
        """Collect every script error, browser console error (a CSP violation, a failed load, any
        htmx error: htmx logs them all with console.error) of `page`; the test fails at the end if
        there was any. Not errors: a refusal the page shows in place (409, 422 or 429: the htmx
        config swaps them), and a page the test opened answering 4xx (the test checks its status)."""
        errors: list[str] = []
        console_errors: list[str] = []

        def on_console(msg) -> None:
            if msg.type != "error":
                return
            text = msg.text
            if EXPECTED_REFUSAL.search(text):
                return
            # The page itself answered 4xx: the test navigated there and checks the status.
            if text.startswith("Failed to load resource") and (msg.location or {}).get("url") == page.url:
                return
            console_errors.append(f"{page.url}: {text}")

        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", on_console)
        page.js_errors = errors  # type: ignore[attr-defined]
        page.console_errors = console_errors  # type: ignore[attr-defined]
        if not getattr(self, "_watched", None):
            self._watched = []
            self.addCleanup(self.assert_no_browser_errors)
        self._watched.append(page)
        return page

    def assert_no_browser_errors(self) -> None:
        problems = []
        for page in getattr(self, "_watched", []):
            problems += list(getattr(page, "js_errors", [])) + list(getattr(page, "console_errors", []))
        self._watched = []
        assert problems == [], "browser errors:\n" + "\n".join(problems[:20])

    def join_game(self, code: str, name: str, state: str, *, width: int = 1280, height: int = 900,
                  via_home: bool = False) -> Page:
        """A player joins through the pages (the home page's code box, or the join link) and waits
        for the live connection."""
        page = self.new_page(width, height)
        if via_home:
            page.goto(self.url("/"))
            page.get_by_label("Join code").fill(code.lower())
            page.get_by_role("button", name="Join").click()
        else:
            page.goto(self.url(f"/join/{code}/"))
        page.get_by_label("Your name").fill(name)
        page.locator(f"input[name=state_id][value={state}]").check()
        page.get_by_role("button", name="Take my seat").click()
        expect(page.locator("body")).to_have_attribute("data-ws", "open")
        return page

    def facilitator_page(self, path: str, username: str = "teacher", password: str = "pw-teacher-123") -> Page:
        """A facilitator logged in through the login page, landing on `path`."""
        page = self.new_page()
        page.goto(self.url(f"/accounts/login/?next={path}"))
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        return page

    @staticmethod
    def advance(fac: Page, label: str) -> None:
        """Click the console's advance button once it names the step we mean (the console is
        updated live; clicking while it still shows the previous phase is refused as stale)."""
        button = fac.get_by_test_id("advance")
        expect(button).to_have_text(label)
        for _attempt in range(3):
            button.click()
            try:
                # The console moves on (a click lost while a push replaced the button is retried;
                # a repeated click on a step already taken is refused as stale and changes nothing).
                expect(button).not_to_have_text(label, timeout=10_000)
                return
            except AssertionError:
                continue
        expect(button).not_to_have_text(label)

    def snapshot(self, page: Page, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        with suppress(Exception):
            # caret="initial": hiding the caret makes Playwright inject a <style>, which the page's
            # CSP (style-src 'self') refuses with a console error.
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, caret="initial")

    @staticmethod
    def off_loop(fn, /, **kwargs):
        """Call a service from a plain thread: Playwright's loop runs in this one, and a service's
        after-commit push must not run inside a running event loop."""
        from concurrent.futures import ThreadPoolExecutor

        from django.db import close_old_connections

        def call():
            try:
                return fn(**kwargs)
            finally:
                close_old_connections()

        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(call).result()

    def url(self, path: str) -> str:
        return f"{self.live_server_url}{path}"
