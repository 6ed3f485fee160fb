"""Every write of quality inspection: an inspection with its first outcome, an appeal, the
appeal's review. Each is atomic, checks who acts, and writes new rows; nothing is edited but the
inspection's pointer to its latest outcome (score, passed), moved only by an upheld appeal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.accounts.choices import CENTRE_KINDS
from hotline.accounts.models import Unit, User
from hotline.telephony.choices import CallOutcome, Direction
from hotline.telephony.models import CallRecord
from hotline.workorders.errors import IllegalTransition, InvalidInput, NotFound, NotPermitted
from hotline.workorders.models import WorkOrder

from .choices import INSPECTOR_ROLES, REVIEWER_ROLES, AppealStatus, SampleKind
from .models import Appeal, ChecklistItem, Inspection, Outcome, OutcomeItem

NOTE_MAX = 2000


def quality_setting(name: str) -> int:
    value = settings.HOTLINE_QUALITY[name]
    if not isinstance(value, int):
        raise TypeError(f"settings.HOTLINE_QUALITY[{name!r}] must be an integer, not {value!r}")
    return value


# --- the arithmetic (no database) ------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    points: int
    is_veto: bool
    awarded: Decimal


@dataclass(frozen=True)
class Verdict:
    score: Decimal
    max_score: int
    vetoed: bool
    passed: bool


def verdict(lines: list[Line], pass_mark: int) -> Verdict:
    """Points awarded over points possible, as a share of 100, against the pass mark; a veto
    item (一票否决) that loses any of its points fails the sample whatever the score."""
    score = sum((line.awarded for line in lines), Decimal(0))
    max_score = sum(line.points for line in lines)
    vetoed = any(line.is_veto and line.awarded < line.points for line in lines)
    passed = bool(max_score) and not vetoed and score * 100 >= pass_mark * max_score
    return Verdict(score, max_score, vetoed, passed)


def score_text(score: Decimal | int, max_score: int) -> str:
    """A result as every page and message shows it: "97.5 / 100", "100 / 100" (a whole score
    without its ".0", whether it comes from the database or was just computed)."""
    points = f"{Decimal(score).quantize(Decimal('0.1')):f}".removesuffix(".0")
    return f"{points} / {max_score}"


# --- who may act ----------------------------------------------------------------------------


def centres_for(user: User, roles: frozenset[str]) -> list[Unit]:
    """The centres (with the centres below them) where `user` holds one of `roles`."""
    if user.is_superuser:
        return list(Unit.objects.filter(kind__in=CENTRE_KINDS))
    paths = [
        m.unit.path
        for m in user.active_memberships()
        if m.role in roles and m.unit.kind in CENTRE_KINDS
    ]
    return [
        u
        for u in Unit.objects.filter(kind__in=CENTRE_KINDS)
        if any(u.path.startswith(p) for p in paths)
    ]


def _require_centre(user: User, centre: Unit, roles: frozenset[str], message: str) -> None:
    if centre.pk not in {u.pk for u in centres_for(user, roles)}:
        raise NotPermitted(message)


# --- inspecting -----------------------------------------------------------------------------


def checklist(kind: str) -> list[ChecklistItem]:
    """The active items that apply to a sample of `kind`, in order."""
    qs = ChecklistItem.objects.filter(is_active=True)
    qs = (
        qs.filter(applies_to_calls=True)
        if kind == SampleKind.CALL
        else qs.filter(applies_to_orders=True)
    )
    return list(qs)


def _awarded(item: ChecklistItem | OutcomeItem, value: Any) -> Decimal:
    if value in (None, ""):
        raise InvalidInput(
            _("请为「{item}」打分").format(item=item.name), field=f"item_{item_key(item)}"
        )
    try:
        awarded = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(
            _("「{item}」的得分「{value}」不是数字").format(item=item.name, value=value),
            field=f"item_{item_key(item)}",
        ) from None
    if not awarded.is_finite() or not 0 <= awarded <= item.points or awarded * 2 % 1:
        raise InvalidInput(
            _("「{item}」的得分应在 0–{points} 之间（可到 0.5 分）").format(
                item=item.name, points=item.points
            ),
            field=f"item_{item_key(item)}",
        )
    return awarded


def item_key(item: ChecklistItem | OutcomeItem) -> int:
    """Scores are keyed by the checklist item's id, also when re-scoring an outcome's lines."""
    return item.item_id if isinstance(item, OutcomeItem) else item.pk


def _text(value: str, label: str, field: str, *, required: bool, limit: int = NOTE_MAX) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(_("请填写{label}").format(label=label), field=field)
    if len(value) > limit:
        raise InvalidInput(
            _("{label}不能超过 {limit} 字").format(label=label, limit=limit), field=field
        )
    return value


def _sample(call: CallRecord | None, order: WorkOrder | None) -> tuple[str, User, Unit, datetime]:
    """What is inspected: kind, the agent whose work it is, their centre, when it was done."""
    if (call is None) == (order is None):
        raise InvalidInput(_("请指定一条来电或一件工单作为质检样本"), field="sample")
    if call is not None:
        if call.direction != Direction.INBOUND or call.outcome != CallOutcome.ANSWERED:
            raise InvalidInput(_("只能质检人工接听的来电"), field="sample")
        if call.agent is None:
            raise InvalidInput(_("这通来电没有接听话务员，无法质检"), field="sample")
        return SampleKind.CALL, call.agent, call.centre, call.started_at
    assert order is not None
    if order.registered_by.is_system:
        raise InvalidInput(
            _("工单 {number} 由系统受理（非话务员登记），无法质检").format(number=order.number),
            field="sample",
        )
    return SampleKind.ORDER, order.registered_by, order.centre, order.created_at


def inspection_create(
    *,
    inspector: User,
    call: CallRecord | None = None,
    order: WorkOrder | None = None,
    scores: dict[int, Any],
    item_comments: dict[int, str] | None = None,
    comment: str = "",
    at: datetime | None = None,
) -> Inspection:
    """Inspect one sample: score every checklist item that applies, compute pass or fail, and
    write the inspection with its first outcome. Final once written (an appeal may add a new
    outcome later)."""
    at = at or timezone.now()
    kind, agent, centre, subject_at = _sample(call, order)
    _require_centre(inspector, centre, INSPECTOR_ROLES, _("只有本中心的质检员可以质检这条样本"))
    if agent.pk == inspector.pk:
        raise NotPermitted(_("不能质检自己的服务"))
    items = checklist(kind)
    if not items:
        raise InvalidInput(_("质检项尚未配置（管理后台 › 质检 › 质检项）"), field="sample")
    awarded = {i.pk: _awarded(i, scores.get(i.pk)) for i in items}
    notes = {
        i.pk: _text(
            (item_comments or {}).get(i.pk, ""),
            i.name,
            f"comment_{i.pk}",
            required=False,
            limit=200,
        )
        for i in items
    }
    comment = _text(comment, _("质检评语"), "comment", required=False)
    pass_mark = quality_setting("PASS_MARK")
    v = verdict([Line(i.points, i.is_veto, awarded[i.pk]) for i in items], pass_mark)
    with transaction.atomic():
        duplicate = (
            Inspection.objects.select_for_update().filter(call=call)
            if call
            else Inspection.objects.select_for_update().filter(kind=kind, order=order)
        )
        if duplicate.exists():
            raise IllegalTransition(_("这条样本已质检过；对结果有异议请走申诉"))
        inspection = Inspection.objects.create(
            kind=kind,
            call=call,
            order=order,
            agent=agent,
            centre=centre,
            subject_at=subject_at,
            inspector=inspector,
            created_at=at,
            comment=comment,
            score=v.score,
            max_score=v.max_score,
            passed=v.passed,
        )
        outcome = Outcome.objects.create(
            inspection=inspection,
            score=v.score,
            max_score=v.max_score,
            pass_mark=pass_mark,
            vetoed=v.vetoed,
            passed=v.passed,
            decided_by=inspector,
            decided_at=at,
        )
        OutcomeItem.objects.bulk_create(
            OutcomeItem(
                outcome=outcome,
                item=i,
                name=i.name,
                points=i.points,
                is_veto=i.is_veto,
                awarded=awarded[i.pk],
                comment=notes[i.pk],
            )
            for i in items
        )
    return inspection


# --- appeals --------------------------------------------------------------------------------


def appeal_file(
    *, inspection: Inspection, agent: User, reason: str, at: datetime | None = None
) -> Appeal:
    """申诉: the inspected agent disputes the outcome, once, within APPEAL_DAYS of it."""
    at = at or timezone.now()
    if inspection.agent_id != agent.pk:
        raise NotPermitted(_("只有被质检的话务员本人可以申诉"))
    reason = _text(reason, _("申诉理由"), "reason", required=True)
    days = quality_setting("APPEAL_DAYS")
    if at > inspection.created_at + timedelta(days=days):
        raise IllegalTransition(_("已超过申诉期限（质检后 {days} 天内）").format(days=days))
    with transaction.atomic():
        Inspection.objects.select_for_update().get(pk=inspection.pk)
        if inspection.appeals.exists():
            raise IllegalTransition(_("这条质检已申诉过，每条质检只能申诉一次"))
        return Appeal.objects.create(
            inspection=inspection, filed_by=agent, filed_at=at, reason=reason
        )


def latest_outcome(inspection: Inspection) -> Outcome:
    return inspection.outcomes.order_by("-decided_at", "-id").first()  # type: ignore[return-value]


def appeal_review(
    *,
    appeal: Appeal,
    reviewer: User,
    upheld: bool,
    note: str,
    scores: dict[int, Any] | None = None,
    at: datetime | None = None,
) -> Appeal:
    """复核: reject (the outcome stands) or uphold with the items re-scored, which writes a new
    outcome; the inspection then counts that one. The first outcome is kept as it was."""
    at = at or timezone.now()
    inspection = appeal.inspection
    _require_centre(
        reviewer, inspection.centre, REVIEWER_ROLES, _("只有本中心的质检员或督办员可以复核申诉")
    )
    if reviewer.pk in (inspection.inspector_id, inspection.agent_id):
        raise NotPermitted(_("申诉须由原质检员和申诉人以外的人复核"))
    note = _text(note, _("复核意见"), "review_note", required=True)
    with transaction.atomic():
        locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if locked.status != AppealStatus.PENDING:
            raise IllegalTransition(
                _("这条申诉已复核（{status}）").format(status=locked.get_status_display())
            )
        if upheld:
            _rescore(inspection, locked, reviewer, scores or {}, at)
        Appeal.objects.filter(pk=locked.pk).update(
            status=AppealStatus.UPHELD if upheld else AppealStatus.REJECTED,
            reviewed_by=reviewer,
            reviewed_at=at,
            review_note=note,
        )
    appeal.refresh_from_db()
    return appeal


def _rescore(
    inspection: Inspection, appeal: Appeal, reviewer: User, scores: dict[int, Any], at: datetime
) -> Outcome:
    previous = latest_outcome(inspection)
    lines = list(previous.items.all())
    awarded = {line.item_id: _awarded(line, scores.get(line.item_id)) for line in lines}
    v = verdict([Line(x.points, x.is_veto, awarded[x.item_id]) for x in lines], previous.pass_mark)
    outcome = Outcome.objects.create(
        inspection=inspection,
        appeal=appeal,
        score=v.score,
        max_score=v.max_score,
        pass_mark=previous.pass_mark,
        vetoed=v.vetoed,
        passed=v.passed,
        decided_by=reviewer,
        decided_at=at,
    )
    OutcomeItem.objects.bulk_create(
        OutcomeItem(
            outcome=outcome,
            item_id=x.item_id,
            name=x.name,
            points=x.points,
            is_veto=x.is_veto,
            awarded=awarded[x.item_id],
            comment=x.comment,
        )
        for x in lines
    )
    Inspection.objects.filter(pk=inspection.pk).update(
        score=v.score, max_score=v.max_score, passed=v.passed
    )
    return outcome


def inspection_for(user: User, pk: int) -> Inspection:
    """An inspection `user` may read: their own, or one of a centre where they inspect or
    review; anything else does not exist (404)."""
    row = Inspection.objects.select_related("agent", "inspector", "centre").filter(pk=pk).first()
    if row is None:
        raise NotFound(_("质检记录不存在"))
    if row.agent_id == user.pk:
        return row
    if row.centre_id in {u.pk for u in centres_for(user, INSPECTOR_ROLES | REVIEWER_ROLES)}:
        return row
    raise NotFound(_("质检记录不存在"))
