"""The streaming XLSX writer: what it writes reads back the same (openpyxl), whatever the text."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from hotline.workorders.xlsx import XlsxStream


def _read(out: io.BytesIO):
    out.seek(0)
    book = load_workbook(out)
    sheet = book.active
    return sheet, [list(r) for r in sheet.values]


def test_it_reads_back_text_numbers_dates_and_gaps():
    out = io.BytesIO()
    sheet = XlsxStream(out, "工单台账", "yyyy-mm-dd hh:mm")
    sheet.header(["编号", "时间", "说明", "次数", "金额", "空", "是否"])
    when = datetime(2026, 3, 2, 9, 30)
    sheet.append(["2026030200001", when, "A&B <c> \"d\" 'e'", 3, Decimal("1.5"), None, True])
    sheet.append(["x\x00y\x1fz", date(2026, 3, 3), "", 0, 2.25, None, False])
    sheet.close()
    ws, rows = _read(out)
    assert ws.title == "工单台账"
    assert rows[0] == ["编号", "时间", "说明", "次数", "金额", "空", "是否"]
    assert ws["A1"].font.b
    assert rows[1] == ["2026030200001", when, "A&B <c> \"d\" 'e'", 3, 1.5, None, True]
    assert ws["B2"].number_format == "yyyy-mm-dd hh:mm"
    # Characters XML cannot carry are dropped, not a broken file.
    assert rows[2][0] == "xyz" and rows[2][1] == datetime(2026, 3, 3)
    assert rows[2][2:] == [None, 0, 2.25, None, False]


def test_it_streams_many_rows_in_order():
    out = io.BytesIO()
    sheet = XlsxStream(out, "s")
    n = 1_007  # well past what one buffer of XlsxWriter's constant-memory mode holds
    for i in range(n):
        sheet.append([i, f"第{i}行"])
    sheet.close()
    _ws, rows = _read(out)
    assert len(rows) == n and rows[-1] == [n - 1, f"第{n - 1}行"]


def test_it_refuses_a_time_with_a_zone():
    sheet = XlsxStream(io.BytesIO(), "s")
    with pytest.raises(ValueError):
        sheet.append([datetime(2026, 3, 2, tzinfo=UTC)])
