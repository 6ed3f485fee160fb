from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """KPIs, dashboards, the daily report, the ledger and unit assessment."""

    name = "hotline.analytics"
    label = "analytics"
    verbose_name = _("统计分析")
