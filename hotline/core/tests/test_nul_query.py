"""A NUL character in a query parameter is a clear 400 naming the parameter, on pages, the
staff API and the channel paths alike, never a server error (PostgreSQL cannot take NUL)."""

from __future__ import annotations

import pytest
from django.test import Client

from hotline.intake.tests.test_channel_wsgi import _keep_the_test_connection  # noqa: F401
from hotline.intake.tests.test_channel_wsgi import call as wsgi_call

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/units?q=a%00b", "/api/categories?q=%00", "/?q=%00"])
def test_a_nul_in_a_query_parameter_is_refused_naming_it(path):
    response = Client().get(path)
    assert response.status_code == 400
    body = response.json()
    assert "NUL" in body["detail"] and body["field"] == "q"


def test_the_channel_paths_refuse_it_too():
    status, _headers, body = wsgi_call("GET", "/api/channel/requests/x", QUERY_STRING="a=%00")
    assert status.startswith("400") and b"NUL" in body


def test_an_ordinary_query_goes_through():
    assert Client().get("/api/units?q=abc").status_code in (200, 401)
