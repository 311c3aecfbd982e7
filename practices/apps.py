from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticesConfig(AppConfig):
    name = "practices"
    verbose_name = _("Practices")

    def ready(self):
        from search.documents import register

        from .caching import connect_invalidation
        from .search import PRACTICE_DOCUMENTS, connect_signals

        register(PRACTICE_DOCUMENTS)
        connect_signals()
        connect_invalidation()
