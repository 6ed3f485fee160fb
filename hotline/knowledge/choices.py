from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.accounts.choices import Role


class EntryStatus(models.TextChoices):
    """Where an entry stands. Only a published entry that has not expired is shown to agents,
    found by the desk and matched by the dispatch suggestions."""

    DRAFT = "draft", _("草稿")
    PENDING = "pending", _("待审核")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


class RevisionAction(models.TextChoices):
    CREATE = "create", _("新建")
    EDIT = "edit", _("修改")
    SUBMIT = "submit", _("提交审核")
    PUBLISH = "publish", _("发布")
    REJECT = "reject", _("退回")
    RETIRE = "retire", _("停用")


# Roles at a hotline centre that edit, review and publish every entry of the units under it.
PUBLISHER_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
# Roles in a unit that maintain the unit's own entries; what they write waits for a publisher.
MAINTAINER_ROLES = frozenset({Role.UNIT_MANAGER})
