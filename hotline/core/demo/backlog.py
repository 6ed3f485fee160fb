"""The demo's present: what is waiting in each queue when someone logs in.

Played to the end, a planned year leaves few orders mid-way, because most moves at the hotline
desk take minutes. A real Monday morning is not like that: orders registered overnight wait for
the dispatcher, units have not yet acknowledged the weekend's orders, replies wait for review,
returns for the dispatcher's decision, and so on. So after planning, each queue is filled to a
depth proportional to recent intake by holding recently arrived orders in it: the order's path
is cut at the move that would have taken it out, so nothing after that move happens."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from hotline.workorders.choices import Action, Rating

from .lifecycle import REGISTER, OrderSpec, Path, Step

A = Action
# Moves that leave the state as it is. Any other move ends a stay in a queue.
_IN_PLACE = frozenset(
    {
        A.URGE, A.SUPERVISE, A.ASSIST_REPLY, A.REQUEST_EXTENSION, A.APPROVE_EXTENSION,
        A.REJECT_EXTENSION, A.ADD_NOTE, A.ATTACH, A.LINK,
    }
)  # fmt: skip


def _dissatisfied(step: Step) -> bool:
    return step.params.get("rating") == Rating.DISSATISFIED


@dataclass(frozen=True)
class Queue:
    """Work waiting at one desk: orders that entered by one of `enters` and whose next move is
    one of `leaves`. `depth` is the number held at the cutoff, in days of recent intake;
    only orders that entered within `window` days are held back (older ones would be stale)."""

    name: str
    enters: frozenset[str]
    leaves: frozenset[str]
    depth: float
    window: float
    when: Callable[[Step], bool] | None = None  # a condition on the entering move
    # The leaving move is found among these; by default any move that changes the state.
    ends: frozenset[str] | None = None


# Rare queues first: they have the fewest candidates, and an order is held in one queue only.
# Depths give, at ~55 orders a day, the queue lengths of a county hotline on a Monday morning.
QUEUES = [
    Queue("dissatisfied", frozenset({A.CALLBACK}), frozenset({A.REDO, A.CLOSE}), 0.07, 4,
          when=_dissatisfied),
    Queue("returned", frozenset({A.RETURN}), frozenset({A.REASSIGN, A.REJECT_RETURN}), 0.18, 7),
    Queue("extension", frozenset({A.REQUEST_EXTENSION}),
          frozenset({A.APPROVE_EXTENSION, A.REJECT_EXTENSION}), 0.13, 6,
          ends=frozenset({A.APPROVE_EXTENSION, A.REJECT_EXTENSION, A.REPLY, A.RETURN})),
    Queue("replied", frozenset({A.REPLY}), frozenset({A.ACCEPT_REPLY, A.SEND_BACK}), 0.55, 3),
    Queue("registered", frozenset({REGISTER}), frozenset({A.DISPATCH}), 0.27, 1.5),
    Queue("dispatched", frozenset({A.DISPATCH, A.REASSIGN, A.REDISPATCH, A.REDO}),
          frozenset({A.ACKNOWLEDGE, A.RETURN}), 0.8, 3),
    Queue("awaiting_callback", frozenset({A.RESOLVE_AT_INTAKE, A.ACCEPT_REPLY}),
          frozenset({A.CALLBACK, A.CALLBACK_UNREACHABLE, A.CLOSE}), 1.6, 4),
]  # fmt: skip


def _stays(queue: Queue, path: Path) -> list[tuple[Step, int | None]]:
    """Each stay of `path` in `queue`: the entering move and the index of the leaving move
    (None when the path ends there)."""
    ends = queue.ends
    out: list[tuple[Step, int | None]] = []
    steps = path.steps
    for i, step in enumerate(steps):
        if step.action not in queue.enters or (queue.when and not queue.when(step)):
            continue
        j = next(
            (
                j
                for j in range(i + 1, len(steps))
                if (steps[j].action in ends if ends else steps[j].action not in _IN_PLACE)
            ),
            None,
        )
        if j is None or steps[j].action in queue.leaves:
            out.append((step, j))
    return out


def daily_intake(paths: Sequence[Path], cutoff: datetime, days: int = 7) -> float:
    """Orders registered per day over the `days` days before the cutoff."""
    since = cutoff - timedelta(days=days)
    return sum(1 for p in paths if since < p.steps[0].at <= cutoff) / days


def hold_in_queues(
    rng: random.Random, planned: Sequence[tuple[OrderSpec, Path]], cutoff: datetime
) -> dict[str, int]:
    """Fill every queue to its depth at `cutoff` by cutting recent paths; returns how many
    orders each queue holds. Critical (特急) orders are never held: nobody leaves those."""
    rate = daily_intake([p for _, p in planned], cutoff)
    # A planned path ends in a terminal state, so one whose last move is older than every
    # window is neither waiting at the cutoff nor recent enough to hold.
    oldest = cutoff - timedelta(days=max(q.window for q in QUEUES))
    recent = [(spec, path) for spec, path in planned if path.steps[-1].at >= oldest]
    held: set[int] = set()
    counts: dict[str, int] = {}
    for queue in QUEUES:
        # Orders already in this queue count towards it and stay; later queues leave them be,
        # while an order waiting in a queue still to come may be held back here instead.
        waiting = _waiting(queue, recent, cutoff)
        held |= waiting
        since = cutoff - timedelta(days=queue.window)
        candidates = [
            (path, j)
            for spec, path in recent
            if path.idx not in held and spec.urgency != "critical"
            for enter, j in _stays(queue, path)
            if j is not None and since <= enter.at and path.steps[j].at <= cutoff
        ]
        need = round(queue.depth * rate) - len(waiting)
        counts[queue.name] = len(waiting) + max(0, need)
        rng.shuffle(candidates)
        for path, j in candidates:
            if need <= 0:
                break
            if path.idx in held:  # a second stay of the same order
                continue
            del path.steps[j:]
            path.closed = None
            held.add(path.idx)
            need -= 1
        counts[queue.name] -= max(0, need)  # too few candidates
    return counts


def _waiting(queue: Queue, planned: Sequence[tuple[OrderSpec, Path]], cutoff: datetime) -> set[int]:
    """Orders in `queue` at the cutoff as planned: entered by then, not yet left."""
    return {
        path.idx
        for _, path in planned
        for enter, j in _stays(queue, path)
        if enter.at <= cutoff and (j is None or path.steps[j].at > cutoff)
    }
