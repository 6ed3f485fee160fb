from datetime import time, timedelta

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

        from hotline.core import periodic

        # The morning report of the day before (07:00 by default: before an 08:00 day shift).
        periodic.register(
            "analytics.daily_report",
            "hotline.analytics.tasks.daily_report",
            daily_at=daily_report_time(),
        )
        # The KPI facts (analytics.facts): the orders moved in the last minute, and every
        # order's version once a night.
        periodic.register(
            "analytics.refresh_facts",
            "hotline.analytics.tasks.refresh_facts",
            every=timedelta(minutes=1),
        )
        periodic.register(
            "analytics.refresh_facts_full",
            "hotline.analytics.tasks.refresh_facts_full",
            daily_at=time(3, 0),
        )


def daily_report_time() -> time:
    """HOTLINE_KPI["DAILY_REPORT_AT"] (env HOTLINE_DAILY_REPORT_AT) as a local time of day."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    at = str(settings.HOTLINE_KPI.get("DAILY_REPORT_AT", "07:00"))
    try:
        return time.fromisoformat(at)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"HOTLINE_DAILY_REPORT_AT must be HH:MM (local time), not {at!r}"
        ) from exc
