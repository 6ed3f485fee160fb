from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallbacksConfig(AppConfig):
    """The callback queue, ratings and redo."""

    name = "hotline.callbacks"
    label = "callbacks"
    verbose_name = _("回访")
