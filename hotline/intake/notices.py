"""What the requester is told, and when: the receiver of `workorder_event` that turns a
requester-visible event into a webhook notice for the channel the order came from and an SMS to
the requester. Both are written as rows first (outbox, SMS log) and sent by Celery tasks, so a
slow channel or gateway never holds up a move."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from hotline.workorders.choices import TERMINAL, Action, Status
from hotline.workorders.models import WorkOrderEvent
from hotline.workorders.signals import workorder_event

from . import tasks  # noqa: F401  (registers the periodic sweeps)
from .models import NoticeKind

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


@receiver(workorder_event, dispatch_uid="intake.notices")
def on_workorder_event(sender: Any, event: WorkOrderEvent, **kwargs: Any) -> None:
    kind = notice_kind(event)
    if kind is None or event.created_at < timezone.now() - LIVE_WITHIN:
        return
    from .sms_notices import sms_enqueue
    from .webhooks import webhook_enqueue

    # The move has committed; a failure here must not turn its response into an error.
    for enqueue in (webhook_enqueue, sms_enqueue):
        try:
            enqueue(event=event, kind=kind)
        except Exception:
            logger.exception("notice %s for event %s failed", kind, event.pk)
