"""A report's snapshot as a Word document (python-docx) and a PDF (WeasyPrint, CJK font
embedded). Both are rendered from `Report.data` in the reader's language, as the page is."""

from __future__ import annotations

import io
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from .models import Report
from .reports import report_localized

# The CJK font the set-up installs (Debian fonts-wqy-microhei); Word falls back to its own
# Chinese font where it is absent.
CJK_FONT = "WenQuanYi Micro Hei"


def _cjk(document: Any) -> None:
    style = document.styles["Normal"]
    style.font.name = CJK_FONT
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), CJK_FONT)


def _table(document: Any, caption: str, headers: list[str], rows: list[list[Any]]) -> None:
    document.add_paragraph(caption).runs[0].bold = True
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    if not rows:
        rows = [[_("无")] + [""] * (len(headers) - 1)]
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = "" if value is None else str(value)


def _orders(document: Any, caption: str, rows: list[dict[str, Any]], extra: str = "") -> None:
    headers = [_("工单编号"), _("标题"), _("状态"), _("主办单位")]
    if extra == "due":
        headers.append(_("办结时限"))
    elif extra == "note":
        headers.append(_("说明"))
    values = []
    for r in rows:
        line = [r["number"], r["title"], r["status"], r["unit"]]
        if extra:
            line.append(r.get(extra, ""))
        values.append(line)
    _table(document, caption, headers, values)


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def report_docx(report: Report) -> bytes:
    data = report_localized(report)
    document = Document()
    _cjk(document)
    title = document.add_heading(_("12345 政务服务便民热线") + " " + data["title"], level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    generated = timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M")
    document.add_paragraph(_("生成时间：{at}").format(at=generated))
    document.add_paragraph(data["summary"])
    document.add_heading(_("一、受理情况"), level=1)
    document.add_paragraph(_("本期共受理诉求 {n} 件。").format(n=data["registered"]))
    _table(
        document,
        _("按渠道"),
        [_("渠道"), _("件数")],
        [[r["name"], r["value"]] for r in data["by_channel"]],
    )
    _table(
        document,
        _("按诉求类型"),
        [_("类型"), _("件数")],
        [[r["name"], r["value"]] for r in data["by_type"]],
    )
    document.add_heading(_("二、主要指标"), level=1)
    _table(
        document,
        _("主要指标"),
        [_("指标"), _("数值"), _("分子"), _("分母")],
        [
            [k["name"], k["value"], _number(k["numerator"]), _number(k["denominator"])]
            for k in data["kpis"]
        ],
    )
    document.add_heading(_("三、超期与督办"), level=1)
    document.add_paragraph(
        _("当前超期工单 {overdue} 件；本期督办 {supervised} 次。").format(
            overdue=data["overdue_count"], supervised=data["supervised_count"]
        )
    )
    _orders(document, _("超期工单（最早到期在前）"), data["overdue"], "due")
    _orders(document, _("本期督办工单"), data["supervised"], "note")
    document.add_heading(_("四、热点诉求"), level=1)
    _table(
        document,
        _("上升的热点（按增幅）"),
        [_("关键词"), _("本期"), _("上期"), _("区域"), _("示例工单")],
        [
            [t["terms"], t["size"], t["previous"], t["region"], ", ".join(t["samples"])]
            for t in data.get("hot_topics", [])
        ],
    )
    document.add_heading(_("五、值得关注的工单"), level=1)
    _orders(document, _("特急诉求"), data["critical"])
    _orders(document, _("回访不满意"), data["dissatisfied"], "note")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def report_pdf(report: Report) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, needed only for PDFs

    html = render_to_string(
        "analytics/report_print.html",
        {
            "data": report_localized(report),
            "generated_at": timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M"),
        },
    )
    return HTML(string=html).write_pdf()
