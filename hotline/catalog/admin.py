"""Django admin for the reference data, with pages to import the category tree and the dispatch
catalogue from the spreadsheets administrators keep."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .forms import CategoryForm, ImportFileForm
from .models import Category, CategoryField, DispatchRule, RequestType, Urgency

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
from .services import (
    DISPATCH_COLUMNS,
    LEVEL_COLUMNS,
    ImportResult,
    SpreadsheetError,
    category_import,
    category_read_rows,
    dispatch_read_rows,
    dispatch_rule_import,
)

IMPORT_CHANGE_LIST = "admin/catalog/import_change_list.html"

# A rule list's category column reads the three levels from one joined query: the rule's
# queryset selects "…category__parent__parent" (the tree has three levels).
CATEGORY_PATH = "category__parent__parent"
# How many assisting units a rule list names before it counts the rest.
ASSISTING_SHOWN = 2


class _Named:
    """A row as Django's tick box sees it: its key and its name."""

    def __init__(self, pk: int, name: str) -> None:
        self.pk, self.name = pk, name

    def __str__(self) -> str:
        return self.name


def category_path(category: Category | None) -> str:
    """ "一级 / 二级 / 三级" from the parents loaded with the row; "全部分类" for none."""
    if category is None:
        return gettext("全部分类")
    if category.level > 3:  # deeper than the joined levels
        return category.full_name
    names = []
    node: Category | None = category
    while node is not None:
        names.append(node.name)
        node = cast(Category | None, node.parent)
    return " / ".join(reversed(names))


class SpreadsheetImportMixin:
    """Adds an "import/" page to a ModelAdmin, linked from its changelist (the ModelAdmin sets
    change_list_template = IMPORT_CHANGE_LIST)."""

    import_columns: Sequence[str] = ()
    import_help: StrOrPromise = ""

    def run_import(self, file, filename: str) -> ImportResult:
        raise NotImplementedError

    def _import_url_name(self) -> str:
        opts = self.model._meta  # type: ignore[attr-defined]
        return f"{opts.app_label}_{opts.model_name}_import"

    def get_urls(self) -> list[URLPattern]:
        view: Callable = self.admin_site.admin_view(self.import_view)  # type: ignore[attr-defined]
        return [
            path("import/", view, name=self._import_url_name()),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        extra_context = {**(extra_context or {}), "import_url_name": self._url_name_for_template()}
        return super().changelist_view(request, extra_context)  # type: ignore[misc]

    def _url_name_for_template(self) -> str:
        return f"{self.admin_site.name}:{self._import_url_name()}"  # type: ignore[attr-defined]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        # Importing writes many rows: it needs the right to add them, not only to look.
        if not self.has_add_permission(request):  # type: ignore[attr-defined]
            raise PermissionDenied
        result = None
        form = ImportFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = self.run_import(upload, upload.name)
            except SpreadsheetError as e:
                form.add_error("file", e.message)
            else:
                level = messages.SUCCESS if result.ok else messages.ERROR
                messages.add_message(request, level, result.summary())
        opts = self.model._meta  # type: ignore[attr-defined]
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "opts": opts,
            "title": gettext("导入{verbose_name}").format(verbose_name=opts.verbose_name),
            "form": form,
            "result": result,
            "columns": self.import_columns,
            "help": self.import_help,
        }
        return TemplateResponse(request, "admin/catalog/import.html", context)


@admin.register(RequestType)
class RequestTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["name", "code"]


@admin.register(Urgency)
class UrgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "rank"]
    search_fields = ["name", "code"]


class RootCategoryFilter(admin.SimpleListFilter):
    """Filter by first-level class: the whole subtree, not only direct children."""

    title = _("一级分类")
    parameter_name = "root"

    def lookups(self, request, model_admin):
        return [(c.pk, c.name) for c in Category.objects.filter(parent__isnull=True)]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        root = Category.objects.filter(pk=value, parent__isnull=True).first()
        return queryset.filter(path__startswith=root.path) if root else queryset.none()


class RuleRootCategoryFilter(RootCategoryFilter):
    """The same filter for a rule list: the rules whose category lies under the first level."""

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        root = Category.objects.filter(pk=value, parent__isnull=True).first()
        if root is None:
            return queryset.none()
        return queryset.filter(category__path__startswith=root.path)


class CategoryFieldInline(admin.TabularInline):
    """附加信息项 of a leaf category, edited on the category's page."""

    model = CategoryField
    fields = [
        "order",
        "code",
        "label",
        "datatype",
        "required",
        "variable",
        "description",
        "values",
        "is_active",
    ]
    extra = 0


