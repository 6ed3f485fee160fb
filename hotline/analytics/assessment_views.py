"""The monthly assessment page (考核) and its XLSX export."""

from __future__ import annotations

import io
from datetime import date, datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font

from hotline.accounts.models import User

from .assessment import AssessmentRow, active_scheme, assess, red_and_black
from .kpis import KPIS
from .models import AssessmentScheme
from .views import require_platform_reader

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MonthForm(forms.Form):
    month = forms.CharField(
        label=_("考核月份"), widget=forms.DateInput(attrs={"type": "month"}), max_length=7
    )

    def clean_month(self) -> date:
        try:
            return datetime.strptime(self.cleaned_data["month"], "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(gettext("月份格式应为 YYYY-MM")) from None


def _reader(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return require_platform_reader(user, gettext("只有热线中心工作人员可以查看考核结果"))


def _last_month() -> str:
    first = timezone.localdate().replace(day=1)
    previous = date.fromordinal(first.toordinal() - 1)
    return previous.strftime("%Y-%m")


def _context(request: HttpRequest) -> dict:
    form = MonthForm(request.GET or {"month": _last_month()})
    scheme = active_scheme()
    context: dict = {"form": form, "scheme": scheme, "rows": [], "red": [], "black": []}
    if scheme is None or not form.is_valid():
        return context
    indicators = list(scheme.indicators.all())
    rows = assess(form.cleaned_data["month"], scheme)
    red, black = red_and_black(rows, scheme.list_size)
    context.update(
        rows=rows,
        table=[(r, [_percent(r, i.kpi) for i in indicators if i.kpi in KPIS]) for r in rows],
        red=red,
        black=black,
        indicators=[(i, KPIS[i.kpi]) for i in indicators if i.kpi in KPIS],
        month=form.cleaned_data["month"],
    )
    return context


@login_required
def assessment_page(request: HttpRequest) -> HttpResponse:
    _reader(request)
    return render(request, "analytics/assessment.html", _context(request))


def _percent(row: AssessmentRow, code: str) -> str:
    value = row.figures[code].value
    return "" if value is None else f"{value * 100:.2f}%"


def assessment_workbook(scheme: AssessmentScheme, month: date, rows: list[AssessmentRow]) -> bytes:
    indicators = [i for i in scheme.indicators.all() if i.kpi in KPIS]
    red, black = red_and_black(rows, scheme.list_size)
    book = Workbook()
    sheet = book.active
    sheet.title = gettext("考核排名")
    sheet.append(
        [
            gettext("{month} 承办单位考核（{scheme}）").format(
                month=month.strftime("%Y-%m"), scheme=scheme.name
            )
        ]
    )
    sheet["A1"].font = Font(bold=True, size=14)
    header = [gettext("名次"), gettext("单位"), gettext("派单量")]
    for i in indicators:
        header += [
            str(KPIS[i.kpi].name),
            gettext("{name}得分（权重 {weight}）").format(name=KPIS[i.kpi].name, weight=i.weight),
        ]
    header += [gettext("总分"), gettext("红黑榜")]
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        line: list = [row.rank or "", row.unit.name, row.dispatched]
        for i in indicators:
            score = row.scores.get(i.kpi)
            line += [_percent(row, i.kpi), "" if score is None else float(round(score, 2))]
        mark = gettext("红榜") if row in red else gettext("黑榜") if row in black else ""
        if row.total is not None and not row.eligible:
            mark = gettext("派单不足，不排名")
        line += ["" if row.total is None else float(row.total), mark]
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@login_required
def assessment_export(request: HttpRequest) -> HttpResponse:
    _reader(request)
    context = _context(request)
    if context["scheme"] is None or not context["form"].is_valid():
        return render(request, "analytics/assessment.html", context, status=400)
    month = context["month"]
    data = assessment_workbook(context["scheme"], month, context["rows"])
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="assessment-{month:%Y%m}.xlsx"'
    return response
