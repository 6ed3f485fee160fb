"""Scoped reads of the callback desk: the queue of orders awaiting callback and the agent's
callbacks of today. Both start from `WorkOrder.objects.visible_to(user)`."""

from __future__ import annotations

from datetime import datetime, time

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.accounts.models import User
from hotline.workorders.choices import Action, Status
from hotline.workorders.errors import InvalidInput
from hotline.workorders.models import WorkOrder, WorkOrderEvent

# The answer the requester is asked about: the unit's reply, or the agent's answer at intake.
ANSWERS = (Action.REPLY, Action.RESOLVE_AT_INTAKE)


def _with_answer(qs: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    last_answer = WorkOrderEvent.objects.filter(order=OuterRef("pk"), action__in=ANSWERS).order_by(
        "-seq"
    )
    return qs.select_related("lead_unit", "request_type", "urgency", "region").annotate(
        answer=Subquery(last_answer.values("note")[:1]),
        answered_at=Subquery(last_answer.values("created_at")[:1]),
    )


def callback_queue(*, user: User) -> QuerySet[WorkOrder]:
    """Orders awaiting callback that the user may see (page them oldest first)."""
    qs: QuerySet[WorkOrder] = WorkOrder.objects.visible_to(user)
    return _with_answer(qs.filter(status=Status.AWAITING_CALLBACK))


def callback_order(*, user: User, number: str) -> WorkOrder | None:
    """One order of the desk (any state: a closed one still shows its row), or None."""
    qs: QuerySet[WorkOrder] = WorkOrder.objects.visible_to(user)
    return _with_answer(qs.filter(number=number)).first()


def _today_start() -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


def callbacks_done_today(*, user: User) -> QuerySet[WorkOrderEvent]:
    """This agent's completed callbacks of today (local day): a rating recorded, or the order
    closed after its last unreachable attempt. Newest first; the id breaks ties for paging."""
    visible = WorkOrder.objects.visible_to(user).values("pk")
    completed = Q(action=Action.CALLBACK) | Q(
        action=Action.CALLBACK_UNREACHABLE, payload__closed_unreachable=True
    )
    return (
        WorkOrderEvent.objects.filter(
            completed, actor=user, created_at__gte=_today_start(), order__in=visible
        )
        .select_related("order", "order__lead_unit", "unit")
        .order_by("-id")
    )


def page_events(
    qs: QuerySet[WorkOrderEvent], *, before: str | None, size: int
) -> tuple[list[WorkOrderEvent], int | None]:
    """Keyset paging on the event id (newest first): the next page starts below the last id."""
    if before:
        if not before.isdigit():
            raise InvalidInput(_("翻页游标无效"), field="before")
        qs = qs.filter(id__lt=int(before))
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].pk if more and rows else None)
