"""导出: the filtered order list as an XLSX file, for the page and the API alike.

The rows are exactly the list's: the same scoped, filtered queryset (`selectors.workorder_list`),
the same sort, the same masking of requesters (`privacy.requester_view` with detail=False, so a
list never carries a full phone number). Rows are read with `values_list` in chunks and written
by `xlsx.XlsxStream` (XlsxWriter in constant-memory mode) into a temporary file, so memory stays
flat however many rows there are; a configurable cap keeps one click from exporting the whole
database."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from django.conf import settings
from django.db import connection
from django.db.models import DateTimeField, F, Func, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.accounts.models import User
from hotline.catalog.models import Category

from .choices import Channel, Rating, Status
from .clocks import TimeStatus, time_status
from .errors import InvalidInput
from .models import WorkOrder
from .privacy import requester_view
from .selectors import capped_count, workorder_sorted
from .xlsx import XlsxStream

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
    # The response that sends the file closes it (and the OS removes it).
    out = out or tempfile.TemporaryFile()
    sheet = XlsxStream(out, _("工单"), DATE_FORMAT)
    sheet.header(_headers() + (_ledger_headers() if ledger else []))
    for row in _rows(user, ordered, ledger=ledger):
        sheet.append(row)
    sheet.close()
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


# The columns an export reads, straight from the row (no model instances, no joins): names of
# types, urgencies, regions and units come from dicts read once per export.
_FIELDS = (
    "number",
    "created_at",
    "channel",
    "request_type_id",
    "urgency_id",
    "category_id",
    "title",
    "content",
    "region_id",
    "address",
    "status",
    "lead_unit_id",
    "dispatched_at",
    "reply_due_at",
    "reply_warn_at",
    "clock_paused_at",
    "replied_at",
    "closed_at",
    "rating",
    "solved",
    "is_confidential",
    "is_anonymous",
    "requester_name",
    "requester_phone",
    "requester_id_number",
)
# Times the sheet only shows (the reply deadline also runs the clock, so it is read as is).
_SHOWN_TIMES = ("created_at", "dispatched_at", "replied_at", "closed_at", "acknowledge_due_at")
_LEDGER_FIELDS = (
    "acknowledge_due_at",
    "acknowledged_late",
    "replied_late",
    "return_count",
    "redo_count",
    "urge_count",
    "supervision_level",
)


def _names(model: type[Any]) -> dict[int, str]:
    return dict(model._default_manager.values_list("pk", "name"))


def _rows(user: User, qs: QuerySet[WorkOrder], *, ledger: bool = False) -> Iterator[list[Any]]:
    """The sheet's rows from `values_list` in chunks: the masking rule and the clock are the
    lists' own (`requester_view`, `time_status`), applied to one reused order object that holds
    the current row's fields, so a row costs no query and no model instance."""
    from hotline.accounts.models import Region, Unit
    from hotline.catalog.models import RequestType, Urgency, reference_label

    categories = _category_names()
    types = {pk: reference_label(n) for pk, n in _names(RequestType).items()}
    urgencies = {pk: reference_label(n) for pk, n in _names(Urgency).items()}
    regions, units = _names(Region), _names(Unit)
    now = timezone.now()
    labels = {k: str(v) for k, v in TimeStatus.choices}
    # Labels translated once per export: get_FOO_display() re-hashes the lazy choices per call,
    # which cost more than writing the row.
    channels = {k: str(v) for k, v in Channel.choices}
    statuses = {k: str(v) for k, v in Status.choices}
    ratings = {k: str(v) for k, v in Rating.choices}
    yes, solved_yes, solved_no = _("是"), _("已解决"), _("未解决")
    dates = _LocalTimes()
    holder = WorkOrder()
    fields = _FIELDS + (_LEDGER_FIELDS if ledger else ())
    columns: tuple[str, ...] = fields
    if connection.vendor == "postgresql":
        # Times only shown are read as the wall clock (a plain timestamp psycopg parses in C);
        # Django reads each timestamptz through a Python loader, most of a long export's fetch.
        # The clock's times stay aware for `time_status`.
        zone = Value(str(timezone.get_current_timezone()))
        walled = [name for name in _SHOWN_TIMES if name in fields]
        qs = qs.annotate(**{f"wall_{name}": _WallClock(F(name), zone) for name in walled})
        columns = tuple(f"wall_{name}" if name in walled else name for name in fields)
    for r in qs.values_list(*columns).iterator(chunk_size=CHUNK):
        v = dict(zip(fields, r, strict=True))
        for name in (
            "status",
            "reply_due_at",
            "reply_warn_at",
            "clock_paused_at",
            "is_confidential",
            "is_anonymous",
            "requester_name",
            "requester_phone",
            "requester_id_number",
        ):
            setattr(holder, name, v[name])
        who = requester_view(user, holder, detail=False)
        clock = time_status(holder, now)
        solved = v["solved"]
        row = [
            v["number"],
            dates(v["created_at"]),
            channels.get(v["channel"], v["channel"]),
            types.get(v["request_type_id"], ""),
            urgencies.get(v["urgency_id"], ""),
            categories.get(v["category_id"], "") if v["category_id"] else "",
            v["title"],
            v["content"],
            regions.get(v["region_id"], ""),
            v["address"],
            who.name,
            who.phone,
            statuses.get(v["status"], v["status"]),
            labels[clock] if clock else "",
            units.get(v["lead_unit_id"], "") if v["lead_unit_id"] else "",
            dates(v["dispatched_at"]),
            dates(v["reply_due_at"]),
            dates(v["replied_at"]),
            dates(v["closed_at"]),
            ratings.get(v["rating"], v["rating"]),
            "" if solved is None else (solved_yes if solved else solved_no),
        ]
        if ledger:
            row += [
                dates(v["acknowledge_due_at"]),
                yes if v["acknowledged_late"] else "",
                yes if v["replied_late"] else "",
                v["return_count"],
                v["redo_count"],
                v["urge_count"],
                v["supervision_level"] or "",
            ]
        yield row


class _LocalTimes:
    """Times in Asia/Shanghai without a zone (Excel has none: shown as the city's time); a
    time read as the wall clock already (`_WallClock`) is kept."""

    def __init__(self) -> None:
        self.tz = timezone.get_current_timezone()

    def __call__(self, value: datetime | None) -> datetime | None:
        if value is None or value.tzinfo is None:
            return value
        return value.astimezone(self.tz).replace(tzinfo=None)


class _WallClock(Func):
    """PostgreSQL's `time AT TIME ZONE zone`: the zone's wall clock as a timestamp without
    a zone."""

    arg_joiner = " AT TIME ZONE "
    template = "(%(expressions)s)"
    output_field = DateTimeField()
