"""Reading the spreadsheets administrators upload: CSV (UTF-8 with or without BOM, or GBK as Excel
saves it on Chinese Windows) and XLSX. Rows come back keyed by the header's column names."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

# The first row is the header, so the first data row is row 2, as a spreadsheet program shows it.
FIRST_DATA_ROW = 2


class SpreadsheetError(ValueError):
    """The file as a whole cannot be read (wrong type, undecodable, header missing a column)."""

    def __init__(self, message: str, *, row: int | None = None, column: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column


def _read_bytes(path_or_file: str | Path | IO[bytes]) -> bytes:
    if isinstance(path_or_file, str | Path):
        return Path(path_or_file).read_bytes()
    data = path_or_file.read()
    return data.encode() if isinstance(data, str) else data


def _decode(data: bytes) -> str:
    # utf-8-sig strips the BOM Excel writes with "CSV UTF-8"; plain "CSV" on Chinese Windows is
    # GBK, and GB18030 is its superset, so it also reads the rarer characters of place names.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as e:
        raise SpreadsheetError(_("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV")) from e


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    # Excel stores codes such as 610831 as numbers; 610831.0 must not become "610831.0".
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decode(data)
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as e:
        raise SpreadsheetError(_("CSV 格式错误：{error}").format(error=e)) from e


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise SpreadsheetError(_("无法读取 XLSX 文件：文件已损坏或不是 Excel 工作簿")) from e
    try:
        sheet = wb.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        wb.close()


def read_table(
    *,
    path_or_file: str | Path | IO[bytes],
    filename: str,
    columns: Sequence[str],
    required: Sequence[str],
) -> list[dict[str, str]]:
    """Rows of the first sheet as {column: text}, one per line after the header, blank lines
    included so that position i is spreadsheet row i + FIRST_DATA_ROW. Extra columns are ignored;
    a missing required column is an error naming it."""
    suffix = Path(filename).suffix.lower()
    data = _read_bytes(path_or_file)
    if suffix == ".csv":
        raw = _csv_rows(data)
    elif suffix == ".xlsx":
        raw = _xlsx_rows(data)
    else:
        raise SpreadsheetError(
            _("不支持的文件类型「{suffix}」：请上传 .csv 或 .xlsx 文件").format(
                suffix=suffix or filename
            )
        )
    if not raw:
        raise SpreadsheetError(
            _("文件是空的：第1行应为表头 {columns}").format(columns=_("，").join(columns)), row=1
        )
    header = [h.strip().lstrip("\ufeff") for h in raw[0]]
    for name in required:
        if name not in header:
            raise SpreadsheetError(
                _("表头缺少列「{name}」：第1行应为 {columns}").format(
                    name=name, columns=_("，").join(columns)
                ),
                row=1,
                column=name,
            )
    index = {name: header.index(name) for name in columns if name in header}
    return [
        {name: (row[i].strip() if i < len(row) and row[i] else "") for name, i in index.items()}
        for row in raw[1:]
    ]
