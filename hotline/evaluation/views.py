"""Pages of the self-evaluation: the projects, one project's computed table with its working,
filling figures from the platform, and the XLSX / DOCX / PDF files. Data entry (budget, goals,
indicators, prose) is in the admin, where a project is edited once a year."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from hotline.accounts.choices import Role
from hotline.accounts.models import User

from .documents import sheet_docx, sheet_pdf, sheet_xlsx, table_rows
from .models import EvaluationProject
from .services import evaluation_sheet, indicators_fill, indicators_from_template

READERS = frozenset({Role.ADMIN, Role.ANALYST, Role.SUPERVISOR})
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _reader(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not (user.is_superuser or user.roles() & READERS):
        raise PermissionDenied(gettext("只有管理员、分析员和督办员可以查看绩效自评"))
    return user


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    projects = EvaluationProject.objects.select_related("unit")
    return render(
        request,
        "evaluation/project_list.html",
        {"projects": projects, "can_edit": user.is_staff},
    )


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    project = get_object_or_404(EvaluationProject.objects.select_related("unit"), pk=pk)
    sheet = evaluation_sheet(project)
    return render(
        request,
        "evaluation/project_detail.html",
        {
            "project": project,
            "sheet": sheet,
            "rows": list(zip(sheet.rows, table_rows(sheet), strict=True)),
            "can_edit": user.is_staff,
        },
    )


@login_required
@require_POST
def project_fill(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    project = get_object_or_404(EvaluationProject, pk=pk)
    created = indicators_from_template(project)
    filled, empty = indicators_fill(project)
    if created:
        messages.info(request, gettext("已按模板生成 {n} 项指标").format(n=created))
    messages.success(request, gettext("已按平台数据填写 {n} 项指标").format(n=filled))
    if empty:
        messages.warning(
            request,
            gettext("以下指标本年度没有数据：{names}").format(names=gettext("、").join(empty)),
        )
    return redirect("evaluation_project", pk=pk)


def _download(project: EvaluationProject, data: bytes, content_type: str, ext: str):
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="self-evaluation-{project.year}-{project.pk}.{ext}"'
    )
    return response


@login_required
def project_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    project = get_object_or_404(EvaluationProject, pk=pk)
    return _download(project, sheet_xlsx(evaluation_sheet(project)), XLSX, "xlsx")


@login_required
def project_docx(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    project = get_object_or_404(EvaluationProject, pk=pk)
    return _download(project, sheet_docx(evaluation_sheet(project)), DOCX, "docx")


@login_required
def project_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    project = get_object_or_404(EvaluationProject, pk=pk)
    return _download(project, sheet_pdf(evaluation_sheet(project)), "application/pdf", "pdf")
