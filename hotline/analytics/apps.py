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

        readers = {Role.ANALYST, Role.SUPERVISOR, Role.ADMIN, Role.UNIT_MANAGER}
        nav.register(
            "analytics_dashboard",
            _("数据看板"),
            "analytics_dashboard",
            roles=readers,
            order=70,
            landing=70,
        )
        nav.register("analytics_kpis", _("统计指标"), "analytics_kpis", roles=readers, order=71)
