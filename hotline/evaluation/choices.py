from django.db import models
from django.utils.translation import gettext_lazy as _


class Framework(models.TextChoices):
    """The two indicator frameworks of the Ministry of Finance's templates."""

    SIMPLE = "simple", _("产出 / 效益 / 满意度")
    FULL = "full", _("决策 / 过程 / 产出 / 效益")


class Level1(models.TextChoices):
    DECISION = "decision", _("决策指标")
    PROCESS = "process", _("过程指标")
    OUTPUT = "output", _("产出指标")
    BENEFIT = "benefit", _("效益指标")
    SATISFACTION = "satisfaction", _("满意度指标")


class Grade(models.TextChoices):
    EXCELLENT = "优", _("优")
    GOOD = "良", _("良")
    FAIR = "中", _("中")
    POOR = "差", _("差")
