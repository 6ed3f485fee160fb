from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    """The knowledge base (知识库): authoritative answers maintained by units, searched by agents
    to answer at once (直办), and matched by the dispatch suggestions at cold start."""

    name = "hotline.knowledge"
    label = "knowledge"
    verbose_name = _("知识库")
