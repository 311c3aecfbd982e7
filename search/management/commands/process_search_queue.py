"""Retry index updates that a remote search engine could not take."""

from django.core.management.base import BaseCommand

from search.models import PendingIndexUpdate
from search.service import update_index


class Command(BaseCommand):
    help = "Retry queued search index updates (run from cron, e.g. every minute)."

    def handle(self, *args, **options):
        pending = PendingIndexUpdate.objects.order_by("created_at")
        by_kind = {}
        for kind, object_id in pending.values_list("kind", "object_id"):
            by_kind.setdefault(kind, []).append(object_id)
        tried = sum(len(ids) for ids in by_kind.values())
        for kind, ids in by_kind.items():
            for start in range(0, len(ids), 500):
                update_index(kind, ids[start : start + 500])
        left = PendingIndexUpdate.objects.count()
        message = (
            f"{tried} wachtende index-updates geprobeerd, {left} nog in de wachtrij."
        )
        self.stdout.write(
            self.style.SUCCESS(message) if not left else self.style.WARNING(message)
        )
