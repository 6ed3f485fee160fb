"""The whole closed loop in a real browser (Debian's Chromium via Playwright), each person in
their own browser session, only through the pages: the agent takes the call down, the dispatcher
dispatches it from the queue, the unit acknowledges and replies from its inbox, the supervisor
accepts the reply, the callback agent rates it — and the order page shows everything that
happened. Beside it: a citizen submits on the portal and checks progress, a unit is refused
another unit's order, and the filtered list exports as a spreadsheet that opens."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command
from openpyxl import load_workbook

from hotline.catalog.models import Category
from hotline.core.testing import PASSWORD, make_org
from hotline.workorders.choices import Action, Status
from hotline.workorders.models import WorkOrder

PHONE = "13955556666"


def _login(browser, live_server, username, lands_on):
    # Downloads accepted: the last step saves the exported list.
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1400, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#main button[type=submit]")
    page.wait_for_url(f"**{lands_on}**")
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_carries_one_order_through_the_loop_by_five_people(
    browser,
    live_server,
    settings,
    tmp_path,
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path
    org = make_org()
    leaf = Category.objects.get(name="夜间施工", parent__name="噪声污染")

    # 话务员: the call, taken down on the intake desk.
    page = _login(browser, live_server, "alice", "/intake/desk/")
    page.keyboard.type(PHONE)
    page.focus("#id_category_search")
    page.keyboard.type("夜间施工")
    page.locator("#category-options li[role=option]").first.wait_for()
    page.keyboard.press("Enter")
    assert page.input_value("#id_category") == str(leaf.pk)
    page.fill("#id_address", "双湖峪街道幸福小区 3 号楼")
    page.fill("#id_content", "小区旁工地每晚施工到凌晨两点，噪声很大，无法入睡。")
    page.fill("#id_requester_name", "李女士")
    page.click("#submit-dispatch")
    page.locator("#intake-result-number").wait_for()
    number = page.locator("#intake-result-number").inner_text()
    order = WorkOrder.objects.get(number=number)
    assert order.status == Status.REGISTERED and order.registered_by == org.alice

    # 派单员: dispatched from the queue to the housing bureau, in place.
    page = _login(browser, live_server, "dave", "/desk/dispatch/")
    row = page.locator(f"#row-{number}")
    row.locator(f"select[name=lead_unit][data-order='{number}']").select_option(label="县住建局")
    row.get_by_role("button", name="派发").click()
    page.locator(f"#row-{number} td.ok").wait_for()

    # 承办单位: acknowledged and answered from the inbox.
    page = _login(browser, live_server, "charlie", "/desk/unit/")
    inbox_row = f"#order-{number}"
    page.click(f"{inbox_row} a[data-action='acknowledge']")
    page.click(f"{inbox_row} form[data-action='acknowledge'] button[type=submit]")
    page.wait_for_selector(f"{inbox_row} tr.row-done")
    page.click(f"{inbox_row} a[data-action='reply']")
    page.fill(f"#id_reply-{number}-note", "已责令施工单位夜间停工，并安排夜查。")
    page.click(f"{inbox_row} form[data-action='reply'] button[type=submit]")
    page.wait_for_selector(f"{inbox_row} tr.row-done >> text=已答复")

    # Another unit does not even learn that the order exists.
    other = _login(browser, live_server, "bob", "/desk/unit/")
    response = other.goto(f"{live_server.url}/orders/{number}/")
    assert response is not None and response.status == 404

    # 督办员: the reply accepted on the review tab.
    page = _login(browser, live_server, "sue", "/desk/supervise/")
    review = page.locator(f"#row-{number}")
    assert "已责令施工单位夜间停工" in review.inner_text()
    review.get_by_role("button", name="审核通过").click()
    page.locator(f"#row-{number} td.ok").wait_for()

    # 回访员: the requester called back and satisfied.
    page = _login(browser, live_server, "carl", "/callbacks/")
    cb = f"#cb-{number}"
    page.click(f"{cb} a[data-open='{number}']")
    page.wait_for_selector(f"{cb} .cb-phone")
    assert page.inner_text(f"{cb} .cb-phone") == PHONE
    page.check(f"input[name='callback-{number}-rating'][value='satisfied']")
    page.check(f"input[name='callback-{number}-solved'][value='yes']")
    page.fill(f"#id_callback-{number}-note", "群众表示满意")
    page.click(f"{cb} form[data-action='callback'] button[type=submit]")
    page.wait_for_selector(f"{cb} tr.row-done")

    order.refresh_from_db()
    assert (order.status, order.rating, order.solved) == (Status.CLOSED, "satisfied", True)
    assert list(order.events.values_list("action", flat=True)) == [
        Action.REGISTER,
        Action.DISPATCH,
        Action.ACKNOWLEDGE,
        Action.REPLY,
        Action.ACCEPT_REPLY,
        Action.CALLBACK,
    ]
    # The order page tells the whole story: who did what, when.
    page.goto(f"{live_server.url}/orders/{number}/")
    timeline = page.locator("#timeline").inner_text()
    for who in ("alice", "dave", "charlie", "sue", "carl"):
        assert who in timeline
    for step in ("受理", "派单", "签收", "答复", "审核通过", "回访"):
        assert step in timeline
    assert "已办结" in page.locator("#order-status").inner_text()

    # The dispatcher's filtered list, exported: the file opens and holds exactly that row.
    page = _login(browser, live_server, "dave", "/desk/dispatch/")
    page.goto(f"{live_server.url}/orders/?q={number}")
    with page.expect_download() as info:
        page.click("text=导出 XLSX")
    path = tmp_path / "orders.xlsx"
    info.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][0] == "工单编号"
    assert [r[0] for r in rows[1:]] == [number]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_lets_a_citizen_submit_and_follow_a_request(browser, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PORTAL_MIN_FILL_SECONDS = 0  # the bot check's minimum fill time
    call_command("createcachetable", verbosity=0)
    cache.clear()  # the portal's rate-limit counters
    org = make_org()
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/portal/")
    page.click("#go-submit")
    page.get_by_label("求助").check()
    page.fill("#id_content", "幸福小区 3 号楼门前路灯坏了一个月，晚上很黑。")
    page.select_option("#id_region", org.street.code)
    page.fill("#id_address", "双湖峪街道幸福小区 3 号楼")
    page.fill("#id_phone", PHONE)
    page.click("#submit-request")
    page.wait_for_url("**/portal/submit/done/")
    number = page.locator("#order-number").inner_text().strip()
    order = WorkOrder.objects.get(number=number)
    assert (order.channel, order.status) == ("web", Status.REGISTERED)
    # The dispatcher sends it on; the citizen sees it moving, without names or notes.
    desk = _login(browser, live_server, "dave", "/desk/dispatch/")
    row = desk.locator(f"#row-{number}")
    row.locator(f"select[name=lead_unit][data-order='{number}']").select_option(
        label="双湖峪街道办"
    )
    row.get_by_role("button", name="派发").click()
    desk.locator(f"#row-{number} td.ok").wait_for()
    page.goto(f"{live_server.url}/portal/")
    page.click("#go-check")
    page.fill("#id_ref", number)
    page.fill("#id_phone", PHONE)
    page.click("#check-progress")
    page.wait_for_selector("#plain-status")
    assert page.locator("#progress-number").inner_text() == number
    text = page.content()
    assert "已转交承办单位" in page.locator("#plain-status").inner_text()
    assert "dave" not in text  # no staff names
