"""Writes to the reference data: importing the category tree and the dispatch catalogue (派单目录).

Both imports read what administrators keep in spreadsheets. Errors name the spreadsheet row and
column, so a clerk can fix the file and upload it again; both imports can be repeated safely."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils.translation import gettext

from hotline.accounts.models import Region, Unit

from .models import Category, DispatchRule
from .selectors import dispatch_rule_for
from .spreadsheets import FIRST_DATA_ROW, SpreadsheetError, read_table

# Column headers are the file format administrators keep, not UI text: never translated.
LEVEL_COLUMNS = ("一级分类", "二级分类", "三级分类")
DISPATCH_COLUMNS = (*LEVEL_COLUMNS, "区划代码", "主办单位", "协办单位", "职责依据")
NAME_MAX = Category._meta.get_field("name").max_length or 100
# Administrators list several assisting units in one cell with whichever separator they type.
UNIT_SEPARATORS = re.compile(r"[、,，;；\r\n]+")


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded sheet: the row as the spreadsheet numbers it, and the column."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = (
            gettext("第{row}行「{column}」").format(row=self.row, column=self.column)
            if self.column
            else gettext("第{row}行").format(row=self.row)
        )
        return gettext("{where}：{message}").format(where=where, message=self.message)


@dataclass
class ImportResult:
    """What an import did: counts, and the errors by row and column."""

    source: str = ""
    created: int = 0
    existing: int = 0
    updated: int = 0
    created_by_level: dict[int, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        parts = [gettext("新增 {created}").format(created=self.created)]
        if self.created_by_level:
            levels = gettext("，").join(
                gettext("{level}级 {count}").format(level=level, count=count)
                for level, count in sorted(self.created_by_level.items())
            )
            parts.append(gettext("（{levels}）").format(levels=levels))
        parts.append(
            gettext("，已存在 {existing}，更新 {updated}，错误 {count}").format(
                existing=self.existing, updated=self.updated, count=len(self.errors)
            )
        )
        prefix = gettext("{source}：").format(source=self.source) if self.source else ""
        return prefix + "".join(parts)


def _levels(cells: Sequence[str], row: int, errors: list[RowError]) -> list[str] | None:
    """The non-blank names of a row's category levels, or None after recording an error."""
    names = [(cells[i] if i < len(cells) else "").strip() for i in range(3)]
    depth = 3 - next((i for i, n in enumerate(reversed(names)) if n), 3)
    if depth == 0:
        return []
    for i in range(depth):
        if not names[i]:
            lower = LEVEL_COLUMNS[depth - 1]
            errors.append(
                RowError(
                    row,
                    LEVEL_COLUMNS[i],
                    gettext("填写了「{lower}」时不能为空").format(lower=lower),
                )
            )
            return None
        if len(names[i]) > NAME_MAX:
            errors.append(
                RowError(
                    row,
                    LEVEL_COLUMNS[i],
                    gettext("名称超过 {limit} 个字").format(limit=NAME_MAX),
                )
            )
            return None
    return names[:depth]


class _CategoryIndex:
    """The whole tree in memory by (parent id, name): one query however long the file."""

    def __init__(self) -> None:
        self.nodes = {(c.parent_id, c.name): c for c in Category.objects.all()}
        self.children = Counter(pid for pid, _name in self.nodes)

    def add(self, node: Category) -> None:
        self.nodes[(node.parent_id, node.name)] = node
        self.children[node.parent_id] += 1

    def find(self, names: Sequence[str]) -> tuple[Category | None, int]:
        """The node at the end of `names`, or None and the index of the first missing level."""
        node: Category | None = None
        for i, name in enumerate(names):
            node = self.nodes.get((node.pk if node else None, name))
            if node is None:
                return None, i
        return node, len(names)


