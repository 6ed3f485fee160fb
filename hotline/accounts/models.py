"""The organisation: regions, units (承办单位) as a tree, users and their memberships."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from .choices import HOTLINE_ROLES, UNIT_ROLES, RegionLevel, Role, UnitKind

if TYPE_CHECKING:
    from collections.abc import Iterable


class TreeQuerySet(models.QuerySet):
    def subtree(self, node: TreeNode) -> TreeQuerySet:
        """The node and everything below it."""
        return self.filter(path__startswith=node.path)


class TreeNode(models.Model):
    """A node of a tree stored with a materialised path ("/1/5/23/") so subtrees are one
    indexed prefix query on SQLite and PostgreSQL alike."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    objects = TreeQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        # The path is derived from the parent chain. It is kept here rather than in a service
        # because admins edit the tree in Django admin, and a moved node must move its subtree.
        with transaction.atomic():
            if self.pk is None:
                super().save(*args, **kwargs)
            old_path = self.path
            parent = self.parent
            prefix = parent.path if parent is not None else "/"
            new_path = f"{prefix}{self.pk}/"
            if parent is not None and f"/{self.pk}/" in prefix:
                raise ValueError("a node cannot be moved under itself")
            self.path = new_path
            kwargs.pop("force_insert", None)
            super().save(*args, **kwargs)
            if old_path and old_path != new_path:
                for node in (
                    type(self).objects.filter(path__startswith=old_path).exclude(pk=self.pk)
                ):
                    type(self).objects.filter(pk=node.pk).update(
                        path=new_path + node.path[len(old_path) :]
                    )

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this node, inclusive."""
        return [int(p) for p in self.path.strip("/").split("/") if p]

    def is_descendant_of(self, other: TreeNode) -> bool:
        return self.path.startswith(other.path) and self.pk != other.pk


class Region(TreeNode):
    """An administrative area (省/市/区县/街道/社区) with its national code."""

    code = models.CharField(_("行政区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=RegionLevel.choices)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class Unit(TreeNode):
    """A responsible body (承办单位) or a hotline desk; units form the dispatch tree."""

    code = models.CharField(_("单位编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="units"
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person (or the platform itself) who uses the system. Roles come from memberships."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    # The platform's own actor for automatic actions (scans, portal intake, imports).
    is_system = models.BooleanField(_("系统账号"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    def active_memberships(self) -> Iterable[Membership]:
        # Cached per instance: scoping and permission checks ask several times per request.
        cached = getattr(self, "_memberships_cache", None)
        if cached is None:
            cached = list(
                self.memberships.filter(is_active=True, unit__is_active=True).select_related(
                    "unit", "unit__region"
                )
            )
            self._memberships_cache = cached
        return cached

    def roles(self) -> set[str]:
        return {m.role for m in self.active_memberships()}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & set(roles))

    @property
    def is_hotline_staff(self) -> bool:
        return bool(self.roles() & HOTLINE_ROLES)

    @property
    def is_unit_staff(self) -> bool:
        return bool(self.roles() & UNIT_ROLES)


class Membership(models.Model):
    """A user holds a role in a unit. One user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A bearer token for systems calling the API. Only a hash of the key is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(max_length=8, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple[ApiToken, str]:
        """Create a token; the clear key is returned once and never stored."""
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=key[:8], key_hash=cls.hash_key(key))
        return token, key


__all__ = ["ApiToken", "Membership", "Region", "RegionLevel", "Role", "Unit", "UnitKind", "User"]
