"""工单动态台账: every order of a period and slice with its current state, unit, deadlines and
dates, as a spreadsheet. Written row by row to a temporary file (openpyxl write-only) and sent
in chunks, so a year of orders never sits in memory; the same scope and masking as the lists."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from hotline.accounts.models import User
from hotline.workorders.errors import InvalidInput
from hotline.workorders.exports import XLSX_CONTENT_TYPE, workorders_export
from hotline.workorders.models import WorkOrder

from .forms import KpiFilterForm
from .kpis import cohort
from .views import require_reader

# A year of a busy city's orders (about 2,000 a day) fits; beyond, narrow the slice.
LEDGER_MAX_ROWS = 1_000_000


@login_required
def ledger_page(request: HttpRequest) -> HttpResponse | FileResponse:
    user: User = request.user  # type: ignore[assignment]
    require_reader(user)
    form = KpiFilterForm(request.GET or KpiFilterForm.month_to_date())
    if not form.is_valid() or "download" not in request.GET:
        return render(
            request, "analytics/ledger.html", {"form": form}, status=200 if form.is_valid() else 400
        )
    f = form.filters()
    orders = cohort(f, WorkOrder.objects.visible_to(user)).select_related(
        "request_type", "urgency", "region", "lead_unit"
    )
    try:
        out = workorders_export(
            user=user, qs=orders, sort="created_at", max_rows=LEDGER_MAX_ROWS, ledger=True
        )
    except InvalidInput as e:
        return render(
            request, "analytics/ledger.html", {"form": form, "error": e.message}, status=400
        )
    name = gettext("工单动态台账_{start}_{end}.xlsx").format(
        start=f.start.strftime("%Y%m%d"), end=f.end.strftime("%Y%m%d")
    )
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)
