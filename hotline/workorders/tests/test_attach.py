"""Attachments: an event like any change; a refused upload leaves no file behind."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hotline.workorders.errors import IllegalTransition, InvalidInput, NotPermitted
from hotline.workorders.services import workorder_attach
from hotline.workorders.tests import factories as f


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("现场.jpg", b"\xff\xd8\xff" + b"0" * 100, content_type="image/jpeg")


def test_it_stores_the_file_and_writes_the_event(org, media):
    order = f.in_progress(org)
    attachment = workorder_attach(order=order, actor=org.bob, file=photo(), note="现场照片")
    assert attachment.size == 103 and attachment.name == "现场.jpg"
    assert len(files(media)) == 1
    event = order.events.last()
    assert (event.action, event.note, event.payload["attachment"]) == (
        "attach",
        "现场照片",
        attachment.pk,
    )


def test_it_leaves_no_file_when_refused(org, media):
    order = f.in_progress(org)
    with pytest.raises(NotPermitted):
        workorder_attach(order=order, actor=org.charlie, file=photo())
    closed = f.move(f.registered(org), "mark_invalid", org.alice, note="重复")
    with pytest.raises(IllegalTransition):
        workorder_attach(order=closed, actor=org.alice, file=photo())
    assert files(media) == [] and order.attachments.count() == 0


@pytest.mark.parametrize("size", [0, 21 * 1024 * 1024])
def test_it_refuses_empty_and_oversized_files(org, media, size):
    upload = SimpleUploadedFile("a.bin", b"x" * size)
    with pytest.raises(InvalidInput) as err:
        workorder_attach(order=f.in_progress(org), actor=org.bob, file=upload)
    assert err.value.field == "file" and files(media) == []
