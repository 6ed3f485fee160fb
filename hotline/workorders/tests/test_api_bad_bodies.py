"""Bodies that are not what the API takes: a clear error, nothing written."""

from __future__ import annotations

import pytest

from hotline.accounts.models import ApiToken
from hotline.workorders.models import WorkOrder


@pytest.fixture
def api(org, client):
    _, key = ApiToken.issue(user=org.alice, name="test")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("channel=phone&title=x", "application/x-www-form-urlencoded"),
        (b'{"title": "\xff\xfe"}', "application/json"),
    ],
)
def test_it_explains_a_body_it_cannot_read(api, body, content_type):
    response = api.post("/api/workorders", body, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["message"].startswith("请求体无法解析")
    assert WorkOrder.objects.count() == 0


def test_it_refuses_an_oversized_body(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = api.post("/api/workorders", "x" * (2 * 1024 * 1024), content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {
        "code": "too_large",
        "message": "请求体超过 1 MB 上限",
        "field": None,
    }
    assert WorkOrder.objects.count() == 0


def test_it_stores_html_as_text_and_answers_in_utf8(api):
    response = api.post(
        "/api/workorders",
        {
            "channel": "web",
            "request_type": "complaint",
            "title": "<script>alert(1)</script>",
            "content": "<b>噪音</b>扰民",
            "requester_phone": "13800138000",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert "噪音".encode() in response.content  # not \\u escapes
    order = WorkOrder.objects.get()
    assert order.title == "<script>alert(1)</script>"  # kept as typed; templates escape it
