"""Forms of the knowledge pages: the list's filters and the entry form.

Forms only parse what a person typed into what the services take; every rule (who may write
which unit's entry, leaf categories, terms) lives in the services, whose errors the views show
beside the field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hotline.accounts.models import Region, Unit, User
from hotline.catalog.models import Category, RequestType
from hotline.core.widgets import FastSelect
from hotline.workorders.forms import category_choices

from .choices import EntryStatus
from .models import ANSWER_MAX, BASIS_MAX, KEYWORDS_MAX, TITLE_MAX, Entry
from .selectors import TERMS, EntryFilters, maintained_q
from .services import NOTE_MAX, scope_of


def _choices(field: forms.Field) -> forms.ChoiceField:
    assert isinstance(field, forms.ChoiceField)
    return field


def _blank(label: str | None = None) -> list[tuple[str, str]]:
    return [("", label or gettext("全部"))]


def leaf_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The active leaf categories, grouped under their parents' path ("城乡建设 / 供水"), from
    one query."""
    rows = list(Category.objects.filter(is_active=True).order_by("path"))
    names = {c.pk: c.name for c in rows}
    parents = {c.parent_id for c in rows if c.parent_id is not None}
    groups: dict[str, list[tuple[str, str]]] = {}
    for c in rows:
        if c.pk in parents:
            continue
        above = " / ".join(names[i] for i in c.ancestor_ids()[:-1] if i in names)
        groups.setdefault(above, []).append((str(c.pk), c.name))
    return list(groups.items())


def _request_types() -> list[tuple[str, str]]:
    return [(str(t.pk), t.label) for t in RequestType.objects.filter(is_active=True)]


def _regions() -> list[tuple[str, str]]:
    return [(str(r.pk), r.name) for r in Region.objects.all()]


def units_maintained(user: User) -> list[Unit]:
    """The active units whose entries `user` writes."""
    where = maintained_q(scope_of(user), unit="")
    qs = Unit.objects.filter(where, is_active=True).select_related("region")
    return list(qs.order_by("path"))


class EntryFilterForm(forms.Form):
    """The GET form of the list; `filters()` turns it into selectors.EntryFilters."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=100, widget=forms.SearchInput)
    status = forms.ChoiceField(label=_("状态"), required=False)
    category = forms.ChoiceField(label=_("诉求分类"), required=False, widget=FastSelect)
    request_type = forms.ChoiceField(label=_("诉求类型"), required=False)
    unit = forms.ChoiceField(label=_("维护单位"), required=False, widget=FastSelect)
    term = forms.ChoiceField(label=_("有效期"), required=False)

    def __init__(self, *args: Any, writer: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields
        field["q"].widget.attrs.update(
            accesskey="s",
            placeholder=gettext("来电人的问题、关键词"),
            **{"aria-label": gettext("搜索知识库")},
        )
        statuses = (
            EntryStatus.choices
            if writer
            else [(EntryStatus.PUBLISHED, EntryStatus.PUBLISHED.label)]
        )
        _choices(field["status"]).choices = _blank() + [(v, str(label)) for v, label in statuses]
        _choices(field["category"]).choices = _blank() + category_choices()
        _choices(field["request_type"]).choices = _blank() + _request_types()
        units = Unit.objects.filter(pk__in=Entry.objects.values("unit_id")).order_by("path")
        _choices(field["unit"]).choices = _blank() + [(str(u.pk), u.name) for u in units]
        _choices(field["term"]).choices = _blank() + [(k, str(v)) for k, v in TERMS.items()]

    def filters(self, *, tab: str = "") -> EntryFilters:
        d = self.cleaned_data
        return EntryFilters(
            q=(d["q"] or "").strip(),
            status=d["status"] or "",
            category=int(d["category"]) if d["category"] else None,
            request_type=int(d["request_type"]) if d["request_type"] else None,
            unit=int(d["unit"]) if d["unit"] else None,
            term=d["term"] or "",
            review=tab == "review",
            mine=tab == "mine",
        )


class EntryForm(forms.Form):
    """The editable fields of an entry and the note of the change."""

    title = forms.CharField(label=_("问题"), max_length=TITLE_MAX)
    keywords = forms.CharField(
        label=_("关键词"),
        max_length=KEYWORDS_MAX,
        required=False,
        help_text=_("来电人常用的说法、别称，以空格或顿号分隔"),
    )
    answer = forms.CharField(
        label=_("答复口径"),
        max_length=ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("话务员照此答复来电人，请写完整、准确"),
    )
    basis = forms.CharField(
        label=_("政策依据"),
        max_length=BASIS_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    category = forms.TypedChoiceField(
        label=_("诉求分类"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=FastSelect,
        error_messages={"invalid_choice": _("诉求分类不存在或已停用")},
    )
    request_type = forms.TypedChoiceField(
        label=_("诉求类型"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("诉求类型不存在或已停用")},
    )
    region = forms.TypedChoiceField(
        label=_("适用区划"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=FastSelect,
        help_text=_("答复在此区划及其下级适用；不选则全市适用"),
        error_messages={"invalid_choice": _("适用区划不存在")},
    )
    unit = forms.TypedChoiceField(
        label=_("维护单位"),
        coerce=int,
        widget=FastSelect,
        error_messages={"invalid_choice": _("您无权维护该单位的知识条目")},
    )
    valid_until = forms.DateField(
        label=_("有效期至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("政策或安排的截止日期；不填则长期有效"),
    )
    note = forms.CharField(
        label=_("修改说明"),
        max_length=NOTE_MAX,
        required=False,
        help_text=_("写入修订记录，如“依据新文件调整收费标准”"),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields
        _choices(field["category"]).choices = [("", gettext("不限分类")), *leaf_choices()]
        _choices(field["request_type"]).choices = [("", gettext("不限类型")), *_request_types()]
        _choices(field["region"]).choices = [("", gettext("全部区划")), *_regions()]
        self.units = units_maintained(user)
        _choices(field["unit"]).choices = [(str(u.pk), u.name) for u in self.units]
        if len(self.units) == 1:
            field["unit"].initial = self.units[0].pk

    @staticmethod
    def initial_for(entry: Entry) -> dict[str, Any]:
        return {
            "title": entry.title,
            "keywords": entry.keywords,
            "answer": entry.answer,
            "basis": entry.basis,
            "category": entry.category_id,
            "request_type": entry.request_type_id,
            "region": entry.region_id,
            "unit": entry.unit_id,
            "valid_until": entry.valid_until,
        }

    def changes(self) -> dict[str, Any]:
        """The editable fields as the services take them (rows, not ids)."""
        d = self.cleaned_data

        def row(model: Any, pk: int | None) -> Any:
            return model.objects.filter(pk=pk).first() if pk is not None else None

        return {
            "title": d["title"],
            "keywords": d["keywords"],
            "answer": d["answer"],
            "basis": d["basis"],
            "category": row(Category, d["category"]),
            "request_type": row(RequestType, d["request_type"]),
            "region": row(Region, d["region"]),
            "unit": next(u for u in self.units if u.pk == d["unit"]),
            "valid_until": d["valid_until"],
        }
