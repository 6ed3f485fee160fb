"""导出: the filtered order list as an XLSX file, for the page and the API alike.

The rows are exactly the list's: the same scoped, filtered queryset (`selectors.workorder_list`),
the same sort, the same masking of requesters (`privacy.requester_view` with detail=False, so a
list never carries a full phone number). openpyxl's write-only mode streams rows to a temporary
file as they are read in chunks, so memory stays flat however many rows there are; a
configurable cap keeps one click from exporting the whole database."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from hotline.accounts.models import User
from hotline.catalog.models import Category

from .choices import Channel, Rating, Status
from .clocks import TimeStatus, time_status
from .errors import InvalidInput
from .models import WorkOrder
from .privacy import requester_view
from .selectors import capped_count, workorder_sorted

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_MAX_ROWS = 100_000
CHUNK = 2000
DATE_FORMAT = "yyyy-mm-dd hh:mm"


def export_max_rows() -> int:
    """The most rows one export may hold (settings.HOTLINE["EXPORT_MAX_ROWS"])."""
    value = settings.HOTLINE.get("EXPORT_MAX_ROWS", DEFAULT_MAX_ROWS)
    if not isinstance(value, int) or value < 1:
        raise TypeError(f"settings.HOTLINE['EXPORT_MAX_ROWS'] must be a positive int: {value!r}")
    return value


def export_filename() -> str:
    return _("工单导出_{date}.xlsx").format(date=timezone.localdate().strftime("%Y%m%d"))


def _headers() -> list[str]:
    return [
        _("工单编号"),
        _("受理时间"),
        _("渠道"),
        _("诉求类型"),
        _("紧急程度"),
        _("诉求分类"),
        _("标题"),
        _("诉求内容"),
        _("区划"),
        _("地址"),
        _("诉求人"),
        _("联系电话"),
        _("状态"),
        _("时限状态"),
        _("主办单位"),
        _("派单时间"),
        _("办结时限"),
        _("答复时间"),
        _("办结时间"),
        _("评价"),
        _("是否解决"),
    ]


def _category_names() -> dict[int, str]:
    """Every category's "一级 / 二级 / 三级" from one query, not one per row."""
    rows = list(Category.objects.all())
    names = {c.pk: c.name for c in rows}
    return {c.pk: " / ".join(names[i] for i in c.ancestor_ids() if i in names) for c in rows}


def workorders_export(
    *,
    user: User,
    qs: QuerySet[WorkOrder],
    sort: str = "-created_at",
    out: IO[bytes] | None = None,
    max_rows: int | None = None,
    ledger: bool = False,
) -> IO[bytes]:
    """Write the orders of `qs` (already scoped and filtered for `user`) to an XLSX file and
    return it positioned at its start. Raises InvalidInput when more rows match than the cap
    (`max_rows`, else the list export's setting; the ledger of a year asks for more).
    `ledger` adds the columns of the 工单动态台账: the acknowledge deadline, lateness recorded
    for good, and the counts of returns, redo, urging and the supervision level."""
    ordered = workorder_sorted(qs, sort)  # an unknown sort fails before any work
    cap = max_rows or export_max_rows()
    _count, more = capped_count(qs, cap)
    if more:
        raise InvalidInput(
            _(
                "符合条件的工单超过 {cap} 条，无法一次导出，请缩小筛选范围（如受理日期）后再导出"
            ).format(cap=cap)
        )
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet(_("工单"))
    bold = Font(bold=True)
    header = []
    for title in _headers() + (_ledger_headers() if ledger else []):
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in _rows(user, ordered, sheet, ledger=ledger):
        sheet.append(row)
    # The response that sends the file closes it (and the OS removes it).
    out = out or tempfile.TemporaryFile()
    workbook.save(out)  # type: ignore[arg-type]
    out.seek(0)
    return out


def _ledger_headers() -> list[str]:
    return [
        _("签收时限"),
        _("超时签收"),
        _("超期办结"),
        _("退单次数"),
        _("重办次数"),
        _("催办次数"),
        _("督办级别"),
    ]


def _ledger_cells(sheet: WriteOnlyWorksheet, order: WorkOrder) -> list[Any]:
    return [
        _date(sheet, order.acknowledge_due_at),
        _("是") if order.acknowledged_late else "",
        _("是") if order.replied_late else "",
        order.return_count,
        order.redo_count,
        order.urge_count,
        order.supervision_level or "",
    ]


def _rows(
    user: User, qs: QuerySet[WorkOrder], sheet: WriteOnlyWorksheet, *, ledger: bool = False
) -> Iterator[list[Any]]:
    categories = _category_names()
    now = timezone.now()
    labels = dict(TimeStatus.choices)
    # Labels translated once per export: get_FOO_display() re-hashes the lazy choices per call,
    # which cost more than writing the row.
    channels = {k: str(v) for k, v in Channel.choices}
    statuses = {k: str(v) for k, v in Status.choices}
    ratings = {k: str(v) for k, v in Rating.choices}
    for order in qs.iterator(chunk_size=CHUNK):
        who = requester_view(user, order, detail=False)
        clock = time_status(order, now)
        yield [
            order.number,
            _date(sheet, order.created_at),
            channels.get(order.channel, order.channel),
            order.request_type.name,
            order.urgency.name,
            categories.get(order.category_id, "") if order.category_id else "",
            order.title,
            order.content,
            order.region.name,
            order.address,
            who.name,
            who.phone,
            statuses.get(order.status, order.status),
            str(labels[clock]) if clock else "",
            order.lead_unit.name if order.lead_unit else "",
            _date(sheet, order.dispatched_at),
            _date(sheet, order.reply_due_at),
            _date(sheet, order.replied_at),
            _date(sheet, order.closed_at),
            ratings.get(order.rating, order.rating),
            "" if order.solved is None else (_("已解决") if order.solved else _("未解决")),
            *(_ledger_cells(sheet, order) if ledger else []),
        ]


def _date(sheet: WriteOnlyWorksheet, value: datetime | None) -> WriteOnlyCell | None:
    """A real date cell in Asia/Shanghai (Excel has no time zones: shown as the city's time)."""
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=timezone.localtime(value).replace(tzinfo=None))
    cell.number_format = DATE_FORMAT
    return cell
