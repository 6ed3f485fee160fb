from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    """Deadlines, warnings, overdue scans, urging and supervision."""

    name = "hotline.sla"
    label = "sla"
    verbose_name = _("时限")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from hotline.core import nav, periodic
        from hotline.core import notify as notify_registry
        from hotline.workorders.signals import workorder_changing

        from .conf import sla_setting
        from .models import CalendarDay, CalendarYear
        from .notify import notify
        from .receivers import on_calendar_saved, on_workorder_changing
        from .views import nav_label

        workorder_changing.connect(on_workorder_changing, dispatch_uid="sla_clocks")
        post_save.connect(on_calendar_saved, sender=CalendarDay, dispatch_uid="sla_calendar_day")
        post_save.connect(on_calendar_saved, sender=CalendarYear, dispatch_uid="sla_calendar_year")
        periodic.register(
            "sla_scan",
            "hotline.sla.tasks.scan_time_limits",
            every=timedelta(minutes=int(sla_setting("SCAN_EVERY_MINUTES"))),
        )
        # Peers (dispatch's hot-topic warnings) notify people through the registry in core.
        notify_registry.register(notify)
        nav.register("sla_notifications", nav_label(), "sla_notifications", order=90, pinned=True)
