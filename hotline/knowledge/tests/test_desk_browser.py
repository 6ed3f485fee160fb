"""The desk's 知识库 card in a real browser (Debian's Chromium driven by Playwright): the agent
types the caller's question, the card offers the entry, 采用答复 (from the keyboard) fills the
answer, and 直接办结 registers the order with the entry's use."""

import pytest

from hotline.catalog.models import RequestType
from hotline.core.testing import PASSWORD, make_org
from hotline.knowledge.choices import EntryStatus
from hotline.knowledge.models import Use
from hotline.knowledge.services import knowledge_entry_create
from hotline.workorders.choices import Action, Status
from hotline.workorders.models import WorkOrder

ANSWER = (
    "计划停水由县自来水公司提前一天在小区公告栏和公众号发布，时间一般不超过八小时；"
    "突发停水可拨打供水服务热线查询恢复时间。停水期间可到临时供水点取水，"
    "老人和行动不便的住户可请社区网格员协助送水上门。"
)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_answers_a_call_from_the_knowledge_base(browser, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_org()
    entry = knowledge_entry_create(
        actor=org.sue,
        unit=org.water,
        title="咨询停水什么时候恢复供水",
        keywords="停水 没水 来水",
        answer=ANSWER,
        request_type=RequestType.objects.get(code="inquiry"),
        status=EntryStatus.PUBLISHED,
    )

    page = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("#main button[type=submit]")
    page.wait_for_url("**/intake/desk/")

    kb = page.locator("#knowledge-matches")
    assert "输入标题或诉求内容后" in kb.inner_text()  # the empty state, before anything is typed
    page.keyboard.type("13912345678")
    page.select_option("#id_request_type", "inquiry")
    page.focus("#id_content")
    page.keyboard.type("家里停水了，请问什么时候恢复供水？")
    adopt = kb.locator(f"button.kb-adopt[data-entry='{entry.pk}']")
    adopt.wait_for()
    text = kb.inner_text()
    assert "咨询停水什么时候恢复供水" in text and "县自来水公司" in text
    assert set(kb.locator("mark").all_inner_texts()) >= {"停水", "恢复供水"}
    # A long answer shows its first lines; 展开全文 opens it.
    more = kb.locator(".kb-more")
    assert more.get_attribute("aria-expanded") == "false"
    more.click()
    assert more.get_attribute("aria-expanded") == "true" and more.inner_text() == "收起"
    assert page.input_value("#id_answer") == ""

    # 采用答复 from the keyboard: the answer field gets the answer and the focus.
    adopt.focus()
    page.keyboard.press("Enter")
    assert page.input_value("#id_answer") == ANSWER
    assert page.input_value("#id_knowledge_entry") == str(entry.pk)
    assert page.evaluate("document.activeElement.id") == "id_answer"
    assert adopt.get_attribute("aria-pressed") == "true" and adopt.inner_text() == "已采用"
    # The agent adds a word of their own: still answered from the entry.
    page.keyboard.press("End")
    page.keyboard.type("已告知来电人。")

    page.click("#submit-resolve")
    page.locator("#intake-result-number").wait_for()
    order = WorkOrder.objects.get()
    assert page.locator("#intake-result-number").inner_text() == order.number
    assert order.status == Status.AWAITING_CALLBACK
    assert list(order.events.values_list("action", flat=True)) == [
        Action.REGISTER,
        Action.RESOLVE_AT_INTAKE,
    ]
    use = Use.objects.get()
    assert (use.entry_id, use.order_id, use.version, use.used_by_id) == (
        entry.pk,
        order.pk,
        1,
        org.alice.pk,
    )
    # The next call starts clean: no entry carried over.
    assert page.input_value("#id_knowledge_entry") == ""
    assert "输入标题或诉求内容后" in kb.inner_text()
