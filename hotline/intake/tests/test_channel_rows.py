"""The rows of an order's creation are written by `insert_row` (an INSERT compiled once per
process) instead of `save()`: each model's row must be exactly the one `save()` writes, field by
field, on SQLite and on PostgreSQL; the number drawn inside the order's INSERT (PostgreSQL) must
follow the day's count; a refused guard or a retried idempotency key must not consume a number;
and the SMS row's state must honour the opt-out list read inside its INSERT."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from hotline.catalog.models import RequestType, Urgency
from hotline.intake.channel_auth import channel_for_key, channel_revoke_key
from hotline.intake.channel_testing import make_channel, post_lamp
from hotline.intake.models import (
    Channel,
    ChannelRequest,
    NoticeKind,
    SmsMessage,
    SmsOptOut,
    WebhookDelivery,
)
from hotline.intake.sms_notices import sms_insert
from hotline.workorders.choices import Action, Status
from hotline.workorders.inserts import insert_row, receivers_of
from hotline.workorders.models import WorkOrder, WorkOrderEvent
from hotline.workorders.numbering import format_number, next_number, number_expr, sequence_name


def _row(model: type[models.Model], pk: int) -> dict[str, Any]:
    row = model._default_manager.filter(pk=pk).values().get()
    row.pop("id")
    return row


def _pair(make: Any, differ: tuple[str, ...] = ()) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same instance written by save() and by insert_row, read back without their ids and
    the fields that must differ (unique columns)."""
    by_orm, by_insert = make(0), make(1)
    by_orm.save(force_insert=True)
    insert_row(by_insert)
    assert by_insert.pk and by_insert.pk != by_orm.pk and not by_insert._state.adding
    a, b = _row(type(by_orm), by_orm.pk), _row(type(by_insert), by_insert.pk)
    for name in differ:
        assert a.pop(name) != b.pop(name)
    return a, b


def _order(org: Any, i: int) -> WorkOrder:
    at = timezone.now().replace(microsecond=123456)
    return WorkOrder(
        number=f"T{i}",
        status=Status.REGISTERED,
        version=1,
        channel="app",
        request_type=RequestType.objects.get(code="complaint"),
        urgency=Urgency.objects.get(code="normal"),
        title="路灯不亮 <b>x</b>",
        content="东城小区3号楼前路灯不亮。\n第二行",
        address="东城小区",
        region=org.street,
        requester_name="张三",
        requester_phone="13912345678",
        is_confidential=True,
        attributes={"LAMP": ["1", "二"], "n": 3},
        centre=org.centre,
        query_code="012345",
        registered_by=org.alice,
        created_at=at,
        updated_at=at,
    )


def test_no_model_signal_listens_to_the_rows_insert_row_writes(db):
    for model in (WorkOrder, WorkOrderEvent, SmsMessage, WebhookDelivery, ChannelRequest):
        assert not receivers_of(model), model


def test_insert_row_writes_the_rows_save_writes(org):
    a, b = _pair(lambda i: _order(org, i), differ=("number",))
    assert a == b and a["attributes"] == {"LAMP": ["1", "二"], "n": 3}
    assert a["lead_unit_id"] is None and a["created_at"].microsecond == 123456

    first = _order(org, 9)
    first.save()
    now = timezone.now()

    def event(i: int) -> WorkOrderEvent:
        return WorkOrderEvent(
            order=first,
            seq=10 + i,
            action=Action.REGISTER,
            from_status="",
            to_status=Status.REGISTERED,
            actor=org.alice,
            actor_unit=org.centre,
            payload={"channel": "app", "x": None},
            is_public=True,
            created_at=now,
        )

    a, b = _pair(event, differ=("seq",))
    assert a == b

    saved_event = WorkOrderEvent.objects.filter(order=first).first()

    def sms(i: int) -> SmsMessage:
        return SmsMessage(
            order=first,
            event=saved_event,
            kind=(NoticeKind.REGISTERED, NoticeKind.DISPATCHED)[i],  # one of each per event
            phone="13912345678",
            text="您的诉求已受理，编号 T9",
            created_at=now,
        )

    a, b = _pair(sms, differ=("kind",))
    assert a == b and a["state"] == "queued" and a["sent_at"] is None

    channel, _key = make_channel(webhook_url="https://example.org/hook", webhook_secret="s")
    other, _key = make_channel(name="政务APP", webhook_url=channel.webhook_url)

    def delivery(i: int) -> WebhookDelivery:
        return WebhookDelivery(
            channel=(channel, other)[i],  # one row per channel and event
            event=saved_event,
            kind=NoticeKind.REGISTERED,
            url=channel.webhook_url,
            payload={"number": "T9", "note": "", "event_id": 1},
            next_attempt_at=now,
            created_at=now,
        )

    a, b = _pair(delivery, differ=("channel_id",))
    assert a == b

    def request(i: int) -> ChannelRequest:
        return ChannelRequest(
            channel=channel,
            idempotency_key=f"k-{i}",
            token=f"tok-{i}",
            state=ChannelRequest.State.CREATED,
            order=first if i else None,
            response={"token": f"tok-{i}", "number": "T9", "status": "registered"},
            lat=Decimal("38.123456"),
            long=None,
            external_id="wx-1",
            created_at=now,
        )

    a, b = _pair(request, differ=("idempotency_key", "token", "order_id", "response"))
    assert a == b and a["lat"] == Decimal("38.123456")


