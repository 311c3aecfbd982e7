from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExploreConfig(AppConfig):
    """The public ways to find practices: the search page, suggestions, the
    API, the CSV and the feed, the regions and the province map. No models:
    it reads practices through the search service and the practice model."""

    name = "explore"
    verbose_name = _("Explore")
