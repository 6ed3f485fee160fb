"""The agents' call-back list (漏接回拨): missed calls of their centre, oldest first, each with a
form to record the outcome of calling back."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hotline.accounts.models import User
from hotline.workorders.errors import NotFound, WorkOrderError

from .choices import CallbackOutcome, MissedCallState
from .models import MissedCall
from .services import centres_of, missed_call_for, missed_call_resolve

HANDLED_SHOWN = 20


def _centres(user: User) -> list[int]:
    centres = centres_of(user)
    if not centres:
        raise PermissionDenied(_("只有热线中心的话务员、回访员、督办员可以回拨漏接来电"))
    return centres


def _page(
    request: HttpRequest,
    *,
    error: str = "",
    failed: int | None = None,
    status: int = 200,
    confirm: bool = False,
) -> HttpResponse:
    centres = _centres(request.user)  # type: ignore[arg-type]
    rows = MissedCall.objects.filter(centre_id__in=centres)
    context: dict[str, Any] = {
        "pending": list(rows.filter(state=MissedCallState.PENDING).order_by("missed_at", "id")),
        "handled": list(
            rows.exclude(state=MissedCallState.PENDING)
            .select_related("order", "handled_by")
            .order_by("-last_attempt_at", "-id")[:HANDLED_SHOWN]
        ),
        "outcomes": CallbackOutcome.choices,
        "error": error,
        "failed": failed,
        "form": request.POST if failed else {},
        # The failed form asks to confirm an order whose phone is not the caller's.
        "confirm": confirm,
    }
    return render(request, "telephony/missed_calls.html", context, status=status)


@login_required
@require_GET
def missed_calls(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def missed_call_callback(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    _centres(user)
    try:
        missed = missed_call_for(user, pk)
    except NotFound:
        raise Http404 from None
    version = request.POST.get("version", "")
    try:
        missed_call_resolve(
            missed=missed,
            actor=user,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
            order_number=request.POST.get("order_number", ""),
            expected_version=int(version) if version.isdigit() else None,
            confirm_other_phone=request.POST.get("confirm_other_phone") == "1",
        )
    except WorkOrderError as e:
        confirm = e.field == "confirm_other_phone"
        return _page(request, error=e.message, failed=pk, status=e.http_status, confirm=confirm)
    messages.success(request, _("已记录对 {number} 的回拨结果").format(number=missed.caller_number))
    return redirect("telephony_missed")
