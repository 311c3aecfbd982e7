from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """The public search contract and its backends (arrives with the search issue)."""

    name = "search"
    verbose_name = _("Search")

    def ready(self):
        from . import signals  # noqa: F401 (connects the receivers)
