from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelephonyConfig(AppConfig):
    """Call records, missed calls and answer-rate figures."""

    name = "hotline.telephony"
    label = "telephony"
    verbose_name = _("话务")
