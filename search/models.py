"""Storage of the database search backend.

One row per indexed document with its display text, and one row per facet
value so counts are a GROUP BY. The full-text index itself (an FTS5 table on
SQLite, a tsvector table with a GIN index on PostgreSQL) is created by
migration 0002 and kept in step by the backend.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .analysis import analyze


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
    # How many terms the document has indexed, in all its fields: bm25's
    # document length (search.backends.ranking).
    length = models.PositiveIntegerField(default=0)
    # Document.uptake: the "most taken up" order (backends.columns).
    uptake = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="unique_search_object"
            )
        ]
        indexes = [
            models.Index(fields=["kind", "-published_at"]),
            # The lengths bm25 reads, without the texts (search.backends.ranking).
            models.Index(
                fields=["kind", "id", "length"], name="search_document_length"
            ),
        ]

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


class SearchPosting(models.Model):
    """One term of one document: how often it occurs there, each occurrence
    counted with the weight of its field (search.backends.base.WEIGHTS), so
    a word in the title counts ten times one in the body.

    The database backend ranks from these rows (search.backends.ranking),
    the same bm25 on SQLite and PostgreSQL, as Lucene ranks from the term
    statistics it stores. Looked up by term, so the key leads with it, and
    migration 0015 stores the rows in the key's order (SQLite) or the
    frequency in the key's index (PostgreSQL).
    """

    pk = models.CompositePrimaryKey("term", "document")
    term = models.TextField()
    # No foreign key in the database (migration 0016): the backend writes
    # and removes a document's postings with it, and a rebuild replaces
    # millions of rows, each of which the key would check.
    document = models.ForeignKey(
        SearchDocument,
        on_delete=models.CASCADE,
        related_name="postings",
        db_constraint=False,
    )
    frequency = models.FloatField()

    def __str__(self):
        return f"{self.term} in {self.document_id}: {self.frequency}"


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


class IndexedTerm(models.Model):
    """An indexed term with the number of documents that hold it: the
    database backend's vocabulary (search.backends.vocabulary), counted in
    the same transaction as documents are indexed and removed, so reading
    it is one small table rather than a scan of the full-text index.

    A count, not a flag: a term stays while any document holds it. Rows
    that reach 0 are removed.
    """

    term = models.TextField(unique=True)
    documents = models.IntegerField()

    def __str__(self):
        return f"{self.term} ({self.documents})"


class Synonym(models.Model):
    """Words the redactie says mean the same, applied to every search when
    it is asked (search.synonyms), so a change needs no rebuild of the index.

    Without an abbreviation the terms are one group: each finds the others
    ("beeldbellen, videoconsult"). With one it is a one-way expansion: the
    abbreviation also finds what it stands for, but those words do not find
    the abbreviation ("ELV" finds "eerstelijnsverblijf", not the other way:
    "elv" may mean something else in a text about anything else).
    """

    abbreviation = models.CharField(
        _("abbreviation"),
        max_length=100,
        blank=True,
        help_text=_(
            "Leave empty for a group of equivalent terms. Filled in, a search "
            "for this word also finds the terms below, but not the other way round."
        ),
    )
    terms = models.TextField(
        _("terms"),
        help_text=_(
            "Separated by commas; a term may be several words "
            '("spoedeisende hulp, SEH").'
        ),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("synonym")
        verbose_name_plural = _("synonyms")
        ordering = ["abbreviation", "terms"]

    def __str__(self):
        if self.abbreviation:
            return f"{self.abbreviation} → {', '.join(self.term_list())}"
        return ", ".join(self.term_list())

    def term_list(self):
        return split_terms(self.terms)

    def clean(self):
        errors = {}
        terms = self.term_list()
        empty = [term for term in terms if not analyze(term)]
        if empty:
            errors["terms"] = _(
                "These terms consist of stopwords only and would match nothing: %s"
            ) % ", ".join(empty)
        elif self.abbreviation and not terms:
            errors["terms"] = _("Give at least one term the abbreviation stands for.")
        elif not self.abbreviation and len(terms) < 2:
            errors["terms"] = _(
                "A group needs at least two terms (or fill in an abbreviation)."
            )
        if self.abbreviation and not analyze(self.abbreviation):
            errors["abbreviation"] = _(
                "This consists of stopwords only and would match nothing."
            )
        if errors:
            raise ValidationError(errors)


def split_terms(text):
    """The terms of a comma (or semicolon, or newline) separated list."""
    return [
        " ".join(term.split())
        for term in re.split(r"[,;\n]", text or "")
        if term.strip()
    ]


class SearchTerm(models.Model):
    """How often a text was searched for on one day, and how many results it
    had when last shown: the redactie's "Zoektermen" report (search.terms).
    Nothing about who searched is kept, and texts that look like an email
    address or a phone number are not kept at all."""

    day = models.DateField(_("day"))
    text = models.CharField(_("search text"), max_length=200)
    searches = models.PositiveIntegerField(_("searches"), default=0)
    results = models.PositiveIntegerField(_("results"), null=True)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")
        constraints = [
            models.UniqueConstraint(fields=["day", "text"], name="search_term_per_day")
        ]
        indexes = [models.Index(fields=["day"], name="search_term_day")]

    def __str__(self):
        return f"{self.day}: {self.text}"
