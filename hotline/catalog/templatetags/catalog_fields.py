"""{% order_attributes order as rows %}: an order's answers to its category's extra fields
(附加信息), as (label, value) rows for read-only display."""

from __future__ import annotations

from typing import Any

from django import template

from ..fields import AnswerRow, attribute_rows

register = template.Library()


@register.simple_tag
def order_attributes(order: Any) -> list[AnswerRow]:
    return attribute_rows(order.category, order.attributes or {})
