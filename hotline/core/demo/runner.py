"""Seed the demo: build the organisation and catalogue, plan every order, then play all steps
in time order through the work-order services, committing in batches."""

from __future__ import annotations

import random
import time as timer
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from hotline.accounts.choices import Role
from hotline.accounts.models import User
from hotline.catalog.models import RequestType, Urgency
from hotline.knowledge.models import Entry as KnowledgeEntry
from hotline.knowledge.models import Use
from hotline.telephony.services import missed_calls_from_records
from hotline.workorders.choices import Channel
from hotline.workorders.errors import WorkOrderError
from hotline.workorders.models import WorkOrder
from hotline.workorders.services import workorder_register, workorder_transition

from .backlog import hold_in_queues
from .calls import seed_calls
from .catalogue import Catalogue, build_catalogue
from .clock import LOCAL, local, registration_times
from .evaluation import seed_evaluation
from .knowledge import KNOWLEDGE
from .knowledge import Entry as Question
from .knowledge_base import seed_knowledge, use
from .lifecycle import KNOWLEDGE_PARAM, REGISTER, OrderSpec, Path, Planner, Step
from .organisation import STREET_WEIGHTS, DemoOrg, build_organisation
from .people import Requesters, address
from .posts import seed_posts
from .quality import seed_quality
from .texts import TextSource, load_texts
from .topics import TOPICS

CHANNELS = {
    Channel.PHONE: 65,
    Channel.WECHAT: 12,
    Channel.APP: 6,
    Channel.MINI_PROGRAM: 6,
    Channel.WEB: 5,
    Channel.MESSAGE_BOARD: 4,
    Channel.SMS: 2,
}
URGENCIES = ["normal", "urgent", "critical"]
URGENCY_WEIGHTS: dict[bool, list[float]] = {
    True: [83, 12, 5],
    False: [91.2, 7.5, 1.3],
}  # by topic.critical_prone
# Chance the agent answers a knowledge-base question at once (直办), by request type; critical
# ones never (life or property at risk needs a unit). Complaints and reports are never answered
# at intake: what they are about is going on and needs a unit to act.
DIRECT = {"inquiry": 0.95, "help": 0.85}
# Share of requests for help that are simple, i.e. a knowledge-base question (where it has one).
SIMPLE_HELP = 0.6
MERGE_RATE = 0.02
BATCH_STEPS = 1500  # steps per transaction (about 200 orders)


@dataclass
class SeedReport:
    planned: int = 0
    created: int = 0
    steps: int = 0
    seconds: float = 0.0
    corpus: bool = False
    statuses: Counter = field(default_factory=Counter)
    queues: dict[str, int] = field(default_factory=dict)  # orders waiting at the cutoff
    failures: list[str] = field(default_factory=list)


def seed_demo(
    *,
    orders: int,
    seed: int,
    days: int = 365,
    end_date: date | None = None,
    use_corpus: bool = True,
    progress: Callable[[str], None] = lambda line: None,
) -> SeedReport:
    """Create the demo county and `orders` work orders over `days` days ending `end_date`
    (default today). Everything random comes from `random.Random(seed)`; only the end date
    (and, when it is today, the present moment that no step may pass) comes from the clock."""
    started = timer.monotonic()
    rng = random.Random(seed)
    end_date = end_date or timezone.localdate()
    cutoff = min(local(end_date, time(23, 59, 59)), timezone.now().astimezone(LOCAL))
    org = build_organisation()
    catalogue = build_catalogue(org)
    kb = seed_knowledge(org=org, catalogue=catalogue, start=end_date - timedelta(days=days - 1))
    texts = load_texts(use_corpus=use_corpus)
    report = SeedReport(planned=orders, corpus=texts.from_corpus)
    progress(f"组织机构：{len(org.units)} 个单位，{len(org.users)} 个账号；知识库 {len(kb)} 条；"
             f"文本来源：{'共享语料' if texts.from_corpus else '内置样例'}")  # fmt: skip
    steps = _plan(rng, org, catalogue, texts, orders, end_date, days, cutoff, report)
    steps.sort(key=lambda s: (s.at, s.idx, s.k))
    elapsed = timer.monotonic() - started
    progress(f"已规划 {orders} 件工单、{len(steps)} 个步骤（{elapsed:.0f} 秒），开始写入…")
    _play(steps, cutoff, org, kb, report, progress, started)
    # The phone channel's call records and the year's self-evaluation, from the orders above.
    calls = seed_calls(centre=org.centre, agents=org.staff(Role.AGENT), seed=seed)
    project = seed_evaluation(centre=org.centre, year=end_date.year)
    inspections = seed_quality(
        centre=org.centre,
        inspector=org.staff(Role.INSPECTOR)[0],
        reviewer=org.staff(Role.SUPERVISOR)[0],
        start=end_date - timedelta(days=days - 1),
        end=end_date,
        seed=seed,
    )
    # The last two days' abandoned calls on the call-back list; board posts awaiting an agent.
    missed = missed_calls_from_records()
    posts = seed_posts(seed=seed)
    progress(f"话单 {calls} 条（漏接待回拨 {missed} 个）；质检 {inspections} 条；"
             f"待确认留言 {posts} 条；绩效自评项目「{project}」")  # fmt: skip
    report.seconds = timer.monotonic() - started
    return report


