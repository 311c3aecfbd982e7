from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    """The redactie's tools: review workflow messages, collections, taxonomy
    merges, freshness reminders and the admin dashboard."""

    name = "editorial"
    verbose_name = _("Editorial")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from core.cache import bump_version
        from notifications.mail import register_secrets

        from . import freshness, workflow
        from .models import Collection, CollectionPractice

        workflow.connect()
        register_secrets(["confirm_current"], freshness.confirm_current_links)
        # Collections are shown to anonymous visitors from the page cache.
        for model in (Collection, CollectionPractice):
            post_save.connect(
                bump_version, sender=model, dispatch_uid=f"editorial-cache-save-{model}"
            )
            post_delete.connect(
                bump_version,
                sender=model,
                dispatch_uid=f"editorial-cache-delete-{model}",
            )
