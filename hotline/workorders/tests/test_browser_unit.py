"""The unit inbox and the callback desk in a real browser (Debian's Chromium via Playwright):
bob acknowledges and replies with a file from his inbox without leaving it, carl rates the order
from the callback queue. Every step is an htmx swap of the order's row."""

from pathlib import Path

import pytest

from hotline.core.testing import PASSWORD, make_org
from hotline.workorders.choices import Action, Status
from hotline.workorders.models import Attachment, WorkOrder
from hotline.workorders.tests import factories

SCREENSHOT = Path("/tmp/unit-inbox.png")


def _login(browser, live_server, username, lands_on):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#main button[type=submit]")
    page.wait_for_url(f"**{lands_on}**")
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_acknowledges_replies_and_rates_from_the_desks(
    browser,
    live_server,
    settings,
    tmp_path,
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path
    org = make_org()
    order = factories.dispatched(org, title="幸福小区停水", requester_phone="13800138000")
    row = f"#order-{order.number}"

    page = _login(browser, live_server, "bob", "/desk/unit/")
    page.click(f"{row} a[data-action='acknowledge']")
    page.click(f"{row} form[data-action='acknowledge'] button[type=submit]")
    page.wait_for_selector(f"{row} tr.row-done")
    assert f"已签收：工单 {order.number}" in page.inner_text(f"{row} tr.row-done")
    # Still on the inbox: the row now offers the reply, and the tab counts followed the move.
    assert page.url.endswith("/desk/unit/")
    assert page.inner_text("#tab-acknowledge") == "待签收 0"
    assert page.inner_text("#tab-in_progress") == "办理中 1"
    page.click(f"{row} a[data-action='reply']")
    page.fill(f"#id_reply-{order.number}-note", "已更换破裂管道，恢复供水。")
    photo = tmp_path / "现场照片.txt"
    photo.write_text("维修前后对比")
    page.set_input_files(f"#id_reply-{order.number}-files", str(photo))
    page.click(f"{row} form[data-action='reply'] button[type=submit]")
    page.wait_for_selector(f"{row} tr.row-done >> text=已答复")
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    order.refresh_from_db()
    assert order.status == Status.REPLIED
    assert list(Attachment.objects.filter(order=order).values_list("name", flat=True)) == [
        "现场照片.txt"
    ]

    factories.move(order, Action.ACCEPT_REPLY, org.sue)

    page = _login(browser, live_server, "carl", "/callbacks/")
    cb = f"#cb-{order.number}"
    page.click(f"{cb} a[data-open='{order.number}']")
    page.wait_for_selector(f"{cb} .cb-phone")
    assert page.inner_text(f"{cb} .cb-phone") == "13800138000"
    assert "已更换破裂管道" in page.inner_text(f"{cb} .cb-answer")
    page.check(f"input[name='callback-{order.number}-rating'][value='satisfied']")
    page.check(f"input[name='callback-{order.number}-solved'][value='yes']")
    page.fill(f"#id_callback-{order.number}-note", "群众表示满意")
    page.click(f"{cb} form[data-action='callback'] button[type=submit]")
    page.wait_for_selector(f"{cb} tr.row-done")
    assert "已办结" in page.inner_text(f"{cb} tr.row")
    order = WorkOrder.objects.get(pk=order.pk)
    assert (order.status, order.rating, order.solved) == (Status.CLOSED, "satisfied", True)
    assert list(order.events.values_list("action", flat=True)) == [
        "register",
        "dispatch",
        "acknowledge",
        "reply",
        "attach",
        "accept_reply",
        "callback",
    ]
