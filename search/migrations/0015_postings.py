import django.db.models.deletion
from django.db import migrations, models

# The field weights of search.backends.base.WEIGHTS when this was written:
# title, summary, keywords, body. Postings written later use the current ones.
FIELD_WEIGHTS = {"title": 10.0, "summary": 4.0, "keywords": 2.0, "body": 1.0}


def store_by_term(apps, schema_editor):
    """Keep each term's postings together, so ranking reads them in one
    pass over the key (search.backends.ranking): on SQLite the table
    becomes WITHOUT ROWID, ordered by its key (term, document) itself; on
    PostgreSQL the key's index also holds the frequency, for index-only
    scans. Django's schema is the same either way (the index on document,
    for deletes, is made after this, with the rest of the migration's
    deferred statements)."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE search_searchposting "
                "DROP CONSTRAINT search_searchposting_pkey, "
                "ADD PRIMARY KEY (term, document_id) INCLUDE (frequency)"
            )
            return
        cursor.execute("DROP TABLE search_searchposting")
        # The key's columns first: SQLite 3.40's integrity check misreads a
        # WITHOUT ROWID table whose REAL NOT NULL column sits before one of
        # them ("NULL value in ...frequency"), which would fail the backups.
        cursor.execute(
            'CREATE TABLE "search_searchposting" ('
            '"term" text NOT NULL, '
            '"document_id" bigint NOT NULL REFERENCES "search_searchdocument" '
            '("id") DEFERRABLE INITIALLY DEFERRED, '
            '"frequency" real NOT NULL, '
            'PRIMARY KEY ("term", "document_id")) WITHOUT ROWID'
        )


def count_postings(apps, schema_editor):
    """The postings and lengths of the documents already indexed, read from
    the full-text index itself, so no rebuild is needed: per term and
    document the occurrences weighted by field, per document its terms."""
    connection = schema_editor.connection

    def weight_of(names):
        # SQL CASE branches giving each field's weight by its name in the index.
        return " ".join(
            f"WHEN '{name}' THEN {value}"
            for name, value in zip(names, FIELD_WEIGHTS.values(), strict=True)
        )

    weight = weight_of("ABCD")  # PostgreSQL's weight letters
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A lexeme's weights: one letter per occurrence (A = title ... D).
            cursor.execute(
                "CREATE TEMPORARY TABLE search_occurrences AS "
                "SELECT f.document_id, t.lexeme, w.weight "
                "FROM search_fulltext f CROSS JOIN LATERAL unnest(f.vector) t "
                "CROSS JOIN LATERAL unnest(t.weights) w(weight)"
            )
            cursor.execute(
                "INSERT INTO search_searchposting (term, document_id, frequency) "
                f"SELECT lexeme, document_id, sum(CASE weight::text {weight} END) "
                "FROM search_occurrences GROUP BY lexeme, document_id"
            )
            cursor.execute(
                "UPDATE search_searchdocument d SET length = o.count FROM ("
                "SELECT document_id, count(*) AS count FROM search_occurrences "
                "GROUP BY document_id) o WHERE o.document_id = d.id"
            )
            cursor.execute("DROP TABLE search_occurrences")
            return
        column = weight_of(FIELD_WEIGHTS)  # FTS5 column names
        cursor.execute(
            "CREATE VIRTUAL TABLE temp.search_fulltext_instances "
            "USING fts5vocab(main, search_fulltext, 'instance')"
        )
        cursor.execute(
            "INSERT INTO search_searchposting (term, document_id, frequency) "
            f"SELECT term, doc, sum(CASE col {column} END) "
            "FROM temp.search_fulltext_instances WHERE col != 'kind' "
            "GROUP BY term, doc"
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE search_lengths "
            "(document_id INTEGER PRIMARY KEY, length INTEGER)"
        )
        cursor.execute(
            "INSERT INTO temp.search_lengths SELECT doc, count(*) "
            "FROM temp.search_fulltext_instances WHERE col != 'kind' GROUP BY doc"
        )
        cursor.execute(
            "UPDATE search_searchdocument SET length = coalesce(("
            "SELECT length FROM temp.search_lengths "
            "WHERE document_id = search_searchdocument.id), 0)"
        )
        cursor.execute("DROP TABLE temp.search_lengths")
        cursor.execute("DROP TABLE temp.search_fulltext_instances")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0014_indexed_term"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="length",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.CreateModel(
            name="SearchPosting",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "term",
                        "document",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("term", models.TextField()),
                ("frequency", models.FloatField()),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="postings",
                        to="search.searchdocument",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="searchdocument",
            index=models.Index(
                fields=["kind", "id", "length"], name="search_document_length"
            ),
        ),
        migrations.RunPython(store_by_term, migrations.RunPython.noop),
        migrations.RunPython(count_postings, migrations.RunPython.noop),
    ]
