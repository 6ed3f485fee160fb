"""The knowledge base (知识库): entries, their revisions, and their uses at intake.

An entry holds its current text; every change writes a `Revision` with the whole entry as it
then stood, so its history is never rewritten and any earlier answer can be shown as it was.
`version` counts the changes (each writes one revision with that number): an edit names the version it started from, and a stale one is
refused (two editors never silently overwrite each other). A `Use` records that an agent
answered an order from the entry (直办), with the version the agent read."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.accounts.models import Region, Unit
from hotline.catalog.models import Category, RequestType
from hotline.workorders.models import WorkOrder

from .choices import EntryStatus, RevisionAction

TITLE_MAX = 200
KEYWORDS_MAX = 200
ANSWER_MAX = 4000
BASIS_MAX = 1000


class EntryContent(models.Model):
    """What an entry says and where it stands: the entry's current text, and each revision's
    copy of it as it then stood (`EntryContent.copied(entry)`)."""

    title = models.CharField(_("问题"), max_length=TITLE_MAX)
    keywords = models.CharField(
        _("关键词"),
        max_length=KEYWORDS_MAX,
        blank=True,
        help_text=_("来电人常用的说法、别称，以空格或顿号分隔"),
    )
    answer = models.TextField(_("答复口径"), max_length=ANSWER_MAX)
    basis = models.TextField(_("政策依据"), max_length=BASIS_MAX, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("诉求分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    request_type = models.ForeignKey(
        RequestType,
        verbose_name=_("诉求类型"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Where the answer holds: this region and everything below it; none: everywhere.
    region = models.ForeignKey(
        Region,
        verbose_name=_("适用区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("维护单位"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.DRAFT
    )
    # The last day the answer holds (a policy's term, a season's schedule); none: until changed.
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def copied(source: EntryContent) -> dict[str, Any]:
        """`source`'s content fields (these, not its model's others), as keyword arguments for
        another EntryContent."""
        return {f.attname: getattr(source, f.attname) for f in EntryContent._meta.fields}


class Entry(EntryContent):
    """One authoritative answer: the question as callers put it, the answer agents read out
    (答复口径), what it rests on, who maintains it and until when it holds."""

    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        related_name="knowledge_created",
    )
    created_at = models.DateTimeField(_("创建时间"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后修改人"),
        on_delete=models.PROTECT,
        related_name="knowledge_updated",
    )
    updated_at = models.DateTimeField(_("最后修改时间"), db_index=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("知识条目")
        verbose_name_plural = _("知识条目")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["status", "unit"], name="knowledge_status_unit")]

    def __str__(self) -> str:
        return self.title

    def is_expired(self, today: date | None = None) -> bool:
        from django.utils import timezone

        return self.valid_until is not None and self.valid_until < (today or timezone.localdate())

    def is_live(self, today: date | None = None) -> bool:
        """Shown to agents and matched: published and not past its term."""
        return self.status == EntryStatus.PUBLISHED and not self.is_expired(today)


class Revision(EntryContent):
    """One change of an entry, with the whole entry as it stood after it. Written once."""

    entry = models.ForeignKey(
        Entry, verbose_name=_("知识条目"), on_delete=models.PROTECT, related_name="revisions"
    )
    version = models.PositiveIntegerField(_("版本"))
    action = models.CharField(_("操作"), max_length=10, choices=RevisionAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="knowledge_revisions",
    )
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("知识修订记录")
        verbose_name_plural = _("知识修订记录")
        ordering = ["entry", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "version"], name="knowledge_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} v{self.version} {self.get_action_display()}"


class Use(models.Model):
    """An order answered at intake (直办) from an entry, and the version the agent read."""

    entry = models.ForeignKey(
        Entry, verbose_name=_("知识条目"), on_delete=models.PROTECT, related_name="uses"
    )
    version = models.PositiveIntegerField(_("版本"))
    order = models.ForeignKey(
        WorkOrder, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="knowledge_uses"
    )
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("话务员"),
        on_delete=models.PROTECT,
        related_name="knowledge_uses",
    )
    used_at = models.DateTimeField(_("引用时间"))

    class Meta:
        verbose_name = _("知识引用")
        verbose_name_plural = _("知识引用")
        ordering = ["-used_at"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "order"], name="knowledge_use_unique")
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} → {self.order_id}"
