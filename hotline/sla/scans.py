"""The periodic time-limit scan: warn units, urge and supervise overdue orders, tell the
callback desk of callbacks past due. One step at a time, each taken once.

Every step first inserts its SlaAction row (unique per order, stage, level and deadline) in the
same transaction as what it does; a second scan — or a concurrent one — finds the row (or
fails on the unique constraint) and does nothing, so nothing is ever sent twice. Automatic
urges and supervision are moves by the system user through workorder_transition."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.accounts.choices import Role
from hotline.accounts.models import User
from hotline.accounts.services import system_user
from hotline.core.conf import hotline_int
from hotline.workorders.choices import Action, Status
from hotline.workorders.clocks import CLOCK_RUNNING
from hotline.workorders.errors import ConcurrentUpdate, IllegalTransition, NotPermitted
from hotline.workorders.models import WorkOrder, WorkOrderEvent
from hotline.workorders.services import workorder_transition

from . import notify
from .calendar import CalendarUnknown, WorkCalendar, load_calendar
from .choices import LimitUnit, NotificationKind, Stage
from .conf import office_end, sla_setting, supervise_after
from .models import SlaAction

logger = logging.getLogger("hotline.sla")

URGEABLE = frozenset({Status.DISPATCHED, Status.IN_PROGRESS})


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@dataclass
class Recipients:
    """Who to tell, looked up once per unit or region per scan."""

    units: dict[int, list[User]] = field(default_factory=dict)
    hotline: dict[tuple[str, str], list[User]] = field(default_factory=dict)

    def unit(self, order: WorkOrder) -> list[User]:
        key = order.lead_unit_id or 0
        if key not in self.units:
            self.units[key] = notify.unit_staff(order.lead_unit)
        return self.units[key]

    def desk(self, order: WorkOrder, role: str) -> list[User]:
        key = (order.region.path, role)
        if key not in self.hotline:
            self.hotline[key] = notify.hotline_staff(order, role)
        return self.hotline[key]


def _pending(qs: QuerySet[WorkOrder], stage: str, level: int, due_field: str) -> QuerySet:
    done = SlaAction.objects.filter(
        order=OuterRef("pk"), stage=stage, level=level, due_at=OuterRef(due_field)
    )
    return qs.filter(~Exists(done)).select_related("lead_unit", "region").order_by(due_field)


def _once(
    order: WorkOrder,
    stage: str,
    level: int,
    due_at: datetime,
    now: datetime,
    work: Callable[[], WorkOrderEvent | None],
) -> bool:
    """Take one step for one order, unless it was taken already. True when taken."""
    try:
        with transaction.atomic():
            action = SlaAction.objects.create(
                order=order, stage=stage, level=level, due_at=due_at, created_at=now
            )
            event = work()
            if event is not None:
                action.event = event
                action.save(update_fields=["event"])
    except IntegrityError:
        return False  # a concurrent scan took this step
    except (IllegalTransition, NotPermitted, ConcurrentUpdate) as e:
        # The order moved since the query (replied, returned...): nothing to do any more.
        logger.info("sla scan skipped %s %s: %s", order.number, stage, e)
        return False
    return True


def scan_warnings(now: datetime, who: Recipients) -> int:
    """Tell the unit when an order's reply clock turns yellow."""
    qs = WorkOrder.objects.filter(
        status__in=CLOCK_RUNNING,
        reply_warn_at__lte=now,
        reply_due_at__gt=now,
        clock_paused_at__isnull=True,  # waiting on the requester: the clock stands still
    )
    taken = 0
    for order in _pending(qs, Stage.WARNING, 0, "reply_due_at").iterator(chunk_size=500):
        assert order.reply_due_at is not None

        def work(order: WorkOrder = order) -> None:
            notify.notify(
                who.unit(order),
                kind=NotificationKind.WARNING,
                title=_("工单 {number} 即将超期，办结时限 {due}").format(
                    number=order.number, due=_local(order.reply_due_at)
                ),
                body=order.title,
                order=order,
                at=now,
            )

        taken += _once(order, Stage.WARNING, 0, order.reply_due_at, now, work)
    return taken


def scan_unacknowledged(now: datetime, who: Recipients, actor: User) -> int:
    """An order not acknowledged in time: urge the unit (a system move) and tell it."""
    qs = WorkOrder.objects.filter(status=Status.DISPATCHED, acknowledge_due_at__lt=now)
    urge = bool(sla_setting("URGE_UNACKNOWLEDGED"))
    taken = 0
    for order in _pending(qs, Stage.ACK_OVERDUE, 0, "acknowledge_due_at").iterator(chunk_size=500):
        assert order.acknowledge_due_at is not None

        def work(order: WorkOrder = order) -> WorkOrderEvent | None:
            event = None
            if urge:
                event = workorder_transition(
                    order=order.pk,
                    action=Action.URGE,
                    actor=actor,
                    note=_("超过签收时限未签收，系统自动催办"),
                    at=now,
                )
            notify.notify(
                who.unit(order),
                kind=NotificationKind.ACK_OVERDUE,
                title=_("工单 {number} 已超过签收时限 {due}，请立即签收").format(
                    number=order.number, due=_local(order.acknowledge_due_at)
                ),
                body=order.title,
                order=order,
                at=now,
            )
            return event

        taken += _once(order, Stage.ACK_OVERDUE, 0, order.acknowledge_due_at, now, work)
    return taken


