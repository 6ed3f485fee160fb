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


def _xlsxwriter_file(rows: list[list], date_format: str) -> io.BytesIO:
    """The same rows written by XlsxWriter (the writer this one replaced), as it was used."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    sheet = book.add_worksheet("s")
    dates = book.add_format({"num_format": date_format})
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, rows[0], bold)
    for r, values in enumerate(rows[1:], start=1):
        for c, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, date):
                sheet.write_datetime(r, c, value, dates)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write(r, c, float(value) if isinstance(value, Decimal) else value)
    book.close()
    return out


def test_it_reads_back_as_xlsxwriter_wrote_it():
    rows = [
        ["编号", "时间", "说明", "次数", "金额", "是否", "日期"],
        [
            "2026030200001",
            datetime(2026, 3, 2, 9, 30, 15, 123456),
            " 前后有空格 ",
            12345678901234567,
            Decimal("0.1"),
            True,
            date(1900, 2, 28),
        ],
        ["=1+1", datetime(1900, 3, 1, 0, 0, 1), "多行\n文本", -7, 1 / 3, False, date(2026, 12, 31)],
        ["长" * 40_000, None, "", 0, 0.0, None, None],
        ["照原文_x000D_写，_X00aB_ 也是", None, "a_b _x12_", 1, None, None, None],
        ["", datetime(2026, 1, 1), "最后", None, 2.5e-12, None, None],
    ]
    out = io.BytesIO()
    sheet = XlsxStream(out, "s", "yyyy-mm-dd hh:mm:ss")
    sheet.header(rows[0])
    for values in rows[1:]:
        sheet.append(values)
    sheet.close()
    ours, our_rows = _read(out)
    theirs, their_rows = _read(_xlsxwriter_file(rows, "yyyy-mm-dd hh:mm:ss"))
    assert our_rows == their_rows
    assert len(our_rows[3][0]) == 32_767
    # Excel reads _x005F_ as "_", so the text shows as typed (openpyxl leaves it escaped).
    assert our_rows[4][0] == "照原文_x005F_x000D_写，_X00aB_ 也是"
    for row in range(1, len(rows) + 1):
        for col in range(1, len(rows[0]) + 1):
            a, b = ours.cell(row, col), theirs.cell(row, col)
            assert (a.number_format, a.font.b) == (b.number_format, b.font.b), (row, col)
