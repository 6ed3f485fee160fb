"""Logging: a 403 is one warning line without a traceback, written once (DEBUG on or off); a
500 keeps its traceback."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path

from hotline.urls import urlpatterns as project_urls


def forbidden(request):
    raise PermissionDenied("只有派单员可以使用此工作台")


def broken(request):
    raise RuntimeError("boom")


urlpatterns = [path("t/forbidden/", forbidden), path("t/broken/", broken), *project_urls]


@pytest.fixture
def log(settings):
    """Every plain stream handler the logs reach, writing into one buffer."""
    settings.ROOT_URLCONF = __name__
    out = io.StringIO()
    handlers = {
        h
        for name in ("", "django", "django.request")
        for h in logging.getLogger(name).handlers
        if type(h) is logging.StreamHandler
    }
    old = {h: h.setStream(out) for h in handlers}
    yield out
    for h, stream in old.items():
        h.setStream(stream)


@pytest.mark.parametrize("debug", [False, True])
def test_it_logs_a_403_once_without_a_traceback(settings, log, debug):
    settings.DEBUG = debug
    response = Client().get("/t/forbidden/")
    assert response.status_code == 403
    lines = [line for line in log.getvalue().splitlines() if line]
    assert lines == ["Forbidden (Permission denied): /t/forbidden/"]


def test_it_keeps_the_traceback_of_a_500(settings, log):
    response = Client(raise_request_exception=False).get("/t/broken/")
    assert response.status_code == 500
    text = log.getvalue()
    assert text.count("Internal Server Error: /t/broken/") == 1
    assert "Traceback" in text and "RuntimeError: boom" in text
