"""The agent's intake form. It only shapes the input: every rule (required fields, phone format,
lengths, the centre's regions) is checked once, by `workorder_register`, whose errors the desk
shows beside the field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.accounts.models import Unit
from hotline.catalog.models import RequestType, Urgency

from .open311.attributes import BadAttributeKey, form_attributes
from .selectors import intake_regions

# Names of the service's fields, in the order the form shows them.
SERVICE_FIELDS = (
    "requester_phone",
    "is_anonymous",
    "request_type",
    "urgency",
    "category",
    "region",
    "address",
    "title",
    "content",
    "requester_name",
    "is_confidential",
)


def _attrs(accesskey: str = "", **extra: str) -> dict[str, str]:
    return {"accesskey": accesskey, **extra} if accesskey else dict(extra)


class IntakeForm(forms.Form):
    """One phone call: who called, about what, where; and the answer when resolved at once."""

    # (field code, message) when the service refused an extra field's answer: shown beside it.
    attribute_error: tuple[str, str] = ("", "")

    # Rendered by hand in desk.html: it carries the htmx attributes of the caller history.
    requester_phone = forms.CharField(label=_("来电号码"), required=False)
    is_anonymous = forms.BooleanField(label=_("匿名"), required=False)
    request_type = forms.ChoiceField(label=_("诉求类型"))
    urgency = forms.ChoiceField(label=_("紧急程度"))
    # The category id; the agent fills it through the type-ahead box beside it.
    category = forms.IntegerField(required=False, widget=forms.HiddenInput)
    region = forms.ChoiceField(label=_("所属区划"))
    address = forms.CharField(
        label=_("地址"), required=False, widget=forms.TextInput(attrs=_attrs("a"))
    )
    title = forms.CharField(
        label=_("标题"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("留空则取诉求内容前 30 字")}),
    )
    content = forms.CharField(
        label=_("诉求内容"), required=False, widget=forms.Textarea(attrs=_attrs("t", rows="5"))
    )
    requester_name = forms.CharField(label=_("诉求人姓名"), required=False)
    is_confidential = forms.BooleanField(label=_("保密"), required=False)
    answer = forms.CharField(
        label=_("答复内容（直接办结时必填）"),
        required=False,
        widget=forms.Textarea(attrs=_attrs("y", rows="3")),
    )

    def __init__(self, *args: Any, centre: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        types = RequestType.objects.filter(is_active=True).order_by("sort_order", "id")
        f["request_type"].choices = [(t.code, t.label) for t in types]  # type: ignore[attr-defined]
        f["urgency"].choices = [  # type: ignore[attr-defined]
            (u.code, u.label) for u in Urgency.objects.order_by("rank", "id")
        ]
        f["urgency"].initial = "normal"
        base = centre.region.level
        f["region"].choices = [  # type: ignore[attr-defined]
            (r.code, "\u3000" * (r.level - base) + r.name) for r in intake_regions(centre)
        ]
        f["region"].initial = centre.region.code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # 附加信息: the inputs attribute[CODE] (and attribute[CODE][] of a multiple choice) of
        # the chosen category's fields; checked with the order by workorder_register.
        pairs = [(k, v) for k, vs in self.data.lists() for v in vs]  # type: ignore[attr-defined]
        try:
            cleaned["attributes"] = form_attributes(pairs)
        except BadAttributeKey as e:
            raise forms.ValidationError(str(e)) from None
        return cleaned

    def service_fields(self) -> dict[str, Any]:
        """The cleaned input as keyword arguments of `intake_register`."""
        data = self.cleaned_data
        out = {name: data[name] for name in SERVICE_FIELDS}
        out["answer"] = data["answer"]
        out["attributes"] = data["attributes"]
        return out
