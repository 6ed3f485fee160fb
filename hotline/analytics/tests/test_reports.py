"""Reports: the snapshot agrees with the KPIs, the morning job runs once, the page, the Word
document and the PDF say the same, and only the hotline's staff read them."""

from __future__ import annotations

import io
import json
import re
import zlib
from datetime import date

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from docx import Document

from hotline.analytics.choices import ReportKind
from hotline.analytics.kpis import KpiFilters, kpi_compute
from hotline.analytics.models import Report
from hotline.analytics.reports import report_generate, report_localized, report_period
from hotline.analytics.tasks import daily_report
from hotline.workorders.choices import Channel, Status

from .test_kpis import history  # noqa: F401 - the shared known history

pytestmark = pytest.mark.django_db


def test_it_covers_a_day_its_week_or_its_month():
    day = date(2026, 3, 4)  # a Wednesday
    assert report_period(ReportKind.DAY, day) == (day, day)
    assert report_period(ReportKind.WEEK, day) == (date(2026, 3, 2), date(2026, 3, 8))
    assert report_period(ReportKind.MONTH, day) == (date(2026, 3, 1), date(2026, 3, 31))
    assert report_period(ReportKind.MONTH, date(2028, 2, 10))[1] == date(2028, 2, 29)


def test_it_snapshots_the_same_figures_as_the_kpis(history):  # noqa: F811
    report = report_generate(kind=ReportKind.WEEK, day=date(2026, 3, 4))
    data = report.data
    assert (data["start"], data["end"]) == ("2026-03-02", "2026-03-08")
    assert data["registered"] == 6
    kpis = {k["code"]: k for k in data["kpis"]}
    week = KpiFilters(start=date(2026, 3, 2), end=date(2026, 3, 8))
    for code in ("on_time_reply", "satisfaction", "return_rate", "answer_rate"):
        fig = kpi_compute(code, week)
        assert kpis[code]["numerator"] == float(fig.numerator)
    read = report_localized(report)
    assert {k["code"]: k for k in read["kpis"]}["on_time_reply"]["value"] == "33.33 %"
    assert [r["number"] for r in data["dissatisfied"]] == [history_order("13900000004").number]
    assert data["overdue_count"] == 2
    assert "本期受理诉求 6 件" in read["summary"]


def test_a_report_reads_in_the_readers_language_whichever_it_was_made_in(client, history):  # noqa: F811
    with translation.override("zh-hans"):  # the morning job's language
        report = report_generate(kind=ReportKind.WEEK, day=date(2026, 3, 4))
    # The snapshot keeps codes and figures: no label of the language it was made in.
    stored = json.dumps(report.data, ensure_ascii=False)
    for word in ("周报", "按时办结率", "本期受理诉求", "已办结", "电话"):
        assert word not in stored, word
    with translation.override("en"):
        english = report_localized(report)
    with translation.override("zh-hans"):
        chinese = report_localized(report)
    assert english["title"] == "Weekly report (2026-03-02 to 2026-03-08)"
    assert chinese["title"] == "周报（2026-03-02 至 2026-03-08）"
    names = {k["code"]: k["name"] for k in english["kpis"]}
    assert names["on_time_reply"] == "On-time completion rate"
    assert english["summary"].startswith("6 requests registered in this period")
    assert {r["name"] for r in chinese["by_channel"]} <= {str(c.label) for c in Channel}
    with translation.override("en"):
        assert {r["name"] for r in english["by_channel"]} <= {str(c.label) for c in Channel}
        assert {r["status"] for r in english["dissatisfied"]} <= {str(s.label) for s in Status}
    # The page follows the reader's language mode, as the rest of the site does.
    client.force_login(history.ann)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("analytics_report", args=[report.pk])).content.decode()
    assert "Weekly report (2026-03-02 to 2026-03-08)" in page and "周报" not in page
    page = client.get(reverse("analytics_reports")).content.decode()
    assert "Weekly report (2026-03-02 to 2026-03-08)" in page
    docx = client.get(reverse("analytics_report_docx", args=[report.pk])).content
    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert "Weekly report" in text and "周报" not in text


def test_a_report_made_before_the_snapshot_kept_codes_still_reads(history):  # noqa: F811
    report = report_generate(kind=ReportKind.DAY, day=date(2026, 3, 4))
    data = dict(report.data)
    # The older snapshot: words of the language it was made in, no codes.
    data["by_channel"] = [{"name": "电话", "value": 3}]
    data["by_type"] = [{"name": "投诉", "value": 3}]
    data["kpis"] = [{**k, "name": "旧名", "value": "旧值"} for k in data["kpis"]] + [
        {
            "code": "retired",
            "name": "已停用指标",
            "value": "1",
            "numerator": 1.0,
            "denominator": None,
        }
    ]
    data["title"] = "日报（2026-03-04）"
    report.data = data
    report.save()
    with translation.override("en"):
        read = report_localized(report)
    assert read["title"] == "Daily report (2026-03-04)"
    assert read["by_channel"] == [{"name": "电话", "value": 3}]
    assert read["kpis"][-1]["name"] == "已停用指标"
    assert read["kpis"][0]["name"] != "旧名"  # recomputed from its code and counts


def history_order(phone):
    from hotline.workorders.models import WorkOrder

    return WorkOrder.objects.get(requester_phone=phone)