@transaction.atomic
def category_import(
    *, rows: Iterable[Sequence[str]], source: str = "", first_row: int = FIRST_DATA_ROW
) -> ImportResult:
    """Create the missing nodes of (一级, 二级, 三级) rows; blank lower levels are allowed.

    Idempotent: a node with the same name under the same parent is reused, never duplicated.
    Rows with errors are skipped and reported; the good rows are imported (re-running the fixed
    file then adds only what was missing). `first_row` is the spreadsheet number of rows[0]."""
    result = ImportResult(source=source)
    index = _CategoryIndex()
    seen: set[int] = set()
    for row, cells in enumerate(rows, start=first_row):
        names = _levels(cells, row, result.errors)
        parent: Category | None = None
        for level, name in enumerate(names or [], start=1):
            node = index.nodes.get((parent.pk if parent else None, name))
            if node is None:
                node = Category.objects.create(
                    parent=parent,
                    name=name,
                    level=level,
                    sort_order=index.children[parent.pk if parent else None] + 1,
                )
                index.add(node)
                result.created += 1
                result.created_by_level[level] = result.created_by_level.get(level, 0) + 1
            elif node.pk not in seen:
                result.existing += 1
            seen.add(node.pk)
            parent = node
    return result


def _open_table(
    path_or_file: str | Path | IO[bytes],
    filename: str,
    columns: Sequence[str],
    required: Sequence[str],
) -> list[dict[str, str]]:
    return read_table(
        path_or_file=path_or_file, filename=filename, columns=columns, required=required
    )


def category_read_rows(
    *, path_or_file: str | Path | IO[bytes], filename: str
) -> list[tuple[str, str, str]]:
    """(一级, 二级, 三级) triples of a CSV or XLSX file whose header is 一级分类,二级分类,三级分类.

    Blank lines are kept (as empty triples) so row numbers in errors match the spreadsheet.
    Raises SpreadsheetError naming the row and column when the file cannot be read."""
    table = _open_table(path_or_file, filename, LEVEL_COLUMNS, LEVEL_COLUMNS[:1])
    return [(r["一级分类"], r.get("二级分类", ""), r.get("三级分类", "")) for r in table]


def dispatch_read_rows(
    *, path_or_file: str | Path | IO[bytes], filename: str
) -> list[dict[str, str]]:
    """Rows of a dispatch catalogue sheet keyed by column (see DISPATCH_COLUMNS)."""
    return _open_table(path_or_file, filename, DISPATCH_COLUMNS, ("一级分类", "主办单位"))


@dataclass
class _PlannedRule:
    row: int
    category: Category
    region: Region | None
    lead_unit: Unit
    assisting: list[Unit]
    duties: str


class _UnitIndex:
    """Units by code and by exact name; a name shared by two units must be given as a code."""

    def __init__(self) -> None:
        self.by_code: dict[str, Unit] = {}
        self.by_name: dict[str, list[Unit]] = {}
        for unit in Unit.objects.all():
            self.by_code[unit.code] = unit
            self.by_name.setdefault(unit.name, []).append(unit)

    def find(self, ref: str, row: int, column: str, errors: list[RowError]) -> Unit | None:
        unit = self.by_code.get(ref)
        if unit is None:
            named = self.by_name.get(ref, [])
            if len(named) > 1:
                codes = gettext("、").join(u.code for u in named)
                errors.append(
                    RowError(
                        row,
                        column,
                        gettext("名称「{ref}」对应多个单位，请填写单位编码（{codes}）").format(
                            ref=ref, codes=codes
                        ),
                    )
                )
                return None
            unit = named[0] if named else None
        if unit is None:
            errors.append(
                RowError(
                    row,
                    column,
                    gettext("未找到单位「{ref}」（按单位编码或完整名称查找）").format(ref=ref),
                )
            )
        elif not unit.is_active:
            errors.append(
                RowError(row, column, gettext("单位「{unit}」已停用").format(unit=unit.name))
            )
            return None
        return unit


