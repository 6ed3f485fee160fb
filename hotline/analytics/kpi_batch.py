"""The figures of `kpis` counted together: one query per source table instead of one or two per
figure.

A page of figures (the KPI table, the report, the dashboard) asks for most of them at once, and
each figure on its own reads the same rows again: at a million orders that is a few dozen scans of
a month of orders and events. Here every figure whose numerator and denominator are counts over
one table becomes a conditional count (`COUNT(*) FILTER (WHERE …)`) in a single query over that
table: one over the orders (registered, dispatched or due in the period), one over the events of
the period, one over the calls, one over the quality inspections. The order and event passes read
the narrow per-order and per-event facts of `analytics.facts` (refreshed first), not the work
orders and events themselves. The same passes grouped by unit give every unit's figures at once
(`unit_passes`, read by the rankings).

Each condition is the very filter of the figure's own function in `kpis` (the same helpers, the
same fields), and tests/test_kpi_batch.py checks every batched figure against its own function
for every filter, so the two can never drift apart. Figures not listed here (or added later
without a batched form) are simply computed on their own by `kpis.kpi_table`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Sum, When
from django.utils import timezone

from hotline.core.conf import hotline_int
from hotline.telephony.choices import CallOutcome
from hotline.workorders.choices import Action, Rating
from hotline.workorders.models import WorkOrder

from .facts import event_facts_refresh, facts_for, facts_refresh
from .kpis import (
    Figure,
    KpiFilters,
    _between,
    _calls,
    _d,
    _ratio,
    _response_setting,
    kpi_setting,
    sliced_orders,
)
from .models import WorkOrderEventFacts, WorkOrderFacts

Counts = Mapping[str, Any]


@contextmanager
def no_jit() -> Iterator[None]:
    """PostgreSQL planning the enclosed passes for what they are (measured with EXPLAIN ANALYZE
    at a million orders, under load): no JIT compilation (the conditions are cheap to
    interpret, but the cost estimate made PostgreSQL compile them: 2.4 of the 6.9 seconds of a
    month's order pass), and random reads priced as on an SSD (random_page_cost 1.1 instead of
    the spinning-disk default 4), so a month of events is read through the created_at index
    (1.0 s) rather than by scanning all of them (2.3 s); a year still scans."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL random_page_cost = 1.1")
        yield


# --- orders ------------------------------------------------------------------------------------


def _order_conditions(f: KpiFilters) -> dict[str, Q]:
    """name → the condition an order's facts row is counted under: each figure's own filter
    in kpis, read from the precomputed facts (analytics.facts) instead of sub-queries; what
    depends on a setting or on "now" is decided here."""
    created = _between(f, "created_at")
    dispatched = _between(f, "dispatched_at")
    due = _between(f, "reply_due_at")
    window = timedelta(days=hotline_int("REPEAT_WINDOW_DAYS"))
    contact = timedelta(hours=int(_response_setting("CONTACT_WITHIN_HOURS")))
    now = timezone.now()
    # As kpis.acknowledgement_decided and kpis.response_parts: an order that may still be
    # acknowledged (or may still respond) in time is left out until it is decided.
    unacknowledged_past_limit = Q(lead_acknowledged=False) & (
        Q(acknowledge_due_at__isnull=True) | Q(acknowledge_due_at__lte=now)
    )
    ack_decided = Q(acknowledged_late=True) | Q(lead_acknowledged=True) | unacknowledged_past_limit
    responded = Q(acknowledged_late=False, contact_delay__lte=contact)
    response_decided = (
        responded
        | Q(acknowledged_late=True)
        | unacknowledged_past_limit
        | Q(dispatched_at__lte=now - contact)
    )
    return {
        "registered": created,
        "direct": created & Q(resolved_at_intake=True),
        "closed": created & Q(closed=True),
        # previous_same_at is None without a number or a category.
        "repeats": created & Q(previous_same_at__gte=F("created_at") - window),
        "dispatched": dispatched,
        "ack_decided": dispatched & ack_decided,
        "ack_on_time": dispatched & Q(acknowledged_late=False, lead_acknowledged=True),
        # contact_delay is set only for an acknowledged current lead round.
        "response_decided": dispatched & response_decided,
        "responded": dispatched & responded,
        "due": due,
        "on_time": due & Q(replied_at__isnull=False, replied_late=False),
        "late": due
        & (Q(replied_late=True) | Q(replied_at__isnull=True, reply_due_at__lt=timezone.now())),
    }


