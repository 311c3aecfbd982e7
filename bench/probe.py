"""Small facts about a benchmark database:
`python -m bench.probe count|questions|url|urls|question_url|sizes`."""

import os
import sys


def main(what):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings.bench")
    import django

    django.setup()
    from django.db import connection

    from community.models import Question
    from practices.models import PracticePage

    if what == "count":
        print(PracticePage.objects.count())
    elif what == "questions":
        print(Question.objects.count())
    elif what == "url":
        print(PracticePage.objects.live().filter(slug__startswith="gen-").first().url)
    elif what == "urls":
        # Every generated practice, newest first (a line each).
        pages = PracticePage.objects.live().filter(slug__startswith="gen-")
        for page in pages.order_by("-first_published_at", "-pk"):
            print(page.url)
    elif what == "question_url":
        # A question with answers, as a reader usually finds one.
        question = Question.objects.public().filter(answer_count__gte=3).first()
        print(question.get_absolute_url())
    elif what == "sizes":
        cursor = connection.cursor()
        if connection.vendor == "sqlite":
            database = os.path.getsize(connection.settings_dict["NAME"])
            try:
                cursor.execute(
                    "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search%'"
                )
                index = cursor.fetchone()[0]
            except Exception:  # dbstat is an optional SQLite module
                index = None
        else:
            cursor.execute("SELECT pg_database_size(current_database())")
            database = cursor.fetchone()[0]
            cursor.execute(
                "SELECT SUM(pg_total_relation_size(oid)) FROM pg_class "
                "WHERE relkind = 'r' AND relname LIKE 'search%'"
            )
            index = cursor.fetchone()[0]
        print(database, index or 0)


if __name__ == "__main__":
    main(sys.argv[1])
