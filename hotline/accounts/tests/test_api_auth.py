from datetime import timedelta

import time_machine
from django.test import Client
from django.utils import timezone

from hotline.accounts.models import ApiToken
from hotline.core.testing import PASSWORD


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_it_issues_a_token_for_username_and_password(org, client):
    r = client.post(
        "/api/auth/tokens",
        {"username": "bob", "password": PASSWORD, "name": "水务系统对接"},
        content_type="application/json",
    )
    assert r.status_code == 201
    body = r.json()
    token = ApiToken.objects.get(user=org.bob)
    assert token.name == "水务系统对接"
    assert token.key_hash == ApiToken.hash_key(body["key"])
    assert body["prefix"] == body["key"][:8] == token.prefix


def test_it_refuses_a_token_for_a_wrong_password(org, client):
    r = client.post(
        "/api/auth/tokens",
        {"username": "bob", "password": "wrong"},
        content_type="application/json",
    )
    assert r.status_code == 401
    assert r.json() == {"code": "unauthenticated", "message": "用户名或密码错误", "field": None}
    assert not ApiToken.objects.exists()


def test_it_names_the_missing_field_when_asking_for_a_token(org, client):
    r = client.post("/api/auth/tokens", {"username": "bob"}, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["field"] == "password"
    assert not ApiToken.objects.exists()


def test_it_authenticates_with_a_bearer_token(org, client):
    _, key = ApiToken.issue(user=org.bob, name="t")
    r = client.get("/api/me", headers=bearer(key))
    assert r.status_code == 200
    body = r.json()
    assert body["username"] == "bob"
    assert body["roles"] == ["unit_handler"]
    assert body["units"][0]["unit"]["code"] == "U-WATER"
    assert body["units"][0]["role_label"] == "承办人"


def test_it_refuses_a_revoked_token(org, client):
    token, key = ApiToken.issue(user=org.bob, name="t")
    token.revoked_at = timezone.now()
    token.save()
    r = client.get("/api/me", headers=bearer(key))
    assert r.status_code == 401
    assert r.json()["code"] == "unauthenticated"


def test_it_refuses_a_revoked_token_on_a_write_with_401_not_a_csrf_error(org):
    token, key = ApiToken.issue(user=org.alice, name="t")
    token.revoked_at = timezone.now()
    token.save()
    client = Client(enforce_csrf_checks=True)
    r = client.post(
        "/api/workorders", {"title": "x"}, content_type="application/json", headers=bearer(key)
    )
    assert r.status_code == 401


def test_it_refuses_an_unknown_token_and_no_credentials(org, client):
    assert client.get("/api/me", headers=bearer("nonsense")).status_code == 401
    assert client.get("/api/me").status_code == 401
    assert client.get("/api/workorders").status_code == 401


def test_it_refuses_the_token_of_a_deactivated_user(org, client):
    _, key = ApiToken.issue(user=org.bob, name="t")
    org.bob.is_active = False
    org.bob.save()
    assert client.get("/api/me", headers=bearer(key)).status_code == 401


def test_it_records_last_use_at_most_once_a_minute(org, client):
    token, key = ApiToken.issue(user=org.bob, name="t")
    with time_machine.travel("2025-03-03 09:00:00+08:00", tick=False):
        client.get("/api/me", headers=bearer(key))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    with time_machine.travel("2025-03-03 09:00:40+08:00", tick=False):
        client.get("/api/me", headers=bearer(key))
    token.refresh_from_db()
    assert token.last_used_at == first
    with time_machine.travel("2025-03-03 09:01:30+08:00", tick=False):
        client.get("/api/me", headers=bearer(key))
    token.refresh_from_db()
    assert token.last_used_at == first + timedelta(seconds=90)


def test_it_authenticates_with_the_browser_session(org, client):
    assert client.login(username="charlie", password=PASSWORD)
    r = client.get("/api/me")
    assert r.status_code == 200
    assert r.json()["username"] == "charlie"


def test_it_requires_csrf_for_session_writes(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.alice)
    body = {
        "channel": "phone",
        "request_type": "inquiry",
        "title": "公积金提取",
        "content": "咨询公积金提取条件",
        "requester_phone": "13900000000",
    }
    r = client.post("/api/workorders", body, content_type="application/json")
    assert r.status_code == 403
    assert r.json()["code"] == "csrf"
    client.get("/api/me")  # any page sets the CSRF cookie for a logged-in browser
    csrf = client.get("/admin/login/").cookies["csrftoken"].value
    r = client.post(
        "/api/workorders", body, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert r.status_code == 201


def test_it_does_not_require_csrf_for_bearer_writes(org):
    _, key = ApiToken.issue(user=org.alice, name="t")
    client = Client(enforce_csrf_checks=True)
    r = client.post(
        "/api/workorders",
        {
            "channel": "app",
            "request_type": "inquiry",
            "title": "公积金提取",
            "content": "咨询公积金提取条件",
            "requester_phone": "13900000000",
        },
        content_type="application/json",
        headers=bearer(key),
    )
    assert r.status_code == 201
    assert r.json()["registered_by"] == "alice"
