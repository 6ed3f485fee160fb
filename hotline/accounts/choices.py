from django.db import models


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, "省"
    CITY = 2, "市"
    COUNTY = 3, "区县"
    STREET = 4, "街道/乡镇"
    COMMUNITY = 5, "社区/村"


class UnitKind(models.TextChoices):
    CENTRE = "centre", "热线中心"
    SUB_CENTRE = "sub_centre", "分中心"
    DEPARTMENT = "department", "委办局"
    STREET = "street", "街道/乡镇"
    COMMUNITY = "community", "社区/村"
    UTILITY = "utility", "公用事业单位"
    ENTERPRISE = "enterprise", "企业"
    OTHER = "other", "其他"


class Role(models.TextChoices):
    AGENT = "agent", "话务员"
    DISPATCHER = "dispatcher", "派单员"
    CALLBACK_AGENT = "callback_agent", "回访员"
    SUPERVISOR = "supervisor", "督办员"
    UNIT_HANDLER = "unit_handler", "承办人"
    UNIT_MANAGER = "unit_manager", "单位管理员"
    ANALYST = "analyst", "分析员"
    ADMIN = "admin", "系统管理员"


# Roles held at a hotline centre or sub-centre: they see the centre's region.
HOTLINE_ROLES = frozenset(
    {Role.AGENT, Role.DISPATCHER, Role.CALLBACK_AGENT, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN}
)
# Roles held at a responsible unit: they see what was sent to the unit (managers: its subtree).
UNIT_ROLES = frozenset({Role.UNIT_HANDLER, Role.UNIT_MANAGER})
# Roles that work the phone and so see the requester's number in full.
PHONE_ROLES = frozenset({Role.AGENT, Role.CALLBACK_AGENT})
# Kinds of unit that run a hotline desk.
CENTRE_KINDS = frozenset({UnitKind.CENTRE, UnitKind.SUB_CENTRE})
