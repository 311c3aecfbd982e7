from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    """Members tell their practice's story through a form on the public site."""

    name = "submissions"
    verbose_name = _("Submissions")

    def ready(self):
        from wagtail.signals import page_published, page_unpublished

        from django.db.models.signals import pre_delete

        from editorial.signals import values_merged
        from practices.models import PracticePage

        from . import signals

        values_merged.connect(
            signals.rewrite_merged_theme, dispatch_uid="rewrite-merged-theme"
        )
        page_published.connect(signals.publish_files, dispatch_uid="publish-files")
        page_unpublished.connect(
            signals.unpublish_files, dispatch_uid="unpublish-files"
        )
        pre_delete.connect(
            signals.delete_files, sender=PracticePage, dispatch_uid="delete-files"
        )
