from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    """Performance self-evaluation tables and reports."""

    name = "hotline.evaluation"
    label = "evaluation"
    verbose_name = _("绩效自评")
