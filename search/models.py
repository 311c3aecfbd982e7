"""Storage of the database search backend.

One row per indexed document with its display text, and one row per facet
value so counts are a GROUP BY. The full-text index itself (an FTS5 table on
SQLite, a tsvector table with a GIN index on PostgreSQL) is created by
migration 0002 and kept in step by the backend.
"""

from django.db import models


class SearchDocument(models.Model):
    kind = models.CharField(max_length=32)
    object_id = models.BigIntegerField()
    title = models.TextField()
    title_sort = models.CharField(max_length=255, db_index=True)
    url = models.CharField(max_length=500)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, db_index=True)
    updated_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="unique_search_object"
            )
        ]
        indexes = [models.Index(fields=["kind", "-published_at"])]

    def __str__(self):
        return f"{self.kind} {self.object_id}: {self.title}"


class SearchFacetValue(models.Model):
    document = models.ForeignKey(
        SearchDocument, on_delete=models.CASCADE, related_name="facet_values"
    )
    # The document's kind, repeated so facet counts are index-only scans.
    kind = models.CharField(max_length=32)
    facet = models.CharField(max_length=32)
    value = models.CharField(max_length=200)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "facet", "value", "document"]),
            models.Index(fields=["document", "facet", "value"]),
        ]

    def __str__(self):
        return f"{self.facet}={self.value}"


class PendingIndexUpdate(models.Model):
    """An object whose index update failed on a remote engine, to retry.

    Written when Elasticsearch is unreachable or refuses a write, so nothing
    published is silently left out; `manage.py process_search_queue` retries.
    """

    kind = models.CharField(max_length=32)
    object_id = models.BigIntegerField()
    attempts = models.PositiveIntegerField(default=1)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="unique_pending_update"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id} ({self.attempts}x)"


class SearchIndexState(models.Model):
    """A token per kind of document that changes, in the same transaction,
    with every write to that kind's part of the database backend's index.

    Each process keeps the index's facet columns in memory per kind
    (search.backends.columns) and reloads them when the token it loaded them
    for is no longer the one stored. A token, not a counter: a rolled-back
    write brings back the old token together with the old documents, so a
    token always names one content of the index.
    """

    kind = models.CharField(max_length=32, unique=True)
    token = models.CharField(max_length=32)

    def __str__(self):
        return f"{self.kind}: {self.token}"
