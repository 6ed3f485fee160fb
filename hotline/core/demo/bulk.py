"""Bulk demo orders: a million orders in minutes, for load and benchmark databases.

`runner.seed_demo` plays every step through the work-order services, which is the honest way
to build a demo but costs a few milliseconds a step: fine for 20,000 orders, hours for a
million. This module writes the same kind of orders (the same intake: topics, places, texts,
requesters, the dispatch catalogue's routing) straight into the tables with `bulk_create`, in
batches, along the common paths of the closed loop. Each order's rows are built together so
they agree: its events run from 受理 to its current state (the last event's `to_status` is the
order's status, `version` is the number of events), and a dispatched order has its
assignments. Merges, extensions, urges and redo are left to the service-played demo. The phone
orders get their call records (and the traffic around them) batch by batch, as `calls.seed_calls`
makes them for the played demo, so the answer-rate figures have a year of calls to read.

`part`/`parts` split one run over several processes: every part draws the same year of call
times and keeps the whole days of its share, so the parts never number the same day; each part
draws its orders from its own random stream. Start part 0 first (it builds the organisation),
the others once it has written its first batch."""

from __future__ import annotations

import random
import time as timer
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection, reset_queries, transaction
from django.db.models import Model
from django.utils import timezone

from hotline.accounts.choices import Role
from hotline.accounts.models import Unit, User
from hotline.knowledge.models import Entry as KnowledgeEntry
from hotline.knowledge.models import Use
from hotline.telephony.models import CallRecord
from hotline.workorders.choices import Action, AssignmentRole, Channel, Rating, Status
from hotline.workorders.models import (
    WorkOrder,
    WorkOrderAssignment,
    WorkOrderEvent,
    WorkOrderSequence,
)
from hotline.workorders.numbering import day_floor, numbers_advance
from hotline.workorders.transitions import TRANSITIONS

from . import phrases
from .calls import _calls
from .catalogue import build_catalogue
from .clock import LOCAL, local, registration_times
from .knowledge import Entry as Question
from .knowledge_base import seed_knowledge, use
from .lifecycle import CONFUSED, HANDLING_DAYS, OrderSpec
from .organisation import DemoOrg, build_organisation
from .runner import _Intake
from .texts import TextSource, load_texts

BATCH = 2000  # orders per transaction
# Reply time limits in calendar days by request type (a Guangdong-like rule set; the real
# clocks come from the sla rules, which work in working days).
LIMIT_DAYS = {
    "inquiry": 3,
    "help": 10,
    "complaint": 15,
    "report": 15,
    "suggestion": 10,
    "praise": 5,
    "other": 10,
}
ACK_HOURS = {"normal": 24.0, "urgent": 2.0, "critical": 0.5}
RETURN_RATE = 0.04
RATING_WEIGHTS = [80, 15, 5]  # satisfied, fairly satisfied, dissatisfied


@dataclass
class BulkReport:
    created: int = 0
    events: int = 0
    assignments: int = 0
    calls: int = 0
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)


@dataclass
class Built:
    """One order's rows before they are written; events and assignments get the order's id
    once `bulk_create` has given it one."""

    order: WorkOrder
    events: list[WorkOrderEvent] = field(default_factory=list)
    assignments: list[WorkOrderAssignment] = field(default_factory=list)
    use: Use | None = None  # answered at intake from a knowledge-base entry


