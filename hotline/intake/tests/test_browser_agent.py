"""The agent's desk in a real browser (Debian's Chromium driven by Playwright): a call taken
down with the keyboard, the caller's history appearing as the number is typed."""

import pytest

from hotline.catalog.models import Category
from hotline.core.testing import PASSWORD, make_org
from hotline.workorders.choices import Action, Status
from hotline.workorders.models import WorkOrder
from hotline.workorders.tests import factories

PHONE = "13912345678"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_takes_a_call_down_with_the_keyboard(browser, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_org()
    leaf = Category.objects.get(name="夜间施工", parent__name="噪声污染")
    traffic = Category.objects.get(name="交通噪声", parent__name="噪声污染")
    earlier = factories.dispatched(
        org, requester_phone=PHONE, title="工地夜间施工扰民", category=leaf.pk
    )

    page = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("#main button[type=submit]")
    page.wait_for_url("**/intake/desk/")  # the agent lands on the desk

    # The phone field has the focus: the agent just types.
    assert page.evaluate("document.activeElement.id") == "id_requester_phone"
    page.keyboard.type(PHONE)
    history = page.locator("#caller-history")
    history.locator(f"a[href='/orders/{earlier.number}/']").wait_for()
    assert "工地夜间施工扰民" in history.inner_text() and "已派单" in history.inner_text()

    # A script filling the category (as an accepted dispatch suggestion does) is kept: only
    # typing in the box drops an earlier choice.
    page.evaluate(
        """([id, name]) => {
          for (const [el, v] of [["id_category", id], ["id_category_search", name]]) {
            const input = document.getElementById(el);
            input.value = v;
            input.dispatchEvent(new Event("input", {bubbles: true}));
            input.dispatchEvent(new Event("change", {bubbles: true}));
          }
        }""",
        [str(traffic.pk), "环境保护 / 噪声污染 / 交通噪声"],
    )
    page.wait_for_timeout(400)
    assert page.input_value("#id_category") == str(traffic.pk)
    assert page.locator("#category-options li").count() == 0

    # The category type-ahead, with the keyboard only.
    page.focus("#id_category_search")
    page.keyboard.press("Control+A")
    page.keyboard.type("噪声")
    options = page.locator("#category-options li[role=option]")
    options.first.wait_for()
    names = options.all_inner_texts()
    assert "环境保护 / 噪声污染 / 夜间施工" in names
    for _ in range(names.index("环境保护 / 噪声污染 / 夜间施工")):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # picks; must not submit the form
    assert page.input_value("#id_category") == str(leaf.pk)
    assert page.input_value("#id_category_search") == "环境保护 / 噪声污染 / 夜间施工"
    assert page.locator("#category-options li").count() == 0
    assert WorkOrder.objects.count() == 1
    # The same caller has an open order on this matter: the repeat warning offers it.
    warning = page.locator("#repeat-warning")
    warning.locator(f"button[name=merge_into][value='{earlier.number}']").wait_for()
    assert "重复诉求提示" in warning.inner_text()

    page.fill("#id_address", "双湖峪街道幸福小区 3 号楼")
    # Sent without the content: the form comes back with the error beside it, the focus there,
    # and what was typed (the category too) still in place; nothing is written.
    page.click("#submit-dispatch")
    page.locator("#error-content").wait_for()
    assert page.locator("#error-content").inner_text() == "请填写诉求内容"
    assert page.evaluate("document.activeElement.id") == "id_content"
    assert page.input_value("#id_requester_phone") == PHONE
    assert page.input_value("#id_category") == str(leaf.pk)
    assert page.input_value("#id_category_search") == "环境保护 / 噪声污染 / 夜间施工"
    history.locator(f"a[href='/orders/{earlier.number}/']").wait_for()
    assert WorkOrder.objects.count() == 1

    page.keyboard.type("小区旁工地每晚施工到凌晨两点，噪声很大，无法入睡。")
    page.fill("#id_requester_name", "李女士")
    page.click("#submit-dispatch")
    page.locator("#intake-result-number").wait_for()

    order = WorkOrder.objects.exclude(pk=earlier.pk).get()
    assert page.locator("#intake-result-number").inner_text() == order.number
    assert page.locator("#intake-result-code").inner_text() == order.query_code
    assert order.status == Status.REGISTERED and order.category_id == leaf.pk
    assert order.requester_phone == PHONE and order.registered_by == org.alice
    assert list(order.events.values_list("action", flat=True)) == [Action.REGISTER]
    # Ready for the next call: a clear form, the focus on the phone field.
    assert page.input_value("#id_requester_phone") == ""
    assert page.evaluate("document.activeElement.id") == "id_requester_phone"
    assert order.number in page.locator("#today-orders").inner_text()