def scan_urges(now: datetime, who: Recipients, actor: User) -> int:
    """Urge automatically at each configured point after the reply deadline."""
    taken = 0
    for level, hours in enumerate(sla_setting("URGE_AFTER_HOURS"), start=1):
        qs = WorkOrder.objects.filter(
            status__in=URGEABLE,
            reply_due_at__lt=now - timedelta(hours=hours),
            clock_paused_at__isnull=True,
        )
        for order in _pending(qs, Stage.URGE, level, "reply_due_at").iterator(chunk_size=500):
            assert order.reply_due_at is not None

            def work(order: WorkOrder = order, level: int = level) -> WorkOrderEvent:
                event = workorder_transition(
                    order=order.pk,
                    action=Action.URGE,
                    actor=actor,
                    note=_("已超过办结时限 {due}，系统自动催办（第 {level} 次）").format(
                        due=_local(order.reply_due_at), level=level
                    ),
                    at=now,
                )
                notify.notify(
                    who.unit(order),
                    kind=NotificationKind.URGE,
                    title=_("工单 {number} 已超期，请尽快办结").format(number=order.number),
                    body=event.note,
                    order=order,
                    at=now,
                )
                return event

            taken += _once(order, Stage.URGE, level, order.reply_due_at, now, work)
    return taken


def overdue_cutoff(
    now: datetime, amount: int, unit: str, calendar: WorkCalendar | None
) -> datetime:
    """Orders whose reply deadline is before the returned instant are overdue by `amount` hours
    or working days at `now`. n working days overdue means past the end of office hours of the
    n-th working day after the deadline's day (as an extension counts), so the cutoff is the
    midnight after the last deadline day for which that moment has passed."""
    if unit != LimitUnit.WORKING_DAYS:
        return now - timedelta(hours=amount)
    assert calendar is not None
    end, tz = office_end(), ZoneInfo(settings.TIME_ZONE)
    day = timezone.localtime(now).date()
    while (
        calendar.add_working_days(
            datetime.combine(day, end, tzinfo=tz), amount, counting="next_day", office_end=end
        )
        >= now
    ):
        day -= timedelta(days=1)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def scan_supervision(now: datetime, who: Recipients, actor: User) -> int:
    """Raise supervision (督办) level by level as an order stays overdue; tell the unit and
    the supervisors."""
    taken = 0
    levels = supervise_after()[: hotline_int("SUPERVISION_LEVELS")]
    calendar = load_calendar() if any(u == LimitUnit.WORKING_DAYS for _a, u in levels) else None
    for level, (amount, unit) in enumerate(levels, start=1):
        try:
            cutoff = overdue_cutoff(now, amount, unit, calendar)
        except CalendarUnknown as e:
            logger.warning("sla scan: supervision level %s skipped: %s", level, e)
            continue
        qs = WorkOrder.objects.filter(
            status__in=CLOCK_RUNNING,
            supervision_level__lt=level,
            reply_due_at__lt=cutoff,
            clock_paused_at__isnull=True,
        )
        for order in _pending(qs, Stage.SUPERVISE, level, "reply_due_at").iterator(chunk_size=500):
            assert order.reply_due_at is not None

            def work(order: WorkOrder = order, level: int = level) -> WorkOrderEvent:
                event = workorder_transition(
                    order=order.pk,
                    action=Action.SUPERVISE,
                    actor=actor,
                    note=_("超过办结时限 {due} 仍未办结，系统自动{level}级督办").format(
                        due=_local(order.reply_due_at), level=level
                    ),
                    level=level,
                    at=now,
                )
                notify.notify(
                    who.unit(order) + who.desk(order, Role.SUPERVISOR),
                    kind=NotificationKind.SUPERVISE,
                    title=_("工单 {number} 超期未办结，已{level}级督办").format(
                        number=order.number, level=level
                    ),
                    body=event.note,
                    order=order,
                    at=now,
                )
                return event

            taken += _once(order, Stage.SUPERVISE, level, order.reply_due_at, now, work)
    return taken


def scan_callbacks(now: datetime, who: Recipients) -> int:
    """Tell the callback desk of orders whose callback is past due."""
    qs = WorkOrder.objects.filter(status=Status.AWAITING_CALLBACK, callback_due_at__lt=now)
    taken = 0
    for order in _pending(qs, Stage.CALLBACK_OVERDUE, 0, "callback_due_at").iterator(
        chunk_size=500
    ):
        assert order.callback_due_at is not None

        def work(order: WorkOrder = order) -> None:
            notify.notify(
                who.desk(order, Role.CALLBACK_AGENT),
                kind=NotificationKind.CALLBACK_OVERDUE,
                title=_("工单 {number} 已超过回访时限 {due}").format(
                    number=order.number, due=_local(order.callback_due_at)
                ),
                body=order.title,
                order=order,
                at=now,
            )

        taken += _once(order, Stage.CALLBACK_OVERDUE, 0, order.callback_due_at, now, work)
    return taken


def sla_scan(*, now: datetime | None = None) -> dict[str, int]:
    """One pass of every step; returns how many orders each step acted on."""
    now = now or timezone.now()
    who = Recipients()
    actor = system_user()
    return {
        "warning": scan_warnings(now, who),
        "ack_overdue": scan_unacknowledged(now, who, actor),
        "urge": scan_urges(now, who, actor),
        "supervise": scan_supervision(now, who, actor),
        "callback_overdue": scan_callbacks(now, who),
    }
