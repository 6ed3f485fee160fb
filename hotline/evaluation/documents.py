"""The self-evaluation as files: the 项目支出绩效自评表 (XLSX), and the report with the table
(DOCX and PDF), each computed from `services.evaluation_sheet` with its working shown."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from .services import Sheet

CJK_FONT = "WenQuanYi Micro Hei"


def _n(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value.quantize(Decimal('0.01')).normalize():f}"


def _pct(value: Decimal | None) -> str:
    return "" if value is None else f"{(value * 100).quantize(Decimal('0.01'))}%"


def table_rows(sheet: Sheet) -> list[list[str]]:
    """The indicator table as rows of text: 一级, 二级, 三级, 指标值, 完成值, 分值, 得分, 原因."""
    rows = []
    for row in sheet.rows:
        i = row.indicator
        rows.append(
            [
                i.get_level1_display(),
                i.level2,
                i.name,
                i.target,
                i.actual_text or (_n(i.actual_value) if i.actual_value is not None else i.grade),
                _n(i.weight),
                _n(row.score.points) if row.score else "",
                row.reason_text,
            ]
        )
    return rows


def _headers() -> list[str]:
    return [
        _("一级指标"),
        _("二级指标"),
        _("三级指标"),
        _("年度指标值"),
        _("实际完成值"),
        _("分值"),
        _("得分"),
        _("未完成原因分析"),
    ]


def sheet_xlsx(sheet: Sheet) -> bytes:
    p = sheet.project
    book = Workbook()
    ws = book.active
    ws.title = _("绩效自评表")
    thin = Side(style="thin", color="888888")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append([_("项目支出绩效自评表（{year} 年度）").format(year=p.year)])
    ws.merge_cells("A1:H1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(
        [_("项目名称"), p.name, "", _("主管部门"), p.department, "", _("实施单位"), p.unit.name]
    )
    ws.append(
        [
            _("项目资金（万元）"),
            _("年初预算数"),
            _("全年预算数"),
            _("全年执行数"),
            _("分值"),
            _("执行率"),
            _("得分"),
            "",
        ]
    )
    ws.append(
        [
            _("年度资金总额"),
            float(p.budget_initial),
            float(p.budget_full_year),
            float(p.executed),
            float(p.budget_weight),
            _pct(sheet.execution_rate),
            float(sheet.budget_score.points) if sheet.budget_score else "",
            sheet.budget_score.working if sheet.budget_score else "",
        ]
    )
    ws.append([_("年度总体目标"), p.goal, "", "", _("实际完成情况"), p.achievement, "", ""])
    ws.append(_headers())
    header_row = ws.max_row
    for row in table_rows(sheet):
        points = float(Decimal(row[6])) if row[6] else ""
        ws.append([*row[:5], float(Decimal(row[5])), points, *row[7:]])
    ws.append(
        [
            _("总分"),
            "",
            "",
            "",
            "",
            float(sheet.full_marks),
            float(sheet.total),
            _("等级：{grade}").format(grade=sheet.grade),
        ]
    )
    for r in ws.iter_rows(min_row=2, max_row=ws.max_row):
        for cell in r:
            cell.border = border
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    for col, width in zip("ABCDEFGH", (12, 16, 28, 14, 18, 8, 8, 30), strict=True):
        ws.column_dimensions[col].width = width
    working = book.create_sheet(_("计分过程"))
    working.append([_("指标"), _("计分过程")])
    if sheet.budget_score:
        working.append([_("预算执行率"), sheet.budget_score.working])
    for scored in sheet.rows:
        explained = scored.score.working if scored.score else scored.error
        working.append([scored.indicator.name, explained])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def analysis(sheet: Sheet) -> list[str]:
    """The prose of 绩效分析, one paragraph per first-level indicator, computed."""
    lines = [
        _("本项目绩效自评得 {total} 分，等级为“{grade}”。").format(
            total=_n(sheet.total), grade=sheet.grade
        )
    ]
    if sheet.budget_score:
        lines.append(_("预算执行：{working}。").format(working=sheet.budget_score.working))
    for label, full, points, level_rows in sheet.by_level1():
        share = (points / full * 100).quantize(Decimal("0.1")) if full else Decimal(0)
        lines.append(
            _("{label}：满分 {full} 分，自评得 {points} 分（占该项满分的 {share}%）。").format(
                label=label, full=_n(full), points=_n(points), share=share
            )
        )
        for r in level_rows:
            lines.append(
                "· "
                + _("{name}：{working}").format(
                    name=r.indicator.name, working=r.score.working if r.score else r.error
                )
            )
            if r.lost > 0:
                reason = r.indicator.reason.strip() or _("未填写未完成原因")
                lines.append("  " + _("未完成原因：{reason}").format(reason=reason))
    return lines


def _cjk(document: Any) -> None:
    style = document.styles["Normal"]
    style.font.name = CJK_FONT
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), CJK_FONT)


def _table(document: Any, headers: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value


def sheet_docx(sheet: Sheet) -> bytes:
    p = sheet.project
    document = Document()
    _cjk(document)
    heading = document.add_heading(
        _("{name} 项目 {year} 年绩效自评报告").format(name=p.name, year=p.year), level=0
    )
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for label, value in (
        (_("自评项目单位"), p.unit.name),
        (_("项目主管部门"), p.department),
        (_("评价工作组负责人"), p.leader),
        (_("联系人"), p.contact),
        (_("联系电话"), p.contact_phone),
        (_("评价时间"), p.evaluated_on.isoformat() if p.evaluated_on else ""),
    ):
        document.add_paragraph(f"{label}：{value}")
    document.add_heading(_("项目支出绩效自评表（{year} 年度）").format(year=p.year), level=1)
    _table(
        document,
        [_("年初预算数"), _("全年预算数"), _("全年执行数"), _("执行率"), _("分值"), _("得分")],
        [
            [
                _n(p.budget_initial),
                _n(p.budget_full_year),
                _n(p.executed),
                _pct(sheet.execution_rate),
                _n(p.budget_weight),
                _n(sheet.budget_score.points) if sheet.budget_score else "",
            ]
        ],
    )
    document.add_paragraph(_("年度总体目标：{goal}").format(goal=p.goal))
    document.add_paragraph(_("实际完成情况：{achievement}").format(achievement=p.achievement))
    _table(document, _headers(), table_rows(sheet))
    document.add_paragraph(
        _("总分 {total}（满分 {full}），等级：{grade}").format(
            total=_n(sheet.total), full=_n(sheet.full_marks), grade=sheet.grade
        )
    )
    document.add_heading(_("一、项目概况"), level=1)
    document.add_paragraph(p.overview)
    document.add_heading(_("二、项目资金使用及管理情况"), level=1)
    document.add_paragraph(p.funds)
    payments = list(p.payments.all())
    _table(
        document,
        [_("序号"), _("支付日期"), _("资金性质"), _("用途"), _("支付金额（万元）")],
        [
            [str(n), pay.paid_on.isoformat(), pay.nature, pay.purpose, _n(pay.amount)]
            for n, pay in enumerate(payments, 1)
        ]
        + [[_("合计"), "", "", "", _n(sum((pay.amount for pay in payments), Decimal(0)))]],
    )
    document.add_heading(_("三、项目评价及绩效分析"), level=1)
    for line in analysis(sheet):
        document.add_paragraph(line)
    document.add_paragraph(p.management)
    document.add_heading(_("四、存在问题与改进措施"), level=1)
    document.add_paragraph(_("（一）存在问题"))
    document.add_paragraph(p.problems)
    document.add_paragraph(_("（二）改进措施"))
    document.add_paragraph(p.measures)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def sheet_pdf(sheet: Sheet) -> bytes:
    from weasyprint import HTML  # loads Pango; only PDFs need it

    html = render_to_string(
        "evaluation/print.html",
        {
            "sheet": sheet,
            "project": sheet.project,
            "rows": list(zip(sheet.rows, table_rows(sheet), strict=True)),
            "analysis": analysis(sheet),
        },
    )
    return HTML(string=html).write_pdf()
