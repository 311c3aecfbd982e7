"""The search contract on the database backend (SQLite FTS5 or PostgreSQL)."""

from tests.search_contract import SearchContract


class TestDatabaseBackend(SearchContract):
    backend = {"BACKEND": "search.backends.database.DatabaseBackend"}
