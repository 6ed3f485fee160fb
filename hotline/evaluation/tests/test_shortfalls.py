"""Shortfalls in the self-evaluation: an indicator short of its target shows what it lost and
its reason — or "未填写未完成原因" — in the table, the files and the analysis, and the page asks
for the missing reasons; the demo's 实际完成情况 is written from its own figures."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from hotline.analytics.tests.test_kpis import history  # noqa: F401
from hotline.core.demo.evaluation import seed_evaluation
from hotline.evaluation.documents import table_rows
from hotline.evaluation.services import evaluation_sheet

from .test_evaluation import seed_project  # noqa: F401

pytestmark = pytest.mark.django_db


def _reasons(sheet):
    return {row[2]: row[7] for row in table_rows(sheet)}


def test_it_shows_the_shortfall_and_says_when_no_reason_was_entered(seed_project):  # noqa: F811
    reasons = _reasons(evaluation_sheet(seed_project))
    # 满意度 90 of ≥95: a reason was entered; it follows what was lost.
    assert reasons["办事群众满意度"] == (
        "未达目标，扣 0.53 分（90% 未达 95%：10 × 90 ÷ 95 = 9.47）。"
        "原因：部分问题没有彻底解决导致满意度低"
    )
    # A target met needs no reason: the cell stays empty.
    assert reasons["网络办理完成率"] == ""


def test_it_marks_a_shortfall_without_a_reason_in_every_output(client, seed_project, org):  # noqa: F811
    seed_project.indicators.filter(name="办事群众满意度").update(reason="")
    sheet = evaluation_sheet(seed_project)
    assert [r.indicator.name for r in sheet.missing_reasons] == ["办事群众满意度"]
    assert _reasons(sheet)["办事群众满意度"].endswith("原因：未填写未完成原因")

    client.force_login(org.ann)
    page = client.get(reverse("evaluation_project", args=[seed_project.pk])).content.decode()
    prompt = page[page.index('id="missing-reasons"') :]
    assert "请填写未完成原因分析" in prompt and "办事群众满意度（扣 0.53 分）" in prompt

    book = load_workbook(
        io.BytesIO(client.get(reverse("evaluation_project_xlsx", args=[seed_project.pk])).content)
    )
    cells = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
    assert any(isinstance(c, str) and c.endswith("未填写未完成原因") for c in cells)

    docx = client.get(reverse("evaluation_project_docx", args=[seed_project.pk])).content
    document = Document(io.BytesIO(docx))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "未完成原因：未填写未完成原因" in text


def test_the_demo_writes_its_achievement_from_its_figures(history):  # noqa: F811
    project = seed_evaluation(centre=history.centre, year=2026)
    sheet = evaluation_sheet(project)
    on_time = next(r for r in sheet.rows if r.indicator.kpi == "on_time_reply")
    state = "达标" if on_time.lost <= 0 else "未达标"
    expected = f"工单按时办结率：{on_time.indicator.actual_text}（年度指标值 ≥95%，{state}）"
    assert expected in project.achievement
    assert "按时办结、" not in project.achievement  # the old claim, whatever the figure
    # Every shortfall the demo shows is explained, as the filed reports do.
    short = [r for r in sheet.rows if r.lost > 0]
    assert short and sheet.missing_reasons == []
    for r in short:
        assert "未填写未完成原因" not in r.reason_text and r.indicator.reason in r.reason_text
