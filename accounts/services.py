"""Deleting a member's account (AVG/GDPR art. 17), used by the view and admin alike."""

from allauth.account.models import EmailAddress

from django.db import transaction
from django.db.models import Count

from community.caching import bump_member_on_commit
from community.models import Answer, HelpfulVote
from notifications.models import purge_outbox_of


@transaction.atomic
def delete_account(user):
    """Remove the member and everything personal; their posts stay, anonymous.

    Cascades remove the profile, email addresses, follows, notifications and
    helpful votes; questions, answers, reports and contact messages keep
    their row with the member set to NULL (shown as "verwijderd lid"). The
    helpful counts of the answers the member voted for are recounted, and the
    profile photo file goes when the profile row does (signals.py).
    """
    # Public pages showed the member's name next to their posts, and their
    # votes in the "nuttig" counts: those pages are rebuilt after the commit.
    bump_member_on_commit(user, votes=True)
    voted_answer_ids = list(
        HelpfulVote.objects.filter(user=user).values_list("answer_id", flat=True)
    )
    # The outbox rows to, from or on behalf of any of the member's addresses
    # go first, while those addresses are still known.
    purge_outbox_of(user)
    EmailAddress.objects.filter(user=user).delete()
    user.delete()
    for answer in Answer.objects.filter(pk__in=voted_answer_ids).annotate(
        votes_left=Count("votes")
    ):
        if answer.helpful_count != answer.votes_left:
            Answer.objects.filter(pk=answer.pk).update(helpful_count=answer.votes_left)
