from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    """Performance self-evaluation tables and reports."""

    name = "hotline.evaluation"
    label = "evaluation"
    verbose_name = _("绩效自评")

    def ready(self) -> None:
        from hotline.accounts.choices import Role
        from hotline.core import nav

        nav.register(
            "evaluation_projects",
            _("绩效自评"),
            "evaluation_projects",
            roles={Role.ADMIN, Role.ANALYST, Role.SUPERVISOR},
            order=80,
        )
