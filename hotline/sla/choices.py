from django.db import models
from django.utils.translation import gettext_lazy as _


class Clock(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("签收时限")
    REPLY = "reply", _("办结时限")
    RETURN = "return", _("退单时限")
    CALLBACK = "callback", _("回访时限")


class LimitUnit(models.TextChoices):
    MINUTES = "minutes", _("分钟（日历时间）")
    HOURS = "hours", _("小时（日历时间）")
    WORKING_DAYS = "working_days", _("工作日")


class Counting(models.TextChoices):
    NEXT_DAY = "next_day", _("次日起算")
    INCLUSIVE = "inclusive", _("含本数（当日起算）")


class Stage(models.TextChoices):
    """One automatic step of the scan; each is taken once per order and deadline."""

    WARNING = "warning", _("预警提醒")
    URGE = "urge", _("超期催办")
    SUPERVISE = "supervise", _("超期督办")
    ACK_OVERDUE = "ack_overdue", _("签收超时")
    CALLBACK_OVERDUE = "callback_overdue", _("回访超时")


class NotificationKind(models.TextChoices):
    WARNING = "warning", _("即将超期")
    OVERDUE = "overdue", _("已超期")
    URGE = "urge", _("催办")
    SUPERVISE = "supervise", _("督办")
    ACK_OVERDUE = "ack_overdue", _("签收超时")
    CALLBACK_OVERDUE = "callback_overdue", _("回访超时")
    CALENDAR = "calendar", _("工作日历缺失")
    # A hot-topic early warning (hotline.dispatch.hot) for the supervisors of its region.
    HOT_TOPIC = "hot_topic", _("热点预警")
