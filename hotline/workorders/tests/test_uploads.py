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
from hotline.workorders.tests import samples
from hotline.workorders.uploads import DOCX, PPTX, XLSX, upload_check

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


# A real file of each kind, made by the library that writes it (samples.py).
REAL = [
    ("现场.JPG", samples.jpeg, "image/jpeg"),
    ("现场.png", samples.png, "image/png"),
    ("现场.gif", lambda: samples.image("GIF"), "image/gif"),
    ("现场.webp", lambda: samples.image("WEBP"), "image/webp"),
    ("现场.bmp", lambda: samples.image("BMP"), "image/bmp"),
    ("现场.tiff", lambda: samples.image("TIFF"), "image/tiff"),
    ("现场.heic", samples.heic, "image/heic"),
    ("回复函.pdf", samples.pdf, "application/pdf"),
    ("说明.docx", samples.docx, DOCX),
    ("台账.xlsx", samples.xlsx, XLSX),
    ("通知.odt", samples.odt, "application/vnd.oasis.opendocument.text"),
    ("通知.wps", samples.docx, "application/vnd.ms-works"),
    ("情况.txt", lambda: "供水已恢复。".encode("gb18030"), "text/plain"),
    ("情况.txt", lambda: "供水已恢复。\n".encode(), "text/plain"),
    ("名单.csv", lambda: "路段,时间\n东城路,8:00\n".encode(), "text/csv"),
    ("说明.rtf", lambda: b"{\\rtf1\\ansi water}", "application/rtf"),
    ("录音.amr", samples.amr, "audio/amr"),
    ("录音.mp3", samples.mp3, "audio/mpeg"),
    ("录音.wav", samples.wav, "audio/wav"),
    ("演示.pptx", samples.pptx, PPTX),
    (
        "报表.ods",
        lambda: samples.odf("spreadsheet"),
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
    (
        "演示.odp",
        lambda: samples.odf("presentation"),
        "application/vnd.oasis.opendocument.presentation",
    ),
    ("旧稿.doc", samples.ole, "application/msword"),
    ("旧表.xls", samples.ole, "application/vnd.ms-excel"),
    ("旧表.et", samples.ole, "application/vnd.ms-excel"),
    ("录音.m4a", samples.m4a, "audio/mp4"),
    ("录音.aac", samples.aac, "audio/aac"),
    ("录音.ogg", samples.ogg, "audio/ogg"),
    ("录音.opus", samples.opus, "audio/ogg"),
    ("录音.wma", samples.wma, "audio/x-ms-wma"),
]


@pytest.mark.parametrize(("name", "make", "content_type"), REAL)
def test_it_accepts_listed_types_and_names_the_content_type(name, make, content_type):
    assert check(name, make()) == content_type


def test_a_long_text_cut_inside_a_character_is_still_text():
    """The head ends inside a 3-byte character (UTF-8) or a 2-byte one (GB18030)."""
    for text, encoding in (("供水已恢复。", "utf-8"), ("供水已恢复。", "gb18030")):
        for shift in range(3):  # the cut falls at each byte of a character in turn
            content = ("x" * shift + text * 20000).encode(encoding)
            assert check("情况.txt", content) == "text/plain"


# The content of one allowed kind under the extension of another: refused, each way round.
SWAPPED = [
    ("说明.docx", samples.xlsx),
    ("台账.xlsx", samples.docx),
    ("现场.png", samples.jpeg),
    ("现场.jpg", samples.png),
    ("录音.mp3", samples.wav),
    ("录音.wav", lambda: samples.image("WEBP")),  # RIFF too, but not WAVE
    ("回复函.pdf", samples.docx),
    ("情况.txt", samples.png),
    ("现场.jpg", lambda: b"\xff\xd8photo"),  # a signature's first bytes alone are no JPEG
    ("演示.pptx", samples.docx),
    ("报表.ods", samples.odt),
    ("旧稿.doc", samples.docx),
    ("录音.m4a", samples.heic),  # an ISO box too, but a photo's
    ("录音.ogg", samples.wav),
    ("录音.wma", samples.mp3),
]


@pytest.mark.parametrize(("name", "make"), SWAPPED)
def test_it_refuses_content_of_another_kind(name, make):
    with pytest.raises(InvalidInput) as err:
        check(name, make())
    assert f"「{name}」的内容不是" in err.value.message


# A page renamed, and files that are both a valid image (or document) and a web page.
POLYGLOTS = [
    ("page.jpg", PAGE),
    ("page.txt", b"\xef\xbb\xbf  " + PAGE),
    ("现场.gif", b"GIF89a/*<html><script>alert(1)</script></html>*/" + bytes(40)),
    ("现场.png", samples.png() + b"<script>alert(document.cookie)</script>"),
    ("说明.txt", "请看<iframe src=//evil>".encode()),
    ("a.txt", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
]


@pytest.mark.parametrize(("name", "content"), POLYGLOTS)
def test_it_refuses_pages_and_polyglots(name, content):
    with pytest.raises(InvalidInput) as err:
        check(name, content)
    assert f"「{name}」" in err.value.message


def test_it_serves_no_media_url_even_with_debug_on(client, org, settings, media):
    order = f.in_progress(org)
    attachment = workorder_attach(
        order=order, actor=org.bob, file=SimpleUploadedFile("现场.png", samples.png())
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
        order=order, actor=org.bob, file=SimpleUploadedFile("a.pdf", samples.pdf())
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


def hotline_with(settings, **changes):
    settings.HOTLINE = {**settings.HOTLINE, **changes}


def test_a_city_can_add_and_remove_extensions(settings, client, org):
    mp4 = samples.heic().replace(b"ftypheic", b"ftypisom").replace(b"mif1heic", b"isomavc1")
    with pytest.raises(InvalidInput, match="类型不允许上传"):
        check("现场.mp4", mp4)
    hotline_with(settings, ATTACHMENT_EXTENSIONS="+mp4,-bmp")
    assert check("现场.mp4", mp4) == "video/mp4"
    with pytest.raises(InvalidInput) as err:
        check("现场.bmp", samples.image("BMP"))
    assert "视频" in err.value.message
    order = f.in_progress(org)
    client.force_login(org.bob)
    page = client.get(reverse("workorder_detail", args=[order.number])).content.decode()
    accept = page.split('accept="')[1].split('"')[0].split(",")
    assert ".mp4" in accept and ".bmp" not in accept


def test_a_city_can_replace_the_list(settings):
    hotline_with(settings, ATTACHMENT_EXTENSIONS=["pdf", "JPG"])
    assert check("a.pdf", samples.pdf()) == "application/pdf"
    assert check("a.jpg", samples.jpeg()) == "image/jpeg"
    with pytest.raises(InvalidInput) as err:
        check("a.png", samples.png())
    assert "（允许：PDF、图片）" in err.value.message


@pytest.mark.parametrize("value", ["pdf,exe", "+html", "pdf,+jpg"])
def test_an_unknown_or_mixed_extension_setting_is_a_configuration_error(settings, value):
    from django.core.exceptions import ImproperlyConfigured

    hotline_with(settings, ATTACHMENT_EXTENSIONS=value)
    with pytest.raises(ImproperlyConfigured, match="HOTLINE_ATTACHMENT_EXTENSIONS"):
        check("a.pdf", samples.pdf())
