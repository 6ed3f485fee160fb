from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    name = "hotline.workorders"
    label = "workorders"
    verbose_name = _("工单")

    def ready(self) -> None:
        from hotline.accounts.choices import Role
        from hotline.core import nav

        from . import checks, tasks  # noqa: F401  (the settings' checks; the housekeeping of order numbers)

        nav.register(
            "desk_dispatch",
            _("派单"),
            "desk_dispatch",
            roles={Role.DISPATCHER},
            order=20,
            landing=20,
        )
        nav.register(
            "desk_returned", _("退单审核"), "desk_returned", roles={Role.DISPATCHER}, order=21
        )
        nav.register(
            "desk_supervise",
            _("审核督办"),
            "desk_supervise",
            roles={Role.SUPERVISOR},
            order=30,
            landing=30,
        )
        nav.register(
            "desk_unit",
            _("办件箱"),
            "desk_unit",
            roles={Role.UNIT_HANDLER, Role.UNIT_MANAGER},
            order=50,
            landing=50,
        )
