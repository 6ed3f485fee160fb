"""Reference data: request types, urgencies, the category tree and the dispatch catalogue."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.accounts.models import Region, TreeNode, Unit


class RequestType(models.Model):
    """诉求类型: inquiry, help, complaint, report, suggestion, praise, other."""

    code = models.SlugField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=20, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求类型")
        verbose_name_plural = _("诉求类型")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Urgency(models.Model):
    """紧急程度: normal, urgent, critical. `rank` orders the dispatch queue (higher first)."""

    code = models.SlugField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=20, unique=True)
    rank = models.PositiveSmallIntegerField(_("优先级"), default=0)

    class Meta:
        verbose_name = _("紧急程度")
        verbose_name_plural = _("紧急程度")
        ordering = ["rank", "id"]

    def __str__(self) -> str:
        return self.name


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
