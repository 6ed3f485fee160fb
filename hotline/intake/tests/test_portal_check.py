"""查询进度: number (or query code) + phone shows what a requester may see, and nothing else."""

from __future__ import annotations

import re

import pytest

from hotline.workorders.choices import Action
from hotline.workorders.tests import factories

from .test_portal_support import portal_cache

pytestmark = pytest.mark.usefixtures("portal_cache")
__all__ = ["portal_cache"]

PHONE = "13700001111"
NOT_FOUND = "没有找到与该编号（或查询码）和电话相符的工单"


def _check(client, ref, phone=PHONE):
    return client.post("/portal/check/", {"ref": ref, "phone": phone})


def _alert(response):
    match = re.search(r'<div class="p-alert".*?</div>', response.content.decode(), re.S)
    assert match is not None
    return match.group(0)


def test_it_shows_the_form(client, org):
    response = client.get("/portal/check/")
    assert response.status_code == 200
    assert "工单编号或查询码" in response.content.decode()


def test_it_shows_state_and_reply_but_no_internal_notes_or_staff(client, org):
    order = factories.awaiting_callback(org, requester_phone=PHONE, title="停水")
    factories.move(order, Action.ADD_NOTE, org.sue, note="内部备注：此户系重复来电")
    response = _check(client, order.number)
    assert response.status_code == 200
    html = response.content.decode()
    assert "已答复，等待您的评价" in html
    assert "已抢修，恢复供水。" in html  # the unit's reply
    assert org.water.name in html
    assert "诉求已受理" in html and "已转交承办单位" in html  # public events
    assert "内部备注" not in html
    for person in (org.alice, org.dave, org.sue, org.bob, org.carl):
        assert person.username not in html
        assert person.display_name not in html
    assert "签收" not in html  # a unit's internal step is not a public event
    assert response["Cache-Control"].startswith("max-age=0")


def test_it_finds_the_order_by_query_code_and_phone(client, org):
    order = factories.dispatched(org, requester_phone=PHONE)
    response = _check(client, order.query_code, phone="137 0000 1111")
    assert response.status_code == 200
    html = response.content.decode()
    assert order.number in html
    assert "已转交承办单位，等待办理" in html


def test_it_finds_a_landline_written_with_or_without_its_dash(client, org):
    order = factories.registered(org, requester_phone="0912-3456789")
    assert _check(client, order.query_code, phone="09123456789").status_code == 200
    assert _check(client, order.number, phone="0912 3456789").status_code == 200


def test_it_answers_a_wrong_phone_as_it_answers_a_missing_number(client, org):
    order = factories.registered(org, requester_phone=PHONE)
    wrong_phone = _check(client, order.number, phone="13700002222")
    missing = _check(client, "20991231000001")
    wrong_code = _check(client, order.query_code, phone="13700002222")
    for response in (wrong_phone, missing, wrong_code):
        assert response.status_code == 404
        assert NOT_FOUND in response.content.decode()
        assert order.title not in response.content.decode()
    # The same answer, word for word (the page differs only in the echoed input and token).
    assert _alert(wrong_phone) == _alert(missing) == _alert(wrong_code)


def test_it_keeps_the_reply_hidden_until_the_hotline_accepts_it(client, org):
    order = factories.replied(org, requester_phone=PHONE)
    html = _check(client, order.number).content.decode()
    assert "热线正在审核答复" in html
    assert "已抢修，恢复供水。" not in html
    assert 'id="rate"' not in html


def test_it_shows_the_answer_given_at_intake(client, org):
    order = factories.registered(org, requester_phone=PHONE)
    factories.move(
        order, Action.RESOLVE_AT_INTAKE, org.alice, note="停水通知已发布，今晚 8 点恢复。"
    )
    html = _check(client, order.number).content.decode()
    assert "停水通知已发布，今晚 8 点恢复。" in html
    assert "热线已当场答复" in html


def test_it_never_shows_a_reason_given_to_the_unit(client, org):
    order = factories.returned(org, requester_phone=PHONE)
    html = _check(client, order.number).content.decode()
    assert "正在重新确定承办单位" in html
    assert "自备井" not in html and "城市供水条例" not in html
