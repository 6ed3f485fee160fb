"""The demo's quality inspections (质检): a year of them over the demo's calls and orders.

Each day the inspector draws the queue's sample (HOTLINE_QUALITY SAMPLE_PERCENT of the day's
answered calls and of its registered orders, the queue's own draw) and scores it through the
quality services, a day or two later. Most work is scored near full marks; about one sample in
twenty fails (a veto item, or a badly recorded request), so 质检合格率 lands near 95 %. Some
agents appeal a failure; a supervisor upholds some of those appeals."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from hotline.accounts.models import Unit, User
from hotline.quality.choices import SampleKind
from hotline.quality.models import ChecklistItem, Inspection
from hotline.quality.selectors import candidates, draw
from hotline.quality.services import (
    appeal_file,
    appeal_review,
    checklist,
    inspection_create,
    quality_setting,
)
from hotline.telephony.models import CallRecord
from hotline.workorders.models import WorkOrder

from .clock import add_work, local, to_desk

VETO_FAIL = 0.015  # rude or evasive: the veto item loses points
RECORD_FAIL = 0.035  # the request recorded too badly to pass
APPEALED = 0.4  # of failures
UPHELD = 0.4  # of appeals
APPEAL_REASONS = [
    "录音中诉求人情绪激动，本人已按规范安抚，申请复核服务态度评分。",
    "诉求人当时未提供详细地址，记录已尽到询问义务。",
    "分类依据知识库最新口径选择，请复核。",
]
REVIEW_NOTES = {
    True: ["复听录音，申诉理由成立，予以改判。", "经复核，记录符合规范，改判合格。"],
    False: ["复听录音，扣分属实，维持原结论。", "记录确有缺项，维持原结论。"],
}


def _scores(rng: random.Random, items: list[ChecklistItem]) -> dict[int, Decimal]:
    scores = {i.pk: Decimal(i.points) for i in items}
    r = rng.random()
    vetoes = [i for i in items if i.is_veto]
    plain = [i for i in items if not i.is_veto]
    if r < VETO_FAIL and vetoes:
        item = rng.choice(vetoes)
        scores[item.pk] -= rng.randint(3, item.points)
    elif r < VETO_FAIL + RECORD_FAIL and plain:
        for item in rng.sample(plain, min(2, len(plain))):
            scores[item.pk] = Decimal(rng.randint(0, item.points // 3))
    else:  # small slips: half a point to a few points on one or two items
        for item in rng.sample(plain, rng.choice([0, 0, 1, 1, 2])):
            scores[item.pk] -= Decimal(rng.choice([1, 2, 3, 5])) / (2 if rng.random() < 0.3 else 1)
            scores[item.pk] = max(scores[item.pk], Decimal(0))
    return scores


def _inspect_day(
    rng: random.Random,
    day: date,
    centre: Unit,
    inspector: User,
    reviewer: User,
    now: datetime,
) -> int:
    percent = quality_setting("SAMPLE_PERCENT")
    seed = quality_setting("SAMPLE_SEED")
    evening = local(day, time(17, 0))
    written = 0
    for kind in (SampleKind.CALL, SampleKind.ORDER):
        pool = candidates(kind, day, [centre])
        picked = draw(list(pool.values_list("pk", flat=True)), percent, seed, kind, day)
        field = "call_id" if kind == SampleKind.CALL else "order_id"
        done = set(
            Inspection.objects.filter(kind=kind, **{f"{field}__in": picked}).values_list(
                field, flat=True
            )
        )
        items = checklist(kind)
        for pk in picked:
            at = to_desk(add_work(evening, rng.uniform(30, 700)))
            if pk in done or at > now:
                continue
            subject: dict[str, CallRecord | WorkOrder] = (
                {"call": CallRecord.objects.select_related("agent", "centre").get(pk=pk)}
                if kind == SampleKind.CALL
                else {
                    "order": WorkOrder.objects.select_related("registered_by", "centre").get(pk=pk)
                }
            )
            inspection = inspection_create(
                inspector=inspector,
                scores=_scores(rng, items),
                at=at,
                **subject,  # type: ignore[arg-type]
            )
            written += 1
            if not inspection.passed and rng.random() < APPEALED:
                _appeal(rng, inspection, reviewer, at, now)
    return written


def _appeal(
    rng: random.Random, inspection: Inspection, reviewer: User, at: datetime, now: datetime
) -> None:
    filed = add_work(at, rng.uniform(30, 900))
    reviewed = to_desk(add_work(filed, rng.uniform(60, 1200)))
    if reviewed > now:
        return
    appeal = appeal_file(
        inspection=inspection, agent=inspection.agent, reason=rng.choice(APPEAL_REASONS), at=filed
    )
    upheld = rng.random() < UPHELD
    lines = inspection.outcomes.get().items.all()
    scores = {x.item_id: (Decimal(x.points) if upheld else x.awarded) for x in lines}
    appeal_review(
        appeal=appeal,
        reviewer=reviewer,
        upheld=upheld,
        note=rng.choice(REVIEW_NOTES[upheld]),
        scores=scores,
        at=reviewed,
    )


def seed_quality(
    *, centre: Unit, inspector: User, reviewer: User, start: date, end: date, seed: int = 12345
) -> int:
    """Inspect each day's sample from `start` to `end` (skipping samples already inspected);
    returns how many inspections were written."""
    rng = random.Random(seed)
    now = timezone.now()
    written = 0
    day = start
    while day <= end:
        with transaction.atomic():
            written += _inspect_day(rng, day, centre, inspector, reviewer, now)
        day += timedelta(days=1)
    return written
