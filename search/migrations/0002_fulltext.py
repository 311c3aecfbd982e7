"""The full-text table of the database backend, in each database's own kind.

SQLite: an FTS5 virtual table whose rowid is the SearchDocument id, one column
per weighted field. PostgreSQL: a tsvector per document with a GIN index. Both
hold terms already analysed in Python (search.analysis), so the database only
matches and ranks.
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE search_fulltext USING fts5("
    "title, summary, keywords, body, tokenize = 'unicode61 remove_diacritics 0')",
]
POSTGRESQL = [
    "CREATE TABLE search_fulltext ("
    " document_id bigint PRIMARY KEY"
    " REFERENCES search_searchdocument (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,"
    " vector tsvector NOT NULL)",
    "CREATE INDEX search_fulltext_vector ON search_fulltext USING gin (vector)",
]


def create(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(schema_editor.connection.vendor)
    if statements is None:
        raise RuntimeError("The database search backend supports SQLite and PostgreSQL.")
    for statement in statements:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS search_fulltext")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_documents")]

    operations = [migrations.RunPython(create, drop)]
