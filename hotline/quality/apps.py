from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    """Quality inspection (质检) of calls and orders, appeals, and 质检合格率."""

    name = "hotline.quality"
    label = "quality"
    verbose_name = _("质检")

    def ready(self) -> None:
        from hotline.core import nav

        from .choices import INSPECTED_ROLES, INSPECTOR_ROLES, REVIEWER_ROLES

        nav.register(
            "quality_queue", _("质检抽样"), "quality_queue", roles=INSPECTOR_ROLES, order=70,
            landing=75,  # after the figures (70), where an administrator starts
        )  # fmt: skip
        nav.register(
            "quality_appeals", _("质检申诉"), "quality_appeals", roles=REVIEWER_ROLES, order=71
        )
        nav.register("quality_mine", _("我的质检"), "quality_mine", roles=INSPECTED_ROLES, order=72)
