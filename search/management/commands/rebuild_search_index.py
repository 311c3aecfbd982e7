"""Rebuild the public search index from scratch."""

import time

from tqdm import tqdm

from django.core.management.base import BaseCommand, CommandError

from search.backends import get_backend
from search.backends.base import SearchClusterError
from search.documents import document_types
from search.service import rebuild


class Command(BaseCommand):
    help = "Rebuild the search index of every indexable item."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, no_progress=False, **options):
        total = sum(
            document_type.indexable().count() for document_type in document_types()
        )
        started = time.monotonic()
        with tqdm(
            total=total, desc="Zoekindex", unit="item", disable=no_progress
        ) as bar:
            try:
                rebuild(progress=bar.update)
            except SearchClusterError as error:
                raise CommandError(str(error)) from error
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Zoekindex opnieuw opgebouwd: {get_backend().count()} items "
                f"in {seconds:.1f} s."
            )
        )
