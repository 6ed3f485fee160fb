from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    """Deadlines, warnings, overdue scans, urging and supervision."""

    name = "hotline.sla"
    label = "sla"
    verbose_name = _("时限")
