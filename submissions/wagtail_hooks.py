"""A practice's documents are only as visible as the practice.

Wagtail serves documents at /documenten/<id>/<name> (kb/urls.py) through its
`serve` view, which honours collection view restrictions (the "Inzendingen"
collection keeps sent-in files to the editors until the practice is
published, see services._collection; submissions.signals moves a practice's
files back there when it is unpublished or deleted, or drops them) and then
asks the `before_serve_document` hooks.

A document that belongs to a practice, through the practice (PracticeDocument)
or through the submission that brought it in (SubmissionFile), is served only
while a practice that shows it is one a visitor can see
(PracticePage.objects.reachable()). A deleted practice, one
unpublished again or made private, or one whose published version no longer
has the document: a 404 for everyone but the people who may edit one of
those practices (the redactie) and the practice's owner. Documents used
elsewhere only (a region's regiobeeld, a link in a page's text) are not
affected.
"""

from wagtail import hooks

from django.http import Http404

from practices.models import PracticePage

from .models import SubmissionFile


def practices_of(document):
    """(practices showing the document, practices it was sent in for,
    whether a member sent it in at all)."""
    showing = PracticePage.objects.filter(documents__document=document).distinct()
    sent = SubmissionFile.objects.filter(document=document)
    sent_for = PracticePage.objects.filter(
        pk__in=sent.exclude(submission__page=None).values("submission__page")
    )
    return showing, sent_for, sent.exists()


@hooks.register("before_serve_document")
def documents_follow_their_practice(document, request):
    showing, sent_for, member_upload = practices_of(document)
    if not member_upload and not showing.exists():
        return None  # not a practice's document
    if showing.reachable().exists():
        return None
    user = request.user
    if user.is_authenticated:
        for page in list(showing) + list(sent_for):
            if page.owner_id == user.pk or page.permissions_for_user(user).can_edit():
                return None
        if user.has_perm("wagtaildocs.change_document"):
            return None  # the editors, also for a deleted practice's files
    raise Http404
