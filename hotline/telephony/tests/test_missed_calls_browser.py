"""The call-back list in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone

from hotline.core.testing import PASSWORD, make_org
from hotline.telephony.models import MissedCall
from hotline.telephony.services import missed_call_record

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser(monkeypatch):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (make browser installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            connections.close_all()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_records_a_call_back_in_a_browser(browser, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_org()
    missed, _ = missed_call_record(
        centre=org.centre, caller_number="13900002222", missed_at=timezone.now()
    )
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("#main button[type=submit]")
    page.wait_for_load_state()
    page.click("nav a:has-text('漏接回拨')")
    row = page.locator(f"#missed-{missed.pk}")
    assert "13900002222" in row.inner_text()
    row.locator("input[value=not_needed]").check()
    row.locator("input[name=note]").fill("市民已再次来电并登记")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "没有待回拨的漏接来电" in page.locator(".missed-queue").inner_text()
    assert "无需回拨" in page.locator(".missed-handled").inner_text()
    missed.refresh_from_db()
    assert missed.state == "not_needed" and missed.handled_by == org.alice
    assert MissedCall.objects.count() == 1
