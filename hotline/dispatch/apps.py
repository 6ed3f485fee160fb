from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    """Suggestions (category, unit), repeat requests and hot topics."""

    name = "hotline.dispatch"
    label = "dispatch"
    verbose_name = _("智能派单")

    def ready(self) -> None:
        from datetime import timedelta

        from hotline.accounts.choices import Role
        from hotline.core import nav, periodic
        from hotline.core import repeats as repeat_registry
        from hotline.core import suggestions as suggestion_registry

        from . import catalogue
        from .repeats import repeats_for
        from .services import suggestion_link

        nav.register(
            "dispatch_hot_topics",
            _("热点发现"),
            "dispatch_hot_topics",
            roles={Role.SUPERVISOR, Role.ANALYST, Role.DISPATCHER},
            order=60,
        )
        periodic.register(
            "dispatch_hot_topic_scan",
            "hotline.dispatch.tasks.hot_topic_scan",
            every=timedelta(hours=1),
        )
        # The intake desk and the message-board page show this search without importing
        # dispatch (a peer app): through the registry in core.
        repeat_registry.register(repeats_for)
        # The desk ties the suggestion it showed to the order it registers, the same way.
        suggestion_registry.register(suggestion_link)
        # A save or delete of a category, unit or rule reloads this process's snapshot.
        catalogue.connect()
