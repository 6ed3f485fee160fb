"""The notification badge and inbox in a real browser (Debian's Chromium via Playwright): the
badge is loaded by htmx on every page, and marking read by htmx removes the row and the count."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hotline.core.testing import PASSWORD, make_org
from hotline.sla.models import Notification
from hotline.workorders.tests import factories


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_shows_the_unread_count_and_marks_read_in_place(browser, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_org()
    order = factories.dispatched(org)
    for title in ("工单甲即将超期", "工单乙已超期"):
        Notification.objects.create(
            recipient=org.bob, order=order, kind="warning", title=title, created_at=timezone.now()
        )
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", PASSWORD)
    page.click("#main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    badge = page.locator("header nav .sla-unread .badge")
    badge.wait_for()
    assert badge.inner_text() == "2"

    page.goto(f"{live_server.url}/sla/notifications/")
    rows = page.locator("table.sla-notifications tbody tr")
    assert rows.count() == 2
    assert page.locator("table.sla-notifications .clock").count() == 2
    rows.first.locator("button[type=submit]").click()
    page.wait_for_function(
        "document.querySelectorAll('table.sla-notifications tbody tr').length === 1"
    )
    assert Notification.objects.filter(recipient=org.bob, read_at__isnull=True).count() == 1
    page.reload()
    assert page.locator("header nav .sla-unread .badge").inner_text() == "1"
