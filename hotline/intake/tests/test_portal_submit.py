"""我要反映: a citizen's request becomes a registered web order, or nothing is written."""

from __future__ import annotations

import re
import time

import pytest

from hotline.accounts.choices import RegionLevel
from hotline.accounts.models import Region
from hotline.catalog.models import RequestType
from hotline.intake.portal_forms import fill_token
from hotline.workorders.choices import Action, Channel, Status
from hotline.workorders.models import WorkOrder, WorkOrderEvent

from .test_portal_support import portal_cache, submission

pytestmark = pytest.mark.usefixtures("portal_cache")
__all__ = ["portal_cache"]


def test_it_shows_the_home_page_with_both_choices(client, org):
    response = client.get("/portal/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "我要反映" in html and "查询进度" in html
    assert 'name="viewport"' in html
    assert "intake/portal.css" in html


def test_it_offers_the_active_request_types_and_the_service_area(client, org):
    RequestType.objects.filter(code="other").update(is_active=False)
    html = client.get("/portal/submit/").content.decode()
    for name in ("咨询", "求助", "投诉", "举报", "建议"):
        assert f"<span>{name}</span>" in html
    assert "<span>其他</span>" not in html
    assert org.street.name in html and org.county.name in html


def test_it_registers_a_web_order_with_an_event(client, org):
    response = client.post("/portal/submit/", submission(org, title="路灯坏了"))
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert order.status == Status.REGISTERED
    assert order.channel == Channel.WEB
    assert order.registered_by.is_system
    assert order.centre == org.centre
    assert order.region == org.street
    assert order.request_type.code == "complaint"
    assert (order.title, order.requester_phone, order.requester_name) == (
        "路灯坏了",
        "13912345678",
        "李女士",
    )
    assert not order.is_confidential
    assert re.fullmatch(r"\d{6}", order.query_code)
    event = WorkOrderEvent.objects.get(order=order)
    assert (event.action, event.to_status, event.is_public) == (
        Action.REGISTER,
        Status.REGISTERED,
        True,
    )
    done = client.get(response["Location"])
    html = done.content.decode()
    assert f'id="order-number">{order.number}<' in html
    assert f'id="query-code">{order.query_code}<' in html
    assert "妥善保管" in html


def test_it_derives_the_title_from_the_content_when_none_is_given(client, org):
    client.post("/portal/submit/", submission(org, content="  路灯坏了\n一个月  没人修。"))
    assert WorkOrder.objects.get().title == "路灯坏了 一个月 没人修。"


def test_it_records_the_confidentiality_option(client, org):
    client.post("/portal/submit/", submission(org, is_confidential="on", name=""))
    order = WorkOrder.objects.get()
    assert order.is_confidential and order.requester_name == ""


def test_it_sends_the_done_page_home_without_a_submission(client, org):
    response = client.get("/portal/submit/done/")
    assert response.status_code == 302 and response["Location"] == "/portal/"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"phone": ""}, "请填写联系电话"),
        ({"phone": "12345"}, "联系电话「12345」格式不正确"),
        ({"content": ""}, "请填写诉求内容"),
        ({"content": "长" * 5001}, "诉求内容不能超过 5000 字（现为 5001 字）"),
        ({"title": "题" * 201}, "标题不能超过 200 字（现为 201 字）"),
        ({"address": ""}, "请填写详细地址"),
        ({"content": "路灯<script>alert(1)</script>坏了"}, "诉求内容中请勿填写 HTML 标签或脚本"),
        ({"address": '<img src=x onerror="x()">'}, "详细地址中请勿填写 HTML 标签或脚本"),
        ({"request_type": "nonsense"}, "请选择有效的诉求类型"),
        ({"region": ""}, "请选择所在区域"),
        ({"region": "110000"}, "所选区域不在本热线服务范围内"),
    ],
)
def test_it_writes_nothing_for_invalid_input(client, org, overrides, message):
    Region.objects.create(code="110000", name="北京市", level=RegionLevel.PROVINCE)
    response = client.post("/portal/submit/", submission(org, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not WorkOrder.objects.exists()
    assert not WorkOrderEvent.objects.exists()


def test_it_refuses_an_inactive_request_type(client, org):
    RequestType.objects.filter(code="complaint").update(is_active=False)
    response = client.post("/portal/submit/", submission(org))
    assert response.status_code == 400
    assert not WorkOrder.objects.exists()


def test_it_refuses_a_filled_honeypot(client, org):
    response = client.post("/portal/submit/", submission(org, website="http://spam.example"))
    assert response.status_code == 400
    assert "提交未成功" in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_it_refuses_a_form_sent_faster_than_a_person_fills_it(client, org, settings):
    settings.PORTAL_MIN_FILL_SECONDS = 5
    response = client.post("/portal/submit/", submission(org, started=fill_token(time.time())))
    assert response.status_code == 400
    assert "提交过快" in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_it_refuses_a_forged_fill_time(client, org):
    response = client.post("/portal/submit/", submission(org, started="1:forged"))
    assert response.status_code == 400
    assert "页面已失效" in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_it_stores_text_as_text_and_escapes_it(client, org):
    client.post("/portal/submit/", submission(org, title="水压 < 0.1MPa & 很低"))
    order = WorkOrder.objects.get()
    assert order.title == "水压 < 0.1MPa & 很低"
    response = client.post("/portal/check/", {"ref": order.number, "phone": "13912345678"})
    html = response.content.decode()
    assert "水压 &lt; 0.1MPa &amp; 很低" in html
    assert "水压 < 0.1MPa" not in html
