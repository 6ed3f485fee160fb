"""Attachments are never public and only safe file types get in: no /media/ route even with
DEBUG on, an allowlist by extension and content on every upload path, downloads as attachments."""

from __future__ import annotations

import base64
import importlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import clear_url_caches, reverse

from hotline.intake.channel_testing import make_channel
from hotline.workorders.errors import InvalidInput
from hotline.workorders.models import Attachment, WorkOrder
from hotline.workorders.services import workorder_attach
from hotline.workorders.tests import factories as f
from hotline.workorders.uploads import upload_check

PAGE = b"<!DOCTYPE html><script>alert(document.cookie)</script>"
EXE = b"MZ\x90\x00\x03" + b"\x00" * 60
BAD = [("page.html", PAGE), ("setup.exe", EXE), ("page.txt", PAGE), ("photo.jpg", PAGE)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def check(name: str, content: bytes) -> str:
    upload = SimpleUploadedFile(name, content)
    return upload_check(name=name, size=upload.size, file=upload)


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("现场.JPG", b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
        ("回复函.pdf", b"%PDF-1.7\n", "application/pdf"),
        (
            "说明.docx",
            b"PK\x03\x04rest",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("通知.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "application/vnd.ms-works"),
        ("情况.txt", "供水已恢复。".encode("gb18030"), "text/plain"),
        ("录音.amr", b"#!AMR\n", "audio/amr"),
        ("录音.mp3", b"ID3\x03", "audio/mpeg"),
    ],
)
def test_it_accepts_listed_types_and_names_the_content_type(name, content, content_type):
    assert check(name, content) == content_type


@pytest.mark.parametrize(("name", "content"), [*BAD, ("noext", b"x"), ("a.svg", b"<svg/>")])
def test_it_refuses_unlisted_types_and_disguised_content_naming_the_file(name, content):
    with pytest.raises(InvalidInput) as err:
        check(name, content)
    assert f"「{name}」" in err.value.message and err.value.field == "file"


def test_it_serves_no_media_url_even_with_debug_on(client, org, settings, media):
    order = f.in_progress(org)
    attachment = workorder_attach(
        order=order, actor=org.bob, file=SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n")
    )
    assert (media / attachment.file.name).exists()
    settings.DEBUG = True
    import hotline.urls

    try:
        importlib.reload(hotline.urls)
        clear_url_caches()
        assert Client().get(f"/media/{attachment.file.name}").status_code == 404
        client.force_login(org.alice)
        assert client.get(f"/media/{attachment.file.name}").status_code == 404
    finally:
        settings.DEBUG = False
        importlib.reload(hotline.urls)
        clear_url_caches()


def test_it_downloads_as_an_attachment_with_nosniff(client, org):
    order = f.in_progress(org)
    attachment = workorder_attach(
        order=order, actor=org.bob, file=SimpleUploadedFile("a.txt", b"hello")
    )
    client.force_login(org.bob)
    for url in (
        reverse("workorder_attachment", args=[order.number, attachment.pk]),
        f"/api/workorders/{order.number}/attachments/{attachment.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("name", "content"), BAD)
def test_it_refuses_bad_files_on_the_agent_desk(client, org, media, name, content):
    order = f.in_progress(org)
    client.force_login(org.bob)
    response = client.post(
        reverse("workorder_attach", args=[order.number]),
        {"file": SimpleUploadedFile(name, content, content_type="image/jpeg")},
    )
    assert response.status_code == 400
    assert name in response.content.decode()
    assert not Attachment.objects.exists() and stored(media) == []


@pytest.mark.parametrize(("name", "content"), BAD)
def test_it_refuses_bad_files_on_the_api(client, org, media, name, content):
    order = f.in_progress(org)
    client.force_login(org.bob)
    response = client.post(
        f"/api/workorders/{order.number}/attachments",
        {"file": SimpleUploadedFile(name, content, content_type="image/png")},
    )
    assert response.status_code == 400
    assert name in json.dumps(response.json(), ensure_ascii=False)
    assert not Attachment.objects.exists() and stored(media) == []


@pytest.mark.parametrize(("name", "content"), BAD)
def test_it_refuses_bad_files_in_a_unit_reply(client, org, media, name, content):
    order = f.in_progress(org)
    client.force_login(org.bob)
    prefix = f"reply-{order.number}"
    response = client.post(
        reverse("desk_unit_act", args=[order.number, "reply"]),
        {
            f"{prefix}-expected_version": order.version,
            f"{prefix}-note": "已处理",
            f"{prefix}-files": [SimpleUploadedFile(name, content)],
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert name in response.content.decode()
    order.refresh_from_db()
    assert order.status == "in_progress"
    assert not Attachment.objects.exists() and stored(media) == []


@pytest.mark.parametrize(("name", "content"), BAD)
def test_it_refuses_bad_files_from_a_channel(org, media, name, content):
    _channel, key = make_channel()
    body = {
        "title": "路灯不亮",
        "content": "东城小区3号楼前路灯连续三晚不亮。",
        "requester_name": "李女士",
        "requester_phone": "13912345678",
        "attachments": [{"name": name, "data": base64.b64encode(content).decode()}],
    }
    response = Client().post(
        "/api/channel/requests",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_X_CHANNEL_KEY=key,
    )
    assert response.status_code == 400
    assert response.json()["field"] == "attachments.0.name"
    assert name in json.dumps(response.json(), ensure_ascii=False)
    assert not WorkOrder.objects.exists() and stored(media) == []


def test_it_links_the_admin_to_the_scoped_download(client, org, django_user_model):
    order = f.in_progress(org)
    attachment = workorder_attach(
        order=order, actor=org.bob, file=SimpleUploadedFile("a.pdf", b"%PDF-1.4")
    )
    admin = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin)
    page = client.get(f"/admin/workorders/attachment/{attachment.pk}/change/").content.decode()
    assert reverse("workorder_attachment", args=[order.number, attachment.pk]) in page
    assert "/media/" not in page


def test_it_tells_the_browser_which_types_to_offer(client, org):
    order = f.in_progress(org)
    client.force_login(org.bob)
    page = client.get(reverse("workorder_detail", args=[order.number])).content.decode()
    assert 'accept=".jpg,.jpeg,.png' in page and ".html" not in page.split('accept="')[1][:400]