@admin.register(Category)
class CategoryAdmin(SpreadsheetImportMixin, admin.ModelAdmin):
    form = CategoryForm
    inlines = [CategoryFieldInline]
    change_list_template = IMPORT_CHANGE_LIST
    fields = ["parent", "name", "level", "code", "sort_order", "is_active"]
    readonly_fields = ["level"]
    list_display = ["tree_name", "level", "code", "sort_order", "is_active", "rule_count"]
    list_filter = [RootCategoryFilter, "level", "is_active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    ordering = ["path"]
    list_per_page = 200
    import_columns = LEVEL_COLUMNS
    import_help = _("已存在的分类不会重复创建；二级、三级可以留空。有错误的行跳过，其余行导入。")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return super().get_queryset(request).annotate(_rules=Count("dispatch_rules"))

    @admin.display(description=_("名称"), ordering="path")
    def tree_name(self, obj: Category) -> str:
        depth = obj.level - 1
        return format_html("{}{}", "\u3000" * depth + ("└ " if depth else ""), obj.name)

    @admin.display(description=_("派单规则"), ordering="_rules")
    def rule_count(self, obj: Category) -> int:
        return obj._rules  # type: ignore[attr-defined]

    def save_model(self, request, obj: Category, form, change: bool) -> None:
        # The level follows from the parent; a moved node takes its subtree along (the path by
        # TreeNode.save), so the levels below it are recomputed from the new paths.
        parent = cast(Category | None, obj.parent)
        obj.level = parent.level + 1 if parent else 1
        super().save_model(request, obj, form, change)
        for node in Category.objects.subtree(obj).exclude(pk=obj.pk):
            depth = len(node.ancestor_ids())
            if node.level != depth:
                Category.objects.filter(pk=node.pk).update(level=depth)

    def run_import(self, file, filename: str) -> ImportResult:
        rows = category_read_rows(path_or_file=file, filename=filename)
        return category_import(rows=rows, source=filename)


@admin.register(DispatchRule)
class DispatchRuleAdmin(SpreadsheetImportMixin, admin.ModelAdmin):
    """派单目录: one readable line a rule — the category's whole path, the region (or 全部区划), the
    lead unit and the first assisting units with a count of the rest (all named in the tooltip
    and on the rule's page)."""

    change_list_template = IMPORT_CHANGE_LIST
    list_display = ["category_column", "region_column", "lead_unit", "assisting", "is_active"]
    list_display_links = ["category_column"]
    list_filter = ["is_active", RuleRootCategoryFilter, "lead_unit__kind"]
    search_fields = [
        "category__name",
        "region__name",
        "region__code",
        "lead_unit__name",
        "lead_unit__code",
        "duties",
    ]
    autocomplete_fields = ["category", "region", "lead_unit"]
    filter_horizontal = ["assisting_units"]
    list_select_related = [CATEGORY_PATH, "region", "lead_unit"]
    list_per_page = 50
    import_columns = DISPATCH_COLUMNS
    import_help = _(
        "区划代码留空表示全部区划；单位填单位编码或完整名称，多个协办单位用“、”“，”“；”或换行分隔。同一分类和区划的规则会被更新。任何一行有错误时不写入任何数据。"
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[DispatchRule]:
        return super().get_queryset(request).prefetch_related("assisting_units")

    def action_checkbox(self, obj: DispatchRule) -> SafeString:
        # Django names each row's tick box after str(rule), whose category path would cost a
        # query a row; the same words from the parents already loaded.
        label = f"{category_path(obj.category)} → {obj.lead_unit}"
        return super().action_checkbox(_Named(obj.pk, label))  # type: ignore[arg-type]

    @admin.display(description=_("诉求分类"), ordering="category__path")
    def category_column(self, obj: DispatchRule) -> str:
        return category_path(obj.category)

    @admin.display(description=_("区划"), ordering="region__code")
    def region_column(self, obj: DispatchRule) -> str:
        return obj.region.name if obj.region else gettext("全部区划")

    @admin.display(description=_("协办单位"))
    def assisting(self, obj: DispatchRule) -> str:
        names = [u.name for u in obj.assisting_units.all()]
        if len(names) <= ASSISTING_SHOWN:
            return gettext("、").join(names) or "—"
        shown = gettext("、").join(names[:ASSISTING_SHOWN])
        return format_html(
            '<span title="{}">{}</span>',
            gettext("、").join(names),
            gettext("%(names)s 等 %(count)d 个") % {"names": shown, "count": len(names)},
        )

    def run_import(self, file, filename: str) -> ImportResult:
        rows = dispatch_read_rows(path_or_file=file, filename=filename)
        return dispatch_rule_import(rows=rows, source=filename)
