"""Status push to channels (webhooks) from a durable outbox: the moves write one row per
(channel, event) in their own transaction (`notices`), as does the decline of a pending
message-board post (`webhook_rejection_row`); `webhook_deliver` posts it, signed with
HMAC-SHA256, and reschedules it with exponential back-off until the channel answers 2xx."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import urllib.error
import urllib.request
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.workorders.models import WorkOrderEvent

from .models import ChannelRequest, NoticeKind, WebhookDelivery
from .portal_selectors import requester_note

SIGNATURE_HEADER = "X-Hotline-Signature"
# Back-off: 30 s, 1 min, 2 min ... capped at 6 h; given up after this many attempts (~3 days).
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=6)
MAX_ATTEMPTS = 20
# A claimed delivery is not picked again by another worker for this long.
LEASE = timedelta(seconds=60)
TIMEOUT_SECONDS = 10
# The channel request whose order is being registered in this context: its row does not point
# at the order until the registration returns, and the outbox row is written before that.
registering: ContextVar[ChannelRequest | None] = ContextVar("registering", default=None)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    return min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


def _payload(event: WorkOrderEvent, kind: str, req: ChannelRequest) -> dict[str, Any]:
    order = event.order
    return {
        "event_id": event.pk,
        "kind": kind,
        "token": req.token,
        "external_id": req.external_id,
        "number": order.number,
        "status": event.to_status,
        # What the requester may read, by the portal's rule: the reviewed answer with
        # `replied` and `closed`, a transfer's note; never a dispatcher's or unit's internal
        # note. The channel brought the request and speaks to its requester, so it gets the
        # answer as written (also of a confidential order), not Open311's public scrub.
        "note": requester_note(event),
        # The order's version after this event (1, 2, ...): notices of one order are delivered
        # in this order, and a receiver can drop one older than what it already has.
        "version": event.seq,
        "occurred_at": timezone.localtime(event.created_at).isoformat(),
    }


def request_of(event: WorkOrderEvent) -> ChannelRequest | None:
    """The channel request the event's order came from, if any."""
    req = registering.get()
    if req is not None and req.order_id in (None, event.order_id):
        return req
    return ChannelRequest.objects.select_related("channel").filter(order_id=event.order_id).first()


def webhook_row(
    *, event: WorkOrderEvent, kind: str, req: ChannelRequest | None
) -> WebhookDelivery | None:
    """The unsaved outbox row for the channel the order came from, if it has a webhook."""
    if req is None or not req.channel.webhook_url or not req.channel.is_active:
        return None
    return WebhookDelivery(
        channel=req.channel,
        event=event,
        kind=kind,
        url=req.channel.webhook_url,
        payload=_payload(event, kind, req),
    )


def webhook_rejection_row(*, req: ChannelRequest, note: str) -> WebhookDelivery | None:
    """The unsaved outbox row telling the channel that its pending post was declined (不予受理),
    with the agent's reason; None if the channel has no webhook. No order, so no number."""
    channel = req.channel
    if not channel.webhook_url or not channel.is_active:
        return None
    return WebhookDelivery(
        channel=channel,
        request=req,
        kind=NoticeKind.REJECTED,
        url=channel.webhook_url,
        payload={
            "event_id": None,
            "kind": NoticeKind.REJECTED.value,
            "token": req.token,
            "external_id": req.external_id,
            "number": None,
            "status": None,
            "note": note,
            "version": None,
            "occurred_at": timezone.localtime().isoformat(),
        },
    )


def webhook_dispatch(pk: int) -> None:
    # In the embedded default (eager Celery) a slow channel must not hold the move's response:
    # the periodic sweep delivers instead. With workers, hand it over at once.
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return
    from .tasks import deliver_webhook

    deliver_webhook.delay(pk)


def _same_order(row: WebhookDelivery) -> QuerySet[WebhookDelivery]:
    """The channel's other undelivered notices of the row's order."""
    assert row.event is not None
    return WebhookDelivery.objects.filter(
        channel_id=row.channel_id,
        state=WebhookDelivery.State.PENDING,
        event__order_id=row.event.order_id,
    ).exclude(pk=row.pk)


def _claim(pk: int) -> WebhookDelivery | None:
    """Compare-and-swap on (state, next_attempt_at): of several workers one wins the attempt.
    A notice waits while an earlier notice of the same order to the same channel is still
    undelivered (a `registered` retried after a failure must not arrive after `closed`): it is
    put off until that one's next attempt, and handed on when that one is acknowledged."""
    now = timezone.now()
    row = (
        WebhookDelivery.objects.select_related("event")
        .filter(pk=pk, state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now)
        .first()
    )
    if row is None:
        return None
    if row.event is not None:
        earlier = (
            _same_order(row)
            .filter(event__seq__lt=row.event.seq)
            .order_by("event__seq")
            .values_list("next_attempt_at", flat=True)
            .first()
        )
        if earlier is not None:
            WebhookDelivery.objects.filter(
                pk=pk, state=WebhookDelivery.State.PENDING, next_attempt_at=row.next_attempt_at
            ).update(next_attempt_at=max(earlier, now))
            return None
    won = WebhookDelivery.objects.filter(
        pk=pk, state=WebhookDelivery.State.PENDING, next_attempt_at=row.next_attempt_at
    ).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    if not won:
        return None
    row.refresh_from_db()
    return row


