from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    """Accounts, questions and answers, following (arrives with the community issue)."""

    name = "community"
    verbose_name = _("Community")
