from __future__ import annotations

import multiprocessing
import os
import sys

import pytest

# Live-server tests start Daphne in a child process. Forking after asgiref's sync thread exists
# hangs every database call in the child, so always spawn (see docs/architecture.md, testing).
multiprocessing.set_start_method("spawn", force=True)
os.environ.setdefault("TREATYCRAFT_TESTING", "1")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Under pytest-xdist every worker has its own test database (pytest-django adds a _gwN suffix
    to its name). The processes a test starts (the live-server tests' Daphne child, a `manage.py`
    subprocess) read the SQLite test database's name from SQLITE_TEST_PATH (config/settings.py), so
    it must name this worker's database, not the one the controller process chose."""
    from django.conf import settings

    test_name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and test_name:
        os.environ["SQLITE_TEST_PATH"] = str(test_name)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """Stop the shared Chromium (tests/e2e/browser.py) when the next test is not a browser test
    class (or there is none), before the class and session teardown: Playwright's sync API keeps an
    event loop running in this thread, and the ORM refuses to work while one runs."""
    browser = sys.modules.get("tests.e2e.browser")
    if browser is not None and browser.SharedChromium.running():
        next_class = getattr(nextitem, "cls", None)
        if not (isinstance(next_class, type) and issubclass(next_class, browser.BrowserTestCase)):
            browser.SharedChromium.stop()


@pytest.fixture(autouse=True)
def _fresh_local_cache():
    """Empty the process's local-memory caches after each test. Rolled-back test transactions
    reuse primary keys, so a cache key naming a game or member (a rate-limit bucket, a bot's
    "nothing changed" mark, a rendered fragment) would otherwise reach the next test that happens
    to get the same ids, and a test's result would depend on what ran before it in that process.
    A Redis cache is left alone: xdist workers share its database."""
    yield
    if "django.core.cache" in sys.modules:
        from django.core.cache import caches
        from django.core.cache.backends.locmem import LocMemCache

        for cache in caches.all(initialized_only=True):
            if isinstance(cache, LocMemCache):
                cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language: a request through LocaleMiddleware leaves its
    language active in the thread, so one test in Spanish would otherwise turn the next one's
    expected English into Spanish. (Done before the test, not after: a fixture that monkeypatches
    the active translation restores it itself, after this one would have run.)"""
    if "django.utils.translation" in sys.modules:
        from django.utils import translation

        translation.deactivate()
    yield


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `stall` (mostly waiting: a two-minute Redis stall) run first, so that with
    pytest-xdist (make test) the other worker runs the rest of the suite during the wait."""
    items.sort(key=lambda item: item.get_closest_marker("stall") is None)
