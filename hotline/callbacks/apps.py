from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallbacksConfig(AppConfig):
    """The callback queue, ratings and redo."""

    name = "hotline.callbacks"
    label = "callbacks"
    verbose_name = _("回访")

    def ready(self) -> None:
        from hotline.accounts.choices import Role
        from hotline.core import nav

        nav.register(
            "desk_callback",
            _("回访"),
            "desk_callback",
            roles={Role.CALLBACK_AGENT},
            order=40,
            landing=40,
        )
