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
        nav.register("analytics_ledger", _("工单台账"), "analytics_ledger", roles=readers, order=72)
        nav.register(
            "analytics_assessment",
            _("单位考核"),
            "analytics_assessment",
            roles={Role.ANALYST, Role.SUPERVISOR, Role.ADMIN},
            order=73,
        )
        nav.register(
            "analytics_reports",
            _("报告"),
            "analytics_reports",
            roles={Role.ANALYST, Role.SUPERVISOR, Role.ADMIN},
            order=72,
        )

        from datetime import time

        from hotline.core import periodic

        # The morning report of the day before (a setting would move it; 07:00 suits a centre
        # whose day shift starts at 08:00).
        periodic.register(
            "analytics.daily_report", "hotline.analytics.tasks.daily_report", daily_at=time(7, 0)
        )
