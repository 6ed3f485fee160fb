"""Forms of the citizen portal: the shape of the input and messages that name the field. The
rules of an order (phone format, region in the service area, lengths) are the services' own
and are checked again there."""

from __future__ import annotations

import re
import time
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import MaxLengthValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from hotline.accounts.choices import RegionLevel
from hotline.accounts.models import Region
from hotline.catalog.fields import InvalidAttribute, category_attributes_clean, category_fields
from hotline.catalog.models import Category, RequestType
from hotline.core.conf import hotline_int
from hotline.core.widgets import FastSelect
from hotline.workorders.choices import Rating
from hotline.workorders.services import PHONE_RE

from .open311.attributes import BadAttributeKey, form_attributes
from .portal_selectors import phone_digits, portal_categories, service_area_regions

# Markup has no place in a request; refusing it says so plainly (pages escape text anyway).
MARKUP_RE = re.compile(r"<\s*/?\s*[a-zA-Z!?]|javascript:", re.IGNORECASE)
FILL_SALT = "intake.portal.fill"
TOO_LONG = _("{label}不能超过 {limit} 字（现为 %(show_value)d 字）")


def min_fill_seconds() -> int:
    """A person needs a few seconds to fill the form; a script posting at once is refused."""
    return int(getattr(settings, "PORTAL_MIN_FILL_SECONDS", 3))


def _no_markup(value: str, label: str) -> str:
    if MARKUP_RE.search(value or ""):
        raise forms.ValidationError(
            _("{label}中请勿填写 HTML 标签或脚本").format(label=label), code="markup"
        )
    return value


def _text_field(label: Any, limit: int, *, required: bool, **kw: Any) -> forms.CharField:
    # format_lazy: the message is worded in the language of each request, not at import.
    return forms.CharField(
        label=label,
        max_length=limit,
        required=required,
        error_messages={
            "required": format_lazy(_("请填写{label}"), label=label),
            "max_length": format_lazy(TOO_LONG, label=label, limit=limit),
        },
        **kw,
    )


def _phone(value: str) -> str:
    phone = re.sub(r"[\s()（）]", "", value or "")
    if not PHONE_RE.match(phone):
        raise forms.ValidationError(
            _("联系电话「{phone}」格式不正确，请填写手机号或带区号的固定电话").format(phone=value),
            code="phone",
        )
    return phone


class RegionChoiceField(forms.ModelChoiceField):
    """Regions indented by depth, so a street shows under its county in a plain <select>."""

    def label_from_instance(self, obj: Any) -> str:
        return "\u3000" * max(obj.level - RegionLevel.CITY, 0) + obj.name


