from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    """Channels, requesters, the citizen portal and Open311 GeoReport v2."""

    name = "hotline.intake"
    label = "intake"
    verbose_name = _("受理渠道")

    def ready(self) -> None:
        from hotline.accounts.choices import Role
        from hotline.core import nav

        nav.register(
            "desk_agent", _("话务受理"), "desk_agent", roles={Role.AGENT}, order=10, landing=10
        )
        nav.register(
            "intake_pending",
            _("待确认留言"),
            "intake_pending",
            roles={Role.AGENT, Role.DISPATCHER},
            order=11,
        )
