"""Work out the stored "comparable initiatives" of the practices
(practices.similar) that are missing or about to be a day old, so visitors
do not wait for them. Run it daily from cron; `--all` works out every list
(after loading a database, say)."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from practices.models import SimilarPractices
from practices.similar import BATCH, KIND, compute
from search.models import SearchDocument


class Command(BaseCommand):
    help = "Work out the stored lists of comparable practices that are missing or old."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=20,
            help="Work out the lists older than this many hours (default 20).",
        )
        parser.add_argument(
            "--all", action="store_true", help="Work out every list again."
        )

    def handle(self, *args, older_than, all, **options):
        ids = SearchDocument.objects.filter(kind=KIND).values_list(
            "object_id", flat=True
        )
        if not all:
            since = timezone.now() - datetime.timedelta(hours=older_than)
            recent = SimilarPractices.objects.filter(computed_at__gte=since)
            ids = ids.exclude(object_id__in=recent.values("page_id"))
        ids = sorted(ids)
        for start in range(0, len(ids), BATCH):
            compute(ids[start : start + BATCH])
        self.stdout.write(f"{len(ids)} lists of comparable practices worked out")
