"""Work out the stored "comparable initiatives" of the practices
(practices.similar) that are missing or about to be a day old, so visitors
do not wait for them. Run it daily from cron; `--all` works out every list
(after loading a database, say). `--part K/N` works out every Nth of them
(the Kth, from 1), so N processes started side by side share the work
between the cores (`make bench` does so after building its databases)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
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
        parser.add_argument(
            "--part",
            default="1/1",
            help="K/N: only every Nth practice, starting at the Kth (default 1/1).",
        )

    def handle(self, *args, older_than, all, part, **options):
        number, count = _part(part)
        ids = SearchDocument.objects.filter(kind=KIND).values_list(
            "object_id", flat=True
        )
        if not all:
            since = timezone.now() - datetime.timedelta(hours=older_than)
            recent = SimilarPractices.objects.filter(computed_at__gte=since)
            ids = ids.exclude(object_id__in=recent.values("page_id"))
        ids = sorted(ids)[number - 1 :: count]
        for start in range(0, len(ids), BATCH):
            compute(ids[start : start + BATCH])
        self.stdout.write(f"{len(ids)} lists of comparable practices worked out")


def _part(text):
    try:
        number, count = (int(n) for n in text.split("/"))
    except ValueError:
        number = count = 0
    if not 1 <= number <= count:
        raise CommandError(f"--part takes K/N with 1 <= K <= N, not {text!r}.")
    return number, count
