from django import template
from django.db.models import Exists, OuterRef

from practices.models import PracticePage

from ..models import Collection, CollectionPractice

register = template.Library()


@register.inclusion_tag("editorial/includes/collections_block.html")
def collections_block(limit=6):
    """Collections with at least one live practice, for the home page (one query)."""
    live = CollectionPractice.objects.filter(
        collection=OuterRef("pk"),
        practice__in=PracticePage.objects.reachable().values("pk"),
    )
    collections = Collection.objects.filter(Exists(live)).only(
        "title", "slug", "intro"
    )[:limit]
    return {"collections": list(collections)}
