"""A service's attributes (the category's extra fields, 附加信息项) as GeoReport v2 defines them:
the service definition's `attributes`, and `attribute[CODE]` / `attribute[CODE][]` in POST."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from hotline.catalog.fields import category_fields
from hotline.catalog.models import Category, CategoryField, FieldDatatype

ATTRIBUTE_RE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


def _datatype_description(field: CategoryField) -> str:
    """How to give the value: the spec's free text that "helps the user provide their input"."""
    hints = {
        FieldDatatype.NUMBER: _("数字，如 12 或 3.5"),
        FieldDatatype.DATETIME: _("ISO 8601 日期时间，如 2026-11-22T08:00:00+08:00"),
        FieldDatatype.SINGLEVALUELIST: _("values 中的一个 key"),
        FieldDatatype.MULTIVALUELIST: _("values 中的一个或多个 key（attribute[{code}][]）"),
        FieldDatatype.STRING: _("单行文字，不超过 200 字"),
        FieldDatatype.TEXT: _("文字，不超过 1000 字"),
    }
    return hints[FieldDatatype(field.datatype)].format(code=field.code)


def definition_attribute(field: CategoryField) -> dict[str, Any]:
    """One attribute of a service definition, with the spec's fields in the spec's order."""
    description = field.label + (f"：{field.description}" if field.description else "")
    return {
        "variable": field.variable,
        "code": field.code,
        "datatype": field.datatype,
        "required": field.required,
        "datatype_description": _datatype_description(field) if field.variable else "",
        "order": field.order,
        "description": description,
        "values": [{"key": str(v["key"]), "name": str(v["name"])} for v in field.values or []]
        if field.is_list
        else [],
    }


def definition_attributes(category: Category) -> list[dict[str, Any]]:
    return [definition_attribute(f) for f in category_fields(category)]


def categories_with_fields(categories: Iterable[Category]) -> set[int]:
    """Ids of the categories that have active extra fields (`metadata` true), in one query."""
    ids = [c.pk for c in categories]
    return set(
        CategoryField.objects.filter(category__in=ids, is_active=True).values_list(
            "category_id", flat=True
        )
    )


class BadAttributeKey(ValueError):
    pass


def form_attributes(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """The answers in a form: `attribute[CODE]=v` and, for multivaluelist, `attribute[CODE][]=v`
    repeated. Raises BadAttributeKey for a key that starts like one but is malformed."""
    answers: dict[str, list[str]] = {}
    for key, value in pairs:
        if not key.startswith("attribute"):
            continue
        match = ATTRIBUTE_RE.match(key)
        if match is None:
            raise BadAttributeKey(
                _("无法识别的字段「{key}」：应为 attribute[编码] 或 attribute[编码][]").format(
                    key=key[:60]
                )
            )
        answers.setdefault(match.group(1), []).append(value)
    return answers
