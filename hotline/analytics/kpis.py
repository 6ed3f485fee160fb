"""The figures every unit is judged on (domain.md §5), each defined once.

A KPI is a numerator over a denominator, both counted from the platform's own records (work
orders, their events, call records, the knowledge base's revisions and uses) for one period
and one slice (region, unit, channel, request type, category). Pages, the API, reports and the
self-evaluation all read them here, so a figure on the dashboard and the same figure in a report
can never disagree. docs/kpis.md documents each formula, the records it reads and its settings.

Counting rules shared by all:
- A period is a range of whole days in Asia/Shanghai, both ends included.
- Order-based figures slice by the order's region, channel, request type and category (each with
  its subtree) and, for a unit, by the order's current lead unit.
- Event-based figures (returns, redo, callbacks) count the events in the period and slice a unit
  by the unit the event concerns (the returning unit for a return)."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.db.models import Count, Exists, F, Model, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from hotline.accounts.models import Region, Unit
from hotline.catalog.models import Category
from hotline.core.conf import hotline_int
from hotline.knowledge.choices import EntryStatus, RevisionAction
from hotline.knowledge.models import Revision, Use
from hotline.telephony.choices import CallOutcome, Direction
from hotline.telephony.models import CallRecord
from hotline.workorders.choices import Action, Rating, Status
from hotline.workorders.models import WorkOrder, WorkOrderAssignment, WorkOrderEvent

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_Rows = TypeVar("_Rows", bound=Model)


def kpi_setting(name: str) -> object:
    """A KPI variant (settings.HOTLINE_KPI): the choices cities make differently."""
    return settings.HOTLINE_KPI[name]


@dataclass(frozen=True)
class KpiFilters:
    """Which records a figure counts: a period of whole days and an optional slice."""

    start: date
    end: date  # included
    region: Region | None = None
    unit: Unit | None = None
    unit_subtree: bool = True
    channel: str | None = None
    request_type: str | None = None  # RequestType code
    category: Category | None = None  # with its subtree

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        """[start of the first day, start of the day after the last) as aware datetimes."""
        tz = timezone.get_default_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz),
        )

    def units(self) -> QuerySet[Unit] | None:
        if self.unit is None:
            return None
        if self.unit_subtree:
            return Unit.objects.filter(path__startswith=self.unit.path)
        return Unit.objects.filter(pk=self.unit.pk)


@dataclass(frozen=True)
class Figure:
    """One KPI's value with the counts it came from, so every figure can be checked by hand."""

    code: str
    numerator: Decimal
    denominator: Decimal | None  # None: the figure is a plain count or total

    @property
    def value(self) -> Decimal | None:
        """The ratio (0..1) or the plain figure; None when there is nothing to divide by."""
        if self.denominator is None:
            return self.numerator
        if not self.denominator:
            return None
        return self.numerator / self.denominator

    def rounded(self, places: int = 4) -> Decimal | None:
        value = self.value
        if value is None:
            return None
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Kpi:
    code: str
    name: StrOrPromise
    formula: StrOrPromise
    # "ratio" (shown as a percentage), "count", "seconds" or "per_day".
    kind: str
    compute: Callable[[KpiFilters, QuerySet[WorkOrder]], Figure]


# --- the records a figure reads ----------------------------------------------------------------


def sliced_orders(f: KpiFilters, base: QuerySet[_Rows], *, by_unit: bool = True) -> QuerySet[_Rows]:
    """The orders of the slice (not yet restricted to the period). `base` may also be the
    orders' facts (analytics.facts), whose dimensions carry the same names."""
    qs = base
    if f.region is not None:
        qs = qs.filter(region__path__startswith=f.region.path)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.request_type:
        qs = qs.filter(request_type__code=f.request_type)
    if f.category is not None:
        qs = qs.filter(category__path__startswith=f.category.path)
    units = f.units()
    if by_unit and units is not None:
        qs = qs.filter(lead_unit__in=units)
    return qs


