"""The demo collection, created by `load_demo_data` (idempotent)."""

from django.db import transaction

from practices.models import PracticePage

from .models import Collection, CollectionPractice

DEMO_COLLECTION = {
    "slug": "acute-zorg-voor-ouderen",
    "title": "Acute zorg voor ouderen",
    "intro": (
        "Als een kwetsbare oudere acuut zorg nodig heeft, is de spoedeisende hulp "
        "vaak niet de beste plek. Deze initiatieven regelen snelle zorg thuis, "
        "in een acute ouderenzorgafdeling of via een coördinatiepunt voor "
        "eerstelijnsverblijf."
    ),
    "theme": "acute-zorg",
    "target_group": "kwetsbare-ouderen",
    "size": 6,
}


@transaction.atomic
def load_demo_collection():
    """Create the demo collection with up to six matching live practices.

    A collection that exists already (an editor may have changed it) is left
    alone. Returns True when it was created."""
    data = DEMO_COLLECTION
    if Collection.objects.filter(slug=data["slug"]).exists():
        return False
    practices = list(
        PracticePage.objects.live()
        .public()
        .filter(themes__slug=data["theme"], target_groups__slug=data["target_group"])
        .order_by("title")
        .distinct()[: data["size"]]
    )
    if len(practices) < 4:
        return False
    collection = Collection.objects.create(
        slug=data["slug"], title=data["title"], intro=data["intro"]
    )
    CollectionPractice.objects.bulk_create(
        CollectionPractice(collection=collection, practice=practice, sort_order=order)
        for order, practice in enumerate(practices)
    )
    return True
