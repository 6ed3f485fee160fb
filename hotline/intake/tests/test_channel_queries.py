"""The query budget of one order created through `POST /api/channel/requests`, pinned so that it
cannot grow back unnoticed (26 before issue #5's throughput work, then 13, 11, now 9 on PostgreSQL).
Reference rows and the
system user come from per-process caches after the first request; the order, its event, the SMS
log row and the webhook outbox row are written in the request's one transaction."""

from __future__ import annotations

from django.db import connection

from hotline.intake.channel_testing import make_channel, post_lamp
from hotline.intake.models import ChannelRequest, SmsMessage, WebhookDelivery
from hotline.workorders.models import WorkOrder, WorkOrderEvent

# The channel by its key; the system user (cached outside a transaction, so only in tests);
# savepoint (BEGIN outside tests); on SQLite the number (the day's row, update + read); the
# order (on PostgreSQL with its number drawn inside the INSERT); its event; the outbox row; the
# SMS row (the opt-out check inside its INSERT); the channel request with its key and answer;
# release (COMMIT outside tests). The SMS template and the category's extra fields come from
# the per-process caches.
# The channels have no rate limit here: the limit's counter is the cache's (Redis in
# production: no query; the database cache of `make run`: several).
QUERIES = 9 if connection.vendor == "postgresql" else 11


def post(key: str, i: int):
    return post_lamp(key, f"q-{i}", i)


def test_it_creates_an_order_in_a_pinned_number_of_queries(org, django_assert_num_queries):
    _channel, key = make_channel(
        webhook_url="https://example.org/hook", webhook_secret="s", rate_limit=0
    )
    assert post(key, 1).status_code == 201  # warms the caches and the day's number sequence
    with django_assert_num_queries(QUERIES):
        r = post(key, 2)
    assert r.status_code == 201
    order = WorkOrder.objects.get(number=r.json()["number"])
    assert WorkOrderEvent.objects.filter(order=order, action="register").count() == 1
    assert SmsMessage.objects.filter(order=order, kind="registered").count() == 1
    assert WebhookDelivery.objects.filter(event__order=order, kind="registered").count() == 1
    assert ChannelRequest.objects.get(idempotency_key="q-2").order == order


def test_it_answers_a_retry_from_the_first_request(org, django_assert_max_num_queries):
    # A retry is rare: it is not looked up first (that would cost every request a query), so it
    # registers in a savepoint that fails on the key (PostgreSQL: in the order's INSERT, before
    # a number is drawn), rolls back and reads the first.
    _channel, key = make_channel(rate_limit=0)
    first = post(key, 1)
    with django_assert_max_num_queries(7 if connection.vendor == "postgresql" else 13):
        again = post(key, 1)
    assert again.status_code == 200 and again.json() == first.json()
    assert WorkOrder.objects.count() == 1