def _between(f: KpiFilters, field: str) -> Q:
    start, end = f.bounds()
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def cohort(f: KpiFilters, base: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """Orders registered in the period."""
    return sliced_orders(f, base).filter(_between(f, "created_at"))


def period_events(
    f: KpiFilters, base: QuerySet[WorkOrder], actions: list[str], *, unit_field: str = "unit"
) -> QuerySet[WorkOrderEvent]:
    """Events of these actions in the period on the slice's orders; a unit slice reads
    `unit_field` of the event (the unit the move concerns)."""
    qs = WorkOrderEvent.objects.filter(
        _between(f, "created_at"),
        action__in=actions,
        order__in=sliced_orders(f, base, by_unit=False).values("pk"),
    )
    units = f.units()
    if units is not None:
        qs = qs.filter(**{f"{unit_field}__in": units})
    return qs


def _d(n: int | float | Decimal | None) -> Decimal:
    return Decimal(str(n or 0))


def _ratio(code: str, numerator: int | Decimal, denominator: int | Decimal) -> Figure:
    return Figure(code, _d(numerator), _d(denominator))


# --- work-order figures ------------------------------------------------------------------------


def registered(f: KpiFilters, base: QuerySet[WorkOrder]) -> Figure:
    return Figure("registered", _d(cohort(f, base).count()), None)


def daily_average(f: KpiFilters, base: QuerySet[WorkOrder]) -> Figure:
    return _ratio("daily_average", cohort(f, base).count(), f.days)


def resolved_at_intake() -> Exists:
    """The order was answered at intake (直办: event resolve_at_intake)."""
    return Exists(
        WorkOrderEvent.objects.filter(order=OuterRef("pk"), action=Action.RESOLVE_AT_INTAKE)
    )


def direct_resolution(f: KpiFilters, base: QuerySet[WorkOrder]) -> Figure:
    orders = cohort(f, base)
    return _ratio("direct_resolution", orders.filter(resolved_at_intake()).count(), orders.count())


# Ratio figures that compare units are built from "parts": the querysets of their numerator
# and denominator and the field naming each row's unit. The single figure counts them; the
# unit ranking groups the very same querysets by that field, so the two always reconcile.


@dataclass(frozen=True)
class Parts:
    numerator: list[tuple[Decimal, QuerySet]]  # (weight, rows): Σ weight × count
    denominator: QuerySet
    numerator_unit: str = "lead_unit"
    denominator_unit: str = "lead_unit"


def parts_figure(code: str, parts: Parts) -> Figure:
    numerator = sum((w * parts_count(qs) for w, qs in parts.numerator), Decimal(0))
    return Figure(code, numerator, _d(parts_count(parts.denominator)))


def parts_count(qs: QuerySet) -> int:
    return qs.values("pk").distinct().count() if qs.query.distinct else qs.count()


ONE = Decimal(1)


def closure_parts(f: KpiFilters, base: QuerySet[WorkOrder]) -> Parts:
    orders = cohort(f, base)
    return Parts([(ONE, orders.filter(status=Status.CLOSED))], orders)


def _lead_acknowledged() -> Exists:
    return Exists(
        WorkOrderAssignment.objects.filter(
            order=OuterRef("pk"), role="lead", is_active=True, acknowledged_at__isnull=False
        )
    )


def acknowledgement_decided(now: datetime) -> Q:
    """The round's acknowledgement is decided: acknowledged, recorded late, or its limit (if
    any) passed. An order neither acknowledged nor past its limit is not yet decided and is left
    out of 按时签收率 until it is (a report on yesterday must not count as late the orders that
    still have today to acknowledge)."""
    return (
        Q(acknowledged_late=True)
        | Q(_lead_acknowledged())
        | Q(acknowledge_due_at__isnull=True)
        | Q(acknowledge_due_at__lte=now)
    )


def on_time_acknowledge_parts(f: KpiFilters, base: QuerySet[WorkOrder]) -> Parts:
    """Orders whose current round was dispatched in the period and whose acknowledgement is
    decided; on time when the lead unit acknowledged and the time-limit rules did not record it
    late."""
    dispatched = sliced_orders(f, base).filter(_between(f, "dispatched_at"))
    decided = dispatched.filter(acknowledgement_decided(timezone.now()))
    on_time = decided.filter(_lead_acknowledged(), acknowledged_late=False)
    return Parts([(ONE, on_time)], decided)


# 响应率's settings, with Beijing's defaults where a settings file predates them.
RESPONSE_DEFAULTS: dict[str, int | str] = {
    "CONTACT_WITHIN_HOURS": 24,
    "COMPOSITE_RESPONSE": "response",
}


def _response_setting(name: str) -> int | str:
    value = settings.HOTLINE_KPI.get(name, RESPONSE_DEFAULTS[name])
    return value if isinstance(value, int | str) else str(value)


def response_parts(f: KpiFilters, base: QuerySet[WorkOrder]) -> Parts:
    """响应率 (Beijing): orders whose current round was dispatched in the period; responded when
    the lead unit acknowledged in time (as 按时签收率) and its first contact with the requester
    in the round (event contact_requester) came within CONTACT_WITHIN_HOURS of the dispatch."""
    dispatched = sliced_orders(f, base).filter(_between(f, "dispatched_at"))
    limit = timedelta(hours=int(_response_setting("CONTACT_WITHIN_HOURS")))
    contacted = WorkOrderAssignment.objects.filter(
        order=OuterRef("pk"),
        role="lead",
        is_active=True,
        acknowledged_at__isnull=False,
        contacted_at__lte=F("dispatched_at") + limit,
    )
    responded = Q(Exists(contacted), acknowledged_late=False)
    now = timezone.now()
    # Decided: responded, or failed for good: the acknowledgement late or never made in its
    # limit, or the contact window over. The rest may still respond: left out until they do.
    decided = (
        responded
        | Q(acknowledged_late=True)
        | (
            ~Q(_lead_acknowledged())
            & (Q(acknowledge_due_at__isnull=True) | Q(acknowledge_due_at__lte=now))
        )
        | Q(dispatched_at__lte=now - limit)
    )
    return Parts([(ONE, dispatched.filter(responded))], dispatched.filter(decided))


def _due(f: KpiFilters, base: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    return sliced_orders(f, base).filter(_between(f, "reply_due_at"))


def on_time_reply_parts(f: KpiFilters, base: QuerySet[WorkOrder]) -> Parts:
    """Orders whose reply deadline (after approved extensions) falls in the period; on time when
    replied and never recorded late."""
    due = _due(f, base)
    return Parts([(ONE, due.filter(replied_at__isnull=False, replied_late=False))], due)


def overdue_rate_parts(f: KpiFilters, base: QuerySet[WorkOrder]) -> Parts:
    """Of the orders due in the period, those replied late or still unanswered past the deadline."""
    due = _due(f, base)
    late = due.filter(
        Q(replied_late=True) | Q(replied_at__isnull=True, reply_due_at__lt=timezone.now())
    )
    return Parts([(ONE, late)], due)


def return_rate_parts(f: KpiFilters, base: QuerySet[WorkOrder]) -> Parts:
    returns = period_events(f, base, [Action.RETURN], unit_field="actor_unit")
    dispatches = period_events(f, base, [Action.DISPATCH, Action.REASSIGN, Action.REDISPATCH])
    return Parts([(ONE, returns)], dispatches, "actor_unit", "unit")


def redo_rate_parts(f: KpiFilters, base: QuerySet[WorkOrder]) -> Parts:
    redo = period_events(f, base, [Action.REDO])
    replies = period_events(f, base, [Action.REPLY])
    return Parts([(ONE, redo)], replies, "unit", "unit")


def _callbacks(f: KpiFilters, base: QuerySet[WorkOrder]) -> QuerySet[WorkOrderEvent]:
    return period_events(f, base, [Action.CALLBACK])


def callback_called(start: datetime) -> Exists:
    """A callback (回访, with its rating) recorded on the order from `start` on."""
    return Exists(
        WorkOrderEvent.objects.filter(
            order=OuterRef("pk"), action=Action.CALLBACK, created_at__gte=start
        )
    )


def callback_rate(f: KpiFilters, base: QuerySet[WorkOrder]) -> Figure:
    """The orders that entered the callback queue in the period (a reply accepted, or an answer
    given at intake), each once, less those still awaiting their callback within its limit;
    called back when a callback was recorded from the period's start on. Numerator and
    denominator count the same orders, so the rate never passes 100 %."""
    start, _end = f.bounds()
    queued = WorkOrder.objects.filter(
        pk__in=period_events(f, base, [Action.ACCEPT_REPLY, Action.RESOLVE_AT_INTAKE]).values(
            "order_id"
        )
    )
    called = callback_called(start)
    decided = queued.filter(
        Q(called)
        | ~Q(status=Status.AWAITING_CALLBACK)
        | Q(callback_due_at__isnull=True)
        | Q(callback_due_at__lte=timezone.now())
    )
    return _ratio("callback_rate", queued.filter(called).count(), decided.count())


def satisfaction_parts(f: KpiFilters, base: QuerySet[WorkOrder]) -> Parts:
    """(满意 + w × 基本满意) ÷ rated; w = HOTLINE_KPI["BASIC_SATISFIED_WEIGHT"] (1 counts it fully,
    0 not at all)."""
    rated = _callbacks(f, base)
    weight = _d(kpi_setting("BASIC_SATISFIED_WEIGHT"))  # type: ignore[arg-type]
    return Parts(
        [
            (ONE, rated.filter(payload__rating=Rating.SATISFIED)),
            (weight, rated.filter(payload__rating=Rating.FAIRLY_SATISFIED)),
        ],
        rated,
        "unit",
        "unit",
    )


def resolution_parts(f: KpiFilters, base: QuerySet[WorkOrder]) -> Parts:
    rated = _callbacks(f, base)
    return Parts([(ONE, rated.filter(payload__solved=True))], rated, "unit", "unit")


PARTS: dict[str, Callable[[KpiFilters, QuerySet[WorkOrder]], Parts]] = {
    "closure": closure_parts,
    "on_time_acknowledge": on_time_acknowledge_parts,
    "response": response_parts,
    "on_time_reply": on_time_reply_parts,
    "overdue_rate": overdue_rate_parts,
    "return_rate": return_rate_parts,
    "redo_rate": redo_rate_parts,
    "satisfaction": satisfaction_parts,
    "resolution": resolution_parts,
}


def _from_parts(code: str) -> Callable[[KpiFilters, QuerySet[WorkOrder]], Figure]:
    def compute(f: KpiFilters, base: QuerySet[WorkOrder]) -> Figure:
        return parts_figure(code, PARTS[code](f, base))

    compute.__name__ = code
    return compute


closure = _from_parts("closure")
on_time_acknowledge = _from_parts("on_time_acknowledge")
response = _from_parts("response")
on_time_reply = _from_parts("on_time_reply")
overdue_rate = _from_parts("overdue_rate")
return_rate = _from_parts("return_rate")
redo_rate = _from_parts("redo_rate")
satisfaction = _from_parts("satisfaction")
resolution = _from_parts("resolution")


def composite_response() -> str:
    """The figure 三率 reads as its 响应率 (HOTLINE_KPI["COMPOSITE_RESPONSE"])."""
    code = str(_response_setting("COMPOSITE_RESPONSE"))
    if code not in ("response", "on_time_acknowledge"):
        raise ValueError(
            f'HOTLINE_KPI["COMPOSITE_RESPONSE"] must be "response" or "on_time_acknowledge", not {code!r}'
        )
    return code


def composite(f: KpiFilters, base: QuerySet[WorkOrder]) -> Figure:
    """三率: weighted 响应率 / 解决率 / 满意率. 响应率 is the figure HOTLINE_KPI["COMPOSITE_RESPONSE"]
    names: "response" (Beijing's, contact records) or "on_time_acknowledge" (按时签收率 alone).
    The numerator is the weighted sum of the three rates, the denominator the sum of weights of
    the rates that have data, so a missing rate does not drag the composite to zero."""
    weights = kpi_setting("COMPOSITE_WEIGHTS")
    parts = [
        (kpi_compute(composite_response(), f, base), weights["response"]),  # type: ignore[index]
        (kpi_compute("resolution", f, base), weights["resolution"]),  # type: ignore[index]
        (kpi_compute("satisfaction", f, base), weights["satisfaction"]),  # type: ignore[index]
    ]
    total = sum((_d(w) * p.value for p, w in parts if p.value is not None), Decimal(0))
    weight = sum((_d(w) for p, w in parts if p.value is not None), Decimal(0))
    return Figure("composite", total, weight)


def repeat_calls(f: KpiFilters, base: QuerySet[WorkOrder]) -> Figure:
    """Requests of the period from a number that asked about the same category within the
    repeat window before (HOTLINE_REPEAT_WINDOW_DAYS) ÷ requests of the period."""
    orders = cohort(f, base)
    window = timedelta(days=hotline_int("REPEAT_WINDOW_DAYS"))
    earlier = WorkOrder.objects.filter(
        requester_phone=OuterRef("requester_phone"),
        category=OuterRef("category"),
        created_at__lt=OuterRef("created_at"),
        created_at__gte=OuterRef("created_at") - window,
    ).exclude(pk=OuterRef("pk"))
    repeats = orders.exclude(requester_phone="").filter(
        category__isnull=False, id__in=orders.filter(Exists(earlier)).values("pk")
    )
    return _ratio("repeat_calls", repeats.count(), orders.count())


def quality_pass(f: KpiFilters, base: QuerySet[WorkOrder]) -> Figure:
    """质检合格率: inspected samples passing ÷ inspected samples, by each sample's latest outcome
    (after appeals), over work done in the period (hotline.quality.selectors.inspections_in)."""
    from hotline.quality.selectors import inspections_in, pass_counts

    passing, inspected = pass_counts(inspections_in(f))
    return _ratio("quality_pass", passing, inspected)


# --- knowledge-base figures --------------------------------------------------------------------

# The revisions by which an entry became published: created as published, or published (from a
# draft, from review, or again after it was retired). A publisher's edit of a published entry
# keeps it published but publishes nothing new.
_BECAME_PUBLISHED = Q(
    status=EntryStatus.PUBLISHED, action__in=[RevisionAction.CREATE, RevisionAction.PUBLISH]
)


def knowledge_entries(f: KpiFilters, base: QuerySet[WorkOrder]) -> Figure:
    """知识库发布条目数: entries that became published in the period, each once. An entry
    retired later still counts (a past period's figure does not change afterwards). The slice
    reads the entry as its publishing revision recorded it: the maintaining unit (and its
    region), request type and category. The channel does not apply, nor does the viewer's scope
    of orders (`base`): published entries are read by all hotline and unit staff."""
    qs = Revision.objects.filter(_between(f, "at"), _BECAME_PUBLISHED)
    if f.region is not None:
        qs = qs.filter(unit__region__path__startswith=f.region.path)
    units = f.units()
    if units is not None:
        qs = qs.filter(unit__in=units)
    if f.request_type:
        qs = qs.filter(request_type__code=f.request_type)
    if f.category is not None:
        qs = qs.filter(category__path__startswith=f.category.path)
    n = qs.aggregate(n=Count("entry", distinct=True))["n"]
    return Figure("knowledge_entries", _d(n), None)


def knowledge_direct_share(f: KpiFilters, base: QuerySet[WorkOrder]) -> Figure:
    """知识库直办占比: of the period's orders answered at intake (as 直办率 counts them), those
    the agent answered from a knowledge entry (a `knowledge.Use`)."""
    direct = cohort(f, base).filter(resolved_at_intake())
    used = direct.filter(Exists(Use.objects.filter(order=OuterRef("pk"))))
    return _ratio("knowledge_direct_share", used.count(), direct.count())


# --- telephony figures -------------------------------------------------------------------------


def _calls(f: KpiFilters) -> QuerySet[CallRecord]:
    """Inbound calls offered to a human in the period (the IVR's self-served calls excluded);
    a region slice keeps the calls of the centres located in it (calls belong to a centre, not to
    a street)."""
    qs = CallRecord.objects.filter(
        _between(f, "started_at"),
        direction=Direction.INBOUND,
        outcome__in=[CallOutcome.ANSWERED, CallOutcome.ABANDONED],
    )
    if f.region is not None:
        qs = qs.filter(centre__region__path__startswith=f.region.path)
    return qs


def answer_rate(f: KpiFilters, base: QuerySet[WorkOrder]) -> Figure:
    offered = _calls(f)
    return _ratio(
        "answer_rate", offered.filter(outcome=CallOutcome.ANSWERED).count(), offered.count()
    )


def answer_within(f: KpiFilters, base: QuerySet[WorkOrder]) -> Figure:
    """N 秒接通率: answered within N seconds (HOTLINE_KPI["ANSWER_WITHIN_SECONDS"], 15 by the
    national rule) ÷ offered."""
    offered = _calls(f)
    n = kpi_setting("ANSWER_WITHIN_SECONDS")
    fast = offered.filter(outcome=CallOutcome.ANSWERED, wait_seconds__lte=n)
    return _ratio("answer_within", fast.count(), offered.count())


def _with_n(template: StrOrPromise) -> StrOrPromise:
    """A label naming the configured N of the N-second answer rate ("15 秒接通率"), read when
    shown: pages, reports, documents and indicator links all say the N the figure counts."""

    def render() -> str:
        return str(template).format(n=kpi_setting("ANSWER_WITHIN_SECONDS"))

    return lazy(render, str)()


def abandonment(f: KpiFilters, base: QuerySet[WorkOrder]) -> Figure:
    offered = _calls(f)
    return _ratio(
        "abandonment", offered.filter(outcome=CallOutcome.ABANDONED).count(), offered.count()
    )


def _answered_total(f: KpiFilters, field: str) -> tuple[Decimal, int]:
    answered = _calls(f).filter(outcome=CallOutcome.ANSWERED)
    total = answered.aggregate(total=Sum(field))["total"]
    return _d(total), answered.count()


def average_wait(f: KpiFilters, base: QuerySet[WorkOrder]) -> Figure:
    total, answered = _answered_total(f, "wait_seconds")
    return Figure("average_wait", total, _d(answered))


def average_talk(f: KpiFilters, base: QuerySet[WorkOrder]) -> Figure:
    total, answered = _answered_total(f, "talk_seconds")
    return Figure("average_talk", total, _d(answered))


KPIS: dict[str, Kpi] = {
    k.code: k
    for k in [
        Kpi("registered", _("受理量"), _("期内受理的工单数"), "count", registered),
        Kpi("daily_average", _("日均受理量"), _("期内受理工单数 ÷ 天数"), "per_day", daily_average),
        Kpi(
            "direct_resolution",
            _("直办率"),
            _("受理时直接办结的工单 ÷ 期内受理工单"),
            "ratio",
            direct_resolution,
        ),
        Kpi("closure", _("办结率"), _("期内受理且已办结的工单 ÷ 期内受理工单"), "ratio", closure),
        Kpi(
            "on_time_acknowledge",
            _("按时签收率"),
            _(
                "期内派单且按时签收的工单 ÷ 期内派单且签收已有结果的工单（未签收且未到签收时限的暂不计入）"
            ),
            "ratio",
            on_time_acknowledge,
        ),
        Kpi(
            "response",
            _("响应率"),
            _(
                "期内派单、按时签收且在联系时限内首次联系诉求人的工单 ÷ 期内派单且响应已有结果的工单"
                "（仍可能按时响应的暂不计入）"
            ),
            "ratio",
            response,
        ),
        Kpi(
            "on_time_reply",
            _("按时办结率"),
            _("办结时限在期内且按时答复的工单 ÷ 办结时限在期内的工单（含批准的延期）"),
            "ratio",
            on_time_reply,
        ),
        Kpi(
            "overdue_rate",
            _("超期率"),
            _("办结时限在期内且超期答复或逾期未答复的工单 ÷ 办结时限在期内的工单"),
            "ratio",
            overdue_rate,
        ),
        Kpi("return_rate", _("退单率"), _("期内退单次数 ÷ 期内派单次数"), "ratio", return_rate),
        Kpi("redo_rate", _("重办率"), _("期内重办次数 ÷ 期内答复次数"), "ratio", redo_rate),
        Kpi(
            "callback_rate",
            _("回访率"),
            _(
                "期内转入待回访（审核通过或受理时直接答复）且已回访的工单 ÷ 其中回访已有结果的工单"
                "（待回访且未到回访时限的暂不计入）"
            ),
            "ratio",
            callback_rate,
        ),
        Kpi(
            "satisfaction",
            _("满意率"),
            _("（满意 + 权重 × 基本满意）÷ 期内评价数"),
            "ratio",
            satisfaction,
        ),
        Kpi("resolution", _("解决率"), _("评价为已解决 ÷ 期内评价数"), "ratio", resolution),
        Kpi(
            "composite",
            _("三率综合"),
            _("按权重合计的响应率、解决率、满意率（有数据的各率权重之和为分母）"),
            "ratio",
            composite,
        ),
        Kpi(
            "repeat_calls",
            _("重复来电率"),
            _("期内受理的、同一号码在重复诉求窗口内已反映过同一分类的工单 ÷ 期内受理工单"),
            "ratio",
            repeat_calls,
        ),
        Kpi(
            "quality_pass",
            _("质检合格率"),
            _("期内服务的质检样本中合格的 ÷ 期内服务的质检样本（以申诉后的结论计）"),
            "ratio",
            quality_pass,
        ),
        Kpi(
            "knowledge_entries",
            _("知识库发布条目数"),
            _(
                "期内发布（新建即发布或审核后发布）的知识条目数，每条计一次，之后停用的仍计入；"
                "按维护单位及其所在区划、条目的诉求类型和分类统计，不分渠道"
            ),
            "count",
            knowledge_entries,
        ),
        Kpi(
            "knowledge_direct_share",
            _("知识库直办占比"),
            _("期内受理、受理时直接办结且引用了知识条目的工单 ÷ 期内受理、受理时直接办结的工单"),
            "ratio",
            knowledge_direct_share,
        ),
        Kpi(
            "answer_rate",
            _("接通率"),
            _("人工接听的呼入 ÷ 进入人工队列的呼入"),
            "ratio",
            answer_rate,
        ),
        Kpi(
            "answer_within",
            _with_n(_("{n} 秒接通率")),
            _with_n(_("{n} 秒内人工接听的呼入 ÷ 进入人工队列的呼入")),
            "ratio",
            answer_within,
        ),
        Kpi(
            "abandonment",
            _("呼损率"),
            _("排队中放弃的呼入 ÷ 进入人工队列的呼入"),
            "ratio",
            abandonment,
        ),
        Kpi(
            "average_wait",
            _("平均等待时长"),
            _("接听前等待秒数合计 ÷ 接听数"),
            "seconds",
            average_wait,
        ),
        Kpi("average_talk", _("平均通话时长"), _("通话秒数合计 ÷ 接听数"), "seconds", average_talk),
    ]
}


# Figures already counted for one (filters, base) by `kpi_table`, so a figure built from others
# (三率) reads them instead of counting them again.
_known: ContextVar[tuple[KpiFilters, QuerySet[WorkOrder], dict[str, Figure]] | None] = ContextVar(
    "kpi_known", default=None
)


def kpi_compute(code: str, filters: KpiFilters, base: QuerySet[WorkOrder] | None = None) -> Figure:
    """One KPI over the orders of `base` (a person's `visible_to` scope; all orders if None)."""
    known = _known.get()
    if known is not None and known[0] == filters and known[1] is base and code in known[2]:
        return known[2][code]
    return KPIS[code].compute(filters, base if base is not None else WorkOrder.objects.all())


def kpi_table(
    filters: KpiFilters, base: QuerySet[WorkOrder] | None = None, codes: list[str] | None = None
) -> list[tuple[Kpi, Figure]]:
    """The figures of `codes` (all by default). Those a batched pass can count
    (`kpi_batch.PASSES`: one query per source table) are counted together; the others by their
    own function. Both give the same figures (tests/test_kpi_batch.py)."""
    from .kpi_batch import batch_figures

    base = base if base is not None else WorkOrder.objects.all()
    codes = codes or list(KPIS)
    figures = batch_figures(filters, base, codes)
    token = _known.set((filters, base, figures))
    try:
        for code in codes:
            if code not in figures:
                figures[code] = kpi_compute(code, filters, base)
    finally:
        _known.reset(token)
    return [(KPIS[c], figures[c]) for c in codes]
