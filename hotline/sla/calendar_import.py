"""Importing a year's holiday notice (节假日安排) from CSV/XLSX into the calendar table.

Columns: 日期 (YYYY-MM-DD), 类型 (休 / 班), 说明. Every row is checked before anything is
written; one bad row means nothing is imported and the error names its row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.catalog.spreadsheets import FIRST_DATA_ROW, read_table

from .models import CalendarDay, CalendarYear

COLUMNS = ("日期", "类型", "说明")
KINDS = {"休": False, "休息": False, "假": False, "班": True, "上班": True, "调休上班": True}


@dataclass
class CalendarImport:
    days: int = 0
    years: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def calendar_import(
    *, path_or_file: str | Path | IO[bytes], filename: str, source: str = ""
) -> CalendarImport:
    """Read the file; when every row is valid, write its days (replacing those dates) and
    declare each year it covers as known."""
    rows = read_table(
        path_or_file=path_or_file, filename=filename, columns=COLUMNS, required=COLUMNS[:2]
    )
    result = CalendarImport()
    parsed: dict[date, tuple[bool, str]] = {}
    for i, row in enumerate(rows):
        if not any(row.values()):
            continue
        line = i + FIRST_DATA_ROW
        try:
            day = date.fromisoformat(row["日期"])
        except ValueError:
            result.errors.append(
                _("第 {line} 行：日期「{value}」应为 YYYY-MM-DD").format(
                    line=line, value=row["日期"]
                )
            )
            continue
        kind = KINDS.get(row["类型"])
        if kind is None:
            result.errors.append(
                _("第 {line} 行：类型「{value}」应为“休”或“班”").format(
                    line=line, value=row["类型"]
                )
            )
            continue
        parsed[day] = (kind, row.get("说明", "")[:50])
    if result.errors:
        return result
    if not parsed:
        result.errors.append(_("文件中没有任何日期"))
        return result
    with transaction.atomic():
        for day, (is_workday, name) in parsed.items():
            CalendarDay.objects.update_or_create(
                date=day, defaults={"is_workday": is_workday, "name": name}
            )
        for year in sorted({d.year for d in parsed}):
            CalendarYear.objects.get_or_create(year=year, defaults={"source": source[:200]})
            result.years.append(year)
    result.days = len(parsed)
    return result
