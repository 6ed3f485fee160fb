from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "hotline.core"
    label = "core"
    verbose_name = _("公共")

    def ready(self) -> None:
        from . import nav

        # Administrators reach Django admin (reference data, rules, calendar, users) from the nav.
        nav.register("admin", _("系统管理"), "admin:index", staff_only=True, order=99)