def _plan_rule(
    row: int,
    values: Mapping[str, str],
    categories: _CategoryIndex,
    regions: dict[str, Region],
    units: _UnitIndex,
    errors: list[RowError],
) -> _PlannedRule | None:
    before = len(errors)
    names = _levels([values.get(c, "") for c in LEVEL_COLUMNS], row, errors)
    category = None
    if names == []:
        errors.append(RowError(row, "一级分类", gettext("不能为空")))
    elif names:
        category, found = categories.find(names)
        if category is None:
            missing = " / ".join(names[: found + 1])
            errors.append(
                RowError(
                    row,
                    LEVEL_COLUMNS[found],
                    gettext("未找到分类「{missing}」").format(missing=missing),
                )
            )
    code = values.get("区划代码", "").strip()
    region = regions.get(code) if code else None
    if code and region is None:
        errors.append(
            RowError(row, "区划代码", gettext("未找到行政区划代码「{code}」").format(code=code))
        )
    lead_ref = values.get("主办单位", "").strip()
    lead = units.find(lead_ref, row, "主办单位", errors) if lead_ref else None
    if not lead_ref:
        errors.append(RowError(row, "主办单位", gettext("不能为空")))
    assisting: list[Unit] = []
    for ref in UNIT_SEPARATORS.split(values.get("协办单位", "")):
        unit = units.find(ref.strip(), row, "协办单位", errors) if ref.strip() else None
        if unit is not None and lead is not None and unit.pk == lead.pk:
            errors.append(
                RowError(
                    row,
                    "协办单位",
                    gettext("「{unit}」已是主办单位，不能同时协办").format(unit=unit.name),
                )
            )
        elif unit is not None and unit not in assisting:
            assisting.append(unit)
    if len(errors) > before or category is None or lead is None:
        return None
    return _PlannedRule(row, category, region, lead, assisting, values.get("职责依据", "").strip())


@transaction.atomic
def dispatch_rule_import(
    *, rows: Iterable[Mapping[str, str]], source: str = "", first_row: int = FIRST_DATA_ROW
) -> ImportResult:
    """Upsert dispatch rules (by category + region) from spreadsheet rows; all or nothing.

    Every row is checked first (category path, 区划代码, units by code or exact name); if any row
    is bad nothing is written and the errors name row and column. An existing rule for the same
    category and region is updated (lead, assisting units, duties) and re-enabled."""
    result = ImportResult(source=source)
    categories = _CategoryIndex()
    regions = {r.code: r for r in Region.objects.all()}
    units = _UnitIndex()
    plans: list[_PlannedRule] = []
    first_seen: dict[tuple[int, int | None], int] = {}
    for row, values in enumerate(rows, start=first_row):
        if not any((v or "").strip() for v in values.values()):
            continue
        plan = _plan_rule(row, values, categories, regions, units, result.errors)
        if plan is None:
            continue
        key = (plan.category.pk, plan.region.pk if plan.region else None)
        if key in first_seen:
            result.errors.append(
                RowError(
                    row,
                    "区划代码",
                    gettext("与第{row}行的分类和区划重复").format(row=first_seen[key]),
                )
            )
            continue
        first_seen[key] = row
        plans.append(plan)
    if result.errors:
        return result
    for plan in plans:
        rule = DispatchRule.objects.filter(category=plan.category, region=plan.region).first()
        if rule is None:
            rule = DispatchRule(category=plan.category, region=plan.region)
            result.created += 1
        else:
            result.updated += 1
        rule.lead_unit = plan.lead_unit
        rule.duties = plan.duties
        rule.is_active = True
        rule.save()
        rule.assisting_units.set(plan.assisting)
    return result


__all__ = [
    "ImportResult",
    "RowError",
    "SpreadsheetError",
    "category_import",
    "category_read_rows",
    "dispatch_read_rows",
    "dispatch_rule_for",
    "dispatch_rule_import",
]
