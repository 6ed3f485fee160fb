"""{% desk_category_fields form %}: the chosen category's extra fields inside the desk form."""

from __future__ import annotations

from typing import Any

from django import template

from ..desk_fields import field_inputs

register = template.Library()


@register.inclusion_tag("intake/_category_fields.html")
def desk_category_fields(form: Any) -> dict[str, Any]:
    data = form.data if form.is_bound else None
    code, message = form.attribute_error
    return {
        "inputs": field_inputs(form["category"].value(), data),
        "error_code": code,
        "error": message,
    }
