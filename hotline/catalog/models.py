"""Reference data: request types, urgencies, the category tree and the dispatch catalogue."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from hotline.accounts.models import Region, TreeNode, Unit

# The names migration 0002 ships, marked so that makemessages puts them in the catalogue: the
# rows hold the Chinese name (the API and the filters use codes and stored names), and only
# what is shown is translated. A type an administrator adds or renames has no catalogue entry
# and so shows as typed.
REFERENCE_NAMES = (
    gettext_noop("咨询"),
    gettext_noop("求助"),
    gettext_noop("投诉"),
    gettext_noop("举报"),
    gettext_noop("建议"),
    gettext_noop("表扬"),
    gettext_noop("其他"),
    gettext_noop("一般"),
    gettext_noop("紧急"),
    gettext_noop("特急"),
)


def reference_label(name: str) -> str:
    """A stored request type or urgency name in the active language, for code that reads the
    names with values() rather than rows. gettext("") would return the catalogue's header."""
    return gettext(name) if name else name


class TranslatedName:
    """`label` and `str()` of a reference row: its name in the active language."""

    name: str

    @property
    def label(self) -> str:
        return reference_label(self.name)

    def __str__(self) -> str:
        return self.label


class RequestType(TranslatedName, models.Model):
    """诉求类型: inquiry, help, complaint, report, suggestion, praise, other."""

    code = models.SlugField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=20, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求类型")
        verbose_name_plural = _("诉求类型")
        ordering = ["sort_order", "id"]


class Urgency(TranslatedName, models.Model):
    """紧急程度: normal, urgent, critical. `rank` orders the dispatch queue (higher first)."""

    code = models.SlugField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=20, unique=True)
    rank = models.PositiveSmallIntegerField(_("优先级"), default=0)

    class Meta:
        verbose_name = _("紧急程度")
        verbose_name_plural = _("紧急程度")
        ordering = ["rank", "id"]


class Category(TreeNode):
    """诉求分类: one node of the three-level tree (一级 / 二级 / 三级)."""

    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), default=1)
    code = models.CharField(_("编码"), max_length=32, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="category_unique_name_under_parent"
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(parent__isnull=True),
                name="category_unique_root_name",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        names = dict(Category.objects.filter(pk__in=self.ancestor_ids()).values_list("pk", "name"))
        return " / ".join(names[i] for i in self.ancestor_ids() if i in names)


class DispatchRule(models.Model):
    """派单目录: a category (and optionally a region) maps to a lead unit and assisting units.

    The most specific rule wins: the deepest category, then the deepest region."""

    category = models.ForeignKey(
        Category,
        verbose_name=_("诉求分类"),
        on_delete=models.CASCADE,
        related_name="dispatch_rules",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("区划"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("留空表示适用于全部区划"),
    )
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="lead_rules"
    )
    assisting_units = models.ManyToManyField(
        Unit, verbose_name=_("协办单位"), blank=True, related_name="assisting_rules"
    )
    duties = models.TextField(_("职责依据"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("派单目录")
        verbose_name_plural = _("派单目录")
        constraints = [
            models.UniqueConstraint(fields=["category", "region"], name="dispatchrule_unique"),
            models.UniqueConstraint(
                fields=["category"],
                condition=models.Q(region__isnull=True),
                name="dispatchrule_unique_all_regions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.lead_unit}"


class FieldDatatype(models.TextChoices):
    """The datatypes of a GeoReport v2 service definition attribute."""

    STRING = "string", _("单行文字")
    NUMBER = "number", _("数字")
    DATETIME = "datetime", _("日期时间")
    TEXT = "text", _("多行文字")
    SINGLEVALUELIST = "singlevaluelist", _("单选")
    MULTIVALUELIST = "multivaluelist", _("多选")


LIST_DATATYPES = frozenset({FieldDatatype.SINGLEVALUELIST, FieldDatatype.MULTIVALUELIST})


class CategoryField(models.Model):
    """附加信息项: an extra question asked for one leaf category (灯杆编号 for a broken street
    lamp, 噪声来源 for noise). Published as the Open311 service definition's attributes; the
    answers are kept on the work order (`WorkOrder.attributes`, by `code`)."""

    category = models.ForeignKey(
        Category, verbose_name=_("诉求分类"), on_delete=models.CASCADE, related_name="fields"
    )
    code = models.CharField(
        _("编码"),
        max_length=32,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]+$", _("编码只能含字母、数字、下划线和连字符"))],
        help_text=_("在 Open311 中以 attribute[编码] 提交"),
    )
    label = models.CharField(_("名称"), max_length=50)
    datatype = models.CharField(
        _("类型"), max_length=20, choices=FieldDatatype.choices, default=FieldDatatype.STRING
    )
    required = models.BooleanField(_("必填"), default=False)
    # False: no answer, the description is only shown to the person filling in (the spec's
    # "variable").
    variable = models.BooleanField(_("需填写"), default=True, help_text=_("不勾选则仅作说明"))
    order = models.PositiveSmallIntegerField(_("排序"), default=1)
    description = models.CharField(_("填写说明"), max_length=200, blank=True)
    values = models.JSONField(
        _("选项"),
        default=list,
        blank=True,
        help_text=_('单选、多选的选项，如 [{"key": "traffic", "name": "交通噪声"}]'),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("附加信息项")
        verbose_name_plural = _("附加信息项")
        ordering = ["category", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="categoryfield_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.code}）"

    @property
    def is_list(self) -> bool:
        return self.datatype in LIST_DATATYPES

    def value_names(self) -> dict[str, str]:
        return {str(v["key"]): str(v["name"]) for v in self.values or []}

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.category_id and self.category.children.filter(is_active=True).exists():
            errors["category"] = _("附加信息项只能设在末级分类上")
        if not self.variable and self.required:
            errors["required"] = _("仅作说明的项不能必填")
        problem = _values_problem(self.values) if self.is_list else None
        if problem:
            errors["values"] = problem
        elif not self.is_list and self.values:
            errors["values"] = _("只有单选、多选才有选项")
        if errors:
            raise ValidationError(errors)


def _values_problem(values: object) -> str | None:
    """Why a list field's options are unusable, or None: a non-empty list of {key, name} with
    distinct, non-empty keys."""
    if not isinstance(values, list) or not values:
        return str(_('单选、多选须至少有一个选项，如 [{"key": "a", "name": "甲"}]'))
    keys: set[str] = set()
    for v in values:
        if not isinstance(v, dict) or not str(v.get("key", "")).strip() or not v.get("name"):
            return str(_("每个选项须有 key 和 name"))
        if str(v["key"]) in keys:
            return str(_("选项 key「{key}」重复").format(key=v["key"]))
        keys.add(str(v["key"]))
    return None