# The counts each order figure needs, and the date each count finds its orders by: a page that
# asks for a few figures (the dashboard's headline, the rankings) pays only for theirs.
ORDER_NEEDS: dict[str, tuple[str, ...]] = {
    "registered": ("registered",),
    "daily_average": ("registered",),
    "direct_resolution": ("direct", "registered"),
    "closure": ("closed", "registered"),
    "repeat_calls": ("repeats", "registered"),
    "on_time_acknowledge": ("ack_on_time", "ack_decided"),
    "response": ("responded", "response_decided"),
    "on_time_reply": ("on_time", "due"),
    "overdue_rate": ("late", "due"),
}
_FOUND_BY = {"registered": ("registered", "direct", "closed", "repeats"),
             "dispatched": ("dispatched", "ack_decided", "ack_on_time", "response_decided",
                            "responded"),
             "due": ("due", "on_time", "late")}  # fmt: skip


def _needed(codes: Iterable[str]) -> set[str]:
    return {name for code in codes for name in ORDER_NEEDS.get(code, ())}


def _order_rows(
    f: KpiFilters, base: QuerySet[WorkOrder], names: set[str], *, by_unit: bool
) -> QuerySet:
    conditions = _order_conditions(f)
    anywhere = Q()
    for date_name, counts in _FOUND_BY.items():
        if names & set(counts):
            anywhere |= conditions[date_name]
    return sliced_orders(f, facts_for(base), by_unit=by_unit).filter(anywhere).order_by()


def _order_aggregates(f: KpiFilters, names: set[str]) -> dict[str, Count]:
    return {
        name: Count("pk", filter=q) for name, q in _order_conditions(f).items() if name in names
    }


def _order_figures(f: KpiFilters, c: Counts, codes: Iterable[str]) -> dict[str, Figure]:
    make: dict[str, Callable[[], Figure]] = {
        "registered": lambda: Figure("registered", _d(c["registered"]), None),
        "daily_average": lambda: _ratio("daily_average", _int(c["registered"]), f.days),
        "direct_resolution": lambda: _ratio(
            "direct_resolution", _int(c["direct"]), _int(c["registered"])
        ),
        "closure": lambda: _ratio("closure", _int(c["closed"]), _int(c["registered"])),
        "repeat_calls": lambda: _ratio("repeat_calls", _int(c["repeats"]), _int(c["registered"])),
        "on_time_acknowledge": lambda: _ratio(
            "on_time_acknowledge", _int(c["ack_on_time"]), _int(c["ack_decided"])
        ),
        "response": lambda: _ratio("response", _int(c["responded"]), _int(c["response_decided"])),
        "on_time_reply": lambda: _ratio("on_time_reply", _int(c["on_time"]), _int(c["due"])),
        "overdue_rate": lambda: _ratio("overdue_rate", _int(c["late"]), _int(c["due"])),
    }
    return {code: make[code]() for code in codes if code in make}


def orders_pass(
    f: KpiFilters, base: QuerySet[WorkOrder], codes: Iterable[str] = tuple(ORDER_NEEDS)
) -> dict[str, Figure]:
    codes = [c for c in codes if c in ORDER_NEEDS]
    names = _needed(codes)
    rows = _order_rows(f, base, names, by_unit=True)
    return _order_figures(f, rows.aggregate(**_order_aggregates(f, names)), codes)


# --- events ------------------------------------------------------------------------------------

DISPATCHES = [Action.DISPATCH, Action.REASSIGN, Action.REDISPATCH]
QUEUED = [Action.ACCEPT_REPLY, Action.RESOLVE_AT_INTAKE]
EVENT_ACTIONS = [Action.RETURN, *DISPATCHES, Action.REDO, Action.REPLY, Action.CALLBACK, *QUEUED]


def _event_conditions(f: KpiFilters, *, unit_slice: bool) -> dict[str, Q]:
    units = f.units() if unit_slice else None

    def of(actions: Sequence[str], unit_field: str = "unit") -> Q:
        q = Q(action__in=actions)
        if units is not None:
            q &= Q(**{f"{unit_field}__in": units})
        return q

    callback = of([Action.CALLBACK])
    return {
        "returns": of([Action.RETURN], "actor_unit"),
        "dispatches": of(DISPATCHES),
        "redo": of([Action.REDO]),
        "replies": of([Action.REPLY]),
        "callbacks": callback,
        # The event facts hold the callback's payload.rating and payload.solved.
        "satisfied": callback & Q(rating=Rating.SATISFIED),
        "fairly": callback & Q(rating=Rating.FAIRLY_SATISFIED),
        "solved": callback & Q(solved=True),
    }


