from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    COUNTY = 3, _("区县")
    STREET = 4, _("街道/乡镇")
    COMMUNITY = 5, _("社区/村")


class UnitKind(models.TextChoices):
    CENTRE = "centre", _("热线中心")
    SUB_CENTRE = "sub_centre", _("分中心")
    DEPARTMENT = "department", _("委办局")
    STREET = "street", _("街道/乡镇")
    COMMUNITY = "community", _("社区/村")
    UTILITY = "utility", _("公用事业单位")
    ENTERPRISE = "enterprise", _("企业")
    OTHER = "other", _("其他")


class Role(models.TextChoices):
    AGENT = "agent", _("话务员")
    DISPATCHER = "dispatcher", _("派单员")
    CALLBACK_AGENT = "callback_agent", _("回访员")
    SUPERVISOR = "supervisor", _("督办员")
    UNIT_HANDLER = "unit_handler", _("承办人")
    UNIT_MANAGER = "unit_manager", _("单位管理员")
    ANALYST = "analyst", _("分析员")
    INSPECTOR = "inspector", _("质检员")
    ADMIN = "admin", _("系统管理员")


# Roles held at a hotline centre or sub-centre: they see the centre's region.
HOTLINE_ROLES = frozenset(
    {
        Role.AGENT,
        Role.DISPATCHER,
        Role.CALLBACK_AGENT,
        Role.SUPERVISOR,
        Role.ANALYST,
        Role.INSPECTOR,
        Role.ADMIN,
    }
)
# Roles held at a responsible unit: they see what was sent to the unit (managers: its subtree).
UNIT_ROLES = frozenset({Role.UNIT_HANDLER, Role.UNIT_MANAGER})
# Roles that work the phone and so see the requester's number in full.
PHONE_ROLES = frozenset({Role.AGENT, Role.CALLBACK_AGENT})
# Kinds of unit that run a hotline desk.
CENTRE_KINDS = frozenset({UnitKind.CENTRE, UnitKind.SUB_CENTRE})
