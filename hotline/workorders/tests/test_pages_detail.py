"""The order detail page: fields, assignments, timeline, masking, reveal, attachments."""

from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hotline.workorders.models import Attachment, ContactReveal, WorkOrderEvent
from hotline.workorders.services import workorder_transition


def _detail(order):
    return reverse("workorder_detail", args=[order.number])


def test_it_shows_every_field_and_the_current_assignment(client, org, water_order):
    client.force_login(org.dave)
    response = client.get(_detail(water_order))
    assert response.status_code == 200
    body = response.content.decode()
    for text in (water_order.number, "小区停水", "幸福小区 3 号楼停水两天", "投诉", "电话"):
        assert text in body
    assignment = next(iter(response.context["assignments"]))
    assert assignment.unit == org.water and assignment.is_active
    assert "县自来水公司" in body and "主办" in body


def test_it_lists_the_timeline_with_labels_and_local_time(client, org, water_order):
    workorder_transition(order=water_order, action="acknowledge", actor=org.bob)
    client.force_login(org.dave)
    response = client.get(_detail(water_order))
    events = response.context["events"]
    assert [e.seq for e, _ in events] == [1, 2, 3]
    rows = dict(events[1][1])
    # The dispatch also carries the deadlines the time-limit rules set (sla), in local time.
    clocks = rows.pop("时限")
    due = timezone.localtime(water_order.reply_due_at).strftime("%Y-%m-%d %H:%M")
    assert clocks.startswith("签收时限 ") and f"办结时限 {due}" in clocks
    assert rows == {"主办单位": "县自来水公司", "协办单位": "无"}
    body = response.content.decode()
    assert "已受理 → 已派单" in body and "已派单 → 办理中" in body and "签收" in body
    registered = WorkOrderEvent.objects.get(order=water_order, seq=1).created_at
    # Stored in UTC, shown in Asia/Shanghai (UTC+8).
    shown = registered.astimezone(ZoneInfo("Asia/Shanghai"))
    assert shown.strftime("%Y-%m-%d %H:%M:%S") in body


def test_it_answers_404_for_invisible_and_unknown_orders(client, org, water_order):
    client.force_login(org.charlie)
    assert client.get(_detail(water_order)).status_code == 404
    client.force_login(org.bob)
    assert client.get(reverse("workorder_detail", args=["20990101000001"])).status_code == 404


def test_it_masks_the_phone_for_units_and_logs_the_reveal(client, org, water_order):
    client.force_login(org.bob)
    body = client.get(_detail(water_order)).content.decode()
    assert "138****8000" in body and "13800138000" not in body and "查看完整号码" in body
    response = client.post(reverse("workorder_reveal_phone", args=[water_order.number]))
    assert response.status_code == 200
    assert "13800138000" in response.content.decode()
    reveal = ContactReveal.objects.get()
    assert reveal.order == water_order and reveal.user == org.bob


def test_it_shows_the_full_phone_to_agents_without_a_reveal(client, org, water_order):
    client.force_login(org.carl)
    body = client.get(_detail(water_order)).content.decode()
    assert "13800138000" in body and "查看完整号码" not in body
    assert not ContactReveal.objects.exists()


def test_it_shows_confidential_requesters_as_secret_to_units(client, org, register):
    order = register(is_confidential=True, requester_id_number="610831199001011234")
    workorder_transition(order=order, action="dispatch", actor=org.dave, lead_unit=org.water.pk)
    client.force_login(org.bob)
    response = client.get(_detail(order))
    body = response.content.decode()
    assert response.context["requester"].hidden
    assert "保密" in body and "张三" not in body and "8000" not in body
    assert "查看完整号码" not in body and "该来电人历史工单" not in body
    response = client.post(reverse("workorder_reveal_phone", args=[order.number]))
    assert response.status_code == 403 and "保密" in response.content.decode()
    assert not ContactReveal.objects.exists()


def test_it_refuses_the_reveal_to_charlie_with_404(client, org, water_order):
    client.force_login(org.charlie)
    response = client.post(reverse("workorder_reveal_phone", args=[water_order.number]))
    assert response.status_code == 404
    assert not ContactReveal.objects.exists()


def test_it_shows_the_callers_earlier_orders(client, org, register, water_order):
    earlier = register(title="水压低")
    other_caller = register(requester_phone="13900139000")
    client.force_login(org.alice)
    response = client.get(_detail(water_order))
    assert [o.number for o in response.context["history"]] == [earlier.number]
    body = response.content.decode()
    assert "该来电人历史工单" in body and other_caller.number not in body


def test_it_shows_only_visible_orders_in_the_callers_history(client, org, register, water_order):
    register(title="水压低")  # registered, not sent to the water utility
    client.force_login(org.bob)
    assert client.get(_detail(water_order)).context["history"] == []


def test_it_shows_master_and_linked_orders(client, org, register):
    master = register(title="主单")
    child = register(title="重复来电")
    linked = register(title="相关")
    workorder_transition(order=child, action="merge", actor=org.alice, master=master.number)
    workorder_transition(order=master, action="link", actor=org.alice, other=linked.number)
    client.force_login(org.alice)
    response = client.get(_detail(master))
    assert [o.number for o in response.context["merged_orders"]] == [child.number]
    assert [link.to_order for link in response.context["links"]] == [linked]
    assert client.get(_detail(child)).context["master"] == master


def test_it_uploads_and_serves_an_attachment(client, org, water_order, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(org.bob)
    upload = SimpleUploadedFile("现场照片.txt", b"photo", content_type="text/plain")
    response = client.post(
        reverse("workorder_attach", args=[water_order.number]), {"file": upload, "note": "现场"}
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.name == "现场照片.txt" and attachment.uploaded_by == org.bob
    event = water_order.events.order_by("-seq").first()
    assert event.action == "attach" and event.payload["name"] == "现场照片.txt"
    url = reverse("workorder_attachment", args=[water_order.number, attachment.pk])
    assert b"".join(client.get(url).streaming_content) == b"photo"
    client.force_login(org.charlie)
    assert client.get(url).status_code == 404


def test_it_names_the_missing_file(client, org, water_order):
    client.force_login(org.bob)
    response = client.post(reverse("workorder_attach", args=[water_order.number]), {})
    assert response.status_code == 400
    assert "文件" in response.content.decode()
    assert response.context["attach_form"].errors["file"]
    assert not Attachment.objects.exists()


def test_it_answers_404_to_charlie_uploading_to_bobs_order(client, org, water_order):
    client.force_login(org.charlie)
    upload = SimpleUploadedFile("x.txt", b"x", content_type="text/plain")
    response = client.post(reverse("workorder_attach", args=[water_order.number]), {"file": upload})
    assert response.status_code == 404
    assert not Attachment.objects.exists()
    assert water_order.events.count() == 2
