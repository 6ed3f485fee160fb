"""/favicon.ico, which browsers fetch on pages naming no icon (the admin's), is our icon."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.test import Client


def test_it_answers_favicon_ico_with_the_static_icon():
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/static/core/favicon.ico")
    path = finders.find("core/favicon.ico")
    assert path is not None
    with open(path, "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file
