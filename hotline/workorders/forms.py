"""Forms of the work-order pages: the list's filter form and one form per action.

Forms only parse what a person typed into the types the services take; every rule about what a
move may do lives in the services, whose errors the views show beside the field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hotline.accounts.models import Region, Unit
from hotline.catalog.models import Category, RequestType, Urgency
from hotline.core.conf import hotline_int
from hotline.core.widgets import FastSelect

from .choices import Action, Channel, ContactMethod, Rating, Status, TransferTarget
from .clocks import TimeStatus
from .models import WorkOrder
from .selectors import OrderFilters, units_below
from .transitions import TRANSITIONS, note_label
from .uploads import accept_attr

SORT_LABELS = {
    "-created_at": _("受理时间（新→旧）"),
    "created_at": _("受理时间（旧→新）"),
    "-updated_at": _("更新时间（新→旧）"),
    "updated_at": _("更新时间（旧→新）"),
    "reply_due_at": _("办结时限（近→远）"),
    "-reply_due_at": _("办结时限（远→近）"),
    "-urgency": _("紧急程度（高→低）"),
    "urgency": _("紧急程度（低→高）"),
}


def _blank() -> list[tuple[str, str]]:
    return [("", gettext("全部"))]


def category_choices() -> list[tuple[str, str]]:
    """Every active category as "一级 / 二级 / 三级", built from one query (not one per row)."""
    rows = list(Category.objects.filter(is_active=True).order_by("path"))
    names = {c.pk: c.name for c in rows}
    return [(str(c.pk), " / ".join(names[i] for i in c.ancestor_ids() if i in names)) for c in rows]


def _request_types() -> list[tuple[str, str]]:
    return _blank() + [(t.code, t.label) for t in RequestType.objects.filter(is_active=True)]


def _urgencies() -> list[tuple[str, str]]:
    return _blank() + [(u.code, u.label) for u in Urgency.objects.all()]


def _categories() -> list[tuple[str, str]]:
    return _blank() + category_choices()


def _units() -> list[tuple[str, str]]:
    return _blank() + [(str(u.pk), u.name) for u in Unit.objects.filter(is_active=True)]


def _regions() -> list[tuple[str, str]]:
    return _blank() + [(str(r.pk), r.name) for r in Region.objects.all()]


def _channels() -> list[tuple[str, str]]:
    return _blank() + [(value, str(label)) for value, label in Channel.choices]


def _time_statuses() -> list[tuple[str, str]]:
    return _blank() + [(value, str(label)) for value, label in TimeStatus.choices]


class OrderFilterForm(forms.Form):
    """The GET form of the order list; `filters()` turns it into selectors.OrderFilters."""

    q = forms.CharField(label=_("编号或标题"), required=False, max_length=100)
    phone = forms.CharField(label=_("来电号码"), required=False, max_length=20)
    status = forms.MultipleChoiceField(
        label=_("状态"), required=False, choices=Status.choices, widget=forms.SelectMultiple
    )
    open = forms.BooleanField(label=_("仅未办结"), required=False)
    # Choices are callables so each form reads the current reference data.
    request_type = forms.ChoiceField(
        label=_("诉求类型"), required=False, choices=_request_types, widget=FastSelect
    )
    category = forms.ChoiceField(
        label=_("诉求分类"), required=False, choices=_categories, widget=FastSelect
    )
    unit = forms.ChoiceField(label=_("主办单位"), required=False, choices=_units, widget=FastSelect)
    unit_subtree = forms.BooleanField(label=_("含下级单位"), required=False)
    region = forms.ChoiceField(label=_("区划"), required=False, choices=_regions, widget=FastSelect)
    channel = forms.ChoiceField(label=_("渠道"), required=False, choices=_channels)
    urgency = forms.ChoiceField(label=_("紧急程度"), required=False, choices=_urgencies)
    created_from = forms.DateField(
        label=_("受理日期自"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    time_status = forms.ChoiceField(label=_("时限状态"), required=False, choices=_time_statuses)
    overdue = forms.BooleanField(label=_("仅超期"), required=False)
    sort = forms.ChoiceField(
        label=_("排序"), required=False, choices=list(SORT_LABELS.items()), initial="-created_at"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            accesskey="s", placeholder=gettext("工单编号或标题关键词")
        )
        self.fields["phone"].widget.attrs.update(placeholder=gettext("诉求人电话"), inputmode="tel")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and end < start:
            self.add_error("created_to", gettext("结束日期不能早于开始日期"))
        return data

    def filters(self) -> OrderFilters:
        d = self.cleaned_data
        return OrderFilters(
            status=d["status"] or None,
            request_type=d["request_type"] or None,
            category=int(d["category"]) if d["category"] else None,
            unit=int(d["unit"]) if d["unit"] else None,
            unit_subtree=d["unit_subtree"],
            region=int(d["region"]) if d["region"] else None,
            channel=d["channel"] or None,
            urgency=d["urgency"] or None,
            created_from=d["created_from"],
            created_to=d["created_to"],
            time_status=d["time_status"] or None,
            overdue=d["overdue"],
            phone=(d["phone"] or "").replace(" ", "").replace("-", "") or None,
            q=d["q"] or None,
            open_only=d["open"],
        )

    def sort_key(self) -> str:
        return self.cleaned_data.get("sort") or "-created_at"


def dispatch_targets() -> Any:
    """Units a hotline may dispatch to: every active unit except the hotline centres."""
    return Unit.objects.filter(is_active=True).exclude(kind="centre")


class ActionForm(forms.Form):
    """One action on one order. The fields present depend on the action (see `FIELDS`); every
    form carries the version the page was rendered from, so a stale page fails with 409."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=hotline_int("CONTENT_MAX_LENGTH"),
    )

    def __init__(self, *args: Any, order: WorkOrder, action: str, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", action)
        kwargs.setdefault("initial", {"expected_version": order.version})
        super().__init__(*args, **kwargs)
        self.order = order
        self.action = Action(action)
        for name in FIELDS.get(action, ()):
            if name == "category" and order.category_id is not None:
                continue
            self.fields[name] = _field(name, order, action)
        if self.returning_unit is not None:
            self.fields["confirm_returning"] = forms.BooleanField(
                label=gettext("确认仍派给退单单位「{unit}」").format(unit=self.returning_unit.name),
                required=False,
            )
        # The note goes last: the fields that matter come first under the keyboard.
        note = self.fields["note"] = self.fields.pop("note")
        note.label = note_label(action)
        transition = TRANSITIONS.get(action)
        if transition is not None and transition.note_required:
            # Refused here with the field's own name, as the service refuses it too.
            note.required = True
            note.error_messages["required"] = gettext("请填写{label}").format(label=note.label)

    @property
    def returning_unit(self) -> Unit | None:
        """The unit that sent a returned order back, when the form reassigns it."""
        if self.action != Action.REASSIGN or self.order.status != Status.RETURNED:
            return None
        return self.order.lead_unit

    def clean(self) -> dict[str, Any]:
        """Reassigning a returned order to the very unit that returned it is allowed (the
        dispatcher may judge the return wrong) but never by accident: it asks for a confirmation."""
        data = super().clean() or {}
        unit = self.returning_unit
        if unit is None or data.get("confirm_returning"):
            return data
        chosen = [data.get("lead_unit"), *(data.get("assisting_units") or [])]
        if any(u is not None and u.pk == unit.pk for u in chosen):
            self.add_error(
                "confirm_returning",
                gettext("「{unit}」刚退回此工单，仍要派给它须勾选确认").format(unit=unit.name),
            )
        return data

    @property
    def label(self) -> str:
        return str(self.action.label)

    def params(self) -> dict[str, Any]:
        """The keyword arguments of services.workorder_transition beyond note and version."""
        d = self.cleaned_data
        out: dict[str, Any] = {}
        for name in FIELDS.get(self.action, ()):
            value = d.get(name)
            if name == "lead_unit":
                if value is not None:
                    out[name] = value.pk
            elif name == "assisting_units":
                out[name] = [u.pk for u in value or []]
            elif name == "solved":
                out[name] = value == "yes"
            elif name == "category":
                if value is not None:
                    out[name] = value
            elif value not in (None, ""):
                out[name] = value
        return out


FIELDS: dict[str, tuple[str, ...]] = {
    # category: only for an order registered without one (the dispatcher classifies it).
    Action.DISPATCH: ("lead_unit", "assisting_units", "category"),
    Action.REASSIGN: ("lead_unit", "assisting_units"),
    Action.REDISPATCH: ("lead_unit", "assisting_units"),
    Action.REDO: ("lead_unit",),
    Action.RETURN: ("legal_basis",),
    Action.REQUEST_EXTENSION: ("days",),
    Action.SUPERVISE: ("level",),
    Action.CALLBACK: ("rating", "solved"),
    Action.MERGE: ("master",),
    Action.TRANSFER_OUT: ("target",),
    Action.LINK: ("other",),
    Action.CONTACT_REQUESTER: ("method", "contacted_at"),
}


def _field(name: str, order: WorkOrder, action: str) -> forms.Field:
    below = action == Action.REDISPATCH and order.lead_unit_id
    units = units_below(order.lead_unit) if below else dispatch_targets()  # type: ignore[arg-type]
    if name == "lead_unit":
        if action == Action.REDO and order.lead_unit_id is None:
            # Resolved at intake (直办): no original unit to fall back on, so one must be picked.
            return forms.ModelChoiceField(
                units,
                label=gettext("承办单位"),
                empty_label=gettext("请选择"),
                help_text=gettext("该工单为热线直办，未曾派单，请选择重办的承办单位"),
                error_messages={"required": gettext("未曾派单的工单重办须选择承办单位")},
            )
        if action == Action.REDO:
            return forms.ModelChoiceField(
                units, label=gettext("承办单位"), required=False, empty_label=gettext("原承办单位")
            )
        return forms.ModelChoiceField(
            units, label=gettext("主办单位"), empty_label=gettext("请选择")
        )
    if name == "assisting_units":
        return forms.ModelMultipleChoiceField(
            units,
            label=gettext("协办单位"),
            required=False,
            widget=forms.SelectMultiple(attrs={"size": 4}),
            help_text=gettext("可多选（按住 Ctrl）"),
        )
    if name == "category":
        # Every active category by its full path, one query, one string (FastSelect).
        return forms.TypedChoiceField(
            choices=lambda: [("", gettext("暂不分类")), *category_choices()],
            coerce=int,
            empty_value=None,
            label=gettext("诉求分类"),
            required=False,
            widget=FastSelect,
            help_text=gettext("工单登记时未分类：可在派单时补充"),
            error_messages={"invalid_choice": gettext("诉求分类不存在或已停用")},
        )
    if name == "legal_basis":
        return forms.CharField(label=gettext("退单依据（法律法规或职责依据）"), max_length=500)
    if name == "days":
        return forms.IntegerField(
            label=gettext("延期工作日"), min_value=1, max_value=hotline_int("EXTENSION_MAX_DAYS")
        )
    if name == "level":
        levels = [
            (n, gettext("{n} 级督办").format(n=n))
            for n in range(1, hotline_int("SUPERVISION_LEVELS") + 1)
            if n > order.supervision_level
        ]
        return forms.TypedChoiceField(label=gettext("督办级别"), choices=levels, coerce=int)
    if name == "rating":
        return forms.ChoiceField(
            label=gettext("评价"), choices=Rating.choices, widget=forms.RadioSelect, initial=None
        )
    if name == "solved":
        return forms.ChoiceField(
            label=gettext("诉求是否解决"),
            choices=[("yes", gettext("已解决")), ("no", gettext("未解决"))],
            widget=forms.RadioSelect,
        )
    if name == "master":
        return forms.CharField(label=gettext("主单编号"), max_length=20)
    if name == "target":
        return forms.ChoiceField(label=gettext("转出去向"), choices=TransferTarget.choices)
    if name == "other":
        return forms.CharField(label=gettext("关联工单编号"), max_length=20)
    if name == "method":
        return forms.ChoiceField(
            label=gettext("联系方式"), choices=ContactMethod.choices, widget=forms.RadioSelect
        )
    if name == "contacted_at":
        return forms.DateTimeField(
            label=gettext("联系时间"),
            required=False,
            help_text=gettext("留空即现在"),
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        )
    raise KeyError(name)


class AttachForm(forms.Form):
    file = forms.FileField(label=_("文件"))
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The city's allowlist is a setting: read when the form is made, not at import.
        self.fields["file"].widget.attrs["accept"] = accept_attr()