def seed_bulk(
    *,
    orders: int,
    seed: int,
    days: int = 365,
    end_date: date | None = None,
    use_corpus: bool = True,
    progress: Callable[[str], None] = lambda line: None,
    part: int = 0,
    parts: int = 1,
) -> BulkReport:
    """Write `orders` orders over `days` days ending `end_date` (default today) into the demo
    county with bulk inserts, `BATCH` orders per transaction; returns what was written. With
    `parts` > 1 only this `part`'s whole days of them are written (see the module's note)."""
    if not 0 <= part < parts:
        raise ValueError(f"part {part} of {parts}")
    started = timer.monotonic()
    rng = random.Random(seed)
    end_date = end_date or timezone.localdate()
    cutoff = min(local(end_date, time(23, 59, 59)), timezone.now().astimezone(LOCAL))
    org = build_organisation()
    texts = load_texts(use_corpus=use_corpus)
    catalogue = build_catalogue(org)
    kb = seed_knowledge(org=org, catalogue=catalogue, start=end_date - timedelta(days=days - 1))
    intake = _Intake(rng, org, catalogue, texts)
    maker = _Maker(rng, org, texts, cutoff, kb)
    numbers = _Numbers()
    report = BulkReport()
    times = _share(registration_times(rng, orders, end_date, days), part, parts)
    if parts > 1:
        rng.seed(seed * 1000 + part)
    orders = len(times)
    agents = org.staff(Role.AGENT)
    step = max(BATCH, (orders // 10) // BATCH * BATCH)
    for start in range(0, orders, BATCH):
        chunk = times[start : start + BATCH]
        # A call planned for later today is moved a day back: nothing may happen after now.
        specs = [
            intake.new(start + i, at if at <= cutoff else at - timedelta(days=1))
            for i, at in enumerate(chunk)
        ]
        built = [maker.build(spec) for spec in specs]
        with transaction.atomic():
            for b in built:
                b.order.number = numbers.next(b.order.created_at)
            numbers.save()
            WorkOrder.objects.bulk_create([b.order for b in built])
            for b in built:
                for event in b.events:
                    event.order_id = b.order.pk
                for assignment in b.assignments:
                    assignment.order_id = b.order.pk
                if b.use is not None:
                    b.use.order_id = b.order.pk
            WorkOrderAssignment.objects.bulk_create([a for b in built for a in b.assignments])
            WorkOrderEvent.objects.bulk_create([e for b in built for e in b.events])
            Use.objects.bulk_create([b.use for b in built if b.use is not None])
            phone = [
                (b.order.pk, b.order.created_at, b.order.requester_phone, b.order.registered_by_id)
                for b in built
                if b.order.channel == Channel.PHONE
            ]
            calls = list(_calls(rng, org.centre, agents, iter(phone)))
            CallRecord.objects.bulk_create(calls)
        # With DEBUG on, Django keeps every statement's SQL: megabytes per batch here.
        reset_queries()
        report.created += len(built)
        report.events += sum(len(b.events) for b in built)
        report.assignments += sum(len(b.assignments) for b in built)
        report.calls += len(calls)
        report.statuses.update(b.order.status for b in built)
        if report.created % step == 0 or report.created == orders:
            elapsed = timer.monotonic() - started
            progress(f"  {report.created} 件工单，{report.events} 个事件，用时 {elapsed:.0f} 秒")
    _analyze()
    report.seconds = timer.monotonic() - started
    return report


def _share(times: list[datetime], part: int, parts: int) -> list[datetime]:
    """This part's slice of the sorted `times`, cut at local day boundaries."""
    if parts == 1:
        return times

    def cut(k: int) -> int:
        i = len(times) * k // parts
        if i == 0 or i >= len(times):
            return min(i, len(times))
        day = timezone.localdate(times[i])
        while i < len(times) and timezone.localdate(times[i]) == day:
            i += 1
        return i

    return times[cut(part) : cut(part + 1)]


def _analyze() -> None:
    """Fresh statistics, so PostgreSQL's planner knows the tables just grew by a million rows
    (until autovacuum gets round to it, it plans as if they were empty: sorts, not indexes)."""
    if connection.vendor != "postgresql":
        return
    models = (WorkOrder, WorkOrderAssignment, WorkOrderEvent, CallRecord)
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


class _Numbers:
    """Order numbers (date + six digits) continuing each day's sequence, so an order the
    services register later on one of these days gets the next free number."""

    def __init__(self) -> None:
        self.last: dict[date, int] = {}
        self.dirty: set[date] = set()

    def next(self, at: datetime) -> str:
        day = timezone.localdate(at)
        if day not in self.last:  # after every number the day has, however it was issued
            self.last[day] = day_floor(day)
        self.last[day] += 1
        self.dirty.add(day)
        return f"{day:%Y%m%d}{self.last[day]:06d}"

    def save(self) -> None:
        for day in sorted(self.dirty):
            numbers_advance(day=day, last=self.last[day])
        self.dirty.clear()


class _Maker:
    """Builds one order's rows along a common path, stopping at the cutoff (now)."""

    def __init__(
        self,
        rng: random.Random,
        org: DemoOrg,
        texts: TextSource,
        cutoff: datetime,
        kb: dict[Question, KnowledgeEntry],
    ):
        self.rng, self.org, self.texts, self.cutoff, self.kb = rng, org, texts, cutoff, kb
        self.agents = org.staff(Role.AGENT)
        self.dispatchers = org.staff(Role.DISPATCHER)
        self.supervisors = org.staff(Role.SUPERVISOR)
        self.callbacks = org.staff(Role.CALLBACK_AGENT)

    def build(self, spec: OrderSpec) -> Built:
        rng = self.rng
        order = WorkOrder(
            status=Status.REGISTERED,
            version=0,
            centre=self.org.centre,
            registered_by=rng.choice(self.agents),
            query_code=f"{rng.randrange(1_000_000):06d}",
            created_at=spec.at,
            updated_at=spec.at,
            **spec.register,
        )
        built = Built(order)
        agent = order.registered_by
        self._event(built, spec.at, Action.REGISTER, agent, payload={"channel": order.channel})
        if spec.direct:
            at = spec.at + timedelta(minutes=rng.uniform(3, 20))
            note = self.texts.answer(rng, spec.answer)
            self._event(built, at, Action.RESOLVE_AT_INTAKE, agent, note, {"answer": note})
            if spec.question is not None:
                built.use = use(self.kb[spec.question], order_id=0, agent=agent, at=at)
            self._review_and_callback(built, at, None)
            return built
        at = spec.at + timedelta(minutes=rng.uniform(5, 90 if spec.urgency == "normal" else 15))
        if at > self.cutoff:
            return built
        first = spec.lead
        returned = rng.random() < RETURN_RATE and spec.lead in CONFUSED
        if returned:
            first = CONFUSED[spec.lead]
        assisting = () if returned else spec.assisting
        self._dispatch(built, at, spec, first, assisting, Action.DISPATCH)
        if returned:
            at = self._ack_time(spec, at)
            if not self._return(built, at, first, spec.lead):
                return built
            at += timedelta(hours=rng.uniform(1, 20))
            if at > self.cutoff:
                return built
            note = rng.choice(phrases.REASSIGN).format(unit=self.org.units[spec.lead].name)
            self._dispatch(built, at, spec, spec.lead, (), Action.REASSIGN, first, note)
        self._handle(built, at, spec)
        return built

    # -- steps ------------------------------------------------------------------------------

    def _event(
        self,
        built: Built,
        at: datetime,
        action: str,
        actor: User,
        note: str = "",
        payload: dict[str, Any] | None = None,
        unit: Unit | None = None,
        actor_unit: Unit | None = None,
        to_status: str | None = None,
    ) -> None:
        """Append the event and apply its state to the order, as the services would."""
        order = built.order
        transition = TRANSITIONS.get(action)
        target = to_status or (transition.target if transition else None) or order.status
        built.events.append(
            WorkOrderEvent(
                seq=len(built.events) + 1,
                action=action,
                from_status="" if action == Action.REGISTER else order.status,
                to_status=target,
                actor=actor,
                actor_unit=actor_unit or self.org.centre,
                unit=unit,
                note=note,
                payload=payload or {},
                is_public=True
                if action == Action.REGISTER
                else bool(transition and transition.public),
                created_at=at,
            )
        )
        order.status = target
        order.version = len(built.events)
        order.updated_at = at

    def _dispatch(
        self,
        built: Built,
        at: datetime,
        spec: OrderSpec,
        lead_code: str,
        assisting: tuple[str, ...],
        action: str,
        previous: str | None = None,
        note: str = "",
    ) -> None:
        org, order = self.org, built.order
        for a in built.assignments:
            a.is_active = False
        lead = org.units[lead_code]
        helpers = [org.units[c] for c in dict.fromkeys(assisting) if c != lead_code]
        for unit, role in [(lead, AssignmentRole.LEAD)] + [
            (u, AssignmentRole.ASSISTING) for u in helpers
        ]:
            built.assignments.append(
                WorkOrderAssignment(
                    unit=unit, role=role, dispatched_by=org.centre, dispatched_at=at
                )
            )
        order.lead_unit = lead
        order.dispatched_at = at
        limit = timedelta(days=LIMIT_DAYS.get(spec.request_type, 10))
        order.acknowledge_due_at = at + timedelta(hours=ACK_HOURS.get(spec.urgency, 24))
        order.reply_due_at = at + limit
        order.reply_warn_at = order.reply_due_at - limit / 5
        payload: dict[str, Any] = {
            "lead_unit": lead.code,
            "lead_unit_name": lead.name,
            "assisting_units": [u.code for u in helpers],
        }
        if previous:
            payload["previous_unit"] = org.units[previous].code
        self._event(built, at, action, self.rng.choice(self.dispatchers), note, payload, lead)

    def _ack_time(self, spec: OrderSpec, at: datetime) -> datetime:
        hours = ACK_HOURS.get(spec.urgency, 24)
        # Most units acknowledge well inside the limit; a few are late.
        return at + timedelta(hours=self.rng.expovariate(1 / (hours * 0.35)))

    def _return(self, built: Built, at: datetime, unit_code: str, right: str) -> bool:
        if at > self.cutoff:
            return False
        rng, unit, order = self.rng, self.org.units[unit_code], built.order
        built.assignments[0].returned_at = at
        order.return_count += 1
        name = self.org.units[right].name
        reason = rng.choice(phrases.RETURN_REASONS).format(unit=name)
        basis = rng.choice(phrases.LEGAL_BASES).format(unit=name)
        self._event(
            built,
            at,
            Action.RETURN,
            self.org.handler(unit_code),
            reason,
            {"reason": reason, "legal_basis": basis, "returned_by": unit.code},
            self.org.centre,
            unit,
        )
        return True

    def _handle(self, built: Built, at: datetime, spec: OrderSpec) -> None:
        rng, order = self.rng, built.order
        lead = next(a for a in built.assignments if a.is_active and a.role == AssignmentRole.LEAD)
        handler = self.org.handler(lead.unit.code)
        at = self._ack_time(spec, at)
        if at > self.cutoff:
            return
        lead.acknowledged_at = at
        order.acknowledged_late = at > order.acknowledge_due_at  # type: ignore[operator]
        self._event(built, at, Action.ACKNOWLEDGE, handler, unit=lead.unit, actor_unit=lead.unit)
        # Handling time: a long-tailed spread around the type's median (in calendar days).
        days = HANDLING_DAYS.get(spec.request_type, 3.0) * 1.4 * rng.lognormvariate(0, 0.6)
        at += timedelta(days=days)
        if at > self.cutoff:
            return
        reply = self.texts.reply(
            rng, spec.topic.key, lead.unit.name, answer=spec.answer,
            praise=spec.request_type == "praise",
        )  # fmt: skip
        lead.replied_at, lead.reply = at, reply
        order.replied_at = at
        order.replied_late = at > order.reply_due_at  # type: ignore[operator]
        self._event(built, at, Action.REPLY, handler, reply, {"reply": reply}, lead.unit, lead.unit)
        self._review_and_callback(built, at, lead.unit)

    def _review_and_callback(self, built: Built, at: datetime, unit: Unit | None) -> None:
        rng, order = self.rng, built.order
        if unit is not None:
            at += timedelta(hours=rng.uniform(0.5, 20))
            if at > self.cutoff:
                return
            self._event(built, at, Action.ACCEPT_REPLY, rng.choice(self.supervisors), unit=unit)
        at += timedelta(hours=rng.uniform(2, 40))
        if at > self.cutoff:
            return
        rating = rng.choices(
            [Rating.SATISFIED, Rating.FAIRLY_SATISFIED, Rating.DISSATISFIED], RATING_WEIGHTS
        )[0]
        solved = rating != Rating.DISSATISFIED or rng.random() < 0.3
        order.rating, order.solved = rating, solved
        # A dissatisfied rating waits on the desk for redo or a reasoned close; the rest close.
        closed = rating != Rating.DISSATISFIED
        if closed:
            order.closed_at = at
        self._event(
            built,
            at,
            Action.CALLBACK,
            rng.choice(self.callbacks),
            "",
            {"rating": rating, "solved": solved},
            unit,
            to_status=Status.CLOSED if closed else Status.AWAITING_CALLBACK,
        )


# -- replication (PostgreSQL) ---------------------------------------------------------------------

SHIFT_SECONDS = 13  # copy k happens k × this many seconds before its original


def _rotate(column: str, k: int) -> str:
    """SQL: the number with its digits after the third rotated by k (a different requester with a
    number of the same shape; empty stays empty)."""
    digits = "0123456789"
    rotated = digits[k % 10 :] + digits[: k % 10]
    return (
        f"CASE WHEN {column} = '' THEN '' ELSE left({column}, 3) || "
        f"translate(substr({column}, 4), '{digits}', '{rotated}') END"
    )


def _copy_sql(model: type[Model], k: int, offset: int, last_id: int, call_last: int) -> str:
    """INSERT … SELECT copying the rows of `model` that belong to the original orders (ids up to
    `last_id`) as copy `k`: order ids moved by `offset`, times `k × SHIFT_SECONDS` earlier."""
    quote = connection.ops.quote_name
    table = model._meta.db_table
    columns, values = [], []
    for field_ in model._meta.concrete_fields:
        column = quote(field_.column or field_.name)
        related = getattr(field_, "related_model", None)
        if field_.primary_key:
            if model is not WorkOrder:
                continue  # a fresh id from the table's sequence
            value = f"{column} + {offset}"
        elif related is WorkOrder:
            value = f"{column} + {offset}"
        elif field_.get_internal_type() == "DateTimeField":
            value = f"{column} - interval '{k * SHIFT_SECONDS} seconds'"
        elif model is WorkOrder and field_.name == "number":
            value = f"left({column}, 8) || lpad((right({column}, 6)::int + {k * 100_000})::text, 6, '0')"
        elif field_.name in ("requester_phone", "caller_number"):
            value = _rotate(column, k)
        elif field_.name == "external_id":
            value = f"CASE WHEN {column} = '' THEN '' ELSE {column} || '-{k}' END"
        else:
            value = column
        columns.append(column)
        values.append(value)
    if model is WorkOrder:
        where = f"{quote('id')} <= {last_id}"
    elif model is CallRecord:
        where = f"{quote('id')} <= {call_last}"
    else:
        where = f"{quote('order_id')} <= {last_id}"
    return (
        f"INSERT INTO {quote(table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {quote(table)} WHERE {where}"
    )


def _last_id(model: type[Model]) -> int:
    return model._default_manager.order_by("-pk").values_list("pk", flat=True).first() or 0


def _plain_indexes(models: tuple[type[Model], ...]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the non-unique indexes of these tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "JOIN pg_class c ON c.relname = i.indexname "
            "JOIN pg_index x ON x.indexrelid = c.oid "
            "WHERE i.tablename = ANY(%s) AND NOT x.indisunique AND NOT x.indisprimary",
            [[m._meta.db_table for m in models]],
        )
        return list(cursor.fetchall())


def bulk_replicate(
    copies: int,
    progress: Callable[[str], None] = lambda line: None,
    *,
    resume: tuple[int, int, int] | None = None,
) -> int:
    """Turn the orders written so far into `copies` times as many (PostgreSQL only): each copy
    repeats every order with its events, assignments and calls a few seconds earlier, under a
    number of its own and from a requester of its own. A million orders from a generated
    100,000 in minutes rather than hours; the mix of channels, types, units and outcomes is the
    generated one, the daily volume `copies` times higher. The tables' plain indexes are dropped
    while copying and built again after (far faster than keeping them up row by row).
    `resume=(first copy, last original order id, last original call id)` carries on a run that
    was stopped. Returns the orders now present."""
    if connection.vendor != "postgresql":
        raise ValueError("bulk_replicate needs PostgreSQL")
    if resume is not None:
        first, last_id, call_last = resume
    else:
        first, last_id, call_last = 1, _last_id(WorkOrder), _last_id(CallRecord)
    offset = 10 ** len(str(last_id))
    if copies * offset > 2**31:
        raise ValueError("too many copies for the order ids")
    quote = connection.ops.quote_name
    models = (WorkOrder, WorkOrderAssignment, WorkOrderEvent, CallRecord, Use)
    indexes = _plain_indexes(models)
    with connection.cursor() as cursor:
        # Inside a transaction (a test) the rows' deferred foreign-key checks must run first:
        # PostgreSQL refuses to drop or build an index with trigger events pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {quote(name)}")
    progress(f"  {len(indexes)} indexes dropped while copying")
    for k in range(first, copies):
        with transaction.atomic(), connection.cursor() as cursor:
            for model in models:
                cursor.execute(_copy_sql(model, k, k * offset, last_id, call_last))
        progress(f"  copy {k} of {copies - 1} written")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _name, sql in indexes:
            cursor.execute(sql)
        progress("  indexes built again")
        for model in models:
            table = quote(model._meta.db_table)
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        seq = quote(WorkOrderSequence._meta.db_table)
        orders = quote(WorkOrder._meta.db_table)
        cursor.execute(
            f"UPDATE {seq} s SET last = m.last FROM (SELECT left(number, 8) AS day, "
            f"max(right(number, 6)::int) AS last FROM {orders} GROUP BY 1) m "
            f"WHERE to_char(s.day, 'YYYYMMDD') = m.day"
        )
    _analyze()
    return WorkOrder.objects.count()
