"""A streaming XLSX writer for long exports (the ledger of a year, the order lists).

openpyxl's write-only mode keeps memory flat but builds a cell object, a style lookup and an lxml
element for every cell: a few hundred rows a second for the ledger's 28 columns on a busy 2-core
machine. XlsxWriter, made for writing large files, in its `constant_memory` mode writes each row
to the sheet's temporary file as it comes and never keeps more than the current row, so memory
stays flat and the time goes into reading the rows. The files open in Excel, WPS, LibreOffice and
openpyxl (tests read them back with openpyxl)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

import xlsxwriter

# Characters XML 1.0 does not allow (a pasted control character must not break the file).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _value(value: Any) -> Any:
    if isinstance(value, str):
        return _ILLEGAL.sub("", value) if _ILLEGAL.search(value) else value
    if isinstance(value, datetime) and value.tzinfo is not None:
        raise ValueError("XLSX dates have no time zone: convert to local time first")
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, bool | int | float | date):
        return value
    return str(value)


class XlsxStream:
    """One sheet written row by row into `out`; `close()` finishes the file (not `out`)."""

    def __init__(self, out: IO[bytes], sheet_name: str, date_format: str = "yyyy-mm-dd hh:mm"):
        self.book = xlsxwriter.Workbook(
            out,
            {
                "constant_memory": True,
                # Text is written as typed: a number stays text, "=..." is not a formula.
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self.sheet = self.book.add_worksheet(sheet_name[:31])
        self.date_style = self.book.add_format({"num_format": date_format})
        self.bold = self.book.add_format({"bold": True})
        self.rows = 0

    def header(self, titles: Iterable[str]) -> None:
        self.sheet.write_row(self.rows, 0, [_value(t) for t in titles], self.bold)
        self.rows += 1

    def append(self, values: Iterable[Any]) -> None:
        row, write = self.rows, self.sheet.write
        for col, raw in enumerate(values):
            value = _value(raw)
            if value is None or value == "":
                continue
            if isinstance(value, date):  # datetimes too
                self.sheet.write_datetime(row, col, value, self.date_style)
            elif isinstance(value, str):
                self.sheet.write_string(row, col, value)
            else:
                write(row, col, value)
        self.rows += 1

    def close(self) -> None:
        self.book.close()
