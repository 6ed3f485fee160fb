"""The demo's call records (话单): the phone channel's traffic behind the demo's orders.

Until the telephony integration lands, the answer-rate figures (接通率, 15 秒接通率, 呼损率, ASA,
AHT) are computed from these rows, so they are generated to look like a county hotline's year:
every order taken on the phone is one answered call; around it come calls that made no order
(follow-ups, questions answered from the knowledge base), callers who hung up in the queue, and
callers the IVR served. Waits are short on most calls with a long tail at the busy hours."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db import transaction

from hotline.accounts.models import Unit, User
from hotline.telephony.choices import CallOutcome, Direction
from hotline.telephony.models import CallRecord
from hotline.workorders.choices import Channel
from hotline.workorders.models import WorkOrder

# Per answered call that made an order: calls that made none (answered), hung up in the queue,
# and were served by the IVR. Chosen so the answer rate lands near the national 95.9 %.
EXTRA_ANSWERED = 0.35
ABANDONED = 0.06
IVR = 0.12
BATCH = 5000


def _wait(rng: random.Random, busy: bool) -> int:
    """Seconds in the queue before an agent answers: mostly a few seconds, a tail when busy."""
    base = rng.lognormvariate(1.8, 0.6)  # median about 6 s
    if busy and rng.random() < 0.25:
        base += rng.uniform(10, 60)
    return max(1, int(base))


def _talk(rng: random.Random) -> int:
    return max(30, int(rng.lognormvariate(5.2, 0.45)))  # median about 3 minutes


def _busy(at: datetime) -> bool:
    return at.hour in (9, 10, 14, 15, 16)


def _caller(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _calls(
    rng: random.Random, centre: Unit, agents: list[User], orders: Iterator[tuple]
) -> Iterator[CallRecord]:
    for pk, created_at, phone, agent_id in orders:
        wait = _wait(rng, _busy(created_at))
        talk = _talk(rng)
        started = created_at - timedelta(seconds=wait + talk)
        yield CallRecord(
            centre=centre,
            direction=Direction.INBOUND,
            caller_number=phone or _caller(rng),
            started_at=started,
            answered_at=started + timedelta(seconds=wait),
            ended_at=created_at,
            wait_seconds=wait,
            talk_seconds=talk,
            outcome=CallOutcome.ANSWERED,
            agent_id=agent_id,
            order_id=pk,
        )
        # Traffic around this call, spread over the same hour of the same day.
        for outcome, share in (
            (CallOutcome.ANSWERED, EXTRA_ANSWERED),
            (CallOutcome.ABANDONED, ABANDONED),
            (CallOutcome.IVR, IVR),
        ):
            if rng.random() >= share:
                continue
            at = created_at + timedelta(seconds=rng.randint(-1800, 1800))
            if outcome == CallOutcome.ANSWERED:
                wait, talk = _wait(rng, _busy(at)), _talk(rng)
                agent: User | None = rng.choice(agents)
            elif outcome == CallOutcome.ABANDONED:
                wait, talk, agent = rng.randint(5, 120), 0, None
            else:
                wait, talk, agent = 0, rng.randint(20, 120), None
            yield CallRecord(
                centre=centre,
                direction=Direction.INBOUND,
                caller_number=_caller(rng),
                started_at=at,
                answered_at=at + timedelta(seconds=wait)
                if outcome == CallOutcome.ANSWERED
                else None,
                ended_at=at + timedelta(seconds=wait + talk),
                wait_seconds=wait,
                talk_seconds=talk,
                outcome=outcome,
                agent=agent,
            )


def _uncovered_phone_orders(centre: Unit) -> Iterator[tuple]:
    """Page through by primary key (no open cursor while the batches are written)."""
    last = 0
    while True:
        page = list(
            WorkOrder.objects.filter(
                centre=centre, channel=Channel.PHONE, calls__isnull=True, pk__gt=last
            )
            .order_by("pk")
            .values_list("pk", "created_at", "requester_phone", "registered_by_id")[:BATCH]
        )
        if not page:
            return
        yield from page
        last = page[-1][0]


def seed_calls(*, centre: Unit, agents: list[User], seed: int = 12345) -> int:
    """Write the call records behind the phone orders of `centre` that have none yet; returns
    how many rows were written. Running it again adds nothing for orders already covered."""
    rng = random.Random(seed)
    written = 0
    orders = _uncovered_phone_orders(centre)
    batch: list[CallRecord] = []
    for call in _calls(rng, centre, agents, orders):
        batch.append(call)
        if len(batch) >= BATCH:
            with transaction.atomic():
                CallRecord.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    if batch:
        with transaction.atomic():
            CallRecord.objects.bulk_create(batch)
        written += len(batch)
    return written
