"""Importing a year's holidays and make-up days (CSV/XLSX) into the calendar table."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from hotline.sla.calendar import load_calendar
from hotline.sla.models import CalendarDay, CalendarYear

CSV_2027 = "日期,类型,说明\n2027-01-01,休,元旦\n2027-02-06,班,春节调休\n2027-02-08,休,春节\n"


def test_it_imports_a_csv_and_declares_the_year(db, tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text(CSV_2027, encoding="utf-8")
    out = StringIO()
    call_command("sla_import_calendar", str(path), "--source", "国办发明电〔2026〕", stdout=out)
    assert "3" in out.getvalue()
    assert CalendarYear.objects.get(year=2027).source == "国办发明电〔2026〕"
    cal = load_calendar()
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 2, 6))  # a Saturday
    assert cal.is_workday(date(2027, 1, 4))  # an ordinary Monday


def test_it_imports_an_xlsx(db, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["日期", "类型", "说明"])
    ws.append(["2027-05-01", "休", "劳动节"])
    path = tmp_path / "2027.xlsx"
    wb.save(path)
    call_command("sla_import_calendar", str(path), stdout=StringIO())
    assert CalendarDay.objects.get(date=date(2027, 5, 1)).is_workday is False


def test_it_writes_nothing_when_a_row_is_wrong(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("日期,类型,说明\n2027-01-01,休,元旦\n2027-13-01,休,错\n2027-01-02,上课,错\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("sla_import_calendar", str(path), stdout=StringIO(), stderr=err)
    assert "第 3 行" in err.getvalue() and "第 4 行" in err.getvalue()
    assert not CalendarDay.objects.exists() and not CalendarYear.objects.exists()


def test_it_names_a_missing_column(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("日期,说明\n2027-01-01,元旦\n")
    with pytest.raises(CommandError, match="类型"):
        call_command("sla_import_calendar", str(path), stdout=StringIO())
