"""What makes cached pages stale when practices and their vocabularies change."""

from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from django.db.models.signals import post_delete, post_save

from core.cache import bump_version

from .models import VOCABULARY_MODELS


def connect_invalidation():
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(bump_version, dispatch_uid=f"page-cache-{signal}")
    post_delete.connect(bump_version, sender=Page, dispatch_uid="page-cache-delete")
    for model in [*VOCABULARY_MODELS, PageViewRestriction]:
        post_save.connect(bump_version, sender=model)
        post_delete.connect(bump_version, sender=model)
