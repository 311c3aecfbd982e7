from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Following, in-site notifications and the outgoing mail queue."""

    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from . import events

        events.connect()
