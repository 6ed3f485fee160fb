"""The closed loop in a real browser: Debian's Chromium driven by Playwright against the live
server, one persona after another, each in its own browser context (its own session)."""

from pathlib import Path

import pytest

from hotline.core.testing import PASSWORD, make_org
from hotline.workorders.choices import Status
from hotline.workorders.models import WorkOrder
from hotline.workorders.tests import factories

SCREENSHOT = Path("/tmp/detail.png")


def _login(browser, live_server, username):
    page = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#main button[type=submit]")
    # Each role lands on its own workbench; wait until the login page is left.
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def _open(page, action):
    details = page.locator(f"#action-{action}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return details


def _act(page, action, label):
    _open(page, action).locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".msg").inner_text().startswith(f"已{label}"), page.content()[:2000]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_runs_the_closed_loop_in_a_browser(browser, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_org()
    order = factories.registered(
        org,
        content="幸福小区 3 号楼停水两天，老人无法做饭。",
        address="双湖峪街道幸福小区 3 号楼",
        requester_name="张三",
        requester_phone="13800138000",
    )
    detail = f"/orders/{order.number}/"

    page = _login(browser, live_server, "dave")
    page.click(f"a[href='{detail}']")  # the dispatcher lands on registered orders
    _open(page, "dispatch")
    page.select_option("#id_dispatch-lead_unit", label="县自来水公司")
    page.fill("#id_dispatch-note", "请尽快恢复供水")
    _act(page, "dispatch", "派单")
    assert page.locator("#order-status").inner_text() == "已派单"

    page = _login(browser, live_server, "bob")
    page.goto(f"{live_server.url}{detail}")
    assert "138****8000" in page.locator("#requester-phone").inner_text()
    _act(page, "acknowledge", "签收")
    _open(page, "reply")
    page.fill("#id_reply-note", "已更换破裂管道，恢复供水。")
    _act(page, "reply", "答复")

    page = _login(browser, live_server, "sue")
    page.goto(f"{live_server.url}{detail}")
    _act(page, "accept_reply", "审核通过")

    page = _login(browser, live_server, "carl")
    page.goto(f"{live_server.url}{detail}")
    page.check("input[name='callback-rating'][value='satisfied']")
    page.check("input[name='callback-solved'][value='yes']")
    page.fill("#id_callback-note", "群众表示满意")
    _act(page, "callback", "回访")

    assert page.locator("#order-status").inner_text() == "已办结"
    timeline = page.locator("#timeline tbody tr")
    assert timeline.count() == 6
    actions = [timeline.nth(i).locator("td.action").inner_text() for i in range(6)]
    assert actions == ["受理", "派单", "签收", "答复", "审核通过", "回访"]
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    order.refresh_from_db()
    assert order.status == Status.CLOSED and order.rating == "satisfied"
    assert WorkOrder.objects.get(pk=order.pk).events.count() == 6
