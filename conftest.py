import pytest

from hotline.core.testing import Org, make_org


@pytest.fixture
def org(db) -> Org:
    return make_org()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 is slow on purpose (~0.5 s a user) and every `org` creates ten users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_reference_caches():
    # Reference rows come and go with each test's transaction: no test sees another's cached.
    from hotline.workorders.refcache import refcache_clear_all

    refcache_clear_all()
    yield
    refcache_clear_all()


@pytest.fixture(autouse=True)
def _default_language():
    # A request leaves its language active in the thread; each test starts from the default.
    yield
    from django.utils import translation

    translation.deactivate()


CHROMIUM = "/usr/bin/chromium"
# The flags the browser tests launch Debian's Chromium with (no GPU, no network of its own).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture
def browser(monkeypatch):
    """Debian's Chromium driven by Playwright; skipped where either is missing."""
    from pathlib import Path

    from django.db import connections

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (make browser installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM calls a test makes
    # between page steps are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # A connection left open by the live server's thread stops PostgreSQL from
            # dropping the test database.
            connections.close_all()