def _event_rows(f: KpiFilters, base: QuerySet[WorkOrder]) -> QuerySet[WorkOrderEventFacts]:
    """The period's counted events of the slice, from their narrow copies (analytics.facts),
    which carry their order's dimensions; a scope still limits them to its orders."""
    qs = WorkOrderEventFacts.objects.filter(_between(f, "created_at"), action__in=EVENT_ACTIONS)
    qs = sliced_orders(f, qs, by_unit=False)
    if base.query.where:
        qs = qs.filter(order__in=base.values("pk"))
    return qs.order_by()


def _event_figures(c: Counts) -> dict[str, Figure]:
    weight = _d(kpi_setting("BASIC_SATISFIED_WEIGHT"))  # type: ignore[arg-type]
    satisfied = Decimal(1) * _int(c["satisfied"]) + weight * _int(c["fairly"])
    rated = _d(c["callbacks"])
    return {
        "return_rate": _ratio("return_rate", _int(c["returns"]), _int(c["dispatches"])),
        "redo_rate": _ratio("redo_rate", _int(c["redo"]), _int(c["replies"])),
        "satisfaction": Figure("satisfaction", satisfied, rated),
        "resolution": _ratio("resolution", _int(c["solved"]), _int(c["callbacks"])),
    }


def events_pass(
    f: KpiFilters, base: QuerySet[WorkOrder], codes: Iterable[str] = ()
) -> dict[str, Figure]:
    aggregates = {
        name: Count("pk", filter=q) for name, q in _event_conditions(f, unit_slice=True).items()
    }
    return _event_figures(_event_rows(f, base).aggregate(**aggregates))


# --- callbacks ---------------------------------------------------------------------------------


def callbacks_pass(
    f: KpiFilters, base: QuerySet[WorkOrder], codes: Iterable[str] = ()
) -> dict[str, Figure]:
    """回访率 as `kpis.callback_rate` counts it: the orders queued for their
    callback in the period (from the event facts), each once, those decided and those called
    back from the period's start on (from the order facts and the event facts)."""
    start, end = f.bounds()
    units = f.units()
    queued = Q(action__in=QUEUED, created_at__lt=end)
    if units is not None:
        queued &= Q(unit__in=units)
    # One pass over the slice's queue and callback events since the period's start, grouped by
    # order (a hash aggregate: a correlated EXISTS per order cost 1 s for a month and 14 s for a
    # year at a million orders); then the few orders now awaiting their callback in time.
    since = WorkOrderEventFacts.objects.filter(
        created_at__gte=start, action__in=[*QUEUED, Action.CALLBACK]
    )
    since = sliced_orders(f, since, by_unit=False)
    if base.query.where:
        since = since.filter(order__in=base.values("pk"))
    per_order = (
        since.order_by()
        .values("order_id")
        .annotate(
            was_queued=Count("pk", filter=queued),
            was_called=Count("pk", filter=Q(action=Action.CALLBACK)),
        )
        .filter(was_queued__gt=0)
    )
    c = per_order.aggregate(
        queued=Count("order_id"), called=Count("order_id", filter=Q(was_called__gt=0))
    )
    called = Exists(
        WorkOrderEventFacts.objects.filter(
            order=OuterRef("order"), action=Action.CALLBACK, created_at__gte=start
        )
    )
    waiting = WorkOrderFacts.objects.filter(awaiting_callback_until__gt=timezone.now())
    c["undecided"] = waiting.filter(order__in=per_order.values("order_id")).filter(~called).count()
    c["decided"] = c["queued"] - c["undecided"]
    return {"callback_rate": _ratio("callback_rate", _int(c["called"]), _int(c["decided"]))}


# --- calls -------------------------------------------------------------------------------------


def calls_pass(
    f: KpiFilters, base: QuerySet[WorkOrder], codes: Iterable[str] = ()
) -> dict[str, Figure]:
    answered = Q(outcome=CallOutcome.ANSWERED)
    n = kpi_setting("ANSWER_WITHIN_SECONDS")
    c = _calls(f).aggregate(
        offered=Count("pk"),
        answered=Count("pk", filter=answered),
        fast=Count("pk", filter=answered & Q(wait_seconds__lte=n)),
        abandoned=Count("pk", filter=Q(outcome=CallOutcome.ABANDONED)),
        wait=Sum("wait_seconds", filter=answered),
        talk=Sum("talk_seconds", filter=answered),
    )
    return {
        "answer_rate": _ratio("answer_rate", c["answered"], c["offered"]),
        "answer_within": _ratio("answer_within", c["fast"], c["offered"]),
        "abandonment": _ratio("abandonment", c["abandoned"], c["offered"]),
        "average_wait": Figure("average_wait", _d(c["wait"]), _d(c["answered"])),
        "average_talk": Figure("average_talk", _d(c["talk"]), _d(c["answered"])),
    }


# --- quality inspections ------------------------------------------------------------------------


