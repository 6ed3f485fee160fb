"""The admin's entry form goes through the services: every save a revision, a stale version
refused; revisions and uses are read-only there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hotline.accounts.services import user_create
from hotline.knowledge.choices import EntryStatus
from hotline.knowledge.models import Entry, Revision
from hotline.knowledge.services import knowledge_entry_update, knowledge_use_record
from hotline.workorders.tests.factories import registered

from .factories import category, water_stop

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(org, client):
    user = user_create(username="root", password="x-12345-word", is_superuser=True)
    client.force_login(user)
    return user


def _form(org, **kw):
    values = {
        "title": "停水后水费怎么算",
        "keywords": "水费",
        "answer": "停水期间不计水费。",
        "basis": "",
        "category": category("城乡建设", "供水", "停水").pk,
        "request_type": "",
        "region": "",
        "unit": org.water.pk,
        "valid_until": "",
        "note": "",
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }
    values.update(kw)
    return values


def test_an_entry_added_in_the_admin_has_its_first_revision(client, org, root):
    response = client.post(
        reverse("admin:knowledge_entry_add"),
        _form(org, new_status="published", note="由后台录入"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    row = Entry.objects.get()
    assert (row.status, row.version, row.created_by) == (EntryStatus.PUBLISHED, 1, root)
    assert [(r.action, r.note) for r in row.revisions.all()] == [("create", "由后台录入")]


def test_an_admin_edit_is_a_revision(client, org, root):
    row = water_stop(org)
    url = reverse("admin:knowledge_entry_change", args=[row.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="seen_version" value="1"' in page.content.decode()
    form = _form(
        org, title=row.title, answer="抢修 6 小时内恢复。", seen_version=1, note="后台修改"
    )
    form["revisions-TOTAL_FORMS"] = form["revisions-INITIAL_FORMS"] = "1"
    response = client.post(url, form)
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.answer, row.version, row.updated_by) == ("抢修 6 小时内恢复。", 2, root)
    last = row.revisions.get(version=2)
    assert (last.action, last.actor, last.note) == ("edit", root, "后台修改")


def test_a_stale_admin_edit_is_refused_and_writes_nothing(client, org, root):
    row = water_stop(org)
    knowledge_entry_update(actor=org.sue, entry=row, version=1, keywords="断水")
    before = (Entry.objects.count(), Revision.objects.count())
    response = client.post(
        reverse("admin:knowledge_entry_change", args=[row.pk]),
        _form(org, title=row.title, answer="旧页面的修改", seen_version=1),
    )
    assert response.status_code == 200
    assert "第 2 版" in response.content.decode()
    row.refresh_from_db()
    assert row.answer != "旧页面的修改" and row.version == 2
    assert (Entry.objects.count(), Revision.objects.count()) == before


def test_a_service_refusal_is_shown_beside_its_field(client, org, root):
    response = client.post(
        reverse("admin:knowledge_entry_add"),
        _form(org, category=category("城乡建设", "供水").pk, new_status="draft"),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "最末一级" in errors["category"][0]
    assert not Entry.objects.exists()


def test_revisions_and_uses_are_read_only(client, org, root):
    row = water_stop(org)
    use = knowledge_use_record(actor=org.alice, entry_id=row.pk, order=registered(org))
    revision = row.revisions.get()
    assert client.get(reverse("admin:knowledge_revision_add")).status_code == 403
    assert client.get(reverse("admin:knowledge_use_add")).status_code == 403
    page = client.get(reverse("admin:knowledge_revision_change", args=[revision.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert use is not None
    assert client.get(reverse("admin:knowledge_use_changelist")).status_code == 200
    assert client.get(reverse("admin:knowledge_entry_changelist"), {"q": "停水"}).status_code == 200
    assert client.get(reverse("admin:knowledge_entry_delete", args=[row.pk])).status_code == 403
