"""Stored files that go with their rows."""

from django.db import transaction


def delete_file_on_commit(storage, name):
    """Remove a stored file once the transaction that dropped it commits
    (a rolled-back delete keeps the file its row still names)."""
    transaction.on_commit(lambda: storage.delete(name))
