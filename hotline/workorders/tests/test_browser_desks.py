"""The hotline's desks in a real browser (Debian's Chromium through Playwright): dave dispatches
an order inline from his queue (htmx replaces the row, no reload), meets a 409 in place, and
dispatches the rest in one batch; sue accepts a reply."""

import pytest

from hotline.core.testing import make_org
from hotline.workorders.choices import Action, Status
from hotline.workorders.models import WorkOrder, WorkOrderEvent
from hotline.workorders.tests import factories
from hotline.workorders.tests.test_browser import _login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_dispatches_inline_and_accepts_a_reply_in_a_browser(browser, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_org()
    order = factories.registered(org, title="幸福小区停水", content="3 号楼停水两天。")
    taken = factories.registered(org, title="路灯不亮")
    reply = factories.replied(org, title="井盖缺失")
    batch = [factories.registered(org, title=f"噪音扰民 {i}") for i in range(2)]

    page = _login(browser, live_server, "dave")
    assert page.url.endswith("/desk/dispatch/")
    row = page.locator(f"#row-{order.number}")
    # A marker on the window survives only if the page is not reloaded.
    page.evaluate("window.stayed = true")
    row.locator(f"select[name=lead_unit][data-order='{order.number}']").select_option(
        label="县自来水公司"
    )
    row.get_by_role("button", name="派发").click()
    confirmation = page.locator(f"#row-{order.number} td.ok")
    confirmation.wait_for()
    assert "已派单" in confirmation.inner_text()
    assert page.evaluate("window.stayed") is True
    assert page.locator("#count-dispatch").inner_text() == "3"
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.lead_unit == org.water
    assert WorkOrderEvent.objects.filter(order=order, action=Action.DISPATCH).count() == 1

    # Someone else dispatches the next order while dave's page still shows it: his click is
    # answered 409 and the row says so in place.
    factories.move(taken, Action.DISPATCH, org.sue, lead_unit=org.housing.pk)
    row = page.locator(f"#row-{taken.number}")
    row.locator("select[name=lead_unit]").select_option(label="县自来水公司")
    row.get_by_role("button", name="派发").click()
    refused = page.locator(f"#row-{taken.number} td.fail")
    refused.wait_for()
    assert "已被他人处理" in refused.inner_text()
    assert page.locator("#count-dispatch").inner_text() == "2"

    # The rest at once: tick all, one unit for all.
    page.check("input.check-all")
    page.select_option("#batch-lead-unit", label="县住建局")
    page.get_by_role("button", name="派发所选").click()
    page.locator("#batch-results").wait_for()
    assert "成功 2 件，失败 0 件" in page.locator("#batch-results").inner_text()
    assert page.locator("#count-dispatch").inner_text() == "0"
    for o in batch:
        o.refresh_from_db()
        assert o.status == Status.DISPATCHED and o.lead_unit == org.housing
    assert page.evaluate("window.stayed") is True
    taken.refresh_from_db()
    assert taken.lead_unit == org.housing

    page = _login(browser, live_server, "sue")
    assert page.url.endswith("/desk/supervise/")
    row = page.locator(f"#row-{reply.number}")
    assert "已抢修，恢复供水。" in row.inner_text()
    row.get_by_role("button", name="审核通过").click()
    page.locator(f"#row-{reply.number} td.ok").wait_for()
    assert page.locator("#count-review").inner_text() == "0"
    assert WorkOrder.objects.get(pk=reply.pk).status == Status.AWAITING_CALLBACK
    event = WorkOrderEvent.objects.get(order=reply, action=Action.ACCEPT_REPLY)
    assert event.actor == org.sue
