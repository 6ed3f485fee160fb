"""The telephony part of the REST API (mounted under /api/ by hotline.api): the phone system
records missed calls; agents read the call-back list and record outcomes."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import AwareDatetime

from hotline.accounts.api import ApiRequest
from hotline.accounts.models import Unit
from hotline.workorders.errors import NotPermitted

from .choices import CallbackOutcome, MissedCallState
from .models import MissedCall
from .services import centres_of, missed_call_for, missed_call_record, missed_call_resolve

router = Router(tags=["话务"])


class MissedCallIn(Schema):
    caller_number: str = Field(..., min_length=3, max_length=30)
    # With its offset: the phone system's clock zone is not ours to guess.
    missed_at: AwareDatetime
    external_id: str = Field("", max_length=64, description="电话系统的呼叫编号（去重）")
    centre: str | None = Field(None, max_length=20, description="热线中心编码；缺省为本人所在中心")


class MissedCallOut(Schema):
    id: int
    caller_number: str
    missed_at: str
    state: str
    attempts: int
    version: int
    order: str | None
    note: str


class CallbackIn(Schema):
    outcome: CallbackOutcome
    note: str = Field("", max_length=200)
    order_number: str = Field("", max_length=20)
    expected_version: int | None = None
    confirm_other_phone: bool = Field(
        False, description="工单联系电话与来电号码不同时，确认仍关联该工单"
    )


def _out(row: MissedCall) -> dict[str, Any]:
    return {
        "id": row.pk,
        "caller_number": row.caller_number,
        "missed_at": timezone.localtime(row.missed_at).isoformat(),
        "state": row.state,
        "attempts": row.attempts,
        "version": row.version,
        "order": row.order.number if row.order_id and row.order else None,
        "note": row.note,
    }


def _centre(request: ApiRequest, code: str | None) -> Unit | str:
    mine = centres_of(request.auth)
    if code is None:
        if not mine:
            raise NotPermitted(_("只有热线中心的话务员、回访员、督办员可以登记漏接来电"))
        return Unit.objects.get(pk=mine[0])
    if not (request.auth.is_superuser or request.auth.is_system):
        if not Unit.objects.filter(pk__in=mine, code=code).exists():
            raise NotPermitted(_("不能为其他热线中心登记漏接来电"))
    return code


@router.post(
    "/telephony/missed-calls",
    response={200: MissedCallOut, 201: MissedCallOut},
    summary="登记漏接来电（电话系统；external_id 去重）",
)
def missed_call_create(request: ApiRequest, payload: MissedCallIn) -> Status:
    row, created = missed_call_record(
        centre=_centre(request, payload.centre),
        caller_number=payload.caller_number,
        missed_at=payload.missed_at,
        external_id=payload.external_id,
    )
    return Status(201 if created else 200, _out(row))


@router.get("/telephony/missed-calls", response=list[MissedCallOut], summary="待回拨的漏接来电")
def missed_call_list(request: ApiRequest) -> list[dict[str, Any]]:
    rows = MissedCall.objects.filter(
        centre_id__in=centres_of(request.auth), state=MissedCallState.PENDING
    ).order_by("missed_at", "id")[:500]
    return [_out(r) for r in rows]


@router.post(
    "/telephony/missed-calls/{missed_id}/callback",
    response=MissedCallOut,
    summary="记录回拨结果",
)
def missed_call_callback(
    request: ApiRequest, missed_id: int, payload: CallbackIn
) -> dict[str, Any]:
    row = missed_call_resolve(
        missed=missed_call_for(request.auth, missed_id),
        actor=request.auth,
        outcome=payload.outcome,
        note=payload.note,
        order_number=payload.order_number,
        expected_version=payload.expected_version,
        confirm_other_phone=payload.confirm_other_phone,
    )
    return _out(row)
