"""The filter form of every figure: a period and a slice. The page and the API both parse with it,
so a figure asked for either way means the same thing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hotline.accounts.models import Region, Unit
from hotline.catalog.models import Category, RequestType
from hotline.workorders.choices import Channel
from hotline.workorders.errors import InvalidInput

from .kpis import KpiFilters

MAX_DAYS = 366


def _channels() -> list[tuple[str, str]]:
    return [("", gettext("全部"))] + [(v, str(label)) for v, label in Channel.choices]


def _request_types() -> list[tuple[str, str]]:
    return [("", gettext("全部"))] + [
        (t.code, t.label) for t in RequestType.objects.filter(is_active=True)
    ]


def date_input() -> forms.DateInput:
    """<input type="date">: the browser reads only ISO dates (the Chinese locale's 2026/03/01
    would leave the field blank), whatever the interface language."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class KpiFilterForm(forms.Form):
    start = forms.DateField(label=_("开始日期"), widget=date_input())
    end = forms.DateField(label=_("结束日期"), widget=date_input())
    region = forms.ModelChoiceField(
        Region.objects.all(), label=_("区划"), required=False, to_field_name="code"
    )
    unit = forms.ModelChoiceField(
        Unit.objects.filter(is_active=True),
        label=_("承办单位"),
        required=False,
        to_field_name="code",
    )
    unit_subtree = forms.BooleanField(label=_("含下级单位"), required=False, initial=True)
    channel = forms.ChoiceField(label=_("渠道"), required=False, choices=_channels)
    request_type = forms.ChoiceField(label=_("诉求类型"), required=False, choices=_request_types)
    category = forms.ModelChoiceField(Category.objects.all(), label=_("诉求分类"), required=False)

    # Chinese labels sit above their fields without an ASCII colon.
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    @classmethod
    def month_to_date(cls) -> dict[str, Any]:
        today = timezone.localdate()
        return {"start": today.replace(day=1), "end": today, "unit_subtree": True}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", gettext("结束日期不能早于开始日期"))
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error("end", gettext("统计区间最长 {days} 天").format(days=MAX_DAYS))
        return data

    def filters(self) -> KpiFilters:
        d = self.cleaned_data
        return KpiFilters(
            start=d["start"],
            end=d["end"],
            region=d["region"],
            unit=d["unit"],
            unit_subtree=bool(d["unit_subtree"]),
            channel=d["channel"] or None,
            request_type=d["request_type"] or None,
            category=d["category"],
        )

    def first_error(self) -> InvalidInput:
        """The first problem as the API's error (naming the field)."""
        name, errors = next(iter(self.errors.items()))
        label = self.fields[name].label if name in self.fields else name
        return InvalidInput(f"{label}：{errors[0]}", field=None if name == "__all__" else name)
