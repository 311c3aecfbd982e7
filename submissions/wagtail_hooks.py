"""A practice's documents are only as visible as the practice.

Wagtail serves documents at /documenten/<id>/<name> (kb/urls.py) through its
`serve` view, which honours collection view restrictions (the "Inzendingen"
collection keeps sent-in files to the editors until the practice is
published, see services._collection) and then asks the
`before_serve_document` hooks. A document that belongs to practices
(PracticeDocument) is served only while one of them is live and public:
unpublished again, made private or deleted, its documents are a 404 for
everyone but the people who may edit one of those practices (the redactie)
and the practice's owner. Documents used elsewhere only (a region's
regiobeeld, a link in a page's text) are not affected.
"""

from wagtail import hooks

from django.http import Http404

from practices.models import PracticePage


@hooks.register("before_serve_document")
def documents_follow_their_practice(document, request):
    pages = PracticePage.objects.filter(documents__document=document).distinct()
    if not pages.exists():
        return None
    if pages.live().public().exists():
        return None
    user = request.user
    if user.is_authenticated:
        for page in pages:
            if page.owner_id == user.pk or page.permissions_for_user(user).can_edit():
                return None
    raise Http404
