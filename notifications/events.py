"""What happens on the site, turned into notifications and emails.

`notify` is the one way to tell members: it drops the member who caused the
event, keeps one notification per member even when they follow several
matching things (`followers`), and stores the notifications. Members who
chose "immediate" get an email per notification through the outbox; daily
members get theirs in the digest (send_notification_digests). `mail_member`
emails one member without a notification (moderation messages).

The receiver here is the practices': a published practice is news for the
followers of its themes and provinces, or of the practice itself; it is
connected in NotificationsConfig.ready(). The apps above use the same
helpers for their own events (community.notify, editorial.reminders).
"""

import logging

from wagtail.signals import page_published

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from practices.models import PracticePage

# Connected before synonyms_changed below: a changed rule is in force (its
# version bumped) before the saved searches' keys are worked out again.
from search import signals  # noqa: F401
from search.models import Synonym

from .follows import describe_follow
from .mail import (
    absolute_url,
    queue_email,
    unsubscribe_headers,
    unsubscribe_link,
)
from .models import Follow, Notification, SavedSearch

SUBJECT_PREFIX = "[Vindplaats] "
logger = logging.getLogger("vindplaats.notifications")


def display_name(user):
    if user is None:
        return _("deleted member")
    profile = getattr(user, "profile", None)
    return (profile.display_name if profile else "") or _("a member")


def is_suspended(user):
    profile = getattr(user, "profile", None)
    return bool(profile and profile.is_suspended)


def followers(**filters):
    """{user_id: follow} of follows matching any of the given targets.

    Filters are target lookups such as `question=q` or `theme__in=[...]`,
    combined with OR. The first matching follow per member is kept: it is
    what the email's unsubscribe link stops.
    """
    condition = Q()
    for lookup, value in filters.items():
        condition |= Q(**{lookup: value})
    found = {}
    for follow in (
        Follow.objects.filter(condition)
        .select_related("theme", "province", "question", "practice")
        .order_by("pk")
    ):
        found.setdefault(follow.user_id, follow)
    return found


def notify(event, url, recipients, actor=None):
    """Store one notification per recipient and email immediate members.

    `recipients` maps a user id to (message, follow or None).
    """
    User = get_user_model()
    if actor is not None:
        recipients.pop(actor.pk, None)
    if not recipients:
        return []
    users = {
        user.pk: user
        for user in User.objects.filter(
            pk__in=recipients, is_active=True
        ).select_related("profile")
    }
    now = timezone.now()
    notifications = []
    to_email = []
    for user_id, (message, follow) in recipients.items():
        user = users.get(user_id)
        if user is None:
            continue
        profile = getattr(user, "profile", None)
        immediate = (
            bool(user.email)
            and profile is not None
            and profile.email_frequency == profile.EmailFrequency.IMMEDIATE
        )
        notification = Notification(
            user=user,
            event=event,
            message=Truncator(message).chars(300),
            url=url,
            created_at=now,
            emailed_at=now if immediate else None,
        )
        notifications.append(notification)
        if immediate:
            to_email.append((user, notification, follow))
    Notification.objects.bulk_create(notifications)
    for user, notification, follow in to_email:
        send_notification_email(user, notification, follow)
    return notifications


def mail_member(user, subject, template, context):
    """One email to a member through the outbox (no notification row)."""
    if user is None or not user.is_active or not user.email:
        return
    queue_email(
        user.email,
        SUBJECT_PREFIX + subject,
        template,
        {"name": display_name(user), **context},
    )


def send_notification_email(user, notification, follow=None):
    """`follow` is what the notification is about: a Follow or a SavedSearch,
    which the email's one-click link stops."""
    scope = follow.unsubscribe_scope if follow else "all"
    link = unsubscribe_link(user.pk, scope)
    queue_email(
        user.email,
        SUBJECT_PREFIX + notification.message,
        "email/notification",
        {
            "name": display_name(user),
            "notification": notification,
            "url": absolute_url(notification.url),
            "follow_description": describe_follow(follow) if follow else "",
            "unsubscribe_url": link,
            "unsubscribe_all_url": unsubscribe_link(user.pk, "all") if follow else link,
            "settings_url": absolute_url(reverse("notifications:settings")),
        },
        headers=unsubscribe_headers(link),
    )


# Practices --------------------------------------------------------------


def practice_published(sender, instance, revision=None, **kwargs):
    """A practice went live: new in its themes and provinces, or updated.
    Whether it newly matches saved searches is worked out in the
    background once the publication is committed (match_saved_searches)."""
    page = instance
    if not PracticePage.objects.reachable().filter(pk=page.pk).exists():
        return
    actor = getattr(revision, "user", None)
    transaction.on_commit(
        lambda: _match_saved_searches(page.pk, actor.pk if actor else None)
    )
    with translation.override(settings.LANGUAGE_CODE):
        first = page.first_published_at
        if first and first == page.last_published_at:
            found = followers(
                theme__in=[theme.pk for theme in page.themes.all()],
                province__in=[province.pk for province in page.provinces.all()],
            )
            recipients = {
                user_id: (
                    _("New practice in %(topic)s: “%(title)s”")
                    % {"topic": follow_topic(follow), "title": page.title},
                    follow,
                )
                for user_id, follow in found.items()
            }
            event = Notification.Event.NEW_PRACTICE
        else:
            found = followers(practice=page.pk)
            message = _("The practice “%(title)s” was updated") % {"title": page.title}
            recipients = {
                user_id: (message, follow) for user_id, follow in found.items()
            }
            event = Notification.Event.PRACTICE_UPDATED
        notify(event, page.url or page.get_url() or "/", recipients, actor=actor)


def _match_saved_searches(practice_id, actor_id):
    """Hand the matching to the background; after the index update, which
    was scheduled first (practices.search)."""
    from .tasks import match_saved_searches

    try:
        match_saved_searches.enqueue(practice_id, actor_id)
    except Exception:
        logger.exception("Could not enqueue saved searches for %s", practice_id)


def synonyms_changed(sender, **kwargs):
    """What saved searches ask for follows the synonyms: their keys again."""
    from .tasks import refresh_saved_search_keys

    if not SavedSearch.objects.exists():
        return

    def enqueue():
        try:
            refresh_saved_search_keys.enqueue()
        except Exception:
            logger.exception("Could not enqueue the saved searches' keys")

    transaction.on_commit(enqueue)


def follow_topic(follow):
    """The theme or province a follow is of, by name."""
    return follow.theme.name if follow.theme_id else follow.province.name


def connect():
    page_published.connect(
        practice_published, sender=PracticePage, dispatch_uid="notify-practice"
    )
    for signal in (post_save, post_delete):
        signal.connect(
            synonyms_changed, sender=Synonym, dispatch_uid="saved-search-synonyms"
        )
