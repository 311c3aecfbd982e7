"""Public pages of the redactie: collections, and the "still current" link."""

from django.core import signing
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.cache import depends_on, model_name, within_rate
from practices.models import PracticePage

from .freshness import mark_reviewed, read_confirm_token
from .models import Collection, CollectionPractice
from .workflow import my_practices_url

# What the cached collection pages show: the collections and their practices
# (editorial.apps, practices.caching).
COLLECTION_PAGES = (model_name(Collection), model_name(PracticePage))


def collection_index(request):
    """Every collection with a live practice, with its live practice count."""
    depends_on(*COLLECTION_PAGES)
    live_ids = PracticePage.objects.reachable().values("pk")
    collections = Collection.objects.prefetch_related(
        Prefetch(
            "items",
            queryset=CollectionPractice.objects.filter(practice__in=live_ids).only(
                "pk", "collection_id", "practice_id"
            ),
            to_attr="live_items",
        )
    )
    shown = [c for c in collections if c.live_items]
    return render(request, "editorial/collection_index.html", {"collections": shown})


def collection_detail(request, slug):
    depends_on(*COLLECTION_PAGES)
    collection = get_object_or_404(Collection, slug=slug)
    practices = collection.live_practices()
    return render(
        request,
        "editorial/collection_detail.html",
        {"collection": collection, "practices": practices},
    )


CONFIRMS_PER_HOUR = 5


@require_http_methods(["GET", "POST"])
def confirm_current(request, token):
    """The link in the yearly reminder: the owner confirms (POST) that their
    practice is still current. The signed token names the practice and its
    owner; it is the credential, so no login is needed."""
    try:
        page_id, owner_id = read_confirm_token(token)
    except signing.BadSignature:
        return render(request, "editorial/confirm_invalid.html", status=400)
    page = (
        PracticePage.objects.live()
        .filter(pk=page_id, owner_id=owner_id)
        .only("pk", "title", "url_path", "last_reviewed_at", "owner_id")
        .first()
    )
    if page is None:
        # Unpublished, deleted, or handed to someone else since the email.
        raise Http404
    done = False
    if request.method == "POST":
        # An anonymous link: a few confirmations per practice per hour are
        # plenty (a second one the same day changes nothing anyway).
        if not within_rate(f"confirm-current:{page.pk}", CONFIRMS_PER_HOUR, 3600):
            return render(
                request,
                "editorial/confirm_current.html",
                {"practice": page, "token": token, "rate_limited": True},
                status=429,
            )
        if page.last_reviewed_at != timezone.localdate():
            mark_reviewed([page.pk])
            page.last_reviewed_at = timezone.localdate()
        done = True
    return render(
        request,
        "editorial/confirm_current.html",
        {
            "practice": page,
            "token": token,
            "done": done,
            "mine_url": my_practices_url(),
        },
    )