class PortalSubmitForm(forms.Form):
    """我要反映: one request from a citizen, with the category they think it is (optional: the
    dispatcher decides) and the answers to that category's extra fields (附加信息)."""

    # (field code, message) when an extra field's answer is refused: shown beside that field.
    attribute_error: tuple[str, str] = ("", "")

    request_type = forms.ModelChoiceField(
        label=_("诉求类型"),
        queryset=RequestType.objects.none(),
        to_field_name="code",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("请选择诉求类型"),
            "invalid_choice": _("请选择有效的诉求类型"),
        },
    )
    category = forms.TypedChoiceField(
        label=_("诉求分类（选填）"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=FastSelect,
        error_messages={"invalid_choice": _("请选择有效的诉求分类")},
    )
    title = _text_field(_("标题"), 200, required=False)
    content = _text_field(
        _("诉求内容"), 5000, required=True, widget=forms.Textarea(attrs={"rows": 6})
    )
    region = RegionChoiceField(
        label=_("所在区域"),
        queryset=Region.objects.none(),
        to_field_name="code",
        empty_label=_("请选择所在区域"),
        error_messages={
            "required": _("请选择所在区域"),
            "invalid_choice": _("所选区域不在本热线服务范围内"),
        },
    )
    address = _text_field(_("详细地址"), 200, required=True)
    phone = _text_field(
        _("联系电话"),
        20,
        required=True,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    name = _text_field(
        _("姓名（选填）"),
        50,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    is_confidential = forms.BooleanField(
        label=_("保密：承办单位看不到我的姓名和电话"), required=False
    )
    # A field people never see: only a script fills it in.
    website = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request_type = self.fields["request_type"]
        assert isinstance(request_type, forms.ModelChoiceField)
        request_type.queryset = RequestType.objects.filter(is_active=True)
        region = self.fields["region"]
        assert isinstance(region, forms.ModelChoiceField)
        region.queryset = service_area_regions()
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = [
            ("", _("不清楚，由热线分类")),
            *((g.name, g.leaves) for g in portal_categories()),
        ]
        # The city's limits are settings: the fields follow them (the HTML maxlength too).
        for name, setting in (("title", "TITLE_MAX_LENGTH"), ("content", "CONTENT_MAX_LENGTH")):
            field = self.fields[name]
            assert isinstance(field, forms.CharField)
            limit = hotline_int(setting)
            field.max_length = limit
            field.widget.attrs["maxlength"] = str(limit)
            field.validators = [MaxLengthValidator(limit)]
            field.error_messages["max_length"] = format_lazy(
                TOO_LONG, label=field.label, limit=limit
            )
        if not self.is_bound and not self.initial.get("started"):
            self.initial["started"] = fill_token()

    def clean_title(self) -> str:
        return _no_markup(self.cleaned_data["title"], str(_("标题")))

    def clean_content(self) -> str:
        return _no_markup(self.cleaned_data["content"], str(_("诉求内容")))

    def clean_address(self) -> str:
        return _no_markup(self.cleaned_data["address"], str(_("详细地址")))

    def clean_name(self) -> str:
        return _no_markup(self.cleaned_data["name"], str(_("姓名")))

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data["phone"])

    def clean_category(self) -> Category | None:
        pk = self.cleaned_data["category"]
        if pk is None:
            return None
        category = Category.objects.filter(pk=pk, is_active=True).first()
        if category is None:
            raise forms.ValidationError(_("请选择有效的诉求分类"), code="invalid_choice")
        return category

    def _clean_attributes(self, cleaned: dict[str, Any]) -> None:
        """附加信息: attribute[CODE] (attribute[CODE][] for a multiple choice), checked by the
        catalogue's own rules, the ones `workorder_register` applies again."""
        pairs = [(k, v) for k, vs in self.data.lists() for v in vs]  # type: ignore[attr-defined]
        try:
            answers = form_attributes(pairs)
        except BadAttributeKey as e:
            raise forms.ValidationError(str(e), code="attribute") from None
        cleaned["attributes"] = answers
        if "category" in self.errors:
            return
        fields = category_fields(cleaned.get("category"))
        try:
            category_attributes_clean(
                category=cleaned.get("category"), answers=answers, fields=fields
            )
        except InvalidAttribute as e:
            if e.code not in {f.code for f in fields if f.variable}:
                raise forms.ValidationError(e.message, code="attribute") from None
            self.attribute_error = (e.code, e.message)
            raise forms.ValidationError(_("请按提示填写附加信息"), code="attribute") from None

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.data.get("website"):
            raise forms.ValidationError(_("提交未成功，请刷新页面后重新填写"), code="honeypot")
        try:
            started = float(signing.Signer(salt=FILL_SALT).unsign(self.data.get("started", "")))
        except (signing.BadSignature, ValueError):
            raise forms.ValidationError(
                _("页面已失效，请刷新页面后重新填写"), code="stale"
            ) from None
        if time.time() - started < min_fill_seconds():
            raise forms.ValidationError(_("提交过快，请确认内容后再提交"), code="too_fast")
        self._clean_attributes(cleaned if cleaned is not None else self.cleaned_data)
        return cleaned


def fill_token(at: float | None = None) -> str:
    """The signed time the form was rendered; `clean` measures the fill time from it."""
    return signing.Signer(salt=FILL_SALT).sign(str(int(time.time() if at is None else at)))


class PortalCheckForm(forms.Form):
    """查询进度: the order number (or query code) and the phone given with it."""

    ref = forms.CharField(
        label=_("工单编号或查询码"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("请填写工单编号或查询码")},
    )
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": _("请填写提交时留的联系电话")},
    )

    def clean_phone(self) -> str:
        return phone_digits(self.cleaned_data["phone"])


class PortalRateForm(forms.Form):
    """评价: number, phone and query code prove the requester; then the rating itself."""

    number = forms.CharField(
        label=_("工单编号"), max_length=20, error_messages={"required": _("请填写工单编号")}
    )
    phone = forms.CharField(
        label=_("联系电话"), max_length=20, error_messages={"required": _("请填写联系电话")}
    )
    query_code = forms.CharField(
        label=_("查询码"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("请填写查询码（提交诉求时获得的 6 位数字）")},
    )
    rating = forms.ChoiceField(
        label=_("您对办理结果的评价"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意程度"), "invalid_choice": _("请选择满意程度")},
    )
    solved = forms.TypedChoiceField(
        label=_("问题是否已解决"),
        choices=[("1", _("已解决")), ("0", _("未解决"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择问题是否已解决"),
            "invalid_choice": _("请选择问题是否已解决"),
        },
    )

    def clean_phone(self) -> str:
        return phone_digits(self.cleaned_data["phone"])

    def clean_query_code(self) -> str:
        return self.cleaned_data["query_code"].strip()
