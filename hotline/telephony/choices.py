from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    INBOUND = "in", _("呼入")
    OUTBOUND = "out", _("呼出")


class CallOutcome(models.TextChoices):
    ANSWERED = "answered", _("已接听")
    # Reached the queue but hung up (or timed out) before an agent answered: 漏接 / 呼损.
    ABANDONED = "abandoned", _("呼损")
    # Served by the IVR / self-service menu without an agent.
    IVR = "ivr", _("自助服务")
    # Outbound call nobody picked up.
    NO_ANSWER = "no_answer", _("未接通")


class MissedCallState(models.TextChoices):
    """Where a missed call (漏接) stands on the call-back list (回拨)."""

    PENDING = "pending", _("待回拨")
    REACHED = "reached", _("已回拨接通")
    NO_ANSWER = "no_answer", _("回拨未接通")
    NOT_NEEDED = "not_needed", _("无需回拨")


class CallbackOutcome(models.TextChoices):
    """What an agent records after calling a missed caller back."""

    REACHED = "reached", _("已接通")
    NO_ANSWER = "no_answer", _("未接通")
    NOT_NEEDED = "not_needed", _("无需回拨")