class PrivateAddress(OSError):
    """The webhook's host is (or resolved to) a loopback, private, link-local or otherwise
    non-public address."""


def _check_peer(sock: socket.socket) -> None:
    """Refuse a connection whose other end is not a public address, unless the city allows
    private ones (`CHANNEL_WEBHOOK_ALLOW_PRIVATE`: a partner on the government intranet).
    Checked on the connected socket, so a name that resolves to a public address when the URL
    is saved and to 127.0.0.1 at delivery (DNS rebinding) is still refused."""
    if getattr(settings, "CHANNEL_WEBHOOK_ALLOW_PRIVATE", False):
        return
    address = ipaddress.ip_address(sock.getpeername()[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if not address.is_global:
        sock.close()
        raise PrivateAddress(
            _(
                "推送地址指向内网或本机地址 {address}，已拒绝（CHANNEL_WEBHOOK_ALLOW_PRIVATE）"
            ).format(address=address)
        )


def webhook_url_problem(url: str) -> str | None:
    """Why `url` may not be saved as a webhook, told without a DNS lookup: a host that is
    `localhost` or an address that is not public, unless CHANNEL_WEBHOOK_ALLOW_PRIVATE. A name
    is judged when delivering, by the address it connects to (`_check_peer`)."""
    if getattr(settings, "CHANNEL_WEBHOOK_ALLOW_PRIVATE", False):
        return None
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return None  # the URL validator names what is wrong
    if host == "localhost" or host.endswith(".localhost"):
        return _("推送地址「{url}」指向本机，不允许").format(url=url[:80])
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if not address.is_global:
        return _("推送地址「{url}」指向内网或本机地址，不允许").format(url=url[:80])
    return None


def _checked_connection(
    address: tuple[str, int], timeout: Any, source_address: Any = None
) -> socket.socket:
    """socket.create_connection, as http.client calls it, then the peer's check."""
    sock = socket.create_connection(address, timeout, source_address)
    _check_peer(sock)
    return sock


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _checked_connection


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Checked before the TLS handshake: nothing is sent to a refused address.
        self._create_connection = _checked_connection


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_HTTPSConnection, req, context=getattr(self, "_context", None))


# Every connection a delivery makes (a redirect's too) goes through the address check; no
# proxy from the environment, which would put the proxy's address in place of the channel's.
_opener = urllib.request.build_opener(
    urllib.request.ProxyHandler({}), _HTTPHandler(), _HTTPSHandler()
)


def _post(row: WebhookDelivery) -> tuple[int | None, str]:
    body = json.dumps(row.payload, ensure_ascii=False, sort_keys=True).encode()
    request = urllib.request.Request(
        row.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: sign(row.channel.webhook_secret, body),
            # A declined post has no event: the request's token tells its notice apart.
            "X-Hotline-Event": str(row.event_id or f"rejected-{row.payload.get('token', '')}"),
            "User-Agent": "hotline-webhook/1",
        },
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as resp:
            return resp.status, ""
    except urllib.error.HTTPError as e:
        return e.code, f"HTTP {e.code}"
    except (urllib.error.URLError, OSError, ValueError) as e:
        return None, str(getattr(e, "reason", e))[:500]


def _hand_on(row: WebhookDelivery, now: datetime) -> None:
    """The order's next notice to the channel, put off behind this one, is due now."""
    if row.event is None:
        return
    following = (
        _same_order(row)
        .filter(event__seq__gt=row.event.seq)
        .order_by("event__seq")
        .values_list("pk", "next_attempt_at")
        .first()
    )
    if following is None:
        return
    next_pk, due = following
    if due > now:
        WebhookDelivery.objects.filter(pk=next_pk, next_attempt_at=due).update(next_attempt_at=now)
    webhook_dispatch(next_pk)


def webhook_deliver(pk: int) -> bool:
    """One attempt at one delivery, if it is due and no other worker holds it. True if the
    channel acknowledged it with a 2xx."""
    row = _claim(pk)
    if row is None:
        return False
    status, error = _post(row)
    now = timezone.now()
    if status is not None and 200 <= status < 300:
        WebhookDelivery.objects.filter(pk=pk).update(
            state=WebhookDelivery.State.DELIVERED,
            delivered_at=now,
            last_status=status,
            last_error="",
        )
        _hand_on(row, now)
        return True
    gave_up = row.attempts >= MAX_ATTEMPTS
    WebhookDelivery.objects.filter(pk=pk).update(
        state=WebhookDelivery.State.FAILED if gave_up else WebhookDelivery.State.PENDING,
        next_attempt_at=now + backoff(row.attempts),
        last_status=status,
        last_error=error or f"HTTP {status}",
    )
    return False


def webhook_deliver_due(limit: int = 200) -> int:
    """The periodic sweep: attempt every due delivery; returns how many were acknowledged."""
    # In the order they were written: an order's earlier notice before its later ones.
    due = (
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(webhook_deliver(pk) for pk in list(due))
