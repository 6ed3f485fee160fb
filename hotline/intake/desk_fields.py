"""附加信息 on the agent's desk: the inputs of the chosen category's extra fields, rendered in the
form (with what the agent typed, after a refused submit) and swapped by htmx when the category
changes. The answers are checked by `workorder_register`, like every other way in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hotline.catalog.fields import category_fields
from hotline.catalog.models import Category, CategoryField

from .desk import DeskRequest, agent_desk


@dataclass
class FieldInput:
    field: CategoryField
    values: list[str]

    @property
    def name(self) -> str:
        suffix = "[]" if self.field.datatype == "multivaluelist" else ""
        return f"attribute[{self.field.code}]{suffix}"

    @property
    def value(self) -> str:
        return self.values[0] if self.values else ""


def field_inputs(raw_category: Any, data: Any) -> list[FieldInput]:
    """The inputs of the category's fields, filled from `data` (a QueryDict) when given."""
    raw = str(raw_category or "")
    category = (
        Category.objects.filter(pk=int(raw), is_active=True).first() if raw.isdigit() else None
    )
    inputs = []
    for field in category_fields(category):
        if data is not None:
            values = data.getlist(f"attribute[{field.code}]") + data.getlist(
                f"attribute[{field.code}][]"
            )
        else:
            values = []
        inputs.append(FieldInput(field, values))
    return inputs


@agent_desk
@require_GET
def category_fields_fragment(request: DeskRequest) -> HttpResponse:
    inputs = field_inputs(request.GET.get("category"), None)
    return render(request, "intake/_category_fields.html", {"inputs": inputs})
