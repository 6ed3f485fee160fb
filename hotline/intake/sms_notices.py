"""SMS to requesters: render the centre's template for a requester-visible event, log the
message (queued), and send it through `hotline.core.sms.send_sms` from a Celery task.
Opted-out numbers are logged and not sent; confidential orders carry no personal data."""

from __future__ import annotations

import re
import string
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.core.sms import send_sms
from hotline.workorders.inserts import insert_row
from hotline.workorders.models import WorkOrder, WorkOrderEvent
from hotline.workorders.refcache import RefCache

from .models import SmsMessage, SmsOptOut, SmsTemplate

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
PLACEHOLDERS = ("number", "query_code", "name", "title", "unit", "hotline")
# Every registration reads its template: once per process and TTL, dropped when one is saved.
_templates = RefCache(SmsTemplate)
# A message stuck in "sending" this long (a worker died) is tried again by the sweep.
STUCK_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 3


def placeholders_in(text: str) -> list[str]:
    """The placeholder names a template uses; ValueError if its braces are malformed."""
    return [name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None]


def validate_template(text: str) -> None:
    try:
        names = placeholders_in(text)
    except ValueError:
        raise ValueError(_("模板中的花括号不成对")) from None
    unknown = [n for n in names if n not in PLACEHOLDERS]
    if unknown:
        raise ValueError(
            _("未知的占位符：{names}（可用：{allowed}）").format(
                names="、".join("{" + n + "}" for n in unknown),
                allowed="、".join("{" + n + "}" for n in PLACEHOLDERS),
            )
        )


def render(template: str, order: WorkOrder) -> str:
    """Fill a template. For a confidential order only the number and query code appear: the
    requester's name and the subject of the request stay out of the message."""
    confidential = order.is_confidential
    values: dict[str, Any] = {
        "number": order.number,
        "query_code": order.query_code,
        "name": "" if confidential or order.is_anonymous else order.requester_name,
        "title": _("您的诉求") if confidential else order.title,
        "unit": order.lead_unit.name if order.lead_unit and not confidential else _("承办单位"),
        "hotline": "12345",
    }
    return template.format_map(values)


def sms_row(*, event: WorkOrderEvent, kind: str, order: WorkOrder) -> SmsMessage | None:
    """The unsaved log row of the SMS this event sends, or None (no template, no mobile); write
    it with `sms_insert`, which checks the opt-out list."""
    phone = order.requester_phone
    if not MOBILE_RE.match(phone or ""):
        return None
    tpl = _templates.get(
        kind, lambda: SmsTemplate.objects.filter(kind=kind, is_active=True).first()
    )
    if tpl is None:
        return None
    # Queued unless the number opted out: decided inside the row's INSERT (sms_insert).
    return SmsMessage(
        order=order,
        event=event,
        kind=kind,
        phone=phone,
        text=render(tpl.text, order),
        state=SmsMessage.State.QUEUED,
    )


# The state of a new message: opted out if its number is on the list, else queued. Evaluated in
# the INSERT itself (a round trip fewer than asking first); the list's phone is unique-indexed.
_STATE_SQL = (
    f"CASE WHEN EXISTS (SELECT 1 FROM {SmsOptOut._meta.db_table} WHERE phone = %s)"  # no input
    " THEN %s ELSE %s END"
)


def sms_insert(message: SmsMessage) -> None:
    """Write the log row of a new message (from `sms_row`), opted out if its number is on the
    opt-out list at that moment; `message.state` says which."""
    if message.state != SmsMessage.State.QUEUED:
        insert_row(message)
        return
    state = (_STATE_SQL, [message.phone, SmsMessage.State.OPTED_OUT, SmsMessage.State.QUEUED])
    insert_row(message, exprs={"state": state}, returning=("state",))


def sms_dispatch(pk: int) -> None:
    # As with webhooks: with eager Celery the sweep sends, so a slow gateway never holds a move.
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return
    from .tasks import send_requester_sms

    send_requester_sms.delay(pk)


def sms_send(pk: int) -> bool:
    """Send one queued message; the claim (queued → sending) makes it go out once even when
    the task and the sweep both pick it."""
    won = SmsMessage.objects.filter(pk=pk, state=SmsMessage.State.QUEUED).update(
        state=SmsMessage.State.SENDING, attempts=F("attempts") + 1, sent_at=timezone.now()
    )
    if not won:
        return False
    message = SmsMessage.objects.get(pk=pk)
    if SmsOptOut.objects.filter(phone=message.phone).exists():  # opted out since it was queued
        SmsMessage.objects.filter(pk=pk).update(state=SmsMessage.State.OPTED_OUT, sent_at=None)
        return False
    result = send_sms(phone=message.phone, text=message.text)
    if result.ok:
        state = SmsMessage.State.SENT
    elif message.attempts < MAX_ATTEMPTS:
        state = SmsMessage.State.QUEUED
    else:
        state = SmsMessage.State.FAILED
    SmsMessage.objects.filter(pk=pk).update(
        state=state,
        detail=result.detail[:500],
        sent_at=timezone.now() if result.ok else None,
    )
    return result.ok


def sms_send_queued(limit: int = 500) -> int:
    """The periodic sweep: queued messages, and those a dead worker left in "sending"."""
    SmsMessage.objects.filter(
        state=SmsMessage.State.SENDING, sent_at__lt=timezone.now() - STUCK_AFTER
    ).update(state=SmsMessage.State.QUEUED)
    due = SmsMessage.objects.filter(state=SmsMessage.State.QUEUED).order_by("created_at")
    return sum(sms_send(pk) for pk in list(due.values_list("pk", flat=True)[:limit]))


def sms_opt_out(*, phone: str, note: str = "") -> SmsOptOut:
    """Record that a number wants no more notices; later messages are logged, not sent."""
    given = (phone or "").strip()
    phone = re.sub(r"\D", "", given)
    if len(phone) == 13 and phone.startswith("86"):  # +86 139…
        phone = phone[2:]
    if not MOBILE_RE.match(phone):
        from hotline.workorders.errors import InvalidInput

        # The value as sent: its digits alone may be nothing ("abc").
        raise InvalidInput(_("手机号「{phone}」格式不正确").format(phone=given[:30]), field="phone")
    return SmsOptOut.objects.get_or_create(phone=phone, defaults={"note": note[:200]})[0]
