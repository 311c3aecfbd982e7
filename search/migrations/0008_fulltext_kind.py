"""SQLite: the full-text table gets the document's kind as a fifth column.

A search for practices then asks FTS5 for practices only (`kind : practice`
in the MATCH expression), so ranking never scores the questions it would
drop, and never needs a join to know a row's kind. The rows are copied over
with their kind; PostgreSQL ranks with a join and is left as it is.
"""

from django.db import migrations

COLUMNS = "title, summary, keywords, body"
FORWARD = [
    "CREATE VIRTUAL TABLE search_fulltext_new USING fts5("
    f"{COLUMNS}, kind, tokenize = 'unicode61 remove_diacritics 0')",
    f"INSERT INTO search_fulltext_new (rowid, {COLUMNS}, kind) "
    f"SELECT f.rowid, f.title, f.summary, f.keywords, f.body, d.kind "
    "FROM search_fulltext f JOIN search_searchdocument d ON d.id = f.rowid",
    "DROP TABLE search_fulltext",
    "ALTER TABLE search_fulltext_new RENAME TO search_fulltext",
]
BACKWARD = [
    "CREATE VIRTUAL TABLE search_fulltext_old USING fts5("
    f"{COLUMNS}, tokenize = 'unicode61 remove_diacritics 0')",
    f"INSERT INTO search_fulltext_old (rowid, {COLUMNS}) "
    f"SELECT rowid, {COLUMNS} FROM search_fulltext",
    "DROP TABLE search_fulltext",
    "ALTER TABLE search_fulltext_old RENAME TO search_fulltext",
]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("search", "0007_index_state")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