def test_the_sms_row_honours_the_opt_out_list_in_its_insert(org):
    order = _order(org, 1)
    order.save()
    queued = SmsMessage(order=order, kind="registered", phone="13912345678", text="t")
    sms_insert(queued)
    SmsOptOut.objects.create(phone="13900000000")
    opted = SmsMessage(order=order, kind="registered", phone="13900000000", text="t")
    sms_insert(opted)
    assert (queued.state, opted.state) == ("queued", "opted_out")
    assert SmsMessage.objects.get(pk=queued.pk).state == "queued"
    assert SmsMessage.objects.get(pk=opted.pk).state == "opted_out"


def test_a_retried_key_consumes_no_number(org):
    _channel, key = make_channel(rate_limit=0)
    first = post_lamp(key, "a", 1).json()["number"]
    again = post_lamp(key, "a", 1)
    assert again.status_code == 200 and again.json()["number"] == first
    after = post_lamp(key, "b", 2).json()["number"]
    assert int(after) == int(first) + 1  # no number was drawn for the retry


def _expr(at: Any, guard: Any = None) -> tuple[str, list[Any]]:
    expr = number_expr(at, guard)
    assert expr is not None
    return expr


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the number's SQL is PostgreSQL's")
def test_the_number_drawn_in_the_insert_follows_the_days_count(org):
    at = timezone.now()
    day = timezone.localdate(at)
    before = next_number(at)
    sql, params = _expr(at)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({sql})", params)
        drawn = cursor.fetchone()[0]
    assert drawn == format_number(day, int(before[8:]) + 1)
    # A refused guard: the INSERT fails on the number's NOT NULL, and no number is drawn.
    order = _order(org, 2)
    order.number = ""  # replaced by the expression
    refused = _expr(at, ("FALSE AND %s = %s", [1, 1]))
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_row(order, exprs={"number": refused}, returning=("number",))
    order.pk = None
    insert_row(order, exprs={"number": _expr(at)}, returning=("number",))
    assert order.number == format_number(day, int(before[8:]) + 2)
    assert WorkOrder.objects.get(pk=order.pk).number == order.number
    # Past six digits the number grows to seven, as format_number's: on a day of its own (the
    # sequences are not rolled back with the test), within the keep window.
    other = at - timedelta(days=3)
    number_expr(other)  # creates that day's sequence
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval('{sequence_name(timezone.localdate(other))}', 1234566)")
    order.pk = None
    insert_row(order, exprs={"number": _expr(other)}, returning=("number",))
    assert order.number == format_number(timezone.localdate(other), 1234567)
    assert len(order.number) == 15


def test_the_key_lookup_reads_the_channel_the_orm_reads(db):
    channel, key = make_channel(webhook_url="https://example.org/hook", webhook_secret="s")
    found = channel_for_key(key)
    assert found is not None and not found._state.adding
    expected = Channel.objects.get(pk=channel.pk)
    for f in Channel._meta.concrete_fields:
        assert getattr(found, f.attname) == getattr(expected, f.attname), f.name
    assert found.operations == channel.operations and found.allows("create")
    assert found.key_rotated_at is not None and found.revoked_at is None
    channel_revoke_key(channel=channel)
    assert channel_for_key(key) is None  # at once: nothing cached
