"""待确认留言: the agent's page for pending message-board posts — list, 确认受理, 并入,
不予受理 — each allowed for agents and dispatchers of a centre and refused to others."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from hotline.core.testing import PASSWORD
from hotline.intake.channel_services import Submission, channel_submit
from hotline.intake.channel_testing import make_channel
from hotline.intake.models import ChannelRequest, SmsMessage
from hotline.workorders.choices import Action, Status
from hotline.workorders.models import WorkOrder, WorkOrderEvent
from hotline.workorders.tests import factories

LIST = reverse("intake_pending")


def decide(token: str) -> str:
    return reverse("intake_pending_decide", args=[token])


@pytest.fixture
def board(org):
    channel, _key = make_channel(name="网络问政", kind="message_board")
    return channel


def post(board, org, **fields) -> ChannelRequest:
    data = {
        "title": "楼下烧烤店油烟大",
        "content": "东城小区3号楼下烧烤店每晚油烟很大，<script>alert(1)</script>",
        "requester_name": "李女士",
        "requester_phone": "13912345678",
        "region": org.street.code,
        "address": "东城小区3号楼",
        "request_type": "complaint",
        **fields,
    }
    req, _created = channel_submit(channel=board, submission=Submission(fields=data))
    assert req.state == ChannelRequest.State.PENDING
    return req


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.parametrize("persona", ["alice", "dave"])
def test_it_lists_pending_posts_to_agents_and_dispatchers(board, org, persona):
    req = post(board, org)
    page = login(getattr(org, persona)).get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "楼下烧烤店油烟大" in html and "网络问政" in html and req.token in html
    assert "<script>alert(1)</script>" not in html  # stored as text, escaped on output
    assert "&lt;script&gt;" in html
    assert "待确认留言" in html  # in the navigation too


@pytest.mark.parametrize("persona", ["bob", "sue", "carl", "ann"])
def test_it_refuses_the_page_to_others_with_the_403_page(board, org, persona):
    req = post(board, org)
    client = login(getattr(org, persona))
    page = client.get(LIST)
    assert page.status_code == 403
    assert "无权处理待确认留言" in page.content.decode()
    refused = client.post(decide(req.token), {"action": "confirm"})
    assert refused.status_code == 403
    req.refresh_from_db()
    assert req.state == ChannelRequest.State.PENDING and WorkOrder.objects.count() == 0


def test_it_sends_anonymous_visitors_to_sign_in(board, org):
    assert Client().get(LIST).status_code == 302


def test_it_shows_possible_repeats(board, org):
    master = factories.registered(org, requester_phone="13912345678", category=_leaf().pk)
    post(board, org, category=master.category_id)
    html = login(org.alice).get(LIST).content.decode()
    assert "可能重复" in html and master.number in html
    assert "同类诉求" in html  # the category's matter, though the texts differ


def test_its_repeats_are_the_desks_search_with_similarity_and_reasons(board, org):
    # No category on the post: the text and the phone find them (the old page's own query
    # needed a category and knew no similarity).
    same_text = {"title": "楼下烧烤店油烟大", "content": "东城小区3号楼下烧烤店每晚油烟很大"}
    done = factories.registered(org, requester_phone="13912345678", **same_text)
    WorkOrder.objects.filter(pk=done.pk).update(status=Status.CLOSED)
    still_open = factories.registered(
        org, requester_phone="13912345678", title="烧烤店油烟", content="楼下烧烤店油烟很大"
    )
    factories.registered(org, requester_phone="13912345678", title="社保卡补办", content="补办")
    post(board, org)
    html = login(org.alice).get(LIST).content.decode()
    assert done.number in html and still_open.number in html
    assert "社保卡补办" not in html  # the same phone on another matter is no repeat
    assert "相似度" in html and "同一来电号码" in html
    assert "该单已不在办理中，不能并入" in html  # the closed one is shown, not offered
    # The merge form offers the most similar order that is still open.
    assert f'name="master" required value="{still_open.number}"' in html


def test_intake_does_not_import_its_peer_dispatch():
    # architecture.md: apps import only downward (core, accounts, catalog, workorders); the
    # repeat search reaches intake through the registry in core.repeats.
    import ast
    from pathlib import Path

    import hotline.intake

    root = Path(hotline.intake.__file__).parent
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.startswith("hotline.dispatch") for n in names), path


def _leaf():
    from hotline.catalog.models import Category

    return Category.objects.filter(is_active=True).exclude(children__isnull=False).first()


def test_it_confirms_a_post_into_a_registered_order_with_event_and_sms(board, org):
    req = post(board, org)
    client = login(org.alice)
    response = client.post(decide(req.token), {"action": "confirm"})
    assert response.status_code == 302
    req.refresh_from_db()
    order = req.order
    assert req.state == ChannelRequest.State.CREATED and req.decided_by == org.alice
    assert order.status == Status.REGISTERED and order.registered_by == org.alice
    assert order.channel == "message_board"
    assert WorkOrderEvent.objects.filter(order=order, action=Action.REGISTER).count() == 1
    assert SmsMessage.objects.filter(order=order, kind="registered").exists()
    page = client.get(LIST)
    assert order.number in page.content.decode()  # the message after the redirect
    assert req.token not in page.content.decode()


def test_it_merges_a_post_into_an_open_order(board, org):
    master = factories.registered(org)
    req = post(board, org)
    response = login(org.dave).post(decide(req.token), {"action": "merge", "master": master.number})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.state == ChannelRequest.State.CREATED
    assert req.order.status == Status.MERGED and req.order.master == master
    assert WorkOrderEvent.objects.filter(order=req.order, action=Action.MERGE).exists()


@pytest.mark.parametrize("master", ["", "20990101000001"])
def test_it_refuses_a_merge_without_a_valid_master_and_keeps_the_post(board, org, master):
    req = post(board, org)
    response = login(org.alice).post(decide(req.token), {"action": "merge", "master": master})
    assert response.status_code in (400, 404)
    assert "主单" in response.content.decode()
    req.refresh_from_db()
    assert req.state == ChannelRequest.State.PENDING and req.order is None
    assert WorkOrder.objects.count() == 0


def test_a_refused_merge_keeps_the_number_the_agent_typed(board, org):
    """QA: the error came back with the master field emptied (or reset to the suggestion)."""
    req = post(board, org)
    response = login(org.alice).post(
        decide(req.token), {"action": "merge", "master": "20990101000001"}
    )
    assert response.status_code in (400, 404)
    html = response.content.decode()
    assert 'name="master" required value="20990101000001"' in html


def test_it_rejects_a_post_with_a_reason(board, org):
    req = post(board, org)
    response = login(org.alice).post(decide(req.token), {"action": "reject", "note": "广告信息"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.state == ChannelRequest.State.REJECTED
    assert req.decision_note == "广告信息" and req.decided_by == org.alice
    assert WorkOrder.objects.count() == 0


def test_it_refuses_a_rejection_without_a_reason(board, org):
    req = post(board, org)
    response = login(org.alice).post(decide(req.token), {"action": "reject", "note": " "})
    assert response.status_code == 400
    assert "请填写不予受理的理由" in response.content.decode()
    req.refresh_from_db()
    assert req.state == ChannelRequest.State.PENDING


def test_it_refuses_an_unknown_action_and_a_decided_post(board, org):
    req = post(board, org)
    client = login(org.alice)
    unknown = client.post(decide(req.token), {"action": "delete"})
    assert unknown.status_code == 400 and "未知的操作" in unknown.content.decode()
    client.post(decide(req.token), {"action": "reject", "note": "重复"})
    again = client.post(decide(req.token), {"action": "confirm"})
    assert again.status_code == 404
    assert WorkOrder.objects.count() == 0


def test_it_keeps_a_sub_centre_to_its_own_region(board, org):
    from hotline.accounts.choices import Role
    from hotline.accounts.services import user_create

    sub_agent = user_create(
        username="sam", password=PASSWORD, memberships=[(org.sub_centre, Role.AGENT)]
    )
    mine = post(board, org, region=org.other_county.code, title="榆阳区的留言")
    theirs = post(board, org, title="子洲县的留言")
    no_region = post(board, org, region=None, title="未写区划的留言")
    client = login(sub_agent)
    html = client.get(LIST).content.decode()
    assert "榆阳区的留言" in html
    assert "子洲县的留言" not in html and "未写区划的留言" not in html
    assert client.post(decide(theirs.token), {"action": "confirm"}).status_code == 404
    assert client.post(decide(no_region.token), {"action": "confirm"}).status_code == 404
    assert client.post(decide(mine.token), {"action": "confirm"}).status_code == 302
    # The top-level centre sees the posts that name no region.
    assert "未写区划的留言" in login(org.alice).get(LIST).content.decode()
