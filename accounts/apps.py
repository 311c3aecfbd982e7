from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Members: sign-up through allauth, profiles, data export and deletion."""

    name = "accounts"
    verbose_name = _("Members")

    def ready(self):
        from . import signals  # noqa: F401
