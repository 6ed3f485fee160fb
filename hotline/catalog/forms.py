"""Forms of the catalogue's admin pages."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Category

MAX_LEVEL = 3

ALLOWED_SUFFIXES = (".csv", ".xlsx")


class ImportFileForm(forms.Form):
    """One CSV or XLSX file to import."""

    file = forms.FileField(
        label=_("文件"),
        help_text=_("CSV（UTF-8 或 GBK 编码）或 XLSX；第1行为表头。"),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if Path(file.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(gettext("请上传 .csv 或 .xlsx 文件。"))
        return file


class CategoryForm(forms.ModelForm):
    """Keeps the tree three levels deep and free of cycles."""

    class Meta:
        model = Category
        fields = ["parent", "name", "code", "sort_order", "is_active"]

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        node = self.instance
        if parent is None:
            return parent
        if node.pk and (parent.pk == node.pk or parent.path.startswith(node.path)):
            raise forms.ValidationError(gettext("不能移动到自身或其下级分类之下。"))
        below = 0
        if node.pk:
            below = max(
                (
                    len(p.strip("/").split("/"))
                    for p in Category.objects.subtree(node).values_list("path", flat=True)
                ),
                default=len(node.ancestor_ids()),
            ) - len(node.ancestor_ids())
        if parent.level + 1 + below > MAX_LEVEL:
            raise forms.ValidationError(
                gettext("诉求分类最多 {levels} 级：该上级之下放不下。").format(levels=MAX_LEVEL)
            )
        return parent
