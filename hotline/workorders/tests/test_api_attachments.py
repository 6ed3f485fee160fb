import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hotline.workorders.models import Attachment
from hotline.workorders.tests import factories as f
from hotline.workorders.tests.samples import png

PHOTO = png()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, order, content=PHOTO, name="现场.png", **extra):
    data = {"file": SimpleUploadedFile(name, content, content_type="image/png"), **extra}
    return client.post(f"/api/workorders/{order.number}/attachments", data)


def test_it_attaches_a_file_and_records_an_event(org, client):
    order = f.in_progress(org)
    client.force_login(org.bob)
    r = upload(client, order, note="维修前照片")
    assert r.status_code == 201, r.json()
    attachment = Attachment.objects.get(order=order)
    assert (attachment.name, attachment.size, attachment.uploaded_by) == (
        "现场.png",
        len(PHOTO),
        org.bob,
    )
    event = order.events.last()
    assert (event.action, event.note, event.payload["attachment"]) == (
        "attach",
        "维修前照片",
        attachment.pk,
    )
    assert r.json()["id"] == attachment.pk
    download = client.get(r.json()["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PHOTO
    detail = client.get(f"/api/workorders/{order.number}").json()
    assert [a["name"] for a in detail["attachments"]] == ["现场.png"]


def test_it_refuses_an_empty_or_missing_file(org, client):
    order = f.in_progress(org)
    client.force_login(org.bob)
    r = upload(client, order, content=b"")
    assert (r.status_code, r.json()["field"]) == (400, "file")
    r = client.post(f"/api/workorders/{order.number}/attachments", {"note": "无文件"})
    assert (r.status_code, r.json()["field"]) == (400, "file")
    assert not Attachment.objects.exists()
    assert order.events.count() == 3


def test_it_refuses_a_file_over_the_limit(org, client, settings):
    settings.HOTLINE = {**settings.HOTLINE, "ATTACHMENT_MAX_BYTES": 4}
    order = f.in_progress(org)
    client.force_login(org.bob)
    r = upload(client, order)
    assert (r.status_code, r.json()["field"]) == (400, "file")
    assert not Attachment.objects.exists()


def test_it_hides_attachments_from_another_unit(org, client):
    order = f.in_progress(org)
    client.force_login(org.bob)
    url = upload(client, order).json()["url"]
    client.force_login(org.charlie)
    assert upload(client, order).status_code == 404
    assert client.get(url).status_code == 404
    assert Attachment.objects.count() == 1
