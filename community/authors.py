"""Who wrote a post, as shown next to it: name, profile link and badges.

Two badges: "ervaringsdeskundige" (the member ticked lived experience on
their profile) and "initiatiefnemer" (the member's verified email address is
that of a contact person of a live practice, or they own a live practice
page). `with_author_badges` adds the second as one annotation, so a page of
posts costs no extra query per post.
"""

from allauth.account.models import EmailAddress

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.db.models.functions import Upper

from practices.models import PracticeContact, PracticePage


def with_author_badges(queryset):
    """Posts with `author_is_initiator` and the author's profile loaded."""
    # UPPER(email) = UPPER(address), spelled out rather than `email__iexact`
    # (a LIKE on SQLite, which no index serves): both databases then find the
    # address through the contacts' UPPER(email) index instead of reading
    # every contact for every post.
    contact = PracticeContact.objects.annotate(email_upper=Upper("email")).filter(
        page__live=True, email_upper=Upper(OuterRef("email"))
    )
    verified_contact = EmailAddress.objects.filter(
        user_id=OuterRef("author_id"), verified=True
    ).filter(Exists(contact))
    owner = PracticePage.objects.filter(live=True, owner_id=OuterRef("author_id"))
    return queryset.select_related("author__profile").annotate(
        author_is_initiator=ExpressionWrapper(
            Q(Exists(verified_contact)) | Q(Exists(owner)),
            output_field=BooleanField(),
        )
    )
