"""Deleting a member's account (AVG/GDPR art. 17), used by the view and admin alike."""

from allauth.account.models import EmailAddress

from django.db import transaction
from django.db.models import Count

from community.models import Answer, HelpfulVote
from kb.cache import bump_version


@transaction.atomic
def delete_account(user):
    """Remove the member and everything personal; their posts stay, anonymous.

    Cascades remove the profile, email addresses, follows, notifications and
    helpful votes; questions, answers, reports and contact messages keep
    their row with the member set to NULL (shown as "verwijderd lid"). The
    helpful counts of the answers the member voted for are recounted, and the
    profile photo file goes when the profile row does (signals.py).
    """
    voted_answer_ids = list(
        HelpfulVote.objects.filter(user=user).values_list("answer_id", flat=True)
    )
    EmailAddress.objects.filter(user=user).delete()
    user.delete()
    for answer in Answer.objects.filter(pk__in=voted_answer_ids).annotate(
        votes_left=Count("votes")
    ):
        if answer.helpful_count != answer.votes_left:
            Answer.objects.filter(pk=answer.pk).update(helpful_count=answer.votes_left)
    # Public pages showed the member's name next to their posts.
    transaction.on_commit(bump_version)
