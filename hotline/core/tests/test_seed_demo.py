"""`manage.py seed_demo` and `manage.py demo_logins`: a small seed on a fixed end date, checked
for the organisation, the catalogue, the mixes, the event histories and repeatability."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from io import StringIO
from itertools import pairwise

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from hotline.accounts.choices import Role, UnitKind
from hotline.accounts.models import Membership, Region, Unit, User
from hotline.catalog.models import DispatchRule
from hotline.catalog.selectors import dispatch_rule_for
from hotline.core.demo import DEMO_PASSWORD
from hotline.core.demo.catalogue import DEFAULT_TREE
from hotline.core.demo.clock import LOCAL
from hotline.core.demo.knowledge import KNOWLEDGE
from hotline.core.demo.knowledge_base import generalise
from hotline.core.demo.runner import seed_demo
from hotline.core.demo.texts import localise
from hotline.core.demo.topics import TOPICS
from hotline.knowledge.choices import EntryStatus
from hotline.knowledge.models import Entry, Use
from hotline.quality.models import Inspection
from hotline.workorders.choices import OPEN, Action, Rating, Status
from hotline.workorders.models import WorkOrder, WorkOrderEvent

END = date(2025, 6, 30)
MD5 = "django.contrib.auth.hashers.MD5PasswordHasher"
DAYS = 90
EXTENSION_ACTIONS = [Action.REQUEST_EXTENSION, Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION]


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    """One seed of 300 orders shared by the tests of a class, rolled back at the end. Hashing as
    the tests' own settings do, so passwords check the same way in every test."""
    with (
        override_settings(PASSWORD_HASHERS=[MD5]),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        report = seed_demo(orders=300, seed=7, days=DAYS, end_date=END)
        yield report
        transaction.set_rollback(True)


def _digest() -> str:
    rows = WorkOrderEvent.objects.order_by("order__number", "seq").values_list(
        "order__number", "order__status", "seq", "action", "actor__username", "created_at"
    )
    # On PostgreSQL numbers come from each day's sequence, which a rolled-back run does not give
    # back: the same orders get later numbers in the same order. Compare their ranks.
    rank = {n: i for i, n in enumerate(sorted({row[0] for row in rows}))}
    ranked = [(rank[row[0]], *row[1:]) for row in rows]
    return hashlib.sha256(repr(ranked).encode()).hexdigest()


def test_it_is_deterministic_for_a_seed(db):
    digests = []
    for _ in range(2):
        with transaction.atomic():  # each run starts from the same empty database
            seed_demo(orders=80, seed=99, days=30, end_date=END, use_corpus=False)
            assert WorkOrder.objects.count() == 80
            digests.append(_digest())
            transaction.set_rollback(True)
    assert WorkOrder.objects.count() == 0
    assert digests[0] == digests[1]


def test_it_creates_every_planned_order_when_it_ends_today_in_the_morning(db):
    # At 09:00 most of today's calls are still to come: they are drawn among the hours already
    # past instead of being planned after the present moment and never registered.
    with time_machine.travel(datetime(2025, 6, 30, 9, 0, tzinfo=LOCAL), tick=True):
        report = seed_demo(orders=60, seed=5, days=2, use_corpus=False)
        now = timezone.now()
    assert report.failures == []
    assert report.created == report.planned == WorkOrder.objects.count() == 60
    today = WorkOrder.objects.filter(created_at__date=date(2025, 6, 30)).count()
    assert today > 15  # today's share of two days' calls, all before nine
    assert WorkOrder.objects.filter(created_at__gt=now).count() == 0


def test_registration_times_end_at_the_present_moment():
    import random

    from hotline.core.demo.clock import registration_times

    until = datetime(2025, 6, 30, 7, 30, 15, tzinfo=LOCAL)
    times = registration_times(random.Random(1), 500, until.date(), 3, until=until)
    assert len(times) == 500 and max(times) <= until
    assert sum(t.date() == until.date() for t in times) > 100
    # Without a present moment (a past end date) the draw is the one it always was.
    plain = registration_times(random.Random(1), 500, date(2025, 6, 29), 3)
    again = registration_times(
        random.Random(1),
        500,
        date(2025, 6, 29),
        3,
        until=datetime(2025, 6, 29, 23, 59, 59, tzinfo=LOCAL),
    )
    assert plain == again


def test_it_does_nothing_the_second_time_with_if_empty(db):
    args = ["--orders", "15", "--days", "10", "--end-date", "2025-06-30", "--if-empty"]
    call_command("seed_demo", *args, stdout=StringIO())
    numbers = list(WorkOrder.objects.values_list("number", "version"))
    assert len(numbers) == 15
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    assert list(WorkOrder.objects.values_list("number", "version")) == numbers
    assert "跳过" in out.getvalue()


def test_it_renames_placeholder_places_to_the_demo_county():
    assert localise("A市A3区杜鹃文苑小区外") == "子洲县杜鹃文苑小区外"
    assert localise("反映A7县春华镇的问题") == "反映子洲县春华镇的问题"
    assert localise("网友“A00077538”：您好！问政西地省") == "网友：您好！问政陕西省"


class TestSeededCounty:
    """Checks on one seeded county (the class shares one seed: it takes a few seconds)."""

    def test_it_creates_a_user_for_every_role(self, seeded, db):
        held = set(Membership.objects.values_list("role", flat=True))
        assert held == set(Role.values)
        for name in [
            "agent1",
            "dispatcher1",
            "supervisor1",
            "callback1",
            "analyst1",
            "inspector1",
            "water_handler",
        ]:
            assert User.objects.get(username=name).check_password(DEMO_PASSWORD)
        admin = User.objects.get(username="admin")
        assert admin.is_superuser and admin.is_staff and admin.check_password(DEMO_PASSWORD)
        for unit in Unit.objects.exclude(kind=UnitKind.CENTRE):
            assert User.objects.get(username=f"{unit.code}_handler").has_role(Role.UNIT_HANDLER)
            assert User.objects.get(username=f"{unit.code}_manager").has_role(Role.UNIT_MANAGER)

    def test_it_builds_units_in_three_levels(self, seeded, db):
        depth = Counter(u.path.count("/") - 1 for u in Unit.objects.all())
        assert depth[1] == 1 and depth[2] >= 25 and depth[3] >= 5
        assert 35 <= Unit.objects.count() <= 45
        sub = Unit.objects.get(kind=UnitKind.SUB_CENTRE)
        assert sub.children.exists()
        codes = Counter(len(r.code) for r in Region.objects.all())
        assert codes[6] == 3 and codes[9] >= 8 and codes[12] >= 20

    def test_it_writes_a_dispatch_catalogue(self, seeded, db):
        rules = DispatchRule.objects.select_related("lead_unit")
        assert rules.count() >= 25
        assert rules.filter(region__isnull=False, lead_unit__kind=UnitKind.STREET).exists()
        assert rules.filter(assisting_units__isnull=False).exists()

    def test_it_dispatches_by_the_catalogue(self, seeded, db):
        first_dispatch = {
            e.order_id: e.payload["lead_unit"]
            for e in WorkOrderEvent.objects.filter(action=Action.DISPATCH).order_by("-seq")
        }
        returned = set(
            WorkOrderEvent.objects.filter(action=Action.RETURN).values_list("order_id", flat=True)
        )
        checked = 0
        for order in WorkOrder.objects.filter(pk__in=set(first_dispatch) - returned):
            rule = dispatch_rule_for(category=order.category, region=order.region)
            assert first_dispatch[order.pk] == rule.lead_unit.code, order.number
            checked += 1
        assert checked > 100

    def test_it_leaves_orders_in_many_states(self, seeded, db):
        statuses = set(WorkOrder.objects.values_list("status", flat=True))
        assert {Status.CLOSED, Status.MERGED, Status.INVALID} <= statuses
        assert len(statuses & OPEN) >= 3
        assert seeded.failures == []
        assert seeded.created == WorkOrder.objects.count() == 300

    def test_it_writes_consistent_event_histories(self, seeded, db):
        events = defaultdict(list)
        for e in WorkOrderEvent.objects.order_by("order_id", "seq"):
            events[e.order_id].append(e)
        orders = WorkOrder.objects.all()
        assert len(events) == orders.count()
        for order in orders:
            history = events[order.pk]
            assert [e.seq for e in history] == list(range(1, len(history) + 1))
            assert history[0].action == Action.REGISTER and history[0].from_status == ""
            for before, after in pairwise(history):
                assert after.from_status == before.to_status, (order.number, after.action)
                assert after.created_at >= before.created_at, (order.number, after.action)
            assert history[-1].to_status == order.status
            assert order.version == len(history)

    def test_it_rates_closed_orders_mostly_satisfied(self, seeded, db):
        ratings = Counter(
            WorkOrder.objects.filter(status=Status.CLOSED)
            .exclude(rating="")
            .values_list("rating", flat=True)
        )
        rated = sum(ratings.values())
        assert rated > 150
        assert ratings[Rating.SATISFIED] / rated > 0.8
        assert (ratings[Rating.SATISFIED] + ratings[Rating.FAIRLY_SATISFIED]) / rated > 0.9

    def test_it_mixes_direct_answers_and_dispatches(self, seeded, db):
        total = WorkOrder.objects.count()
        direct = WorkOrderEvent.objects.filter(action=Action.RESOLVE_AT_INTAKE).count()
        dispatched = WorkOrderEvent.objects.filter(action=Action.DISPATCH).count()
        assert 0.35 <= direct / total <= 0.6
        assert 0.35 <= dispatched / total <= 0.6
        channels = Counter(WorkOrder.objects.values_list("channel", flat=True))
        assert channels.most_common(1)[0][0] == "phone" and len(channels) >= 5
        assert WorkOrderEvent.objects.filter(action=Action.REDISPATCH).exists()
        assert WorkOrderEvent.objects.filter(action=Action.CALLBACK_UNREACHABLE).exists()

    def test_it_keeps_every_order_inside_the_window(self, seeded, db):
        first = WorkOrder.objects.order_by("created_at").first().created_at.astimezone(LOCAL)
        last = WorkOrderEvent.objects.order_by("-created_at").first().created_at.astimezone(LOCAL)
        assert first.date() >= END - timedelta(days=DAYS - 1)
        assert last.date() <= END

    def test_it_prints_the_demo_logins(self, seeded, db):
        out = StringIO()
        call_command("demo_logins", stdout=out)
        text = out.getvalue()
        for expected in ["agent1", "dispatcher1", "water_handler", "water_manager", DEMO_PASSWORD]:
            assert expected in text
        assert "http://127.0.0.1:8000/admin/" in text and "/api/docs" in text

    def test_it_records_contacts_with_most_requesters(self, seeded, db):
        dispatched = WorkOrder.objects.filter(events__action=Action.ACKNOWLEDGE, is_anonymous=False)
        contacted = dispatched.filter(events__action=Action.CONTACT_REQUESTER).distinct()
        assert 0.85 <= contacted.count() / dispatched.distinct().count() <= 0.99
        assert not WorkOrder.objects.filter(
            is_anonymous=True, events__action=Action.CONTACT_REQUESTER
        ).exists()

    def test_it_leaves_message_board_posts_for_an_agent_to_confirm(self, seeded, db):
        from hotline.intake.models import ChannelRequest

        pending = ChannelRequest.objects.filter(state=ChannelRequest.State.PENDING)
        assert pending.count() == 8
        assert {r.channel.kind for r in pending} == {"message_board"}
        assert all(r.order_id is None and r.data["fields"]["content"] for r in pending)

    def test_it_inspects_a_sample_of_every_day_passing_about_ninety_five_percent(self, seeded, db):
        inspections = Inspection.objects.all()
        days = {i.subject_at.astimezone(LOCAL).date() for i in inspections}
        assert len(days) >= DAYS * 0.9
        assert {"call", "order"} == set(inspections.values_list("kind", flat=True))
        assert set(inspections.values_list("inspector__username", flat=True)) == {"inspector1"}
        passing = inspections.filter(passed=True).count()
        assert 0.88 <= passing / inspections.count() <= 0.99

    def test_it_answers_at_intake_only_questions_it_can_answer(self, seeded, db):
        direct = WorkOrder.objects.filter(events__action=Action.RESOLVE_AT_INTAKE)
        kinds = Counter(direct.values_list("request_type__code", flat=True))
        assert set(kinds) <= {"inquiry", "help"} and kinds["inquiry"] > 50
        # Complaints and reports are about something going on: a unit must act on every one
        # that the hotline did not close otherwise at intake (invalid, transferred, merged),
        # or that is not still waiting for the dispatcher.
        for code in ("complaint", "report"):
            orders = WorkOrder.objects.filter(request_type__code=code)
            assert orders.exists()
            orders = orders.exclude(status=Status.REGISTERED)
            for order in orders:
                actions = set(order.events.values_list("action", flat=True))
                assert Action.RESOLVE_AT_INTAKE not in actions, order.number
                assert actions & {Action.DISPATCH, Action.MARK_INVALID, Action.TRANSFER_OUT,
                                  Action.WITHDRAW, Action.MERGE}, order.number  # fmt: skip

    def test_it_answers_each_question_from_its_own_topic(self, seeded, db):
        # Leaf names of the default tree, or of the message-board taxonomy when seeded on it.
        topic_of = {t.category[2]: t.key for t in TOPICS}
        topic_of |= {path[2]: key for key, path in DEFAULT_TREE.items()}
        events = WorkOrderEvent.objects.filter(action=Action.RESOLVE_AT_INTAKE)
        checked = 0
        for event in events.select_related("order__category"):
            order = event.order
            entries = KNOWLEDGE[topic_of[order.category.name]]
            asked = [e for e in entries if _fits(e.title, order.title)]
            assert asked, (order.number, order.title)
            assert any(_fits(e.answer, event.note) for e in asked), (order.title, event.note)
            checked += 1
        assert checked > 50

    def test_it_publishes_one_entry_for_every_demo_question(self, seeded, db):
        published = Entry.objects.filter(status=EntryStatus.PUBLISHED).select_related(
            "category", "request_type", "unit", "created_by"
        )
        questions = {(generalise(q.title), q.kind) for qs in KNOWLEDGE.values() for q in qs}
        assert {(e.title, e.request_type.code) for e in published} == questions
        assert published.count() == sum(len(qs) for qs in KNOWLEDGE.values())
        assert "咨询停水什么时候恢复" in {e.title for e in published}
        first = WorkOrder.objects.order_by("created_at").first().created_at
        for e in published:
            assert "{place}" not in e.title + e.keywords + e.answer, e.title
            assert e.category is not None and not e.category.children.exists(), e.title
            assert e.unit.kind != UnitKind.CENTRE and e.created_by.username == "supervisor1"
            assert e.published_at < first and e.revisions.count() == 1
        # The water questions are the water company's; the street's topics a county bureau's.
        water = published.filter(title__contains="停水").values_list("unit__code", flat=True)
        assert set(water) == {"water"}
        assert set(
            published.filter(title="咨询垃圾清运时间").values_list("unit__code", flat=True)
        ) == {"urban"}
        # A season's schedule holds until the season ends; most answers until changed.
        terms = published.filter(valid_until__isnull=False)
        assert 2 <= terms.count() <= 5 and terms.count() < published.count() // 10
        assert all(e.is_live() for e in terms)

    def test_it_leaves_entries_from_unit_managers_for_review(self, seeded, db):
        pending = Entry.objects.filter(status=EntryStatus.PENDING)
        assert pending.count() == 2
        for e in pending:
            assert e.created_by.username == f"{e.unit.code}_manager"
            assert e.revisions.get().action == "create"

    def test_it_records_the_use_of_every_direct_answer(self, seeded, db):
        direct = WorkOrderEvent.objects.filter(action=Action.RESOLVE_AT_INTAKE).select_related(
            "order__request_type", "actor"
        )
        uses = {u.order_id: u for u in Use.objects.select_related("entry__request_type")}
        asked = {generalise(q.title): q.title for qs in KNOWLEDGE.values() for q in qs}
        assert len(uses) == direct.count() > 50
        for event in direct:
            use = uses[event.order_id]
            assert use.used_by == event.actor and use.used_at == event.created_at
            assert use.version == use.entry.version == 1
            assert use.entry.request_type == event.order.request_type
            # The order asks the entry's question, from the caller's own place.
            assert _fits(asked[use.entry.title], event.order.title), event.order.title
        # Many entries are used, the common questions most.
        counts = Counter(u.entry_id for u in uses.values())
        assert len(counts) > 20 and counts.most_common(1)[0][1] >= 5


def _fits(template: str, text: str) -> bool:
    """`text` contains `template` with its `{place}` filled in."""
    return all(part in text for part in template.split("{place}"))


# Queue lengths on a Monday morning at a county hotline of ~55 orders a day (the full demo),
# from the brief: (low, high) per open state, and for pending extensions and dissatisfied
# callbacks awaiting a decision.
MONDAY = {
    Status.REGISTERED: (10, 20),
    Status.DISPATCHED: (30, 60),
    Status.IN_PROGRESS: (100, 200),
    Status.RETURNED: (5, 15),
    Status.REPLIED: (20, 40),
    Status.AWAITING_CALLBACK: (60, 120),
    "extension": (5, 10),
    "dissatisfied": (2, 8),
}
FULL_RATE = 20000 / 365


@pytest.fixture(scope="class")
def monday(django_db_setup, django_db_blocker):
    """Four weeks at about the full demo's daily intake, ending on a Monday (END): long enough
    for the slowest orders still in progress to have arrived."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed_demo(orders=1540, seed=3, days=28, end_date=END, use_corpus=False)
        transaction.set_rollback(True)


class TestQueuesAtTheEnd:
    """Every desk finds work waiting when the demo stops, in numbers like a real hotline's."""

    def test_it_leaves_every_open_state_in_proportion_to_intake(self, monday, db):
        assert END.weekday() == 0 and monday.failures == []
        last_week = WorkOrder.objects.filter(created_at__date__gt=END - timedelta(days=7))
        scale = last_week.count() / 7 / FULL_RATE
        assert 0.8 < scale < 1.25
        counts = Counter(WorkOrder.objects.values_list("status", flat=True))
        open_orders = WorkOrder.objects.filter(status__in=OPEN)
        extension_events = WorkOrderEvent.objects.filter(
            order__in=open_orders, action__in=EXTENSION_ACTIONS
        ).order_by("order_id", "seq")
        last = {e.order_id: e.action for e in extension_events}
        counts["extension"] = sum(1 for a in last.values() if a == Action.REQUEST_EXTENSION)
        counts["dissatisfied"] = open_orders.filter(
            status=Status.AWAITING_CALLBACK, rating=Rating.DISSATISFIED
        ).count()
        for state, (low, high) in MONDAY.items():
            assert round(low * scale) <= counts[state] <= round(high * scale), (state, counts)

    def test_it_leaves_urged_and_supervised_orders_open(self, monday, db):
        open_events = WorkOrderEvent.objects.filter(order__status__in=OPEN)
        urged = open_events.filter(action=Action.URGE).values("order").distinct().count()
        supervised = open_events.filter(action=Action.SUPERVISE).values("order").distinct()
        assert urged >= 20 and supervised.count() >= 3

    def test_it_holds_queued_orders_at_the_move_that_would_take_them_out(self, monday, db):
        # A returned order's last move is the return; a replied one's the reply: nothing later
        # was played for them, and nothing was played after the end.
        for status, action in [
            (Status.RETURNED, Action.RETURN),
            (Status.REPLIED, Action.REPLY),
            (Status.REGISTERED, Action.REGISTER),
        ]:
            for order in WorkOrder.objects.filter(status=status):
                assert order.events.order_by("-seq").first().action == action, order.number
        last = WorkOrderEvent.objects.order_by("-created_at").first().created_at
        assert last.astimezone(LOCAL).date() <= END
