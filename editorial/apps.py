from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    """The redactie's tools: review workflow messages, collections, taxonomy
    merges, freshness reminders and the admin dashboard."""

    name = "editorial"
    verbose_name = _("Editorial")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from core.cache import bump_on_commit, model_name
        from notifications.mail import register_secrets

        from . import freshness, workflow
        from .models import Collection, CollectionPractice

        workflow.connect()
        register_secrets(["confirm_current"], freshness.confirm_current_links)
        # Collections are shown to anonymous visitors from the page cache; the
        # pages that list them depend on their version (kb.models.HomePage,
        # editorial.views).
        collections = model_name(Collection)

        def collections_changed(sender, **kwargs):
            bump_on_commit(collections)

        for model in (Collection, CollectionPractice):
            for action, signal in (("save", post_save), ("delete", post_delete)):
                signal.connect(
                    collections_changed,
                    sender=model,
                    weak=False,
                    dispatch_uid=f"editorial-cache-{action}-{model.__name__}",
                )
