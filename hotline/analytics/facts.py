"""One narrow row of facts per work order for the KPI passes, kept fresh without touching the
write path (issue #7).

At a million orders the order pass spent its time in three correlated sub-queries per order of
the period (answered at intake, lead unit acknowledged, repeat call) and in reading the wide order
rows. `WorkOrderFacts` holds their answers, computed once per version of an order.

Freshness: every change of an order writes an event and bumps `WorkOrder.version` (the event's
`seq` is the new version), and phone, category, region, channel, request type and registration
time never change after intake. So a row is stale exactly when its `version` differs from the
order's, and the orders to look at are those of the events written since the last refresh
(`WorkOrderFactsMark`), the orders registered since, and, for the repeat-call date, the later
orders of the same number and category as a refreshed one. `facts_refresh` runs before every
pass reads the facts (a few milliseconds when nothing changed) and in a periodic job, so a page
rarely has to wait for it. Events are numbered when written but become visible when their
transaction commits, so the scan starts `LOOKBACK` events before the mark; `facts_refresh(full=
True)` (the nightly job, `manage.py kpi_facts`) compares every order's version and catches
whatever a longer transaction could still have hidden.

Each row is built by one `INSERT … SELECT … ON CONFLICT DO UPDATE` per batch, the same statement
on PostgreSQL and SQLite (≥ 3.24), so concurrent refreshes cannot collide on a row."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)

from hotline.workorders.choices import Action, Status
from hotline.workorders.models import WorkOrder, WorkOrderAssignment, WorkOrderEvent

from .models import WorkOrderFacts, WorkOrderFactsMark

# Events written before the mark but committed after the last refresh are still found if fewer
# than this many events were written in between (about half a day of a big city's moves).
LOOKBACK = 5000
BATCH = 20000


def _row_expressions() -> dict[str, object]:
    """column of WorkOrderFacts → the expression over WorkOrder that fills it."""
    lead = WorkOrderAssignment.objects.filter(
        order=OuterRef("pk"), role="lead", is_active=True, acknowledged_at__isnull=False
    )
    delay = ExpressionWrapper(F("contacted_at") - F("dispatched_at"), output_field=DurationField())
    earlier = (
        WorkOrder.objects.filter(
            requester_phone=OuterRef("requester_phone"),
            category=OuterRef("category"),
            created_at__lt=OuterRef("created_at"),
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    resolved = WorkOrderEvent.objects.filter(order=OuterRef("pk"), action=Action.RESOLVE_AT_INTAKE)
    return {
        "order_id": F("pk"),
        "version": F("version"),
        "created_at": F("created_at"),
        "dispatched_at": F("dispatched_at"),
        "reply_due_at": F("reply_due_at"),
        "replied_at": F("replied_at"),
        "region_id": F("region_id"),
        "channel": F("channel"),
        "request_type_id": F("request_type_id"),
        "category_id": F("category_id"),
        "lead_unit_id": F("lead_unit_id"),
        "closed": ExpressionWrapper(Q(status=Status.CLOSED), output_field=BooleanField()),
        "acknowledged_late": F("acknowledged_late"),
        "replied_late": F("replied_late"),
        "resolved_at_intake": Exists(resolved),
        "lead_acknowledged": Exists(lead),
        "contact_delay": Subquery(
            lead.filter(contacted_at__isnull=False)
            .annotate(delay=delay)
            .order_by("delay")
            .values("delay")[:1],
            output_field=DurationField(),
        ),
        # Decided on the outer row first: without it PostgreSQL walks every earlier anonymous
        # order (phone "") through the phone index only to filter them all out.
        "previous_same_at": Case(
            When(Q(requester_phone="") | Q(category__isnull=True), then=None),
            default=Subquery(earlier),
            output_field=DateTimeField(),
        ),
    }


def _upsert(orders: QuerySet[WorkOrder]) -> int:
    """Write the facts of `orders` (a filtered queryset) in one statement; the row count."""
    expressions = _row_expressions()
    columns = list(expressions)
    aliases = {f"fact_{c}": e for c, e in expressions.items()}
    select = orders.order_by().annotate(**aliases).values_list(*aliases)  # type: ignore[arg-type]
    sql, params = select.query.sql_with_params()
    q = connection.ops.quote_name
    table = q(WorkOrderFacts._meta.db_table)
    inner = ", ".join(f"s.{q(a)}" for a in aliases)
    updates = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in columns if c != "order_id")
    # "WHERE true": SQLite needs a WHERE before ON CONFLICT to parse INSERT … SELECT.
    statement = (
        f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) "
        f"SELECT {inner} FROM ({sql}) s WHERE true "
        f"ON CONFLICT ({q('order_id')}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


@dataclass(frozen=True)
class Refreshed:
    orders: int  # facts rows written
    full: bool


def _stale(candidates: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    fresh = WorkOrderFacts.objects.filter(order=OuterRef("pk"), version=OuterRef("version"))
    return candidates.filter(~Exists(fresh))


def _later_same(ids: list[int]) -> list[int]:
    """Orders registered after one of `ids` by the same number on the same category: their
    previous_same_at may now be one of `ids` (an order registered with a time in the past)."""
    earlier = WorkOrder.objects.filter(
        pk__in=ids,
        requester_phone=OuterRef("requester_phone"),
        category=OuterRef("category"),
        created_at__lt=OuterRef("created_at"),
    )
    later = (
        WorkOrder.objects.exclude(requester_phone="")
        .filter(category__isnull=False, requester_phone__in=_phones(ids))
        .filter(Exists(earlier))
    )
    return list(later.values_list("pk", flat=True))


def _phones(ids: list[int]) -> list[str]:
    rows = WorkOrder.objects.filter(pk__in=ids).exclude(requester_phone="")
    return sorted(set(rows.values_list("requester_phone", flat=True)))


def _chunks(ids: list[int], size: int = 5000) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def facts_refresh(*, full: bool = False) -> Refreshed:
    """Bring the facts up to date with the orders; returns how many rows were written.

    Incremental by default (the orders of the events since the mark, and new orders); `full`
    compares every order's version, in batches of BATCH orders by id. The first refresh of a
    database is always full."""
    top = WorkOrderEvent.objects.aggregate(top=Max("pk"))["top"] or 0
    mark = WorkOrderFactsMark.objects.filter(pk=1).values_list("event_id", flat=True).first()
    written = 0
    if full or mark is None:
        last = WorkOrder.objects.aggregate(last=Max("pk"))["last"] or 0
        for start in range(0, last + 1, BATCH):
            with transaction.atomic():
                batch = WorkOrder.objects.filter(pk__gte=start, pk__lt=start + BATCH)
                written += _upsert(_stale(batch) if mark is not None else batch)
        _advance(top)
        return Refreshed(written, True)
    newest = WorkOrderFacts.objects.aggregate(newest=Max("order_id"))["newest"] or 0
    moved = WorkOrderEvent.objects.filter(pk__gt=mark - LOOKBACK).values("order_id")
    # Two look-ups rather than one with OR: each reads an index (the primary key of the
    # orders, the events after the mark), never the whole order table.
    ids = [
        pk
        for candidates in (
            WorkOrder.objects.filter(pk__gt=newest),
            WorkOrder.objects.filter(pk__in=moved),
        )
        for pk in _stale(candidates).values_list("pk", flat=True)
    ]
    if ids:
        ids = sorted(set(ids) | set(_later_same(ids)))
        with transaction.atomic():
            for chunk in _chunks(ids):
                written += _upsert(WorkOrder.objects.filter(pk__in=chunk))
    if top > mark:
        _advance(top)
    return Refreshed(written, False)


def _advance(top: int) -> None:
    """Move the mark forward only (a slower concurrent refresh must not move it back)."""
    WorkOrderFactsMark.objects.get_or_create(pk=1)
    WorkOrderFactsMark.objects.filter(pk=1, event_id__lt=top).update(event_id=top)


def facts_for(base: QuerySet[WorkOrder]) -> QuerySet[WorkOrderFacts]:
    """The facts of the orders of `base` (a person's scope, or every order)."""
    qs = WorkOrderFacts.objects.all()
    if base.query.where:
        qs = qs.filter(order__in=base.values("pk"))
    return qs
