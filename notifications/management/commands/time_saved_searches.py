"""Time matching one published practice against many saved searches.

    .venv/bin/python manage.py time_saved_searches --count 10000

Inside one transaction that is rolled back at the end (nothing stays, no
email is sent), it saves `--count` searches made of words from the indexed
practices' titles and of their facet values (most text, some text and a
filter, some filters only), then times notifications.saved.match_practice
for one practice (the reverse matching: key lookups and a confirmation per
candidate), and, for comparison, asking every saved search one by one (brute
force, timed on a sample and scaled up). docs/community-and-email.md quotes
its figures.
"""

import random
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.http import QueryDict

from search.documents import get_type
from search.models import SearchDocument, SearchFacetValue
from search.query import parse_params
from search.service import matching

from ... import saved as saved_searches
from ...models import SavedSearch, SavedSearchKey, SavedSearchMatch


class Command(BaseCommand):
    help = "Time one publish against many saved searches (rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=10_000)
        parser.add_argument("--reps", type=int, default=5)
        parser.add_argument("--sample", type=int, default=200)
        parser.add_argument("--seed", type=int, default=18)

    def handle(self, count, reps, sample, seed, **options):
        with transaction.atomic():
            self.run(count, reps, sample, random.Random(seed))
            transaction.set_rollback(True)

    def run(self, count, reps, sample, rng):
        documents = list(
            SearchDocument.objects.filter(kind="practice").values_list(
                "object_id", "title"
            )
        )
        words = sorted(
            {
                word.strip(".,:;()“”'\"").lower()
                for _id, title in documents
                for word in title.split()
                if len(word) >= 5
            }
        )
        values = list(
            SearchFacetValue.objects.filter(kind="practice")
            .values_list("facet", "value")
            .distinct()
        )
        user = get_user_model().objects.create(username="time-saved-searches")
        counts = saved_searches.facet_counts()
        started = time.perf_counter()
        made = 0
        while made < count:
            params = QueryDict(mutable=True)
            kind = rng.random()
            if kind < 0.85:
                params["q"] = " ".join(rng.sample(words, rng.randint(1, 3)))
            if kind >= 0.7:
                facet, value = rng.choice(values)
                params[facet] = value
            query, errors = parse_params(params)
            if errors:
                continue
            query_string = saved_searches.canonical_query(query)
            saved = SavedSearch.objects.create(
                user=user,
                name=str(made),
                query=query_string,
                query_hash=f"{made}",
            )
            saved_searches.set_keys(saved, query, counts)
            made += 1
        self.stdout.write(
            f"{count} saved searches ({SavedSearchKey.objects.count()} keys) "
            f"saved in {time.perf_counter() - started:.1f} s"
        )
        practice_id = rng.choice(documents)[0]
        document = next(iter(get_type("practice").documents([practice_id])))
        candidates = saved_searches.candidates(document)
        timings, found = [], []
        for _rep in range(reps):
            SavedSearchMatch.objects.all().delete()
            started = time.perf_counter()
            found = saved_searches.match_practice(practice_id)
            timings.append(time.perf_counter() - started)
        timings.sort()
        self.stdout.write(
            f"reverse matching, practice {practice_id}: "
            f"{len(candidates)} candidates, {len(found)} match; "
            f"median {timings[len(timings) // 2] * 1000:.0f} ms "
            f"(best {timings[0] * 1000:.0f} ms) of {reps}"
        )
        picked = rng.sample(
            list(SavedSearch.objects.filter(user=user)), min(sample, count)
        )
        started = time.perf_counter()
        for saved in picked:
            matching(saved_searches.parse_saved(saved.query), [practice_id])
        each = (time.perf_counter() - started) / len(picked)
        self.stdout.write(
            f"brute force: {each * 1000:.2f} ms per saved search, "
            f"{each * count:.1f} s for all {count} (from {len(picked)})"
        )
