"""Forms of the sla admin pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .presets import PRESETS


class ApplyPresetForm(forms.Form):
    preset = forms.ChoiceField(
        label=_("规则集"),
        choices=[(p.code, f"{p.name}：{'；'.join(p.documents)}") for p in PRESETS.values()],
        error_messages={"invalid_choice": _("没有这个规则集：%(value)s")},
    )
    replace = forms.BooleanField(
        label=_("完全替换"),
        required=False,
        help_text=_(
            "不勾选：只替换该规则集文件规定的时限类型，其余时限类型的规则保留；"
            "勾选：停用不属于该规则集的全部规则"
        ),
    )
