"""What happens on the site, turned into notifications and emails.

The receivers are connected in NotificationsConfig.ready(). Each event works
out who should hear about it (followers of the things involved), drops the
member who caused it, keeps one notification per member even when they
follow several matching things, and stores the notifications. Members who
chose "immediate" get an email per notification through the outbox; daily
members get theirs in the digest (send_notification_digests).

Hidden posts and posts by suspended members cause nothing.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from .follows import describe_follow
from .mail import (
    absolute_url,
    contact_opt_out_url,
    queue_email,
    unsubscribe_headers,
    unsubscribe_url,
)
from .models import ContactOptOut, Follow, Notification

SUBJECT_PREFIX = "[Vindplaats] "


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


def send_notification_email(user, notification, follow=None):
    scope = follow.pk if follow else "all"
    link = unsubscribe_url(user.pk, scope)
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
            "unsubscribe_all_url": unsubscribe_url(user.pk, "all") if follow else link,
            "settings_url": absolute_url(reverse("notifications:settings")),
        },
        headers=unsubscribe_headers(link),
    )


# Practices --------------------------------------------------------------


def practice_published(sender, instance, revision=None, **kwargs):
    """A practice went live: new in its themes and provinces, or updated."""
    page = instance
    if not page.live or page.get_view_restrictions().exists():
        return
    actor = getattr(revision, "user", None)
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
                    % {"topic": _topic(follow), "title": page.title},
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


def _topic(follow):
    return follow.theme.name if follow.theme_id else follow.province.name


# Questions and answers --------------------------------------------------


def follow_question(user, question):
    if user is not None:
        Follow.objects.get_or_create(user=user, question=question)


def question_asked(sender, question, **kwargs):
    """Theme followers and the contact persons of linked practices hear of it."""
    from allauth.account.models import EmailAddress

    from practices.models import PracticeContact, Province
    from practices.search import indexable_practices

    author = question.author
    follow_question(author, question)
    if question.is_hidden or author is None or is_suspended(author):
        return
    url = question.get_absolute_url()
    with translation.override(settings.LANGUAGE_CODE):
        # The contact persons of live practices the question is about, by email.
        contacts = {}
        for contact in PracticeContact.objects.filter(
            page__in=question.practices.filter(
                pk__in=indexable_practices().values("pk")
            )
        ).select_related("page"):
            contacts.setdefault(contact.email.lower(), []).append(contact)
        actor_emails = set(
            EmailAddress.objects.filter(user=author).values_list("email", flat=True)
        )
        actor_emails = {email.lower() for email in actor_emails} | {
            author.email.lower()
        }
        # Contact persons who are members hear of it as members do (their
        # email choice, digest and unsubscribe links apply); the others by a
        # direct email, unless they opted out of those.
        contact_members = {}
        member_emails = set()
        opted_out = set()
        if contacts:
            condition = Q()
            for email in contacts:
                condition |= Q(email__iexact=email)
            for address in EmailAddress.objects.filter(condition, verified=True):
                contact_members[address.user_id] = contacts[address.email.lower()]
                member_emails.add(address.email.lower())
            opted_out = set(
                ContactOptOut.objects.filter(email__in=contacts).values_list(
                    "email", flat=True
                )
            )
        for email, people in contacts.items():
            if email in actor_emails | member_emails | opted_out:
                continue
            opt_out = contact_opt_out_url(people[0])
            queue_email(
                people[0].email,
                SUBJECT_PREFIX
                + _("A question about %(practice)s")
                % {"practice": people[0].page.title},
                "email/question_about_practice",
                {
                    "contact_name": people[0].name,
                    "practices": [person.page.title for person in people],
                    "question": question,
                    "asker": display_name(author),
                    "url": absolute_url(url),
                    "opt_out_url": opt_out,
                },
                headers=unsubscribe_headers(opt_out),
            )

        recipients = {
            user_id: (
                _("New question in %(theme)s: “%(title)s”")
                % {"theme": _topic(follow), "title": question.title},
                follow,
            )
            for user_id, follow in followers(
                theme__in=list(question.themes.values_list("pk", flat=True)),
                province__in=list(
                    Province.objects.filter(
                        practices__in=question.practices.filter(
                            pk__in=indexable_practices().values("pk")
                        )
                    ).values_list("pk", flat=True)
                ),
            ).items()
            if user_id not in contact_members
        }
        notify(Notification.Event.NEW_QUESTION, url, recipients, actor=author)
        notify(
            Notification.Event.QUESTION_ABOUT_PRACTICE,
            url,
            {
                user_id: (
                    _("New question about %(practice)s: “%(title)s”")
                    % {"practice": people[0].page.title, "title": question.title},
                    None,
                )
                for user_id, people in contact_members.items()
            },
            actor=author,
        )


def answer_posted(sender, answer, **kwargs):
    """Followers of the question hear of a new answer."""
    author = answer.author
    question = answer.question
    follow_question(author, question)
    if answer.is_hidden or question.is_hidden or author is None or is_suspended(author):
        return
    with translation.override(settings.LANGUAGE_CODE):
        message = _("%(name)s answered “%(title)s”") % {
            "name": display_name(author),
            "title": question.title,
        }
        recipients = {
            user_id: (message, follow)
            for user_id, follow in followers(question=question.pk).items()
        }
        notify(
            Notification.Event.NEW_ANSWER,
            answer.get_absolute_url(),
            recipients,
            actor=author,
        )


def answer_accepted(sender, answer, **kwargs):
    """The answer's author and the question's followers hear of it."""
    question = answer.question
    actor = question.author
    if answer.is_hidden or question.is_hidden or actor is None or is_suspended(actor):
        return
    with translation.override(settings.LANGUAGE_CODE):
        message = _("An answer to “%(title)s” was accepted") % {"title": question.title}
        recipients = {
            user_id: (message, follow)
            for user_id, follow in followers(question=question.pk).items()
        }
        if answer.author_id:
            recipients[answer.author_id] = (
                _("Your answer to “%(title)s” was accepted")
                % {"title": question.title},
                None,
            )
        notify(
            Notification.Event.ANSWER_ACCEPTED,
            answer.get_absolute_url(),
            recipients,
            actor=actor,
        )


def connect():
    from wagtail.signals import page_published

    from community.signals import answer_accepted as accepted_signal
    from community.signals import answer_posted as posted_signal
    from community.signals import question_asked as asked_signal
    from practices.models import PracticePage

    page_published.connect(
        practice_published, sender=PracticePage, dispatch_uid="notify-practice"
    )
    asked_signal.connect(question_asked, dispatch_uid="notify-ask")
    posted_signal.connect(answer_posted, dispatch_uid="notify-answer")
    accepted_signal.connect(answer_accepted, dispatch_uid="notify-accepted")
