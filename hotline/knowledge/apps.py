from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    """The knowledge base (知识库): authoritative answers maintained by units, searched by agents
    to answer at once (直办), and matched by the dispatch suggestions at cold start."""

    name = "hotline.knowledge"
    label = "knowledge"
    verbose_name = _("知识库")

    def ready(self) -> None:
        from hotline.accounts.choices import HOTLINE_ROLES, UNIT_ROLES
        from hotline.core import nav

        # Late in the order: the desks come first in the header, this folds into 更多.
        nav.register(
            "knowledge_list",
            _("知识库"),
            "knowledge_list",
            roles=HOTLINE_ROLES | UNIT_ROLES,
            order=80,
        )
