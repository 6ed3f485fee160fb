from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    """Suggestions (category, unit), repeat requests and hot topics."""

    name = "hotline.dispatch"
    label = "dispatch"
    verbose_name = _("智能派单")