def quality_pass(
    f: KpiFilters, base: QuerySet[WorkOrder], codes: Iterable[str] = ()
) -> dict[str, Figure]:
    """质检合格率 in one query over the samples of `kpis.quality_pass` (the very same
    `inspections_in`): passing and inspected counted together."""
    from hotline.quality.selectors import inspections_in

    c = inspections_in(f).aggregate(
        inspected=Count("pk"), passing=Count("pk", filter=Q(passed=True))
    )
    return {"quality_pass": _ratio("quality_pass", _int(c["passing"]), _int(c["inspected"]))}


def _int(n: int | Decimal | None) -> int:
    return int(n or 0)


Pass = Callable[[KpiFilters, QuerySet[WorkOrder], Iterable[str]], dict[str, Figure]]
PASSES: list[tuple[frozenset[str], Pass]] = [
    (
        frozenset(
            {
                "registered",
                "daily_average",
                "direct_resolution",
                "closure",
                "repeat_calls",
                "on_time_acknowledge",
                "response",
                "on_time_reply",
                "overdue_rate",
            }
        ),
        orders_pass,
    ),
    (
        frozenset({"return_rate", "redo_rate", "satisfaction", "resolution"}),
        events_pass,
    ),
    (frozenset({"callback_rate"}), callbacks_pass),
    (
        frozenset({"answer_rate", "answer_within", "abandonment", "average_wait", "average_talk"}),
        calls_pass,
    ),
    (frozenset({"quality_pass"}), quality_pass),
]


def batch_figures(f: KpiFilters, base: QuerySet[WorkOrder], codes: list[str]) -> dict[str, Figure]:
    """The figures of `codes` that a pass can count, each pass run once if any of its figures is
    asked for; the rest are left to their own functions."""
    wanted = set(codes)
    out: dict[str, Figure] = {}
    with no_jit():
        if wanted & (PASSES[0][0] | PASSES[2][0]):
            facts_refresh()
        if wanted & (PASSES[1][0] | PASSES[2][0]):
            event_facts_refresh()
        for covers, run in PASSES:
            if covers & wanted:
                figures = run(f, base, covers & wanted)
                out.update({c: fig for c, fig in figures.items() if c in wanted})
    return out


# --- every unit at once ------------------------------------------------------------------------

UNIT_CODES = frozenset(
    {
        "closure",
        "on_time_acknowledge",
        "response",
        "on_time_reply",
        "overdue_rate",
        "return_rate",
        "redo_rate",
        "satisfaction",
        "resolution",
    }
)


ORDER_UNIT_CODES = frozenset(
    {"closure", "on_time_acknowledge", "response", "on_time_reply", "overdue_rate"}
)


def unit_passes(
    f: KpiFilters, base: QuerySet[WorkOrder], codes: tuple[str, ...]
) -> dict[int, dict[str, Figure]]:
    """unit id → its figures of `codes` (those in UNIT_CODES), every unit of the period in two
    grouped queries. Order figures group by the current lead unit, event figures by the unit the
    event concerns (the returning unit for a return), as `kpis.PARTS` defines them; `f`'s unit
    is ignored (the caller keeps the units it wants)."""
    with no_jit():
        if set(codes) & ORDER_UNIT_CODES:
            facts_refresh()
        if set(codes) & (UNIT_CODES - ORDER_UNIT_CODES):
            event_facts_refresh()
        return _unit_passes(f, base, set(codes) & UNIT_CODES)


def _unit_passes(
    f: KpiFilters, base: QuerySet[WorkOrder], wanted: set[str]
) -> dict[int, dict[str, Figure]]:
    out: dict[int, dict[str, Figure]] = defaultdict(dict)
    order_codes = wanted & ORDER_UNIT_CODES
    if order_codes:
        names = _needed(order_codes)
        rows = (
            _order_rows(f, base, names, by_unit=False)
            .filter(lead_unit__isnull=False)
            .values("lead_unit")
            .annotate(**_order_aggregates(f, names))
        )
        for r in rows:
            figures = _order_figures(f, r, order_codes)
            out[r["lead_unit"]].update({c: figures[c] for c in order_codes})
    event_codes = wanted - order_codes
    if event_codes:
        concerned = Case(When(action=Action.RETURN, then=F("actor_unit")), default=F("unit"))
        aggregates = {
            name: Count("pk", filter=q)
            for name, q in _event_conditions(f, unit_slice=False).items()
        }
        rows = (
            _event_rows(f, base)
            .annotate(concerned=concerned)
            .filter(concerned__isnull=False)
            .values("concerned")
            .annotate(**aggregates)
        )
        for r in rows:
            figures = _event_figures(r)
            out[r["concerned"]].update({c: figures[c] for c in event_codes})
    return out
