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
