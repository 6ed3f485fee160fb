"""The knowledge API: list and search, an entry with its history, create, patch and the moves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hotline.accounts.models import ApiToken
from hotline.knowledge.choices import EntryStatus
from hotline.knowledge.models import Entry, Revision
from hotline.knowledge.services import knowledge_entry_update

from .factories import category, entry, water_stop

pytestmark = pytest.mark.django_db

ENTRIES = "/api/knowledge/entries"


def _counts() -> tuple[int, int]:
    return Entry.objects.count(), Revision.objects.count()


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def _patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


# --- reading ----------------------------------------------------------------------------------


def test_it_lists_what_the_caller_may_see(client, org):
    live = water_stop(org)
    draft = entry(org, actor=org.bella, status=EntryStatus.DRAFT, title="水表报停")
    client.force_login(org.alice)
    body = client.get(ENTRIES).json()
    assert [e["id"] for e in body["items"]] == [live.pk]
    assert body["count"] == 1 and body["next_cursor"] is None
    item = body["items"][0]
    assert item["status"] == "published" and item["live"] is True
    assert item["unit"] == {"id": org.water.pk, "code": "U-WATER", "name": "县自来水公司"}
    assert item["category"]["full_name"] == "城乡建设 / 供水 / 停水"
    assert item["match"] is None
    client.force_login(org.bella)
    assert [e["id"] for e in client.get(ENTRIES).json()["items"]] == [draft.pk, live.pk]


def test_it_searches_and_says_what_matched(client, org):
    water_stop(org)
    entry(org, title="燃气费怎么缴纳", answer="营业厅缴纳。", keywords="燃气费")
    client.force_login(org.alice)
    body = client.get(ENTRIES, {"q": "停水了什么时候来水"}).json()
    assert [e["title"] for e in body["items"]] == ["停水什么时候恢复供水"]
    assert "停水" in body["items"][0]["match"]["terms"]
    assert body["items"][0]["match"]["score"] > 0


def test_it_pages_with_a_cursor(client, org):
    for i in range(5):
        entry(org, title=f"条目 {i}")
    client.force_login(org.alice)
    first = client.get(ENTRIES, {"size": 2}).json()
    assert [e["title"] for e in first["items"]] == ["条目 4", "条目 3"]
    assert first["count"] == 5
    third = client.get(ENTRIES, {"size": 2, "cursor": "4"}).json()
    assert [e["title"] for e in third["items"]] == ["条目 0"] and third["next_cursor"] is None
    second = client.get(ENTRIES, {"size": 2, "cursor": first["next_cursor"]}).json()
    assert [e["title"] for e in second["items"]] == ["条目 2", "条目 1"]
    bad = client.get(ENTRIES, {"cursor": "abc"})
    assert bad.status_code == 400 and bad.json()["field"] == "cursor"
    assert client.get(ENTRIES, {"size": 0}).json()["field"] == "size"


def test_it_filters_and_names_a_bad_filter(client, org):
    water_stop(org)
    pending = entry(org, actor=org.bella, status=EntryStatus.PENDING, title="水表更换")
    soon = entry(org, title="错峰供水", valid_until=timezone.localdate() + timedelta(days=3))
    client.force_login(org.sue)
    assert [e["id"] for e in client.get(ENTRIES, {"review": True}).json()["items"]] == [pending.pk]
    assert [e["id"] for e in client.get(ENTRIES, {"term": "expiring"}).json()["items"]] == [soon.pk]
    r = client.get(ENTRIES, {"status": "lost"})
    assert r.status_code == 400
    assert r.json()["code"] == "invalid" and r.json()["field"] == "status"
    assert "lost" in r.json()["message"]


def test_an_entry_comes_with_its_history(client, org):
    row = water_stop(org)
    knowledge_entry_update(actor=org.sue, entry=row, version=1, keywords="停水 断水", note="补充")
    client.force_login(org.bob)
    body = client.get(f"{ENTRIES}/{row.pk}").json()
    assert body["version"] == 2 and body["uses"] == 0
    assert [(r["version"], r["action"], r["note"]) for r in body["revisions"]] == [
        (2, "edit", "补充"),
        (1, "create", ""),
    ]
    assert body["revisions"][1]["keywords"] == "停水 没水 来水"


def test_an_entry_one_may_not_see_is_a_404(client, org):
    draft = entry(org, actor=org.bella, status=EntryStatus.DRAFT)
    client.force_login(org.charlie)
    for response in (
        client.get(f"{ENTRIES}/{draft.pk}"),
        _patch(client, f"{ENTRIES}/{draft.pk}", {"version": 1, "title": "x"}),
        _post(client, f"{ENTRIES}/{draft.pk}/submit", {"version": 1}),
        client.get(f"{ENTRIES}/987654"),
    ):
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_it_answers_a_bearer_token(client, org):
    water_stop(org)
    _token, key = ApiToken.issue(user=org.alice, name="desk")
    r = client.get(ENTRIES, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 200 and r.json()["count"] == 1
    client.logout()
    assert client.get(ENTRIES).status_code == 401


# --- writing ----------------------------------------------------------------------------------


def _body(**kw):
    body = {
        "title": "停水后水费怎么算",
        "answer": "停水期间不计水费。",
        "keywords": "水费",
        "category": category("城乡建设", "供水", "停水").pk,
        "request_type": "inquiry",
        "region": "610831",
        "unit": "U-WATER",
        "valid_until": None,
        "status": "pending",
        "note": "新政策",
    }
    body.update(kw)
    return body


def test_bella_creates_an_entry_for_review(client, org):
    client.force_login(org.bella)
    r = _post(client, ENTRIES, _body())
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status"] == "pending" and body["version"] == 1 and body["live"] is False
    assert body["region"]["code"] == "610831" and body["request_type"]["code"] == "inquiry"
    row = Entry.objects.get(pk=body["id"])
    assert (row.unit, row.created_by, row.region) == (org.water, org.bella, org.county)
    assert row.revisions.get().note == "新政策"


@pytest.mark.parametrize(
    ("actor", "overrides", "status", "field", "words"),
    [
        ("bella", {"status": "published"}, 403, None, "督办员"),
        ("bella", {"unit": "U-HOUSING"}, 403, "unit", "县住建局"),
        ("bob", {"status": "draft"}, 403, "unit", "无权维护"),
        ("bella", {"unit": "NOPE"}, 400, "unit", "单位 NOPE 不存在"),
        ("bella", {"title": ""}, 400, "title", "请填写"),
        ("bella", {"answer": "答" * 4001}, 400, "answer", "答复口径不能超过 4000 字"),
        ("bella", {"category": 999999}, 400, "category", "诉求分类 999999 不存在"),
        ("bella", {"request_type": "nope"}, 400, "request_type", "诉求类型 nope 不存在"),
        ("bella", {"status": "retired"}, 400, "status", "draft"),
        ("sue", {"category": None, "valid_until": "2020-01-01", "status": "published"}, 400,
         "valid_until", "有效期已过"),
    ],
)  # fmt: skip
def test_a_refused_create_is_named_and_writes_nothing(
    client, org, actor, overrides, status, field, words
):
    client.force_login(getattr(org, actor))
    r = _post(client, ENTRIES, _body(**overrides))
    assert r.status_code == status, r.json()
    assert r.json()["field"] == field and words in r.json()["message"]
    assert _counts() == (0, 0)


def test_a_non_leaf_category_is_refused(client, org):
    client.force_login(org.sue)
    r = _post(client, ENTRIES, _body(category=category("城乡建设", "供水").pk))
    assert r.status_code == 400 and r.json()["field"] == "category"
    assert "最末一级" in r.json()["message"]


def test_a_patch_changes_only_the_given_fields(client, org):
    row = water_stop(org, valid_until=timezone.localdate() + timedelta(days=10))
    client.force_login(org.sue)
    r = _patch(
        client, f"{ENTRIES}/{row.pk}", {"version": 1, "keywords": "断水", "valid_until": None}
    )
    assert r.status_code == 200, r.json()
    row.refresh_from_db()
    assert (row.keywords, row.valid_until, row.version) == ("断水", None, 2)
    assert row.title == "停水什么时候恢复供水" and row.category is not None
    assert row.status == EntryStatus.PUBLISHED


def test_a_managers_patch_sends_a_published_entry_to_review(client, org):
    row = water_stop(org)
    client.force_login(org.bella)
    r = _patch(client, f"{ENTRIES}/{row.pk}", {"version": 1, "answer": "6 小时内恢复。"})
    assert r.status_code == 200 and r.json()["status"] == "pending"


def test_a_stale_patch_is_a_409_and_writes_nothing(client, org):
    row = water_stop(org)
    knowledge_entry_update(actor=org.sue, entry=row, version=1, keywords="断水")
    before = _counts()
    client.force_login(org.bella)
    r = _patch(client, f"{ENTRIES}/{row.pk}", {"version": 1, "answer": "旧页面上的修改"})
    assert r.status_code == 409
    assert r.json()["code"] == "conflict" and r.json()["field"] == "version"
    row.refresh_from_db()
    assert row.answer != "旧页面上的修改" and _counts() == before


def test_a_patch_needs_a_version_and_may_not_clear_the_answer(client, org):
    row = water_stop(org)
    client.force_login(org.sue)
    r = _patch(client, f"{ENTRIES}/{row.pk}", {"answer": "新答复"})
    assert r.status_code == 400 and r.json()["field"] == "version"
    assert "版本号" in r.json()["message"]
    r = _patch(client, f"{ENTRIES}/{row.pk}", {"version": 1, "answer": None})
    assert r.status_code == 400 and r.json()["field"] == "answer"
    assert r.json()["message"] == "答复口径不能为空"


def test_the_moves_follow_the_review_cycle(client, org):
    row = entry(org, actor=org.bella, status=EntryStatus.DRAFT)
    client.force_login(org.bella)
    r = _post(client, f"{ENTRIES}/{row.pk}/submit", {"version": 1, "note": "请审核"})
    assert r.status_code == 200 and r.json()["status"] == "pending"
    r = _post(client, f"{ENTRIES}/{row.pk}/publish", {"version": 2})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    client.force_login(org.sue)
    r = _post(client, f"{ENTRIES}/{row.pk}/reject", {"version": 2})
    assert r.status_code == 400 and r.json()["field"] == "note"
    r = _post(client, f"{ENTRIES}/{row.pk}/publish", {"version": 2, "note": "同意"})
    assert r.status_code == 200 and r.json()["live"] is True
    r = _post(client, f"{ENTRIES}/{row.pk}/publish", {"version": 3})
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    r = _post(client, f"{ENTRIES}/{row.pk}/retire", {"version": 2, "note": "过时"})
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    r = _post(client, f"{ENTRIES}/{row.pk}/retire", {"version": 3, "note": "政策废止"})
    assert r.status_code == 200 and r.json()["status"] == "retired"
    assert [x["action"] for x in r.json()["revisions"]] == ["retire", "publish", "submit", "create"]
    r = _post(client, f"{ENTRIES}/{row.pk}/delete", {"version": 4})
    assert r.status_code in (400, 404, 405)
    row.refresh_from_db()
    assert row.version == 4
