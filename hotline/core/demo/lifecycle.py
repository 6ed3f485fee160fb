"""One order's life, planned as timed steps before anything is written.

Planning first and playing every order's steps in time order afterwards (see `runner`) is what
lets a repeat request merge into a master that is still open at that moment, and lets the
demo stop at "now" with orders caught in every state. Each step becomes one call of
`workorder_register` or `workorder_transition`, acted by the persona whose job it is."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from hotline.accounts.choices import Role
from hotline.core.conf import hotline_int
from hotline.workorders.choices import Action, Rating

from . import phrases
from .clock import add_work, minutes, skewed_days, to_desk
from .knowledge import Entry as Question
from .organisation import SHUANGHU_OFFICE, SUB_CENTRE_STREET, DemoOrg
from .texts import TextSource
from .topics import Topic

REGISTER = "register"
# The step parameter naming the knowledge-base question a direct answer came from.
KNOWLEDGE_PARAM = "knowledge"
# Median working days from acknowledgement to reply, by request type.
HANDLING_DAYS = {
    "inquiry": 1.5,
    "help": 3.0,
    "complaint": 4.5,
    "report": 6.0,
    "suggestion": 5.0,
    "praise": 1.0,
    "other": 2.5,
}
RATINGS = [Rating.SATISFIED, Rating.FAIRLY_SATISFIED, Rating.DISSATISFIED]
# Share of rounds in which the unit records a contact with the requester (联系诉求人), and how.
CONTACTED = 0.93
CONTACT_METHODS = {"phone": 80, "sms": 12, "visit": 8}
# A unit that a dispatcher plausibly confuses with the right one (the order then comes back).
CONFUSED = {
    "water": "waterres",
    "waterres": "water",
    "urban": "housing",
    "housing": "urban",
    "env": "urban",
    "market": "health",
    "health": "market",
    "hrss": "medins",
    "medins": "hrss",
    "police": "transport",
    "transport": "housing",
    "agri": "land",
    "land": "agri",
    "civil": "hrss",
    "edu": "hrss",
    "heating": "housing",
    "gas": "emergency",
    "power": "housing",
    "emergency": "urban",
    "tourism": "urban",
}
WORKDAY = 420  # minutes of office time a day (clock.WORKDAY_MINUTES)
# A planned move: when, which action, by whom, note, parameters.
Move = tuple[datetime, str, str, str, dict[str, Any]]


@dataclass(slots=True)
class Step:
    at: datetime
    idx: int
    k: int
    action: str
    actor: str  # username
    note: str = ""
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class OrderSpec:
    """What is known of an order at the call: its topic, place, route and intake fields."""

    idx: int
    at: datetime
    topic: Topic
    request_type: str
    urgency: str
    street: str  # the street or township unit of the order's area
    community_unit: str | None  # the level-3 unit of its community, where one exists
    lead: str
    assisting: tuple[str, ...]
    register: dict[str, Any]
    master: int | None = None  # a repeat request merges into this order
    answer: str = ""  # the knowledge-base answer, when the request is a question it holds
    direct: bool = False  # the agent answers it at once (直办) with `answer`
    question: Question | None = None  # the knowledge-base question it asks, if any


@dataclass
class Path:
    """The planned steps of one order; `closed` is when it leaves the open states."""

    idx: int
    steps: list[Step] = field(default_factory=list)
    closed: datetime | None = None
    dispatched: bool = False

    @property
    def t(self) -> datetime:
        return self.steps[-1].at

    def add(
        self, at: datetime, action: str, actor: str, note: str = "", params: dict | None = None
    ) -> None:
        if self.steps:  # a person needs a moment between two moves on one order
            at = max(at, self.t + timedelta(seconds=30))
        self.steps.append(Step(at, self.idx, len(self.steps), action, actor, note, params or {}))

    def close(self) -> None:
        self.closed = self.t


class Planner:
    """Plans orders with realistic paths, mixes and timings (ratios are per order)."""

    def __init__(self, rng: random.Random, org: DemoOrg, texts: TextSource) -> None:
        self.rng = rng
        self.org = org
        self.texts = texts
        self.agents = [u.username for u in org.staff(Role.AGENT)]
        self.dispatchers = [u.username for u in org.staff(Role.DISPATCHER)]
        self.supervisors = [u.username for u in org.staff(Role.SUPERVISOR)]
        self.callbacks = [u.username for u in org.staff(Role.CALLBACK_AGENT)]
        self.max_attempts = hotline_int("CALLBACK_MAX_ATTEMPTS")
        # Extensions units ask for, within the city's cap (EXTENSION_MAX_DAYS).
        cap = hotline_int("EXTENSION_MAX_DAYS")
        self.extension_days = [d for d in (5, 7, 10, 15) if d <= cap] or [cap]

    def plan(self, spec: OrderSpec) -> Path:
        rng = self.rng
        path = Path(spec.idx)
        agent = rng.choice(self.agents)
        path.add(spec.at, REGISTER, agent, params=spec.register)
        if spec.master is not None:
            path.add(
                spec.at + minutes(rng.uniform(2, 15)),
                Action.MERGE,
                agent,
                rng.choice(phrases.MERGE),
                {"master_idx": spec.master},
            )
            path.close()
            return path
        if self._ends_at_intake(path, agent):
            return path
        if spec.direct:
            answer = self.texts.answer(rng, spec.answer)
            # The entry answered from (not a parameter of the transition: `runner` records its use).
            entry = {KNOWLEDGE_PARAM: spec.question} if spec.question else {}
            at = spec.at + minutes(rng.uniform(3, 20))
            path.add(at, Action.RESOLVE_AT_INTAKE, agent, answer, entry)
            self._callback(path, spec, holder=None, second=False)
        else:
            self._dispatch(path, spec)
        return path

    def _ends_at_intake(self, path: Path, agent: str) -> bool:
        rng, t = self.rng, path.t
        r = rng.random()
        if r < 0.015:
            path.add(
                t + minutes(rng.uniform(1, 5)),
                Action.MARK_INVALID,
                agent,
                rng.choice(phrases.INVALID),
            )
        elif r < 0.021:
            target, note = rng.choices(phrases.TRANSFERS, weights=[40, 20, 5, 15, 20])[0]
            path.add(
                t + minutes(rng.uniform(1, 4)), Action.TRANSFER_OUT, agent, note, {"target": target}
            )
        elif r < 0.027:
            path.add(
                t + minutes(rng.uniform(10, 240)),
                Action.WITHDRAW,
                agent,
                rng.choice(phrases.WITHDRAW),
            )
        else:
            return False
        path.close()
        return True

    # -- dispatch, return, re-dispatch ------------------------------------------------------

    def _dispatch(self, path: Path, spec: OrderSpec) -> None:
        rng = self.rng
        path.dispatched = True
        dispatcher = rng.choice(self.dispatchers)
        lead = spec.lead
        returned = rng.random() < 0.07
        rejected = returned and rng.random() < 0.25  # the unit was right: its return is refused
        first = self._confused(spec) if returned and not rejected else lead
        assisting = spec.assisting if not returned and rng.random() < 0.3 else ()
        path.add(
            self._dispatch_time(path.t, spec.urgency),
            Action.DISPATCH,
            dispatcher,
            params={"lead_unit": first, "assisting_units": list(assisting)},
        )
        holder, acked = first, False
        if returned:
            if rng.random() < 0.5:
                path.add(
                    self._ack_time(path.t, spec.urgency), Action.ACKNOWLEDGE, self._person(first)
                )
                acked = True
            # The returning unit names who it thinks should handle it: rightly the real lead,
            # or, when its return will be refused, some other unit it was wrong about.
            claimed = self._confused(spec) if rejected else lead
            right = self.org.units[claimed].name
            path.add(
                add_work(path.t, rng.uniform(30, WORKDAY)),
                Action.RETURN,
                self._person(first),
                rng.choice(phrases.RETURN_REASONS).format(unit=right),
                {"legal_basis": rng.choice(phrases.LEGAL_BASES).format(unit=right)},
            )
            decided = to_desk(path.t + minutes(rng.uniform(20, 240)))
            if rejected:
                path.add(
                    decided, Action.REJECT_RETURN, dispatcher, rng.choice(phrases.REJECT_RETURN)
                )
            else:
                note = rng.choice(phrases.REASSIGN).format(unit=self.org.units[lead].name)
                path.add(decided, Action.REASSIGN, dispatcher, note, {"lead_unit": lead})
                holder, acked = lead, False
        if not acked:
            path.add(self._ack_time(path.t, spec.urgency), Action.ACKNOWLEDGE, self._person(holder))
        below = self._below(holder, spec)
        if below and rng.random() < 0.6:
            note = rng.choice(phrases.REDISPATCH).format(unit=self.org.units[below].name)
            path.add(
                add_work(path.t, rng.uniform(10, 180)),
                Action.REDISPATCH,
                self.org.manager(holder).username,
                note,
                {"lead_unit": below},
            )
            holder = below
            path.add(self._ack_time(path.t, spec.urgency), Action.ACKNOWLEDGE, self._person(holder))
        self._handle(path, spec, holder, assisting if holder == first else (), second=False)

    def _confused(self, spec: OrderSpec) -> str:
        if spec.lead in CONFUSED:
            return CONFUSED[spec.lead]
        # A street's matter sent to the enforcement bureau, or to the neighbouring street.
        streets = [s for s in self.org.streets if s != spec.lead]
        return self.rng.choice(["urban", self.rng.choice(streets)])

    def _below(self, holder: str, spec: OrderSpec) -> str | None:
        if holder != spec.street:
            return None
        if holder == SUB_CENTRE_STREET and spec.topic.key in ("sanitation", "enforcement"):
            return SHUANGHU_OFFICE[0]
        return spec.community_unit

    def _dispatch_time(self, t: datetime, urgency: str) -> datetime:
        rng = self.rng
        if urgency == "critical":
            return t + minutes(rng.uniform(3, 15))
        if urgency == "urgent":
            return t + minutes(rng.uniform(10, 45))
        return to_desk(t + minutes(rng.uniform(5, 150)))

    def _ack_time(self, t: datetime, urgency: str) -> datetime:
        rng = self.rng
        if urgency == "critical":
            return t + minutes(rng.uniform(10, 40))
        if urgency == "urgent":
            return t + minutes(rng.uniform(20, 120))
        return add_work(t, min(900, rng.lognormvariate(0, 0.8) * 90))

    def _person(self, unit: str) -> str:
        who = self.org.manager(unit) if self.rng.random() < 0.15 else self.org.handler(unit)
        return who.username

    # -- handling, review -------------------------------------------------------------------

    def _handle(
        self, path: Path, spec: OrderSpec, holder: str, assisting: tuple[str, ...], second: bool
    ) -> None:
        rng = self.rng
        self._contact(path, spec, holder)
        if spec.urgency == "critical":
            days = rng.uniform(0.05, 0.5)
        else:
            median = HANDLING_DAYS[spec.request_type] * (0.5 if spec.urgency == "urgent" else 1)
            days = skewed_days(rng, median * (0.6 if second else 1), 0.1, 18)
        start = path.t
        reply_at = add_work(start, days * WORKDAY)
        for at, action, actor, note, params in sorted(
            self._meanwhile(start, days, holder, assisting), key=lambda e: e[0]
        ):
            if at < reply_at:
                path.add(at, action, actor, note, params)
        unit_name = self.org.units[holder].name
        reply = self._reply(spec, unit_name)
        path.add(reply_at, Action.REPLY, self._person(holder), reply)
        reviewer = rng.choice(self.dispatchers + self.supervisors[:1])
        if rng.random() < 0.03:
            path.add(
                to_desk(path.t + minutes(rng.uniform(20, 360))),
                Action.SEND_BACK,
                reviewer,
                rng.choice(phrases.SEND_BACK),
            )
            reply = self._reply(spec, unit_name)
            path.add(
                add_work(path.t, rng.uniform(0.5, 3) * WORKDAY),
                Action.REPLY,
                self._person(holder),
                reply,
            )
        path.add(to_desk(path.t + minutes(rng.uniform(20, 360))), Action.ACCEPT_REPLY, reviewer)
        self._callback(path, spec, holder=holder, second=second)

    def _contact(self, path: Path, spec: OrderSpec, holder: str) -> None:
        """Most units call the requester soon after acknowledging (a few working hours; now and
        then the next day or later); anonymous requesters cannot be reached."""
        rng = self.rng
        if spec.register.get("is_anonymous") or rng.random() >= CONTACTED:
            return
        method = rng.choices(list(CONTACT_METHODS), weights=list(CONTACT_METHODS.values()))[0]
        delay = rng.lognormvariate(4.3, 0.9)  # working minutes: median about 75
        path.add(
            add_work(path.t, min(delay, 3 * WORKDAY)),
            Action.CONTACT_REQUESTER,
            self._person(holder),
            rng.choice(phrases.CONTACT[method]),
            {"method": method},
        )

    def _reply(self, spec: OrderSpec, unit: str) -> str:
        praise = spec.request_type == "praise"
        return self.texts.reply(self.rng, spec.topic.key, unit, answer=spec.answer, praise=praise)

    def _meanwhile(
        self, start: datetime, days: float, holder: str, assisting: tuple[str, ...]
    ) -> list[Move]:
        """Moves between acknowledgement and reply: assisting replies, an extension, urges and
        supervision of slow orders. Each is kept only if it falls before the reply."""
        rng = self.rng
        out: list[Move] = []
        for unit in assisting:
            at = add_work(start, rng.uniform(0.2, 0.8) * days * WORKDAY)
            out.append(
                (at, Action.ASSIST_REPLY, self._person(unit), rng.choice(phrases.ASSIST), {})
            )
        if days > 4 and rng.random() < 0.3:
            asked = add_work(start, rng.uniform(0.3, 0.5) * days * WORKDAY)
            decided = add_work(asked, rng.uniform(60, 480))
            if decided < add_work(start, days * WORKDAY):
                note = rng.choice(phrases.EXTENSION_REASONS)
                params = {"days": rng.choice(self.extension_days)}
                out.append((asked, Action.REQUEST_EXTENSION, self._person(holder), note, params))
                ok = rng.random() < 0.85
                action = Action.APPROVE_EXTENSION if ok else Action.REJECT_EXTENSION
                note = rng.choice(phrases.EXTENSION_APPROVED if ok else phrases.EXTENSION_REJECTED)
                out.append((decided, action, rng.choice(self.supervisors), note, {}))
        if days > 4 and rng.random() < 0.6:
            at = add_work(start, rng.uniform(2.5, 4) * WORKDAY)
            out.append(
                (at, Action.URGE, rng.choice(self.dispatchers), rng.choice(phrases.URGE), {})
            )
        if days > 8 and rng.random() < 0.5:
            for level, (low, high) in enumerate([(6, 8), (10, 12)], start=1):
                if level == 2 and (days < 12 or rng.random() > 0.4):
                    break
                at = add_work(start, rng.uniform(low, high) * WORKDAY)
                note = phrases.SUPERVISE[level]
                out.append(
                    (at, Action.SUPERVISE, rng.choice(self.supervisors), note, {"level": level})
                )
        return out

    # -- callback, redo, close --------------------------------------------------------------

    def _callback(self, path: Path, spec: OrderSpec, holder: str | None, second: bool) -> None:
        rng = self.rng
        agent = rng.choice(self.callbacks)
        t = to_desk(path.t + minutes(rng.uniform(60, 3 * 24 * 60)))
        if spec.register.get("is_anonymous"):
            path.add(t, Action.CLOSE, agent, phrases.CLOSE_ANONYMOUS[0])
            path.close()
            return
        if rng.random() < 0.08:
            tries = rng.choices([1, 2, self.max_attempts], weights=[50, 25, 25])[0]
            for _ in range(tries):
                path.add(t, Action.CALLBACK_UNREACHABLE, agent)
                t = to_desk(path.t + minutes(rng.uniform(120, 1440)))
            if tries >= self.max_attempts:
                path.close()
                return
        weights: list[float]
        if holder is None:
            weights = [93, 5, 2]
        else:
            weights = [70, 20, 10] if second else [89.5, 6.5, 4]
        rating = rng.choices(RATINGS, weights=weights)[0]
        solved_odds = {Rating.SATISFIED: 0.98, Rating.FAIRLY_SATISFIED: 0.75}.get(rating, 0.15)
        params = {"rating": str(rating), "solved": rng.random() < solved_odds}
        path.add(t, Action.CALLBACK, agent, params=params)
        if rating != Rating.DISSATISFIED:
            path.close()
            return
        supervisor = rng.choice(self.supervisors)
        t = to_desk(path.t + minutes(rng.uniform(30, 600)))
        if holder is not None and not second and rng.random() < 0.55:
            path.add(t, Action.REDO, supervisor, rng.choice(phrases.REDO))
            path.add(self._ack_time(path.t, "normal"), Action.ACKNOWLEDGE, self._person(holder))
            self._handle(path, spec, holder, (), second=True)
            return
        note = rng.choice(phrases.CLOSE_DISSATISFIED)
        path.add(t, Action.CLOSE, rng.choice([supervisor, agent]), note)
        path.close()
