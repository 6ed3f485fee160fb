"""Quality inspection pages: the sampling queue, the inspection form, an inspection with its
outcomes and appeal, the agent's own results, and the appeals awaiting review."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.accounts.models import User
from hotline.telephony.models import CallRecord
from hotline.workorders.errors import NotFound, WorkOrderError
from hotline.workorders.models import WorkOrder

from . import selectors, services
from .choices import INSPECTOR_ROLES, REVIEWER_ROLES, AppealStatus, SampleKind
from .models import Appeal, Inspection


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _inspector_centres(user: User) -> list:
    centres = services.centres_for(user, INSPECTOR_ROLES)
    if not centres:
        raise PermissionDenied(_("只有热线中心的质检员可以抽样质检"))
    return centres


def _int(raw: str | None, default: int, label: str) -> int:
    if not raw:
        return default
    if not raw.isdigit():
        raise WorkOrderError(_("{label}应为整数").format(label=label))
    return int(raw)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """抽样: N % of a day's answered calls or registered orders, drawn by seed (the same day,
    share and seed always give the same sample), each with its result once inspected."""
    centres = _inspector_centres(_user(request))
    yesterday = timezone.localdate() - timedelta(days=1)
    kind = request.GET.get("kind") or SampleKind.CALL
    error = ""
    rows: list[selectors.SampleRow] = []
    day = yesterday
    percent = services.quality_setting("SAMPLE_PERCENT")
    seed = services.quality_setting("SAMPLE_SEED")
    try:
        raw_day = request.GET.get("day") or ""
        try:
            day = date.fromisoformat(raw_day) if raw_day else yesterday
        except ValueError:
            raise WorkOrderError(_("日期「{day}」格式不正确").format(day=raw_day)) from None
        percent = _int(request.GET.get("percent"), percent, _("抽样比例"))
        seed = _int(request.GET.get("seed"), seed, _("随机种子"))
        rows = selectors.sample(kind=kind, day=day, centres=centres, percent=percent, seed=seed)
    except WorkOrderError as e:
        error = e.message
    context = {
        "rows": rows,
        "kind": kind,
        "kinds": SampleKind.choices,
        "day": day,
        "percent": percent,
        "seed": seed,
        "error": error,
        "done": sum(1 for r in rows if r.inspection),
    }
    return render(request, "quality/queue.html", context, status=400 if error else 200)


def _subject(kind: str, ref: str) -> tuple[CallRecord | None, WorkOrder | None]:
    if kind == SampleKind.CALL and ref.isdigit():
        call = CallRecord.objects.select_related("agent", "centre", "order").filter(pk=ref).first()
        if call is not None:
            return call, None
    if kind == SampleKind.ORDER:
        order = (
            WorkOrder.objects.select_related("registered_by", "centre").filter(number=ref).first()
        )
        if order is not None:
            return None, order
    raise Http404(_("样本不存在"))


def _scores(post: Any, prefix: str = "item_") -> dict[int, str]:
    return {
        int(k[len(prefix) :]): v
        for k, v in post.items()
        if k.startswith(prefix) and k[len(prefix) :].isdigit()
    }


@login_required
def inspect(request: HttpRequest, kind: str, ref: str) -> HttpResponse:
    """The inspection form: every checklist item that applies, points and a remark each."""
    user = _user(request)
    centres = _inspector_centres(user)
    call, order = _subject(kind, ref)
    centre = (call or order).centre  # type: ignore[union-attr]
    if centre not in centres:
        raise Http404(_("样本不存在"))
    done = (
        Inspection.objects.filter(call=call)
        if call
        else Inspection.objects.filter(kind=kind, order=order)
    )
    if done.exists():
        return redirect("quality_inspection", done.first().pk)  # type: ignore[union-attr]
    error, field, status = "", "", 200
    if request.method == "POST":
        try:
            inspection = services.inspection_create(
                inspector=user,
                call=call,
                order=order,
                scores=_scores(request.POST),
                item_comments=_scores(request.POST, "comment_"),
                comment=request.POST.get("comment", ""),
            )
        except WorkOrderError as e:
            error, field, status = e.message, e.field or "", e.http_status
        else:
            verdict = _("合格") if inspection.passed else _("不合格")
            messages.success(
                request,
                _("已质检：{score}，{verdict}").format(
                    score=services.score_text(inspection.score, inspection.max_score),
                    verdict=verdict,
                ),
            )
            return redirect("quality_inspection", inspection.pk)
    context = {
        "kind": kind,
        "call": call,
        "order": order or (call.order if call else None),
        "checklist_items": services.checklist(kind),
        "pass_mark": services.quality_setting("PASS_MARK"),
        "posted": request.POST,
        "error": error,
        "field": field,
    }
    return render(request, "quality/inspect.html", context, status=status)


def _detail(
    request: HttpRequest, inspection: Inspection, *, error: str = "", status: int = 200
) -> HttpResponse:
    user = _user(request)
    outcomes = list(
        inspection.outcomes.prefetch_related("items").select_related("decided_by", "appeal")
    )
    appeals = list(inspection.appeals.select_related("filed_by", "reviewed_by"))
    pending = next((a for a in appeals if a.status == AppealStatus.PENDING), None)
    reviewer = inspection.centre in services.centres_for(user, REVIEWER_ROLES) and user.pk not in (
        inspection.inspector_id,
        inspection.agent_id,
    )
    deadline = inspection.created_at + timedelta(days=services.quality_setting("APPEAL_DAYS"))
    context = {
        "inspection": inspection,
        "outcomes": outcomes,
        "latest": outcomes[-1] if outcomes else None,
        "appeals": appeals,
        "may_appeal": inspection.agent_id == user.pk and not appeals and timezone.now() <= deadline,
        "appeal_deadline": deadline,
        "review": pending if reviewer else None,
        "posted": request.POST,
        "error": error,
    }
    return render(request, "quality/inspection.html", context, status=status)


def _readable(request: HttpRequest, pk: int) -> Inspection:
    try:
        return services.inspection_for(_user(request), pk)
    except NotFound:
        raise Http404(_("质检记录不存在")) from None


@login_required
def inspection(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _readable(request, pk))


@login_required
@require_POST
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    row = _readable(request, pk)
    try:
        services.appeal_file(
            inspection=row, agent=_user(request), reason=request.POST.get("reason", "")
        )
    except WorkOrderError as e:
        return _detail(request, row, error=e.message, status=e.http_status)
    messages.success(request, _("申诉已提交，等待复核"))
    return redirect("quality_inspection", row.pk)


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    row = Appeal.objects.select_related("inspection").filter(pk=pk).first()
    if row is None:
        raise Http404(_("申诉不存在"))
    inspection_row = _readable(request, row.inspection_id)
    decision = request.POST.get("decision", "")
    try:
        if decision not in ("upheld", "rejected"):
            raise WorkOrderError(_("请选择复核结论：申诉成立或驳回"), field="decision")
        services.appeal_review(
            appeal=row,
            reviewer=_user(request),
            upheld=decision == "upheld",
            note=request.POST.get("review_note", ""),
            scores=_scores(request.POST),
        )
    except WorkOrderError as e:
        return _detail(request, inspection_row, error=e.message, status=e.http_status)
    messages.success(request, _("已复核申诉"))
    return redirect("quality_inspection", inspection_row.pk)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The agent's own inspections, newest first, with their pass rate."""
    rows = Inspection.objects.filter(agent=_user(request)).select_related(
        "inspector", "call", "order"
    )
    passing, total = selectors.pass_counts(rows)
    context = {
        "rows": rows[:200],
        "passing": passing,
        "total": total,
        "percent": f"{passing * 100 / total:.2f}" if total else "",
    }
    return render(request, "quality/mine.html", context)


@login_required
def appeals(request: HttpRequest) -> HttpResponse:
    """Appeals awaiting review at the reviewer's centres, oldest first."""
    centres = services.centres_for(_user(request), REVIEWER_ROLES)
    if not centres:
        raise PermissionDenied(_("只有热线中心的质检员或督办员可以复核申诉"))
    rows = (
        Appeal.objects.filter(status=AppealStatus.PENDING, inspection__centre__in=centres)
        .select_related("inspection", "inspection__agent", "inspection__inspector", "filed_by")
        .order_by("filed_at", "id")
    )
    return render(request, "quality/appeals.html", {"rows": rows})
