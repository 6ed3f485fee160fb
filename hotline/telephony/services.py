"""Writes to the call-back list: missed calls recorded (from call records or the phone system)
and the outcome of each call-back."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.accounts.choices import CENTRE_KINDS, Role
from hotline.accounts.models import Unit, User
from hotline.workorders.errors import ConcurrentUpdate, InvalidInput, NotFound
from hotline.workorders.models import WorkOrder

from .choices import CallbackOutcome, CallOutcome, Direction, MissedCallState
from .models import CallRecord, MissedCall

NUMBER_RE = re.compile(r"^\+?\d{3,20}$")
# Abandoned calls older than this are history, not a call-back to make (imports, demo data).
SWEEP_WINDOW = timedelta(days=2)
# Unanswered call-backs before the call leaves the list.
MAX_ATTEMPTS = 3
# Roles that call people back.
CALLBACK_ROLES = frozenset({Role.AGENT, Role.CALLBACK_AGENT, Role.SUPERVISOR, Role.ADMIN})


def missed_call_record(
    *, centre: Unit | str, caller_number: str, missed_at: datetime, external_id: str = ""
) -> tuple[MissedCall, bool]:
    """Put a missed call on the call-back list (the phone system's API). A re-sent call with
    the same external id returns the first row: (row, created)."""
    if isinstance(centre, str):
        found = Unit.objects.filter(code=centre, kind__in=CENTRE_KINDS, is_active=True).first()
        if found is None:
            raise InvalidInput(
                _("热线中心「{centre}」不存在").format(centre=centre), field="centre"
            )
        centre = found
    number = re.sub(r"[\s\-()]", "", caller_number or "")
    if not NUMBER_RE.match(number):
        raise InvalidInput(
            _("来电号码「{number}」格式不正确").format(number=caller_number[:30]),
            field="caller_number",
        )
    if missed_at > timezone.now() + timedelta(minutes=5):
        raise InvalidInput(_("来电时间不能晚于当前时间"), field="missed_at")
    external_id = (external_id or "").strip()[:64]
    if "\x00" in external_id:  # PostgreSQL cannot store NUL
        raise InvalidInput(_("外部编号含有不允许的控制字符（NUL）"), field="external_id")
    if external_id:
        first = MissedCall.objects.filter(external_id=external_id).first()
        if first is not None:
            return first, False
    try:
        with transaction.atomic():
            row = MissedCall.objects.create(
                centre=centre, caller_number=number, missed_at=missed_at, external_id=external_id
            )
    except IntegrityError:  # a concurrent re-send claimed the id first
        return MissedCall.objects.get(external_id=external_id), False
    return row, True


def missed_calls_from_records(*, now: datetime | None = None) -> int:
    """Add recent abandoned inbound calls that are not on the list yet; returns how many."""
    now = now or timezone.now()
    records = CallRecord.objects.filter(
        direction=Direction.INBOUND,
        outcome=CallOutcome.ABANDONED,
        started_at__gte=now - SWEEP_WINDOW,
        missed_call__isnull=True,
    )
    added = 0
    for record in records:
        try:
            with transaction.atomic():
                MissedCall.objects.create(
                    centre_id=record.centre_id,
                    caller_number=record.caller_number,
                    missed_at=record.started_at,
                    call=record,
                )
        except IntegrityError:  # another sweep took it
            continue
        added += 1
    return added


def missed_call_resolve(
    *,
    missed: MissedCall,
    actor: User,
    outcome: str,
    note: str = "",
    order_number: str = "",
    expected_version: int | None = None,
    confirm_other_phone: bool = False,
) -> MissedCall:
    """Record one call-back: reached (optionally with the order registered during the call),
    no answer (the call stays on the list until the attempts run out), or not needed (with a
    reason). A stale version (someone else recorded first) is refused. An order whose phone is
    not the caller's is linked only with `confirm_other_phone` (a typo in the number would
    otherwise tie the call to a stranger's order)."""
    if outcome not in CallbackOutcome.values:
        raise InvalidInput(_("请选择回拨结果"), field="outcome")
    note = (note or "").strip()
    if "\x00" in note or "\x00" in order_number:  # PostgreSQL cannot store NUL
        raise InvalidInput(
            _("含有不允许的控制字符（NUL）"), field="note" if "\x00" in note else "order_number"
        )
    if len(note) > 200:
        raise InvalidInput(_("说明不能超过 200 字"), field="note")
    if outcome == CallbackOutcome.NOT_NEEDED and not note:
        raise InvalidInput(_("无需回拨须说明理由"), field="note")
    order = None
    if order_number.strip():
        order = WorkOrder.objects.visible_to(actor).filter(number=order_number.strip()).first()
        if order is None:
            raise InvalidInput(
                _("工单「{number}」不存在").format(number=order_number.strip()[:20]),
                field="order_number",
            )
    if order is not None and outcome == CallbackOutcome.REACHED and not confirm_other_phone:
        if not same_number(order.requester_phone, missed.caller_number):
            raise InvalidInput(
                _(
                    "工单「{number}」的联系电话不是来电号码 {caller}；"
                    "确认关联请勾选“联系电话不同，仍关联”"
                ).format(number=order.number, caller=missed.caller_number),
                field="confirm_other_phone",
            )
    with transaction.atomic():
        row = MissedCall.objects.select_for_update().get(pk=missed.pk)
        if row.state != MissedCallState.PENDING:
            raise ConcurrentUpdate(_("该漏接来电已处理"))
        if expected_version is not None and row.version != expected_version:
            raise ConcurrentUpdate(_("该漏接来电已被他人更新，请刷新后重试"))
        # The row is locked: plain increments are safe here.
        row.attempts += 1
        row.version += 1
        row.last_attempt_at = timezone.now()
        row.handled_by = actor
        row.note = note
        if outcome == CallbackOutcome.REACHED:
            row.state = MissedCallState.REACHED
            row.order = order
        elif outcome == CallbackOutcome.NOT_NEEDED:
            row.state = MissedCallState.NOT_NEEDED
        elif row.attempts >= MAX_ATTEMPTS:
            row.state = MissedCallState.NO_ANSWER
        row.save()
    return row


def same_number(a: str, b: str) -> bool:
    """One phone number written two ways: separators, the country code (+86, 0086) aside."""

    def digits(number: str) -> str:
        d = re.sub(r"\D", "", number or "")
        for prefix in ("0086", "86"):
            if d.startswith(prefix) and len(d) - len(prefix) == 11:
                return d[len(prefix) :]
        return d

    return bool(digits(a)) and digits(a) == digits(b)


def centres_of(user: User) -> list[int]:
    """The centres whose call-back lists this user works."""
    return [
        m.unit_id
        for m in user.active_memberships()
        if m.role in CALLBACK_ROLES and m.unit.kind in CENTRE_KINDS
    ]


def missed_call_for(user: User, pk: int) -> MissedCall:
    """A missed call of one of the user's centres, or NotFound (404: no existence leak)."""
    row = MissedCall.objects.filter(pk=pk, centre_id__in=centres_of(user)).first()
    if row is None:
        raise NotFound(_("漏接来电不存在"))
    return row
