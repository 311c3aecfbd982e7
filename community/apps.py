from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    """Questions and answers between members, their moderation, and contact
    messages to practices."""

    name = "community"
    verbose_name = _("Community")

    def ready(self):
        from notifications.follows import register_followable
        from notifications.mail import register_secrets
        from search.documents import register

        from . import notify, relay
        from .models import Question
        from .search import QUESTION_DOCUMENTS, connect_signals

        register(QUESTION_DOCUMENTS)
        connect_signals()
        notify.connect()
        register_followable("question", Question.objects.public)
        # The contact relay's confirmation and "report abuse" links.
        register_secrets(relay.SECRET_KINDS, relay.outbox_links)
