from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """KPIs, dashboards, the daily report, the ledger and unit assessment."""

    name = "hotline.analytics"
    label = "analytics"
    verbose_name = _("统计分析")

    def ready(self) -> None:
        from hotline.accounts.choices import Role
        from hotline.core import nav

        nav.register(
            "analytics_kpis",
            _("统计指标"),
            "analytics_kpis",
            roles={Role.ANALYST, Role.SUPERVISOR, Role.ADMIN, Role.UNIT_MANAGER},
            order=70,
            landing=70,
        )
