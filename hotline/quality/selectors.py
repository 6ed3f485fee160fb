"""Reads of quality inspection: the day's sample, inspections of a period and slice, pass rates."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.accounts.models import Unit
from hotline.telephony.choices import CallOutcome, Direction
from hotline.telephony.models import CallRecord
from hotline.workorders.errors import InvalidInput
from hotline.workorders.models import WorkOrder

from .choices import SampleKind
from .models import Inspection

if TYPE_CHECKING:
    from hotline.analytics.kpis import KpiFilters


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def candidates(kind: str, day: date, centres: list[Unit]) -> QuerySet[Any]:
    """What may be sampled on `day`: calls answered by an agent, or orders an agent registered
    (the intake record), at the given centres."""
    start, end = _day_bounds(day)
    if kind == SampleKind.CALL:
        return CallRecord.objects.filter(
            centre__in=centres,
            direction=Direction.INBOUND,
            outcome=CallOutcome.ANSWERED,
            agent__isnull=False,
            started_at__gte=start,
            started_at__lt=end,
        )
    return WorkOrder.objects.filter(
        centre__in=centres,
        created_at__gte=start,
        created_at__lt=end,
        registered_by__is_system=False,
    )


@dataclass(frozen=True)
class SampleRow:
    kind: str
    obj: Any  # CallRecord or WorkOrder
    inspection: Inspection | None


def draw(pks: list[int], percent: int, seed: int, kind: str, day: date) -> list[int]:
    """`percent` % of `pks` (rounded up; none of none), the same for the same seed, kind and day
    whoever asks and however often."""
    if not 1 <= percent <= 100:
        raise InvalidInput(_("抽样比例应为 1–100 的整数"), field="percent")
    if not pks:
        return []
    k = math.ceil(len(pks) * percent / 100)
    rng = random.Random(f"{seed}:{kind}:{day.isoformat()}")
    return sorted(rng.sample(sorted(pks), k))


def sample(
    *, kind: str, day: date, centres: list[Unit], percent: int, seed: int
) -> list[SampleRow]:
    """The day's sample with, for each, its inspection if it has one."""
    if kind not in SampleKind.values:
        raise InvalidInput(_("样本类型应为来电或工单"), field="kind")
    qs = candidates(kind, day, centres)
    picked = draw(list(qs.values_list("pk", flat=True)), percent, seed, kind, day)
    objs: QuerySet[Any]
    if kind == SampleKind.CALL:
        objs = CallRecord.objects.filter(pk__in=picked).select_related("agent", "order")
        done = {i.call_id: i for i in Inspection.objects.filter(call_id__in=picked)}
    else:
        objs = WorkOrder.objects.filter(pk__in=picked).select_related("registered_by")
        done = {i.order_id: i for i in Inspection.objects.filter(kind=kind, order_id__in=picked)}
    by_pk = {o.pk: o for o in objs}
    return [SampleRow(kind, by_pk[pk], done.get(pk)) for pk in picked]


def inspections_in(f: KpiFilters) -> QuerySet[Inspection]:
    """Inspections of work done in the period (by the sample's time), sliced: a region or unit
    by the agent's centre; channel, request type and category by the order inspected (a call's
    order where it made one; a call that made none drops out of such a slice)."""
    start, end = f.bounds()
    qs = Inspection.objects.filter(subject_at__gte=start, subject_at__lt=end)
    if f.region is not None:
        qs = qs.filter(centre__region__path__startswith=f.region.path)
    units = f.units()
    if units is not None:
        qs = qs.filter(centre__in=units)
    for field, value in (
        ("channel", f.channel),
        ("request_type__code", f.request_type),
        ("category__path__startswith", f.category.path if f.category else None),
    ):
        if value:
            qs = qs.filter(Q(**{f"order__{field}": value}) | Q(**{f"call__order__{field}": value}))
    return qs


def pass_counts(qs: QuerySet[Inspection]) -> tuple[int, int]:
    """(passing, inspected) by the latest outcome of each."""
    return qs.filter(passed=True).count(), qs.count()
