""" "Wij zijn hier ook mee aan de slag": recording, changing, withdrawing and
reviewing adoptions of a practice (practices.models.Adoption), one function
per action, called by the site's views, the Wagtail admin and the demo loader.

A member's adoption waits for the editors; only a confirmed one shows on the
practice page, its map and in search. So the practice is reindexed (after
the commit, which also rebuilds its cached page: practices.caching) when a
confirmed adoption appears, changes or goes, and its followers hear of it
when the editors confirm it, not when a member claims it. A member changing
what an adoption says (not only its status) sends it back to the editors.
Refusals raise services.Refused with a Dutch message.
"""

import datetime

from wagtail.log_actions import log

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from core.cache import within_rate
from notifications.events import followers, notify
from notifications.models import Notification
from practices.models import Adoption
from practices.search import KIND as PRACTICE
from search.service import schedule_update

from .services import Refused, _ensure_active

DAY = datetime.timedelta(days=1)
# The editors' decisions in Wagtail's history (registered in wagtail_hooks).
CONFIRMED_ACTION = "vindplaats.adoption_confirmed"
REJECTED_ACTION = "vindplaats.adoption_rejected"
# What a member types; a change to any of these needs the editors again.
REVIEWED_FIELDS = ("organisation", "region", "note", "own_practice", "url")


def _duplicate():
    return Refused(
        _(
            "You have already recorded this organisation for this practice "
            "example. Change that one instead; what you typed is still here."
        ),
        status=400,
    )


def _check_flood(member, adoption=None):
    """At most ADOPTIONS_PER_DAY new adoptions per member in any 24 hours,
    and EDITS_PER_POST_PER_DAY changes to one adoption."""
    limits = settings.COMMUNITY_FLOOD
    if adoption is not None:
        per_day = limits["EDITS_PER_POST_PER_DAY"]
        if not within_rate(f"community-edit:adoption:{adoption.pk}", per_day, 86400):
            raise Refused(
                _(
                    "This has been changed %(count)d times in the last 24 "
                    "hours. Please try again tomorrow; what you typed is still here."
                )
                % {"count": per_day},
                status=429,
            )
        return
    per_day = limits["ADOPTIONS_PER_DAY"]
    since = timezone.now() - DAY
    recent = list(
        Adoption.objects.filter(member=member, created_at__gte=since).values_list(
            "created_at", flat=True
        )
    )
    if len(recent) >= per_day:
        retry_at = min(recent) + DAY
        raise Refused(
            _(
                "You have reached the limit of %(count)d adoptions per 24 "
                "hours. You can record another from %(time)s; what you typed "
                "is still here."
            )
            % {
                "count": per_day,
                "time": formats.date_format(timezone.localtime(retry_at), "j F Y H:i"),
            },
            status=429,
        )


def _reindex(adoption):
    schedule_update(PRACTICE, [adoption.practice_id])


@transaction.atomic
def record_adoption(member, practice, **fields):
    """A member records that their organisation took up `practice`; it waits
    for the editors. `fields`: organisation, region, status, note,
    own_practice, url."""
    _ensure_active(member)
    _check_flood(member)
    adoption = Adoption(practice=practice, member=member, **fields)
    try:
        with transaction.atomic():
            adoption.save()
    except IntegrityError:
        raise _duplicate() from None
    return adoption


@transaction.atomic
def edit_adoption(adoption, member, **fields):
    """The member who recorded it changes it. A confirmed adoption whose
    organisation, region, note or links change waits for the editors
    again; a new status alone stays confirmed (and shows at once)."""
    _ensure_active(member)
    if adoption.member_id != member.pk:
        raise Refused(_("Only the member who recorded this can change it."))
    changed = [
        name for name, value in fields.items() if getattr(adoption, name) != value
    ]
    if not changed:
        return adoption
    _check_flood(member, adoption)
    was_shown = adoption.review == Adoption.Review.CONFIRMED
    for name, value in fields.items():
        setattr(adoption, name, value)
    if any(name in REVIEWED_FIELDS for name in changed):
        adoption.review = Adoption.Review.PENDING
        adoption.reviewed_by = adoption.reviewed_at = None
    try:
        with transaction.atomic():
            adoption.save()
    except IntegrityError:
        raise _duplicate() from None
    if was_shown:
        _reindex(adoption)
    return adoption


@transaction.atomic
def withdraw_adoption(adoption, member):
    """The member who recorded it takes it back: it is deleted."""
    if adoption.member_id != member.pk:
        raise Refused(_("Only the member who recorded this can withdraw it."))
    was_shown = adoption.review == Adoption.Review.CONFIRMED
    adoption.delete()
    if was_shown:
        _reindex(adoption)


@transaction.atomic
def review_adoption(adoption, editor, *, confirm):
    """The editors confirm (it shows, the practice's followers hear of it)
    or reject (it stays hidden; the member sees it was rejected)."""
    before = adoption.review
    adoption.review = Adoption.Review.CONFIRMED if confirm else Adoption.Review.REJECTED
    adoption.reviewed_by = editor
    adoption.reviewed_at = timezone.now()
    adoption.save(update_fields=["review", "reviewed_by", "reviewed_at", "updated_at"])
    log(
        instance=adoption,
        action=CONFIRMED_ACTION if confirm else REJECTED_ACTION,
        user=editor,
    )
    if Adoption.Review.CONFIRMED in (before, adoption.review):
        _reindex(adoption)
    if confirm and before != Adoption.Review.CONFIRMED:
        transaction.on_commit(lambda: adoption_confirmed(adoption, editor))
    return adoption


def adoption_confirmed(adoption, editor=None):
    """The practice's followers hear that it was taken up elsewhere (not the
    editor who confirmed it, nor the member who recorded it)."""
    practice = adoption.practice
    with translation.override(settings.LANGUAGE_CODE):
        message = _("“%(title)s” was taken up by %(organisation)s (%(region)s)") % {
            "title": practice.title,
            "organisation": adoption.organisation,
            "region": adoption.region.name,
        }
        recipients = {
            user_id: (message, follow)
            for user_id, follow in followers(practice=practice.pk).items()
            if user_id != adoption.member_id
        }
        url = f"{practice.url or practice.get_url() or '/'}#{adoption.anchor}"
        notify(Notification.Event.NEW_ADOPTION, url, recipients, actor=editor)
