"""A citizen on a phone: submit a request, keep the number and code, check the progress, and
rate the answer once the hotline has accepted it. Debian's Chromium driven by Playwright."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.core.testing import make_org
from hotline.workorders.choices import Action, Channel, Rating, Status
from hotline.workorders.models import WorkOrder
from hotline.workorders.tests import factories

from .test_portal_support import DB_CACHE

PHONE_VIEWPORT = {"width": 390, "height": 844}
SCREENSHOT = Path("/tmp/portal_progress.png")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_lets_a_citizen_submit_and_check_on_a_phone(browser, live_server, settings):
    from django.core.cache import cache
    from django.core.management import call_command

    settings.CACHES = DB_CACHE
    call_command("createcachetable", verbosity=0)
    cache.clear()
    settings.PORTAL_MIN_FILL_SECONDS = 0
    org = make_org()
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True
    )
    page = context.new_page()

    page.goto(f"{live_server.url}/portal/")
    # Phone-sized: nothing wider than the screen, and the two choices are big tap targets.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    assert page.locator("#go-submit").bounding_box()["height"] >= 48
    page.click("#go-submit")
    # The narrowest phones we serve: the whole form still fits, no sideways scrolling.
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator("#submit-request").bounding_box()["height"] >= 48
    page.set_viewport_size(PHONE_VIEWPORT)

    page.get_by_label("投诉").check()
    page.fill("#id_content", "幸福小区 3 号楼门前路灯坏了一个月，晚上很黑。")
    page.select_option("#id_region", org.street.code)
    page.fill("#id_address", "双湖峪街道幸福小区 3 号楼")
    page.fill("#id_phone", "13912345678")
    page.fill("#id_name", "李女士")
    page.get_by_label("保密：承办单位看不到我的姓名和电话").check()
    page.click("#submit-request")
    page.wait_for_url("**/portal/submit/done/")

    number = page.locator("#order-number").inner_text().strip()
    code = page.locator("#query-code").inner_text().strip()
    order = WorkOrder.objects.get(number=number)
    assert (order.query_code, order.channel, order.status) == (
        code,
        Channel.WEB,
        Status.REGISTERED,
    )
    assert order.is_confidential

    # The hotline carries it to an accepted reply, as its staff would.
    factories.move(order, Action.DISPATCH, org.dave, lead_unit=org.water.pk)
    factories.move(order, Action.ACKNOWLEDGE, org.bob)
    factories.move(order, Action.ADD_NOTE, org.bob, note="内部：联系了路灯所")
    factories.move(order, Action.REPLY, org.bob, note="路灯已于今日修复。")
    factories.move(order, Action.ACCEPT_REPLY, org.sue)

    page.goto(f"{live_server.url}/portal/")
    page.click("#go-check")
    page.fill("#id_ref", code)
    page.fill("#id_phone", "139 1234 5678")
    page.click("#check-progress")
    page.wait_for_selector("#plain-status")
    assert page.locator("#progress-number").inner_text() == number
    assert "等待您的评价" in page.locator("#plain-status").inner_text()
    assert "路灯已于今日修复。" in page.locator("#answer").inner_text()
    assert "联系了路灯所" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # Checked with the code, so the form already holds it; the citizen only rates.
    page.locator("#rate").get_by_label("满意", exact=True).check()
    page.locator("#rate").get_by_label("已解决").check()
    page.click("#submit-rating")
    page.wait_for_selector("#portal-message")
    assert "感谢您的评价" in page.locator("#portal-message").inner_text()
    order.refresh_from_db()
    assert (order.status, order.rating, order.solved) == (Status.CLOSED, Rating.SATISFIED, True)
    context.close()
