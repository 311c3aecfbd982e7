"""How a practice is found: its indexable representation and index updates.

One function (`indexable_practices`) decides what may ever be returned: live
practices outside any private section. The receivers update the index after
the transaction commits whenever that, or what a practice shows, may change.
"""

import re
from html import unescape

from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from django.db.models import Count, Q
from django.db.models.signals import post_delete, post_save
from django.utils.html import strip_tags

from search.documents import Document, DocumentType
from search.service import schedule_update

from . import caching, similar
from .facets import FACETS, every_label
from .models import VOCABULARY_MODELS, Adoption, Organisation, PracticePage

KIND = "practice"


def indexable_practices():
    """The practices a visitor can see (PracticePage.objects.reachable())."""
    return PracticePage.objects.reachable()


def with_facets(queryset):
    confirmed = Q(adoptions__review=Adoption.Review.CONFIRMED)
    return queryset.annotate(
        confirmed_adoptions=Count("adoptions", filter=confirmed)
    ).prefetch_related(
        "provinces",
        "care_office_regions",
        "themes",
        "movements",
        "target_groups",
        "practice_organisations__organisation",
    )


# Where a block ends or a line breaks, words on either side stay apart: "in
# kaart;</li><li>in een" is "in kaart; in een", not "kaart;in".
BLOCK_BOUNDARY = re.compile(
    r"<(?=/?(?:p|li|ul|ol|h[1-6]|br|div|blockquote|table|tr|td|th|dd|dt|figcaption)\b)",
    re.IGNORECASE,
)


def plain_text(html):
    """The words of member or editor HTML, one space between them, for the
    index and its snippets."""
    spaced = BLOCK_BOUNDARY.sub(" <", html or "")
    return " ".join(unescape(strip_tags(spaced)).split())


def practice_document(page):
    facets, labels = {}, []
    uptake = getattr(page, "confirmed_adoptions", None)
    if uptake is None:  # not read through with_facets
        uptake = page.adoptions.confirmed().count()
    organisations = [link.organisation for link in page.practice_organisations.all()]
    for facet in FACETS:
        if facet.key in ("fase", "niveau"):  # one choice of the practice's own
            value = getattr(page, facet.lookup)
            facets[facet.key] = [value] if value else []
            continue
        if facet.key == "organisatietype":
            # Each type once, however many of its organisations take part.
            types = {organisation.organisation_type for organisation in organisations}
            facets[facet.key] = sorted(types - {""})
            continue
        if facet.key == "overgenomen":
            facets[facet.key] = [Adoption.Uptake.ELSEWHERE] if uptake else []
            continue
        if facet.key == "organisatie":
            values = organisations
        else:
            values = list(getattr(page, facet.relation).all())
        facets[facet.key] = [value.slug for value in values]
        labels += [value.name for value in values]
    return Document(
        kind=KIND,
        id=page.pk,
        title=page.title,
        url=page.get_url() or "",
        summary=page.summary,
        body=" ".join(
            plain_text(html) for _anchor, _heading, html in page.story_sections()
        ),
        keywords=" ".join(labels),
        published_at=page.first_published_at,
        updated_at=page.last_published_at,
        facets=facets,
        uptake=uptake,
    )


def _reindexed(ids):
    """The index changed for these practices (all of them for an empty
    list), after the commit: their stored "comparable" lists first, then the
    page versions, so a page part drawn after the bump never reads a list
    worked out from the old index."""
    similar.practices_reindexed(ids)
    caching.practices_reindexed(ids)


PRACTICE_DOCUMENTS = DocumentType(
    kind=KIND,
    model=PracticePage,
    indexable=indexable_practices,
    to_document=practice_document,
    prefetch=with_facets,
    facets=[facet.spec for facet in FACETS],
    facet_labels=every_label,
    pages_changed=_reindexed,
)


def _page_changed(sender, instance, **kwargs):
    instance = instance.specific
    if isinstance(instance, PracticePage):
        schedule_update(KIND, [instance.pk])
    elif instance.numchild:
        # A section was (un)published or moved: its practices may have come
        # into or gone out of reach.
        schedule_update(
            KIND,
            PracticePage.objects.descendant_of(instance).values_list("pk", flat=True),
        )


def _vocabulary_changed(sender, instance, **kwargs):
    """A renamed value changes the text of every practice that uses it, and
    an organisation's new type the type facet of every practice it is in."""
    if sender is Organisation:
        practices = PracticePage.objects.filter(
            practice_organisations__organisation=instance
        )
    else:
        practices = instance.practices.all()
    schedule_update(KIND, practices.values_list("pk", flat=True))


def _restriction_changed(sender, instance, **kwargs):
    """A view restriction hides or reveals a whole section."""
    page = instance.page
    schedule_update(
        KIND,
        PracticePage.objects.descendant_of(page, inclusive=True).values_list(
            "pk", flat=True
        ),
    )


def connect_signals():
    page_published.connect(_page_changed)
    page_unpublished.connect(_page_changed)
    post_page_move.connect(_page_changed)
    post_delete.connect(_page_changed, sender=PracticePage)
    for model in VOCABULARY_MODELS:
        post_save.connect(_vocabulary_changed, sender=model)
    post_save.connect(_restriction_changed, sender=PageViewRestriction)
    post_delete.connect(_restriction_changed, sender=PageViewRestriction)
