from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.accounts.choices import Role


class SampleKind(models.TextChoices):
    CALL = "call", _("来电")
    ORDER = "order", _("工单")


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("待复核")
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("申诉驳回")


# Who samples and scores; who reviews an appeal (never the inspection's own inspector).
INSPECTOR_ROLES = frozenset({Role.INSPECTOR, Role.ADMIN})
REVIEWER_ROLES = frozenset({Role.INSPECTOR, Role.SUPERVISOR, Role.ADMIN})
# Whose work is inspected: the agents who answer calls and register orders.
INSPECTED_ROLES = frozenset({Role.AGENT})
