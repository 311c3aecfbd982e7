"""Who hears of what happens in the community.

The receivers of community.signals, connected in CommunityConfig.ready():
followers of a theme, province or question hear of new questions and
answers, the contact persons of the practices a question is about hear of
it (members as members, the others by a direct email they can opt out of),
and moderation is not silent: the moderators hear of every new report, the
author and the reporters of a post the editors hid hear of it, and a
suspended member hears until when and why. Notifications and emails go
through the notifications app (notifications.events, the outbox).

Hidden posts and posts by suspended members cause nothing; whether a post
is hidden is read again when its event is handled (a moderator may have
hidden it since the post was saved). When the editors hide a question,
`forget_hidden_question` takes its title out of followers' notifications and
out of emails still waiting in the outbox.
"""

from allauth.account.models import EmailAddress

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from notifications.events import (
    SUBJECT_PREFIX,
    display_name,
    follow_topic,
    followers,
    is_suspended,
    mail_member,
    notify,
)
from notifications.mail import (
    absolute_url,
    contact_opt_out_link,
    queue_email,
    unsubscribe_headers,
)
from notifications.models import ContactOptOut, Follow, Notification, OutgoingEmail
from practices.models import PracticeContact, PracticePage, Province

from . import signals
from .models import Answer


def _now_hidden(*posts):
    """Whether any of these posts is hidden now (read from the database:
    the objects an event carries were loaded before the commit)."""
    for post in posts:
        if type(post).objects.filter(pk=post.pk, is_hidden=True).exists():
            return True
    return False


def _stays_silent(actor, *posts):
    """Whether an event about these posts tells nobody: a post is hidden
    (as loaded, or since, `_now_hidden`), or its actor is gone or suspended."""
    return (
        any(post.is_hidden for post in posts)
        or actor is None
        or is_suspended(actor)
        or _now_hidden(*posts)
    )