def _plan(
    rng: random.Random,
    org: DemoOrg,
    catalogue: Catalogue,
    texts: TextSource,
    n: int,
    end_date: date,
    days: int,
    cutoff: datetime,
    report: SeedReport,
) -> list[Step]:
    intake = _Intake(rng, org, catalogue, texts)
    planner = Planner(rng, org, texts)
    # Dispatched orders that a repeat request may still join: (idx, spec, path).
    recent: list[tuple[int, OrderSpec, Path]] = []
    planned: list[tuple[OrderSpec, Path]] = []
    for idx, at in enumerate(registration_times(rng, n, end_date, days, until=cutoff)):
        recent = [r for r in recent if r[1].at > at - timedelta(days=7)]
        master = _master(rng, recent, at) if rng.random() < MERGE_RATE else None
        if master is not None:
            spec = intake.repeat(idx, at, master[1])
            spec.master = master[0]
        else:
            spec = intake.new(idx, at)
        path = planner.plan(spec)
        if path.dispatched:
            recent.append((idx, spec, path))
        planned.append((spec, path))
    report.queues = hold_in_queues(rng, planned, cutoff)
    return [step for _, path in planned for step in path.steps]


class _Intake:
    """What callers bring: topic by season, place by population, the mixes of channel, type
    and urgency, requesters (some anonymous or confidential) and the text of the request."""

    def __init__(
        self, rng: random.Random, org: DemoOrg, catalogue: Catalogue, texts: TextSource
    ) -> None:
        self.rng, self.org, self.catalogue, self.texts = rng, org, catalogue, texts
        self.requesters = Requesters(rng)
        self.streets = list(org.streets)
        self.month_weights = {m: [t.weight_in(m) for t in TOPICS] for m in range(1, 13)}
        # Fetched once, so intake costs no lookups.
        self.types = {t.code: t for t in RequestType.objects.all()}
        self.urgencies = {u.code: u for u in Urgency.objects.all()}
        self.kinds = {t.key: {e.kind for e in KNOWLEDGE.get(t.key, [])} for t in TOPICS}

    def new(self, idx: int, at: datetime) -> OrderSpec:
        rng, org = self.rng, self.org
        topic = rng.choices(TOPICS, weights=self.month_weights[at.month])[0]
        street = rng.choices(self.streets, weights=STREET_WEIGHTS)[0]
        street_region, communities = org.streets[street]
        i = rng.randrange(len(communities))
        community = communities[i]
        region = community if rng.random() < 0.9 else street_region
        category, lead, assisting = self.catalogue.route(topic, street, region)
        who = self.requesters.pick()
        anonymous = rng.random() < 0.05
        types = topic.type_weights()
        rtype = rng.choices(list(types), weights=list(types.values()))[0]
        urgency = rng.choices(URGENCIES, URGENCY_WEIGHTS[topic.critical_prone])[0]
        place = region.name if region == street_region else street_region.name + community.name
        title, content, answer, direct, question = self._text(
            topic.key, rtype, urgency, lead, place
        )
        rural = street != self.streets[0]
        register: dict[str, Any] = {
            "channel": rng.choices(list(CHANNELS), weights=list(CHANNELS.values()))[0],
            "request_type": self.types[rtype],
            "urgency": self.urgencies[urgency],
            "category": category,
            "region": region,
            "title": title,
            "content": content,
            "address": address(rng, street_region.name, community.name, rural),
            "requester_name": "" if anonymous else who.name,
            "requester_phone": "" if anonymous else who.phone,
            "is_anonymous": anonymous,
            "is_confidential": not anonymous and rng.random() < 0.03,
        }
        unit = f"{street}_c{i + 1}"
        below = unit if unit in org.units and region == community else None
        return OrderSpec(
            idx, at, topic, rtype, urgency, street, below, lead, assisting, register,
            answer=answer, direct=direct, question=question,
        )  # fmt: skip

    def _text(
        self, topic: str, rtype: str, urgency: str, lead: str, place: str
    ) -> tuple[str, str, str, bool, Question | None]:
        """Title, content, knowledge answer, whether the agent answers at once, and the
        knowledge-base question asked. Questions the knowledge base holds (inquiries, simple
        help) come from it with their answer, and most are answered at intake; everything else
        needs a unit and is dispatched."""
        rng = self.rng
        if rtype == "praise":
            praise = self.texts.praise(rng, topic, self.org.units[lead].name, place)
            return (*praise, "", False, None)
        if rtype in self.kinds[topic] and (rtype == "inquiry" or rng.random() < SIMPLE_HELP):
            title, content, answer, question = self.texts.question(rng, topic, rtype, place)
            odds = 0.0 if urgency == "critical" else DIRECT[rtype]
            if rtype == "help" and urgency == "urgent":
                odds *= 0.2  # urgent help mostly needs someone on site
            return title, content, answer, rng.random() < odds, question
        return (*self.texts.request(rng, topic, place), "", False, None)

    def repeat(self, idx: int, at: datetime, master: OrderSpec) -> OrderSpec:
        """Another call about the master's matter: the same caller again, or a neighbour."""
        register = dict(master.register)
        if master.register["is_anonymous"] or self.rng.random() >= 0.5:
            who = self.requesters.pick()
            register.update(requester_name=who.name, requester_phone=who.phone, is_anonymous=False)
        register["channel"] = Channel.PHONE
        register["title"] = "再次反映：" + master.register["title"][:70]
        register["content"] = "诉求人再次来电反映：" + master.register["content"]
        return OrderSpec(
            idx, at, master.topic, master.request_type, master.urgency, master.street,
            None, master.lead, (), register,
        )  # fmt: skip


