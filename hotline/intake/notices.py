"""What the requester is told, and when: the receiver of `workorder_recorded` that turns a
requester-visible event into a webhook notice for the channel the order came from and an SMS to
the requester. Both are rows (outbox, SMS log) written in the move's own transaction, so a notice
exists exactly when its event does, even if the process dies at the commit; Celery tasks (or the
periodic sweeps) send them after the commit, so a slow channel or gateway never holds up a move."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from hotline.workorders.choices import TERMINAL, Action, Status
from hotline.workorders.inserts import insert_row
from hotline.workorders.models import WorkOrderEvent
from hotline.workorders.signals import workorder_recorded

from . import tasks  # noqa: F401  (registers the periodic sweeps)
from .models import NoticeKind, SmsMessage, WebhookDelivery

logger = logging.getLogger("hotline.intake")
# Events back-dated further than this (imports of past orders, the demo year) tell nobody:
# a requester must not get an SMS about last year's order.
LIVE_WITHIN = timedelta(hours=1)


def notice_kind(event: WorkOrderEvent) -> str | None:
    """The requester-visible moment an event is, if any."""
    if event.to_status in TERMINAL and event.from_status not in TERMINAL:
        return NoticeKind.CLOSED
    if event.action == Action.REGISTER:
        return NoticeKind.REGISTERED
    if event.action in (Action.DISPATCH, Action.REDO):
        return NoticeKind.DISPATCHED
    if event.action in (Action.ACCEPT_REPLY, Action.RESOLVE_AT_INTAKE):
        return NoticeKind.REPLIED
    if event.action == Action.CALLBACK_UNREACHABLE and event.to_status == Status.AWAITING_CALLBACK:
        # The callback agent could not reach the requester: ask them to call back or rate.
        return NoticeKind.CALLBACK_REQUEST
    return None


def _is_live(event: WorkOrderEvent) -> bool:
    return event.created_at >= timezone.now() - LIVE_WITHIN


@receiver(workorder_recorded, dispatch_uid="intake.notices")
def on_workorder_recorded(sender: Any, events: list[WorkOrderEvent], **kwargs: Any) -> None:
    """Write the outbox and SMS rows of the events, in their transaction."""
    from .sms_notices import sms_dispatch, sms_insert, sms_row
    from .webhooks import request_of, webhook_dispatch, webhook_row

    deliveries: list[WebhookDelivery] = []
    messages: list[SmsMessage] = []
    for event in events:
        kind = notice_kind(event)
        if kind is None or not _is_live(event):
            continue
        # A notice that cannot be built (a template the gateway would refuse...) is logged and
        # skipped: the move itself must not fail for it.
        try:
            delivery = webhook_row(event=event, kind=kind, req=request_of(event))
            message = sms_row(event=event, kind=kind, order=event.order)
        except Exception:
            logger.exception("notice %s for event %s failed", kind, event.pk)
            continue
        deliveries += [delivery] if delivery else []
        messages += [message] if message else []
    # A move has one requester-visible event, at most a few: one INSERT per row, each compiled
    # once per process (cheaper than bulk_create's compilation for one row).
    for delivery in deliveries:
        insert_row(delivery)
    for message in messages:
        sms_insert(message)
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return  # the periodic sweeps send: nothing to hand over
    queued = [m.pk for m in messages if m.state == SmsMessage.State.QUEUED]
    pushes = [d.pk for d in deliveries]

    def hand_over() -> None:
        for pk in pushes:
            webhook_dispatch(pk)
        for pk in queued:
            sms_dispatch(pk)

    if queued or pushes:
        transaction.on_commit(hand_over)
