from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    """Channels, requesters, the citizen portal and Open311 GeoReport v2."""

    name = "hotline.intake"
    label = "intake"
    verbose_name = _("受理渠道")