def hidden_question_text():
    """What followers see instead of a hidden question's title."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("A question you followed was hidden by the editors.")


def forget_hidden_question(question):
    """The editors hid `question`: followers' notifications stop naming it
    (message and link, whose slug is the title) and emails waiting in the
    outbox for anyone but its author lose its title and slug. Runs in the
    hiding transaction; an event handled after it sees the question hidden
    (`_now_hidden`) and sends nothing."""
    short = reverse("community:question_short", args=[question.pk])
    author_id = question.author_id
    Notification.objects.filter(url__startswith=short).exclude(
        user_id=author_id
    ).update(message=hidden_question_text(), url=short)

    full = absolute_url(question.get_absolute_url())
    with translation.override(settings.LANGUAGE_CODE):
        neutral = _("a hidden question")
    author_email = question.author.email if question.author_id else ""
    waiting = OutgoingEmail.objects.select_for_update().filter(
        status=OutgoingEmail.Status.PENDING, body__contains=full
    )
    if author_email:
        waiting = waiting.exclude(to__iexact=author_email)
    replacements = [(full, absolute_url(short)), (question.title, neutral)]
    for email in waiting:
        for field, pairs in (
            ("subject", replacements),
            ("body", replacements),
            (
                "html_body",
                replacements + [(escape(question.title), escape(neutral))],
            ),
        ):
            text = getattr(email, field)
            for old, new in pairs:
                if old:
                    text = text.replace(old, new)
            setattr(email, field, text)
        email.save(update_fields=["subject", "body", "html_body"])


def follow_question(user, question):
    if user is not None:
        Follow.objects.get_or_create(user=user, question=question)


def question_asked(sender, question, **kwargs):
    """Theme followers and the contact persons of linked practices hear of it."""
    author = question.author
    follow_question(author, question)
    if _stays_silent(author, question):
        return
    url = question.get_absolute_url()
    with translation.override(settings.LANGUAGE_CODE):
        # The contact persons of live practices the question is about, by email.
        contacts = {}
        for contact in PracticeContact.objects.filter(
            page__in=question.practices.filter(
                pk__in=PracticePage.objects.reachable().values("pk")
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
            opt_out = contact_opt_out_link(people[0])
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
                % {"theme": follow_topic(follow), "title": question.title},
                follow,
            )
            for user_id, follow in followers(
                theme__in=list(question.themes.values_list("pk", flat=True)),
                province__in=list(
                    Province.objects.filter(
                        practices__in=question.practices.filter(
                            pk__in=PracticePage.objects.reachable().values("pk")
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
    if _stays_silent(author, answer, question):
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
    if _stays_silent(actor, answer, question):
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


# Moderation ---------------------------------------------------------------


def _post_words(post):
    """("vraag" or "antwoord", the question's title, the post as a phrase:
    "de vraag “…”", and as its author's: "je vraag “…”") for moderation
    mails, in the active language."""
    if isinstance(post, Answer):
        title = post.question.title
        return (
            _("answer"),
            title,
            _("the answer to “%(title)s”") % {"title": title},
            _("your answer to “%(title)s”") % {"title": title},
        )
    return (
        _("question"),
        post.title,
        _("the question “%(title)s”") % {"title": post.title},
        _("your question “%(title)s”") % {"title": post.title},
    )


def _moderation_url(post):
    kind = "antwoord" if isinstance(post, Answer) else "vraag"
    return absolute_url(reverse("community_moderation:post", args=[kind, post.pk]))


def post_reported(sender, report, **kwargs):
    """Every moderator hears of a new report, except the reporter and the
    post's author (a moderator must not learn who reported their post)."""
    post = report.post
    User = get_user_model()
    moderators = (
        User.objects.with_perm(
            "community.moderate_posts",
            is_active=True,
            backend="django.contrib.auth.backends.ModelBackend",
        )
        .exclude(email="")
        .exclude(pk=report.reporter_id)
        .exclude(pk=getattr(post, "author_id", None) or 0)
        .select_related("profile")
    )
    with translation.override(settings.LANGUAGE_CODE):
        kind, title, what, _yours = _post_words(post)
        context = {
            "kind": kind,
            "title": title,
            "what": what,
            "reason": report.get_reason_display(),
            "explanation": report.explanation,
            "reporter": display_name(report.reporter),
            "review_url": _moderation_url(post),
            "queue_url": absolute_url(reverse("community_moderation:reports")),
        }
        subject = _("New report about a %(kind)s: “%(title)s”") % {
            "kind": kind,
            "title": Truncator(title).chars(80),
        }
        for moderator in moderators:
            mail_member(moderator, subject, "email/moderation_report", context)


def post_hidden(sender, post, moderator=None, reporter_ids=(), **kwargs):
    """The author and the members whose reports led to it hear that the
    editors hid a post."""
    User = get_user_model()
    with translation.override(settings.LANGUAGE_CODE):
        kind, title, what, yours = _post_words(post)
        short = Truncator(title).chars(80)
        author = post.author
        subject = (
            _("Your answer to “%(title)s” was hidden")
            if isinstance(post, Answer)
            else _("Your question “%(title)s” was hidden")
        )
        mail_member(
            author,
            subject % {"title": short},
            "email/moderation_hidden_author",
            {
                "kind": kind,
                "title": title,
                "yours": yours,
                # The author still sees their hidden post.
                "url": absolute_url(post.get_absolute_url()),
            },
        )
        for reporter in (
            User.objects.filter(pk__in=list(reporter_ids))
            .exclude(pk=getattr(author, "pk", None))
            .select_related("profile")
        ):
            mail_member(
                reporter,
                _("A post you reported was hidden"),
                "email/moderation_hidden_reporter",
                {"what": what},
            )


def member_suspended(sender, user, moderator=None, **kwargs):
    """The member hears until when and why they are suspended."""
    profile = getattr(user, "profile", None)
    if profile is None or not profile.suspended_until:
        return
    with translation.override(settings.LANGUAGE_CODE):
        until = formats.date_format(
            timezone.localtime(profile.suspended_until), "j F Y H:i"
        )
        mail_member(
            user,
            _("Your account is suspended until %(date)s") % {"date": until},
            "email/moderation_suspended",
            {
                "until": until,
                "reason": profile.suspension_reason,
                "community_url": absolute_url(reverse("community:index")),
            },
        )


def connect():
    signals.question_asked.connect(question_asked, dispatch_uid="notify-ask")
    signals.answer_posted.connect(answer_posted, dispatch_uid="notify-answer")
    signals.answer_accepted.connect(answer_accepted, dispatch_uid="notify-accepted")
    signals.post_reported.connect(post_reported, dispatch_uid="notify-reported")
    signals.post_hidden.connect(post_hidden, dispatch_uid="notify-hidden")
    signals.member_suspended.connect(member_suspended, dispatch_uid="notify-suspended")
