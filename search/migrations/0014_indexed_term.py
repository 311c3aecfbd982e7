from django.db import migrations, models


def count_terms(apps, schema_editor):
    """Count the terms of the documents already indexed, from the full-text
    index itself, so no rebuild is needed."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "INSERT INTO search_indexedterm (term, documents) "
                "SELECT word, ndoc FROM ts_stat('SELECT vector FROM search_fulltext')"
            )
        else:
            cursor.execute(
                "CREATE VIRTUAL TABLE temp.search_fulltext_terms "
                "USING fts5vocab(main, search_fulltext, 'instance')"
            )
            cursor.execute(
                "INSERT INTO search_indexedterm (term, documents) "
                "SELECT term, count(DISTINCT doc) FROM temp.search_fulltext_terms "
                "WHERE col != 'kind' GROUP BY term"
            )
            cursor.execute("DROP TABLE temp.search_fulltext_terms")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0012_search_terms"),
    ]

    operations = [
        migrations.CreateModel(
            name="IndexedTerm",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("term", models.TextField(unique=True)),
                ("documents", models.IntegerField()),
            ],
        ),
        migrations.RunPython(count_terms, migrations.RunPython.noop),
    ]
