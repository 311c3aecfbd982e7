"""A changed synonym applies to the next search: its list's version
(search.synonyms.SYNONYMS) is bumped once the change commits, and a backend
that keeps its own copy (Elasticsearch's synonym set) is told then."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.cache import bump_on_commit

from .backends import get_backend
from .models import Synonym
from .synonyms import SYNONYMS


@receiver(post_save, sender=Synonym)
@receiver(post_delete, sender=Synonym)
def synonyms_changed(**kwargs):
    bump_on_commit(SYNONYMS)
    waiting = transaction.get_connection().run_on_commit
    if not any(callback is _tell_backend for _points, callback, *_ in waiting):
        transaction.on_commit(_tell_backend)  # once per transaction


def _tell_backend():
    get_backend().synonyms_changed()
