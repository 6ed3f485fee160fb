"""Quality inspection (质检): the arithmetic, sampling by seed, inspecting, appeals and their
review, and the pages. Personas: alice (agent) is inspected by ivy (inspector); sue (supervisor)
reviews appeals; carl (callback agent) may not inspect."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from hotline.accounts.choices import Role
from hotline.accounts.services import user_create
from hotline.quality.choices import AppealStatus
from hotline.quality.models import ChecklistItem, Inspection, Outcome
from hotline.quality.selectors import draw, sample
from hotline.quality.services import (
    Line,
    appeal_file,
    appeal_review,
    checklist,
    inspection_create,
    verdict,
)
from hotline.telephony.choices import CallOutcome
from hotline.telephony.models import CallRecord
from hotline.workorders.errors import IllegalTransition, InvalidInput, NotPermitted

TZ = timezone.get_default_timezone()
DAY = date(2026, 3, 2)


# --- the arithmetic -------------------------------------------------------------------------


def test_it_passes_at_the_mark_and_fails_below_it():
    lines = [Line(50, False, Decimal(40)), Line(50, False, Decimal(40))]
    assert verdict(lines, 80) == verdict(lines, 80)
    assert verdict(lines, 80).passed and verdict(lines, 80).score == Decimal(80)
    assert not verdict([Line(50, False, Decimal("39.5")), Line(50, False, Decimal(40))], 80).passed


def test_it_fails_a_sample_that_loses_points_on_a_veto_item_whatever_its_score():
    v = verdict([Line(85, False, Decimal(85)), Line(15, True, Decimal(14))], 80)
    assert v.vetoed and not v.passed and v.score == Decimal(99)


def test_it_scales_to_the_points_possible():
    v = verdict([Line(10, False, Decimal(8)), Line(15, False, Decimal(12))], 80)
    assert v.max_score == 25 and v.passed  # 20 of 25 is 80 of 100


def test_it_draws_the_same_sample_for_the_same_seed_and_rounds_up():
    pks = list(range(1, 201))
    first = draw(pks, 5, 7, "call", DAY)
    assert len(first) == 10 and first == draw(list(reversed(pks)), 5, 7, "call", DAY)
    assert first != draw(pks, 5, 8, "call", DAY)
    assert first != draw(pks, 5, 7, "call", DAY + timedelta(days=1))
    assert len(draw(list(range(3)), 5, 7, "call", DAY)) == 1
    assert draw([], 5, 7, "call", DAY) == []
    with pytest.raises(InvalidInput, match="抽样比例"):
        draw(pks, 0, 7, "call", DAY)


# --- with the database ----------------------------------------------------------------------


@pytest.fixture
def ivy(org):
    return user_create(
        username="ivy", password="x", display_name="ivy", memberships=[(org.centre, Role.INSPECTOR)]
    )


def call(org, hour=9, agent=None, outcome=CallOutcome.ANSWERED) -> CallRecord:
    started = datetime(2026, 3, 2, hour, tzinfo=TZ)
    return CallRecord.objects.create(
        centre=org.centre,
        caller_number="13900000001",
        started_at=started,
        answered_at=started + timedelta(seconds=5),
        wait_seconds=5,
        talk_seconds=120,
        outcome=outcome,
        agent=agent if agent is not None else org.alice,
    )


def full(kind="call", **less) -> dict[int, Decimal]:
    """Full marks on every item, less where said (by item name)."""
    return {i.pk: Decimal(i.points) - less.get(i.name, 0) for i in checklist(kind)}


@pytest.mark.django_db
def test_it_ships_a_checklist_of_a_hundred_points_with_a_veto_item():
    items = checklist("call")
    assert sum(i.points for i in items) == 100
    assert [i.name for i in items if i.is_veto] == ["服务态度"]


@pytest.mark.django_db
def test_it_writes_an_inspection_with_its_first_outcome(org, ivy):
    c = call(org)
    inspection = inspection_create(
        inspector=ivy, call=c, scores=full(分类准确=5), comment="分类选成了咨询"
    )
    assert inspection.agent == org.alice and inspection.centre == org.centre
    assert inspection.subject_at == c.started_at and inspection.inspector == ivy
    assert inspection.score == Decimal(95) and inspection.max_score == 100 and inspection.passed
    outcome = inspection.outcomes.get()
    assert outcome.appeal is None and outcome.pass_mark == 80 and outcome.decided_by == ivy
    assert {x.name: x.awarded for x in outcome.items.all()}["分类准确"] == Decimal(10)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("scores", "message"),
    [
        (lambda: {k: v for k, v in list(full().items())[1:]}, "请为「开头语规范」打分"),
        (lambda: {**full(), ChecklistItem.objects.get(name="服务态度").pk: 16}, "0–15"),
        (lambda: {**full(), ChecklistItem.objects.get(name="服务态度").pk: "好"}, "不是数字"),
        (lambda: {**full(), ChecklistItem.objects.get(name="服务态度").pk: "7.3"}, "0.5"),
    ],
)
def test_it_refuses_a_bad_score_naming_the_item_and_writes_nothing(org, ivy, scores, message):
    with pytest.raises(InvalidInput, match=message):
        inspection_create(inspector=ivy, call=call(org), scores=scores())
    assert not Inspection.objects.exists() and not Outcome.objects.exists()


@pytest.mark.django_db
def test_it_lets_only_an_inspector_of_the_centre_inspect_and_not_their_own_work(org, ivy):
    with pytest.raises(NotPermitted, match="质检员"):
        inspection_create(inspector=org.carl, call=call(org), scores=full())
    with pytest.raises(NotPermitted, match="自己"):
        inspection_create(inspector=ivy, call=call(org, agent=ivy), scores=full())
    assert not Inspection.objects.exists()


@pytest.mark.django_db
def test_it_inspects_a_sample_once(org, ivy):
    c = call(org)
    inspection_create(inspector=ivy, call=c, scores=full())
    with pytest.raises(IllegalTransition, match="已质检过"):
        inspection_create(inspector=ivy, call=c, scores=full())


@pytest.mark.django_db
def test_it_refuses_a_call_no_agent_answered(org, ivy):
    with pytest.raises(InvalidInput, match="人工接听"):
        inspection_create(
            inspector=ivy, call=call(org, outcome=CallOutcome.ABANDONED), scores=full()
        )


@pytest.mark.django_db
def test_it_inspects_an_order_as_its_intake_record(org, ivy):
    from hotline.workorders.services import workorder_register

    order = workorder_register(
        actor=org.alice,
        channel="phone",
        request_type="complaint",
        title="停水",
        content="小区停水",
        requester_phone="13900000002",
    )
    inspection = inspection_create(inspector=ivy, order=order, scores=full("order", 服务态度=5))
    assert inspection.kind == "order" and inspection.agent == org.alice
    assert inspection.score == Decimal(95) and not inspection.passed  # the veto item lost points
    assert inspection.outcomes.get().vetoed


@pytest.mark.django_db
def test_it_samples_a_days_answered_calls_of_the_centre(org, ivy):
    calls = [call(org, hour=h) for h in range(8, 18)]
    call(org, hour=10, outcome=CallOutcome.ABANDONED)
    rows = sample(kind="call", day=DAY, centres=[org.centre], percent=30, seed=1)
    assert len(rows) == 3 and {r.obj.pk for r in rows} <= {c.pk for c in calls}
    assert [r.obj.pk for r in rows] == [
        r.obj.pk for r in sample(kind="call", day=DAY, centres=[org.centre], percent=30, seed=1)
    ]
    inspection = inspection_create(inspector=ivy, call=rows[0].obj, scores=full())
    again = sample(kind="call", day=DAY, centres=[org.centre], percent=30, seed=1)
    assert again[0].inspection == inspection and again[1].inspection is None


# --- appeals --------------------------------------------------------------------------------


@pytest.fixture
def failed(org, ivy):
    return inspection_create(
        inspector=ivy, call=call(org), scores=full(服务态度=5), at=timezone.now()
    )


@pytest.mark.django_db
def test_an_upheld_appeal_adds_an_outcome_and_keeps_the_first(org, failed):
    assert not failed.passed
    appeal = appeal_file(inspection=failed, agent=org.alice, reason="录音里诉求人先辱骂，我未还口")
    appeal_review(
        appeal=appeal, reviewer=org.sue, upheld=True, note="复听录音，态度无问题", scores=full()
    )
    failed.refresh_from_db()
    assert failed.passed and failed.score == Decimal(100)
    first, second = failed.outcomes.order_by("decided_at", "id")
    assert not first.passed and first.score == Decimal(95)  # kept as it was
    assert second.appeal == appeal and second.decided_by == org.sue and second.passed
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD and appeal.review_note == "复听录音，态度无问题"


@pytest.mark.django_db
def test_a_rejected_appeal_leaves_the_outcome(org, failed):
    appeal = appeal_file(inspection=failed, agent=org.alice, reason="不服")
    appeal_review(appeal=appeal, reviewer=org.sue, upheld=False, note="录音属实")
    failed.refresh_from_db()
    assert not failed.passed and failed.outcomes.count() == 1
    assert appeal.status == AppealStatus.REJECTED


@pytest.mark.django_db
def test_it_takes_one_appeal_from_the_agent_in_time(org, ivy, failed):
    with pytest.raises(NotPermitted, match="本人"):
        appeal_file(inspection=failed, agent=org.carl, reason="代为申诉")
    with pytest.raises(InvalidInput, match="申诉理由"):
        appeal_file(inspection=failed, agent=org.alice, reason="  ")
    with pytest.raises(IllegalTransition, match="申诉期限"):
        appeal_file(
            inspection=failed,
            agent=org.alice,
            reason="晚了",
            at=failed.created_at + timedelta(days=6),
        )
    appeal_file(inspection=failed, agent=org.alice, reason="不服")
    with pytest.raises(IllegalTransition, match="只能申诉一次"):
        appeal_file(inspection=failed, agent=org.alice, reason="再申诉")


@pytest.mark.django_db
def test_the_inspector_does_not_review_their_own_inspection(org, ivy, failed):
    appeal = appeal_file(inspection=failed, agent=org.alice, reason="不服")
    with pytest.raises(NotPermitted, match="原质检员"):
        appeal_review(appeal=appeal, reviewer=ivy, upheld=False, note="维持")
    with pytest.raises(InvalidInput, match="复核意见"):
        appeal_review(appeal=appeal, reviewer=org.sue, upheld=False, note="")
    with pytest.raises(InvalidInput, match="请为"):
        appeal_review(appeal=appeal, reviewer=org.sue, upheld=True, note="成立", scores={})
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.PENDING and failed.outcomes.count() == 1
    appeal_review(appeal=appeal, reviewer=org.sue, upheld=False, note="维持")
    with pytest.raises(IllegalTransition, match="已复核"):
        appeal_review(appeal=appeal, reviewer=org.sue, upheld=True, note="改判", scores=full())


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_queue_is_the_inspectors_and_reproducible(client, org, ivy):
    for h in range(8, 18):
        call(org, hour=h)
    client.force_login(org.alice)
    assert client.get(reverse("quality_queue")).status_code == 403
    client.force_login(ivy)
    params = {"day": "2026-03-02", "kind": "call", "percent": "20", "seed": "3"}
    one = client.get(reverse("quality_queue"), params)
    two = client.get(reverse("quality_queue"), params)
    assert one.status_code == 200 and len(one.context["rows"]) == 2
    assert [r.obj.pk for r in one.context["rows"]] == [r.obj.pk for r in two.context["rows"]]
    bad = client.get(reverse("quality_queue"), {**params, "percent": "0"})
    assert bad.status_code == 400 and "抽样比例应为 1–100 的整数" in bad.content.decode()


@pytest.mark.django_db
def test_it_inspects_from_the_form_and_the_agent_appeals_from_their_page(client, org, ivy):
    c = call(org)
    client.force_login(ivy)
    url = reverse("quality_inspect", args=["call", c.pk])
    assert client.get(url).status_code == 200
    data = {f"item_{k}": str(v) for k, v in full(服务态度=5).items()}
    bad = client.post(url, {**data, f"item_{checklist('call')[0].pk}": "99"})
    assert bad.status_code == 400 and "开头语规范" in bad.content.decode()
    assert not Inspection.objects.exists()
    response = client.post(url, {**data, "comment": "语气生硬"})
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and not inspection.passed
    client.force_login(org.alice)
    mine = client.get(reverse("quality_mine"))
    assert mine.context["total"] == 1 and mine.context["passing"] == 0
    assert client.get(reverse("quality_inspection", args=[inspection.pk])).context["may_appeal"]
    client.post(reverse("quality_appeal", args=[inspection.pk]), {"reason": "不服"})
    appeal = inspection.appeals.get()
    client.force_login(org.sue)
    assert list(client.get(reverse("quality_appeals")).context["rows"]) == [appeal]
    review = {"decision": "upheld", "review_note": "成立", **{k: v for k, v in data.items()}}
    review[f"item_{ChecklistItem.objects.get(name='服务态度').pk}"] = "15"
    assert client.post(reverse("quality_review", args=[appeal.pk]), review).status_code == 302
    inspection.refresh_from_db()
    assert inspection.passed and inspection.outcomes.count() == 2


@pytest.mark.django_db
def test_an_inspection_is_not_shown_to_another_agent(client, org, ivy, failed):
    other = user_create(
        username="amy", password="x", display_name="amy", memberships=[(org.centre, Role.AGENT)]
    )
    client.force_login(other)
    assert client.get(reverse("quality_inspection", args=[failed.pk])).status_code == 404
