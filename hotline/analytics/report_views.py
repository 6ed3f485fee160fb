"""Pages of the reports: the list with on-demand generation, a report, its DOCX and PDF.

Reports cover the whole platform, so only the hotline's own staff read them (a unit's manager
sees the unit's figures on the dashboard instead)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from hotline.accounts.models import User

from .choices import ReportKind
from .documents import report_docx, report_pdf
from .forms import date_input
from .models import Report
from .reports import report_generate, report_localized, report_title
from .views import require_platform_reader

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class GenerateForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ReportKind.choices)
    day = forms.DateField(
        label=_("日期"),
        widget=date_input(),
        help_text=_("周报、月报取该日所在的周、月"),
    )

    def clean_day(self):  # type: ignore[no-untyped-def]
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(gettext("不能为将来的日期生成报告"))
        return day


def _reader(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return require_platform_reader(user, gettext("只有热线中心工作人员可以查看报告"))


def _listed() -> list[tuple[Report, str]]:
    """The latest reports with their titles in the reader's language."""
    reports = Report.objects.select_related("generated_by").defer("data")[:60]
    return [(r, report_title(r.kind, r.start, r.end)) for r in reports]


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    yesterday = timezone.localdate() - timedelta(days=1)
    form = GenerateForm(initial={"kind": ReportKind.DAY, "day": yesterday})
    return render(request, "analytics/report_list.html", {"form": form, "reports": _listed()})


@login_required
@require_POST
def report_create(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "analytics/report_list.html",
            {"form": form, "reports": _listed()},
            status=400,
        )
    report = report_generate(
        kind=form.cleaned_data["kind"], day=form.cleaned_data["day"], actor=user, regenerate=True
    )
    title = report_title(report.kind, report.start, report.end)
    messages.success(request, gettext("已生成：{report}").format(report=title))
    return redirect("analytics_report", pk=report.pk)


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    report = get_object_or_404(Report, pk=pk)
    # Read in the reader's language, whichever language it was generated in.
    data = report_localized(report)
    return render(request, "analytics/report_detail.html", {"report": report, "data": data})


def _filename(report: Report, ext: str) -> str:
    return f"12345-{report.kind}-{report.start:%Y%m%d}.{ext}"


@login_required
def report_download_docx(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    report = get_object_or_404(Report, pk=pk)
    response = HttpResponse(report_docx(report), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "docx")}"'
    return response


@login_required
def report_download_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    report = get_object_or_404(Report, pk=pk)
    response = HttpResponse(report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "pdf")}"'
    return response
