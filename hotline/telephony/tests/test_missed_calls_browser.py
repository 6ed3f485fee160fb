"""The call-back list in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hotline.core.testing import PASSWORD, make_org
from hotline.telephony.models import MissedCall
from hotline.telephony.services import missed_call_record


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
