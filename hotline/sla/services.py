"""The time-limit rules applied to moves of work orders.

`clocks_on_change` is connected to `workorders.signals.workorder_changing`: it runs inside the
transition's transaction with the order row locked, sets or moves the clocks on the order (the
transition saves them with the move) and writes what it did into the move's event payload, so
every change of a deadline is visible in the order's history."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.accounts.models import User
from hotline.accounts.services import system_user
from hotline.workorders.choices import Action, Status
from hotline.workorders.clocks import CLOCK_RUNNING
from hotline.workorders.errors import IllegalTransition, WorkOrderError
from hotline.workorders.models import WorkOrder
from hotline.workorders.services import workorder_transition

from . import notify
from .calendar import CalendarUnknown, WorkCalendar, load_calendar
from .choices import Clock, NotificationKind
from .conf import sla_setting
from .models import Notification, SlaAlert
from .rules import Limits, OrderFacts, RuleBook, deadline, load_rulebook

logger = logging.getLogger("hotline.sla")

# Moves that start a new round with a unit: both unit clocks start again from the move.
ROUND_STARTS = frozenset({Action.DISPATCH, Action.REDISPATCH, Action.REASSIGN, Action.REDO})


def iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def order_facts(order: WorkOrder) -> OrderFacts:
    category_path = order.category.path if order.category_id and order.category else ""
    return OrderFacts(
        request_type_id=order.request_type_id,
        urgency_id=order.urgency_id,
        category_path=category_path,
        region_path=order.region.path,
    )


def start_round(
    order: WorkOrder,
    start: datetime,
    *,
    book: RuleBook,
    calendar: WorkCalendar,
    limits: Limits,
    facts: OrderFacts | None = None,
) -> dict[str, Any]:
    """Set the acknowledge and reply clocks of a round started at `start`; return the payload
    describing them. Raises CalendarUnknown (the order's clocks are then left unset)."""
    facts = facts or order_facts(order)
    ack = deadline(Clock.ACKNOWLEDGE, facts, start, book, calendar, limits)
    reply = deadline(Clock.REPLY, facts, start, book, calendar, limits)
    order.acknowledge_due_at = ack.due_at if ack else None
    order.reply_due_at = reply.due_at if reply else None
    order.reply_warn_at = reply.warn_at if reply else None
    return {
        "acknowledge_due_at": iso(order.acknowledge_due_at),
        "reply_due_at": iso(order.reply_due_at),
        "reply_warn_at": iso(order.reply_warn_at),
        "rules": {
            "acknowledge": ack.rule.pk if ack else None,
            "reply": reply.rule.pk if reply else None,
        },
    }


def _mark_late(order: WorkOrder, from_status: str, at: datetime) -> list[str]:
    """A move made after a running clock's deadline records the lateness for good (the flag
    is never cleared: a later reply or an extension approved too late does not erase it)."""
    late = []
    ack_due = order.acknowledge_due_at
    if (
        from_status == Status.DISPATCHED
        and ack_due
        and at > ack_due
        and not order.acknowledged_late
    ):
        order.acknowledged_late = True
        late.append(Clock.ACKNOWLEDGE.value)
    reply_due = order.reply_due_at
    if from_status in CLOCK_RUNNING and reply_due and at > reply_due and not order.replied_late:
        order.replied_late = True
        late.append(Clock.REPLY.value)
    return late


def _check_return_window(
    order: WorkOrder, at: datetime, calendar: WorkCalendar, payload: dict[str, Any]
) -> None:
    """A return after the return window (counted from the round's dispatch) is recorded as
    late on its event, or refused where the city says so (SLA_REFUSE_LATE_RETURN)."""
    if order.dispatched_at is None:
        return
    try:
        limit = deadline(
            Clock.RETURN,
            order_facts(order),
            order.dispatched_at,
            load_rulebook(),
            calendar,
            Limits.from_settings(),
        )
    except CalendarUnknown:
        return  # the window cannot be computed; refusing the return would be a guess
    if limit is None or at <= limit.due_at:
        return
    if sla_setting("REFUSE_LATE_RETURN"):
        raise IllegalTransition(
            _("已超过退单时限（{due}），不能退单；请按时办理，确有困难可申请延期").format(
                due=timezone.localtime(limit.due_at).strftime("%Y-%m-%d %H:%M")
            )
        )
    payload.setdefault("late", []).append(Clock.RETURN.value)
    payload["return_due_at"] = iso(limit.due_at)


def _record_calendar_gap(order: WorkOrder, error: CalendarUnknown, at: datetime) -> str:
    message = _("工单 {number}：{error}。该工单暂无时限，请管理员补充工作日历后重新计算").format(
        number=order.number, error=error
    )
    SlaAlert.objects.create(order=order, message=message, missing_date=error.day, created_at=at)
    notify.notify(
        notify.administrators(),
        kind=NotificationKind.CALENDAR,
        title=_("工作日历缺少 {year} 年，工单 {number} 无法计算时限").format(
            year=error.day.year, number=order.number
        ),
        body=message,
        order=order,
        at=at,
    )
    return message


def clocks_on_change(
    *,
    order: WorkOrder,
    action: str,
    actor: User,
    from_status: str,
    at: datetime,
    params: dict[str, Any],
    payload: dict[str, Any],
    **kwargs: Any,
) -> None:
    """Apply the time-limit rules to one move (see the module docstring)."""
    if payload.get("paused_from"):
        # The clock stood still while the unit waited on the requester: the deadlines move on
        # by that long before anything is judged late.
        _resume(order, datetime.fromisoformat(payload["paused_from"]), at, payload)
    late = _mark_late(order, from_status, at)
    if late:
        payload["late"] = late
    recompute = action == Action.ADD_NOTE and actor.is_system and params.get("recompute_clocks")
    if (
        action not in ROUND_STARTS
        and action
        not in (
            Action.APPROVE_EXTENSION,
            Action.RETURN,
            Action.ACCEPT_REPLY,
            Action.RESOLVE_AT_INTAKE,
        )
        and not recompute
    ):
        return
    calendar = load_calendar()
    limits = Limits.from_settings()
    try:
        if action == Action.RETURN:
            _check_return_window(order, at, calendar, payload)
        elif action in ROUND_STARTS:
            payload["clocks"] = start_round(
                order, at, book=load_rulebook(), calendar=calendar, limits=limits
            )
        elif recompute and order.status in CLOCK_RUNNING and order.dispatched_at:
            payload["clocks"] = start_round(
                order, order.dispatched_at, book=load_rulebook(), calendar=calendar, limits=limits
            )
        elif action == Action.APPROVE_EXTENSION and order.reply_due_at:
            _extend(order, int(payload["days"]), calendar, limits, payload)
        elif order.status == Status.AWAITING_CALLBACK:
            rule = deadline(
                Clock.CALLBACK, order_facts(order), at, load_rulebook(), calendar, limits
            )
            order.callback_due_at = rule.due_at if rule else None
            payload["clocks"] = {"callback_due_at": iso(order.callback_due_at)}
    except CalendarUnknown as error:
        order.acknowledge_due_at = order.reply_due_at = order.reply_warn_at = None
        if order.status == Status.AWAITING_CALLBACK:
            order.callback_due_at = None
        payload["clock_error"] = _record_calendar_gap(order, error, at)


def _resume(order: WorkOrder, paused_from: datetime, at: datetime, payload: dict[str, Any]) -> None:
    """Move the reply deadline and its warning point on by the time the clock was paused."""
    stood = at - paused_from
    if order.reply_due_at is not None:
        payload["clocks"] = {"previous_reply_due_at": iso(order.reply_due_at)}
        order.reply_due_at = order.reply_due_at + stood
        if order.reply_warn_at is not None:
            order.reply_warn_at = order.reply_warn_at + stood
        payload["clocks"].update(
            reply_due_at=iso(order.reply_due_at), reply_warn_at=iso(order.reply_warn_at)
        )
    payload["paused_minutes"] = int(stood.total_seconds() // 60)


def _extend(
    order: WorkOrder, days: int, calendar: WorkCalendar, limits: Limits, payload: dict[str, Any]
) -> None:
    """An approved extension moves the reply deadline by `days` working days from the old
    deadline; the warning point moves by the same rule."""
    assert order.reply_due_at is not None
    old = order.reply_due_at
    new = calendar.add_working_days(old, days, counting="next_day", office_end=limits.office_end)
    left = limits.warn_workdays_left
    if left > 0:
        # `left` working days before the new deadline (the old deadline when days <= left).
        warn = (
            calendar.add_working_days(
                old, days - left, counting="next_day", office_end=limits.office_end
            )
            if days > left
            else old
        )
    else:
        start = order.dispatched_at or old
        warn = start + (new - start) * limits.warn_percent / 100
    order.reply_due_at = new
    order.reply_warn_at = warn.replace(microsecond=0)
    payload["clocks"] = {
        "reply_due_at": iso(new),
        "reply_warn_at": iso(order.reply_warn_at),
        "previous_reply_due_at": iso(old),
    }


def sla_recompute(*, order: WorkOrder | int) -> None:
    """Set an order's clocks again from the rules (after the calendar was extended or the
    rules fixed): a note by the system user whose event carries the new clocks."""
    with transaction.atomic():
        # The alerts open before the recomputation: one that still meets a gap in the calendar
        # raises a new alert, which must stay open.
        alerts = list(
            SlaAlert.objects.filter(order=order, resolved_at__isnull=True).values_list(
                "pk", flat=True
            )
        )
        workorder_transition(
            order=order,
            action=Action.ADD_NOTE,
            actor=system_user(),
            note=_("工作日历或时限规则已更新，系统按规则重新计算时限"),
            recompute_clocks=True,
        )
        SlaAlert.objects.filter(pk__in=alerts).update(resolved_at=timezone.now())


def sla_retry_calendar_gaps() -> int:
    """Recompute the orders whose open calendar alert names a date the calendar now knows
    (run after an administrator added days or a year). Idempotent: an order is recomputed
    once, its alerts resolved in the same transaction; a concurrent run waits on the alert
    rows and then finds them resolved. Returns how many orders were recomputed."""
    calendar = load_calendar()
    known: list[int] = []
    open_alerts = SlaAlert.objects.filter(
        resolved_at__isnull=True, order__isnull=False, missing_date__isnull=False
    )
    for order_id, day in open_alerts.values_list("order_id", "missing_date"):
        assert day is not None  # filtered above
        try:
            calendar.is_workday(day)
        except CalendarUnknown:
            continue  # still unknown: leave it for the administrator
        known.append(order_id)
    done = 0
    for order_id in dict.fromkeys(known):
        try:
            with transaction.atomic():
                still_open = open_alerts.select_for_update().filter(order_id=order_id)
                if not list(still_open.values_list("pk", flat=True)):
                    continue  # another run recomputed it meanwhile
                sla_recompute(order=order_id)
        except WorkOrderError as e:
            logger.warning("sla: could not recompute order %s: %s", order_id, e)
            continue
        done += 1
    return done


def schedule_calendar_retry() -> None:
    """After the current transaction commits, retry the orders the calendar left without a
    deadline (a Celery task: on the worker in production, in this process when eager). Many
    days saved in one transaction (an import) schedule it once."""
    connection = transaction.get_connection()
    # Django keeps the callbacks of the open transaction in run_on_commit as
    # (savepoints, callback, robust); the same callback already waiting is enough.
    pending = getattr(connection, "run_on_commit", [])
    if any(entry[1] is _delay_calendar_retry for entry in pending):
        return
    transaction.on_commit(_delay_calendar_retry)


def _delay_calendar_retry() -> None:
    from .tasks import retry_calendar_gaps

    retry_calendar_gaps.delay()


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read; returns how many changed.
    Another user's notification is not found (0)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
