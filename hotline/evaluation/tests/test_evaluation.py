"""The self-evaluation end to end: a seed's table recomputed with its working, indicators from
the template filled from the platform's figures, the page and its three files."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from hotline.analytics.tests.test_kpis import history  # noqa: F401
from hotline.analytics.tests.test_reports import _inflated
from hotline.evaluation.models import EvaluationProject, PaymentLine, PerformanceIndicator
from hotline.evaluation.services import (
    evaluation_sheet,
    indicators_fill,
    indicators_from_template,
)

pytestmark = pytest.mark.django_db
D = Decimal

# The 2023 table of seed 000 (子洲县 12345 热线服务), as filed.
SEED_2023 = [
    (
        "output",
        "数量指标",
        "政务服务、“12345”电话咨询系统及信息系统建设完成情况",
        "≥300件",
        20,
        "2551",
        "完成工单 2551 件",
    ),
    ("output", "质量指标", "网络办理完成率", "≥95%", 10, "99.8", "办结率 99.8%"),
    ("output", "质量指标", "信息化保障支撑度", "≥95%", 10, "95", "95%"),
    ("output", "时效指标", "保障 24 小时电话接通率", "100%", 10, "100", "100%"),
    ("output", "时效指标", "案件办结及时率", "≥95%", 10, "95", "95%"),
    ("output", "成本指标", "预算控制数", "≤49万元", 10, "48.8", "48.8 万元"),
    ("benefit", "社会效益指标", "为群众提供优质政务服务完成率", "≥95%", 10, "98", "98%"),
    ("satisfaction", "服务对象满意度指标", "办事群众满意度", "≥95%", 10, "90", "90%"),
]


@pytest.fixture
def seed_project(org):
    project = EvaluationProject.objects.create(
        name="12345 热线服务",
        year=2023,
        unit=org.centre,
        department="子洲县行政审批服务局",
        budget_initial=D(49),
        budget_full_year=D(49),
        executed=D("48.8"),
        goal="落实“一号听民生”便民服务",
        achievement="完成“12345”市民热线平台服务",
        overview="项目基本情况",
        problems="群众对12345热线服务不够了解",
        measures="加大宣传",
    )
    PaymentLine.objects.create(
        project=project, paid_on=date(2023, 9, 21), purpose="12345 热线服务", amount=D("48.8")
    )
    for i, (l1, l2, name, target, weight, actual, text) in enumerate(SEED_2023):
        PerformanceIndicator.objects.create(
            project=project,
            level1=l1,
            level2=l2,
            name=name,
            target=target,
            weight=D(weight),
            actual_value=D(actual),
            actual_text=text,
            position=i,
            reason="部分问题没有彻底解决导致满意度低" if l1 == "satisfaction" else "",
        )
    return project


def test_it_recomputes_the_seed_table_with_its_working(seed_project):
    sheet = evaluation_sheet(seed_project)
    assert sheet.errors == []
    assert sheet.budget_score.points == D("9.96")  # the seed wrote 99.65 % and 9.5
    satisfaction = sheet.rows[-1]
    assert satisfaction.score.points == D("9.47")  # 10 × 90 ÷ 95; the seed gave 5
    assert sheet.total == D("99.43")
    assert sheet.grade == "优"
    assert sheet.full_marks == 100
    by_level = {label: (full, points) for label, full, points, _ in sheet.by_level1()}
    assert by_level["产出指标"] == (D(70), D(70))
    assert by_level["满意度指标"] == (D(10), D("9.47"))


def test_it_lists_what_is_missing_instead_of_failing(seed_project):
    PerformanceIndicator.objects.filter(project=seed_project, name="预算控制数").update(
        actual_value=None
    )
    PerformanceIndicator.objects.create(
        project=seed_project,
        level1="benefit",
        level2="社会效益",
        name="社会影响",
        target="明显",
        weight=D(5),
    )
    sheet = evaluation_sheet(seed_project)
    assert "指标「预算控制数」未填写实际完成值" in sheet.errors
    assert "定性指标「社会影响」未评定等级" in sheet.errors
    assert "分值合计为 105.00，应为 100" in sheet.errors


def test_it_fills_the_template_from_the_platform(history):  # noqa: F811
    project = EvaluationProject.objects.create(
        name="12345 热线服务",
        year=2026,
        unit=history.centre,
        budget_initial=D(49),
        budget_full_year=D(49),
        executed=D("48.8"),
    )
    assert indicators_from_template(project) == 8
    assert indicators_from_template(project) == 0  # never twice
    filled, empty = indicators_fill(project)
    values = {i.kpi: i for i in project.indicators.all()}
    assert values["orders_handled"].actual_value == 7  # o1..o7 registered in 2026
    # Due in 2026: o2 o3 o4 o5 (the week's three and o4, due 03-09); only o2 on time.
    assert values["on_time_reply"].actual_value == D("25.00")
    assert values["on_time_reply"].actual_text == "按时办结率 25%"
    assert values["answer_rate"].actual_value == D("66.67")  # 4 of 6 offered in 2026
    assert values["budget_spent"].actual_value == D("48.8")
    assert filled == 8 and empty == []
    sheet = evaluation_sheet(project)
    assert sheet.errors == []
    assert sheet.full_marks == 100


def test_it_shows_the_table_and_fills_it_from_the_page(client, history):  # noqa: F811
    project = EvaluationProject.objects.create(
        name="12345 热线服务",
        year=2026,
        unit=history.centre,
        budget_initial=D(49),
        budget_full_year=D(49),
        executed=D("48.8"),
    )
    client.force_login(history.ann)
    r = client.post(reverse("evaluation_project_fill", args=[project.pk]))
    assert r.status_code == 302
    page = client.get(reverse("evaluation_project", args=[project.pk])).content.decode()
    assert "按时办结率 25%" in page
    assert "执行率 48.8 ÷ 49 = 99.59%" in page
    # The rate column says what the working says (and the Word table), not a rounded 100%.
    assert '<td class="num">99.59%</td>' in page and '<td class="num">100%</td>' not in page
    assert 'id="grade"' in page


def test_it_writes_the_table_and_the_report_as_files(client, seed_project, org):
    client.force_login(org.ann)
    r = client.get(reverse("evaluation_project_xlsx", args=[seed_project.pk]))
    book = load_workbook(io.BytesIO(r.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "项目支出绩效自评表（2023 年度）"
    assert rows[-1][5:8] == (100.0, 99.43, "等级：优")
    assert any(row[0] == "预算执行率" for row in book.worksheets[1].iter_rows(values_only=True))

    r = client.get(reverse("evaluation_project_docx", args=[seed_project.pk]))
    document = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "12345 热线服务 项目 2023 年绩效自评报告" in text
    assert "本项目绩效自评得 99.43 分，等级为“优”。" in text
    assert "满意度指标：满分 10 分，自评得 9.47 分（占该项满分的 94.7%）。" in text
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "办事群众满意度" in cells and "48.8" in cells

    r = client.get(reverse("evaluation_project_pdf", args=[seed_project.pk]))
    assert r.content.startswith(b"%PDF") and b"WenQuanYi" in _inflated(r.content)


def test_it_refuses_units_and_agents(client, seed_project, org):
    for person in (org.bella, org.alice):
        client.force_login(person)
        assert client.get(reverse("evaluation_projects")).status_code == 403
        assert client.get(reverse("evaluation_project", args=[seed_project.pk])).status_code == 403
        assert (
            client.post(reverse("evaluation_project_fill", args=[seed_project.pk])).status_code
            == 403
        )


def test_it_grades_by_the_city_bands(seed_project, settings):
    settings.HOTLINE_EVALUATION_BANDS = {"优": 99.5, "良": 85, "中": 60, "差": 0}
    assert evaluation_sheet(seed_project).grade == "良"  # 99.43 falls short of a stricter 优