def test_it_runs_the_morning_job_once_for_the_day_before(history):  # noqa: F811
    with time_machine.travel("2026-03-06 07:00 +0800", tick=False):
        first = daily_report()
        again = daily_report()
    assert first == again
    report = Report.objects.get()
    assert (report.kind, report.start, report.end) == ("day", date(2026, 3, 5), date(2026, 3, 5))
    assert report.generated_by is None


def test_it_generates_on_demand_and_shows_the_page(client, history):  # noqa: F811
    client.force_login(history.ann)
    r = client.post(reverse("analytics_report_create"), {"kind": "week", "day": "2026-03-04"})
    report = Report.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("analytics_report", args=[report.pk])
    assert report.generated_by == history.ann
    page = client.get(r["Location"]).content.decode()
    assert "周报（2026-03-02 至 2026-03-08）" in page
    assert "33.33 %" in page and history_order("13900000004").number in page
    listing = client.get(reverse("analytics_reports")).content.decode()
    assert reverse("analytics_report_pdf", args=[report.pk]) in listing


def test_it_refuses_a_future_day_and_writes_nothing(client, history):  # noqa: F811
    client.force_login(history.ann)
    r = client.post(reverse("analytics_report_create"), {"kind": "day", "day": "2999-01-01"})
    assert r.status_code == 400
    assert "不能为将来的日期生成报告" in r.content.decode()
    assert not Report.objects.exists()


def test_it_writes_a_word_document_with_the_figures(client, history):  # noqa: F811
    report = report_generate(kind=ReportKind.WEEK, day=date(2026, 3, 4))
    client.force_login(history.sue)
    r = client.get(reverse("analytics_report_docx", args=[report.pk]))
    assert r.status_code == 200
    assert r["Content-Disposition"].endswith('12345-week-20260302.docx"')
    document = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "周报（2026-03-02 至 2026-03-08）" in text
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "按时办结率" in cells and "33.33 %" in cells
    assert history_order("13900000004").number in cells


def test_it_writes_a_pdf_with_the_chinese_font_embedded(client, history):  # noqa: F811
    report = report_generate(kind=ReportKind.DAY, day=date(2026, 3, 3))
    client.force_login(history.ann)
    r = client.get(reverse("analytics_report_pdf", args=[report.pk]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert b"WenQuanYi" in _inflated(r.content)  # the CJK font, embedded (FontFile)
    assert len(r.content) > 5000


def _inflated(pdf: bytes) -> bytes:
    """The PDF with every compressed stream inflated, so names inside object streams show."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"".join(parts)


def test_it_refuses_units(client, history):  # noqa: F811
    report = report_generate(kind=ReportKind.DAY, day=date(2026, 3, 3))
    for person in (history.bella, history.bob):
        client.force_login(person)
        assert client.get(reverse("analytics_reports")).status_code == 403
        assert client.get(reverse("analytics_report", args=[report.pk])).status_code == 403
        assert client.get(reverse("analytics_report_pdf", args=[report.pk])).status_code == 403


def test_it_reports_rising_hot_topics(org):
    from datetime import datetime

    from django.utils import timezone

    from hotline.workorders.tests.factories import registered

    tz = timezone.get_default_timezone()
    for i in range(6):
        registered(
            org,
            title="广场舞噪音扰民",
            content=f"晚上十点后小区广场舞音响噪音很大，影响休息，第{i}次反映",
            at=datetime(2026, 3, 3, 20, i, tzinfo=tz),
        )
    registered(org, title="路灯不亮", content="东街路灯坏了", at=datetime(2026, 3, 3, 9, tzinfo=tz))
    data = report_generate(kind=ReportKind.DAY, day=date(2026, 3, 3)).data
    topics = data["hot_topics"]
    assert topics and "噪音" in topics[0]["terms"]
    assert (topics[0]["size"], topics[0]["previous"]) == (6, 0)


@time_machine.travel("2026-03-05 10:00 +08:00", tick=False)
def test_it_fills_in_yesterday_in_a_form_the_browser_reads(client, history):  # noqa: F811
    # <input type="date"> takes only ISO dates: the Chinese format 2026/03/04 shows a blank field
    # that the browser refuses to submit.
    client.force_login(history.ann)
    page = client.get(reverse("analytics_reports")).content.decode()
    assert re.search(r'<input type="date" name="day" value="2026-03-04"', page), page


def test_it_refuses_a_sub_centre_the_platform_wide_report_and_assessment(client, history):  # noqa: F811
    from hotline.accounts.services import user_create

    report = report_generate(kind=ReportKind.DAY, day=date(2026, 3, 3))
    sub = user_create(
        username="sub_supervisor",
        password=None,
        memberships=[(history.sub_centre, "supervisor")],
    )
    client.force_login(sub)
    assert client.get(reverse("analytics_report", args=[report.pk])).status_code == 403
    assert client.get(reverse("analytics_reports")).status_code == 403
    assert client.get(reverse("analytics_assessment")).status_code == 403
    client.force_login(history.sue)  # the top centre's supervisor reads both
    assert client.get(reverse("analytics_report", args=[report.pk])).status_code == 200
    assert client.get(reverse("analytics_assessment")).status_code == 200