def _master(
    rng: random.Random, recent: list[tuple[int, OrderSpec, Path]], at: datetime
) -> tuple[int, OrderSpec, Path] | None:
    """A dispatched order registered before `at` and still open a quarter of an hour later."""
    merge_by = at + timedelta(minutes=20)
    candidates = [r for r in recent if r[2].closed is None or r[2].closed > merge_by]
    return rng.choice(candidates) if candidates else None


def _play(
    steps: list[Step],
    cutoff: datetime,
    org: DemoOrg,
    kb: dict[Question, KnowledgeEntry],
    report: SeedReport,
    progress: Callable[[str], None],
    started: float,
) -> None:
    users: dict[str, User] = dict(org.users)  # one instance each: memberships stay cached
    pks: dict[int, int] = {}
    numbers: dict[int, str] = {}
    failed: set[int] = set()
    due = [s for s in steps if s.at <= cutoff]
    # Registration times are drawn before the cutoff (clock.registration_times); an order that
    # still could not be registered is reported, never dropped silently.
    for s in steps:
        if s.action == REGISTER and s.at > cutoff:
            report.failures.append(f"#{s.idx} {REGISTER}: {s.at:%Y-%m-%d %H:%M} > {cutoff:%H:%M}")
    next_report = max(1, report.planned // 10)
    for start in range(0, len(due), BATCH_STEPS):
        with transaction.atomic():
            uses: list[Use] = []
            for step in due[start : start + BATCH_STEPS]:
                if step.idx in failed or (step.action != REGISTER and step.idx not in pks):
                    continue
                try:
                    _apply(step, users, org, pks, numbers)
                except (WorkOrderError, KeyError) as e:
                    failed.add(step.idx)
                    report.failures.append(f"#{step.idx} {step.action}: {e}")
                    continue
                if question := step.params.get(KNOWLEDGE_PARAM):
                    entry = kb[question]
                    uses.append(
                        use(entry, order_id=pks[step.idx], agent=users[step.actor], at=step.at)
                    )
                report.steps += 1
                if step.action == REGISTER and len(pks) % next_report == 0:
                    elapsed = timer.monotonic() - started
                    progress(f"  {len(pks)} 件工单，{report.steps} 步，用时 {elapsed:.0f} 秒")
            Use.objects.bulk_create(uses)
    report.created = len(pks)
    report.statuses = Counter(
        WorkOrder.objects.filter(pk__in=pks.values()).values_list("status", flat=True)
    )


def _apply(
    step: Step,
    users: dict[str, User],
    org: DemoOrg,
    pks: dict[int, int],
    numbers: dict[int, str],
) -> None:
    actor = users[step.actor]
    if step.action == REGISTER:
        order = workorder_register(actor=actor, at=step.at, **step.params)
        pks[step.idx], numbers[step.idx] = order.pk, order.number
        return
    params = dict(step.params)
    params.pop(KNOWLEDGE_PARAM, None)  # the demo's own note, not the transition's
    if "lead_unit" in params:
        params["lead_unit"] = org.units[params["lead_unit"]]
    if "assisting_units" in params:
        params["assisting_units"] = [org.units[c] for c in params["assisting_units"]]
    if "master_idx" in params:
        params["master"] = numbers[params.pop("master_idx")]
    workorder_transition(
        order=pks[step.idx], action=step.action, actor=actor, note=step.note, at=step.at, **params
    )
