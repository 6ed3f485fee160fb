from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelephonyConfig(AppConfig):
    """Call records, missed calls and answer-rate figures."""

    name = "hotline.telephony"
    label = "telephony"
    verbose_name = _("话务")

    def ready(self) -> None:
        from hotline.core import nav

        from . import tasks  # noqa: F401  (registers the periodic sweep)
        from .services import CALLBACK_ROLES

        nav.register(
            "telephony_missed", _("漏接回拨"), "telephony_missed", roles=CALLBACK_ROLES, order=15
        )
