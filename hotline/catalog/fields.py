"""Answers to a category's extra fields (附加信息项): the one check every way in uses (Open311
POST, the channel API, the agent's desk), and their display on the order page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .models import Category, CategoryField, FieldDatatype

# Answers are short: a lamp-post number, a choice. A text answer may run to a paragraph.
MAX_LENGTH = {FieldDatatype.TEXT: 1000}
DEFAULT_MAX_LENGTH = 200

Answers = dict[str, str | list[str]]


class InvalidAttribute(ValueError):
    """An answer is missing, unknown or of the wrong type; `code` names the field."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def category_fields(category: Category | None) -> list[CategoryField]:
    """The category's active extra fields, in their order."""
    if category is None:
        return []
    return list(category.fields.filter(is_active=True).order_by("order", "id"))


def _values(raw: object) -> list[str]:
    items = raw if isinstance(raw, list | tuple) else [raw]
    return [str(v).strip() for v in items if v is not None and str(v).strip()]


def _answer(field: CategoryField, values: list[str]) -> str | list[str]:
    label = field.label
    if field.datatype == FieldDatatype.MULTIVALUELIST:
        names = field.value_names()
        unknown = [v for v in values if v not in names]
        if unknown:
            raise InvalidAttribute(
                field.code,
                _("附加信息「{label}」没有选项「{key}」").format(label=label, key=unknown[0][:40]),
            )
        return list(dict.fromkeys(values))
    if len(values) > 1:
        raise InvalidAttribute(
            field.code,
            _("附加信息「{label}」只能有一个值").format(label=label),
        )
    value = values[0]
    if field.datatype == FieldDatatype.SINGLEVALUELIST and value not in field.value_names():
        raise InvalidAttribute(
            field.code,
            _("附加信息「{label}」没有选项「{key}」").format(label=label, key=value[:40]),
        )
    if field.datatype == FieldDatatype.NUMBER:
        return _number(field, value)
    if field.datatype == FieldDatatype.DATETIME:
        return _datetime(field, value)
    limit = MAX_LENGTH.get(FieldDatatype(field.datatype), DEFAULT_MAX_LENGTH)
    if len(value) > limit:
        raise InvalidAttribute(
            field.code,
            _("附加信息「{label}」不能超过 {n} 个字").format(label=label, n=limit),
        )
    return value


def _number(field: CategoryField, value: str) -> str:
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or len(value) > 30:
        raise InvalidAttribute(
            field.code,
            _("附加信息「{label}」应为数字，收到「{value}」").format(
                label=field.label, value=value[:30]
            ),
        )
    return value


def _datetime(field: CategoryField, value: str) -> str:
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise InvalidAttribute(
            field.code,
            _(
                "附加信息「{label}」应为日期时间（如 2026-11-22T08:00:00+08:00），收到「{value}」"
            ).format(label=field.label, value=value[:30]),
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return timezone.localtime(parsed).isoformat(timespec="seconds")


def category_attributes_clean(
    *,
    category: Category | None,
    answers: Mapping[str, object],
    fields: list[CategoryField] | None = None,
) -> Answers:
    """The answers to `category`'s extra fields, checked and normalised (lists for
    multivaluelist, ISO 8601 with offset for datetime), keyed by field code.

    Raises InvalidAttribute naming the first field at fault: an answer to a field the category
    does not have (or one that is only a description), a required field left empty, a value of
    the wrong type, a key not among the options. Blank answers to optional fields are dropped.
    `fields`: the category's fields as `category_fields` gives them, when the caller has them."""
    by_code = {f.code: f for f in (category_fields(category) if fields is None else fields)}
    cleaned: Answers = {}
    for code, raw in answers.items():
        field = by_code.get(code)
        values = _values(raw)
        if field is None or not field.variable:
            if not values:
                continue
            name = category.name if category else _("（未选分类）")
            raise InvalidAttribute(
                code[:40],
                _("诉求分类「{category}」没有附加信息项「{code}」").format(
                    category=name, code=code[:40]
                ),
            )
        if values:
            cleaned[code] = _answer(field, values)
    for field in by_code.values():
        if field.required and field.code not in cleaned:
            raise InvalidAttribute(
                field.code,
                _("请填写附加信息「{label}」").format(label=field.label),
            )
    return cleaned


@dataclass
class AnswerRow:
    label: str
    value: str


def attribute_rows(category: Category | None, answers: Mapping[str, object]) -> list[AnswerRow]:
    """The stored answers as (label, value) for display: labels and option names as the
    catalogue has them now, the code and raw key where a field or option was removed since."""
    if not answers:
        return []
    fields = {f.code: f for f in (category.fields.all() if category else [])}
    rows = []
    ordered = sorted(
        answers, key=lambda c: (fields[c].order, fields[c].pk) if c in fields else (9999, 0)
    )
    for code in ordered:
        field = fields.get(code)
        names = field.value_names() if field else {}
        shown = [names.get(v, v) for v in _values(answers[code])]
        rows.append(AnswerRow(label=field.label if field else code, value="、".join(shown)))
    return rows
