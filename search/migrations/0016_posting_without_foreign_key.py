from django.db import migrations, models


def drop_foreign_key(apps, schema_editor):
    """Postings without a foreign key in the database (the field keeps
    db_constraint=False). With one, SQLite looks the document up for every
    posting a rebuild deletes (19 s of a 60 s rebuild at 10,000 practices)
    and PostgreSQL checks every posting inserted when the rebuild commits.
    The backend writes and removes a document's postings with it
    (search.backends.database), so nothing is left without its document.

    On SQLite the table is made again as migration 0015 made it, WITHOUT
    ROWID with its key's columns first, minus the REFERENCES."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            constraints = connection.introspection.get_constraints(
                cursor, "search_searchposting"
            )
            for name, constraint in constraints.items():
                if constraint["foreign_key"]:
                    cursor.execute(
                        f'ALTER TABLE search_searchposting DROP CONSTRAINT "{name}"'
                    )
            return
        cursor.execute(
            'CREATE TABLE "search_searchposting_new" ('
            '"term" text NOT NULL, '
            '"document_id" bigint NOT NULL, '
            '"frequency" real NOT NULL, '
            'PRIMARY KEY ("term", "document_id")) WITHOUT ROWID'
        )
        cursor.execute(
            'INSERT INTO "search_searchposting_new" ("term", "document_id", '
            '"frequency") SELECT "term", "document_id", "frequency" '
            'FROM "search_searchposting"'
        )
        cursor.execute('DROP TABLE "search_searchposting"')
        cursor.execute(
            'ALTER TABLE "search_searchposting_new" RENAME TO "search_searchposting"'
        )
        cursor.execute(
            'CREATE INDEX "search_searchposting_document_id_3019fecd" '
            'ON "search_searchposting" ("document_id")'
        )


class Migration(migrations.Migration):
    dependencies = [("search", "0015_postings")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="searchposting",
                    name="document",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=models.deletion.CASCADE,
                        related_name="postings",
                        to="search.searchdocument",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_foreign_key, migrations.RunPython.noop),
            ],
        ),
    ]
