"""Every change to the community, as one function per action.

Views (the site and the admin), the demo loader and tests call these; each
checks who may do it, saves, keeps the question's counters right, and after
the commit reindexes the question, makes stale only the cached pages that
show the change (community.caching) and sends the signals of
`community.signals` (community.notify tells the people involved through
the notifications app, moderation included). Refusals raise `Refused` with
a Dutch message and the HTTP status to answer with.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.flood import check_toggle
from search.service import schedule_update

from . import caching, flood, signals
from .models import Answer, HelpfulVote, Question, Report
from .notify import forget_hidden_question

SEARCH_KIND = "question"


class Refused(Exception):
    """The member may not do this now; `message` says why, in Dutch."""

    def __init__(self, message, status=403):
        super().__init__(message)
        self.message = message
        self.status = status


def suspension_message(user):
    """Why a suspended member cannot take part, or None."""
    profile = getattr(user, "profile", None)
    if profile is None or not profile.is_suspended:
        return None
    until = formats.date_format(
        timezone.localtime(profile.suspended_until), "j F Y H:i"
    )
    message = _(
        "Your account is suspended until %(date)s. You can read along, but "
        "not post, vote or report until then."
    ) % {"date": until}
    if profile.suspension_reason:
        message += " " + _("Reason: %(reason)s") % {"reason": profile.suspension_reason}
    return message


def _ensure_active(user):
    if not user.is_authenticated:
        raise Refused(_("Log in to take part."), status=403)
    message = suspension_message(user)
    if message:
        raise Refused(message, status=403)


def _check_flood(user, text, editing=None):
    # Lock the member's row: a double click waits for the first post and
    # then meets the interval and duplicate checks.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    refusal = flood.check_post(user, text, editing=editing)
    if refusal:
        raise Refused(refusal.message, status=refusal.status)


def _check_toggle(user):
    refusal = check_toggle(user)
    if refusal:
        raise Refused(refusal.message, status=refusal.status)


def _check_edit(post):
    refusal = flood.check_edit(post)
    if refusal:
        raise Refused(refusal.message, status=refusal.status)


def _after_commit(question_id, *, practices=None, extra_practices=()):
    """Reindex the question and let the cached pages that show it be rebuilt:
    its own page, the practices it is about and the lists of questions."""
    schedule_update(SEARCH_KIND, [question_id])
    caching.changed([question_id], practices=practices, extra_practices=extra_practices)


def _not_hidden(post):
    if post.is_hidden:
        raise Refused(
            _(
                "The editors have hidden this post, so it can no longer be "
                "changed. Write to the editors if you think this is a mistake."
            )
        )


def _send(signal, sender, **kwargs):
    transaction.on_commit(lambda: signal.send(sender=sender, **kwargs))


# Members ---------------------------------------------------------------------


@transaction.atomic
def ask_question(author, *, title, body, themes, practices=()):
    _ensure_active(author)
    _check_flood(author, body)
    now = timezone.now()
    question = Question.objects.create(
        author=author, title=title, body=body, created_at=now, last_activity_at=now
    )
    question.themes.set(themes)
    question.practices.set(practices)
    _after_commit(question.pk)
    _send(signals.question_asked, Question, question=question)
    return question


@transaction.atomic
def edit_question(question, user, *, title, body, themes, practices=()):
    _ensure_active(user)
    if question.author_id is None or question.author_id != user.pk:
        raise Refused(_("Only the member who asked this question can change it."))
    question = Question.objects.select_for_update().get(pk=question.pk)
    _not_hidden(question)
    before = caching.practice_ids([question.pk])
    if (
        question.title == title
        and question.body == body
        and set(question.themes.values_list("pk", flat=True))
        == {theme.pk for theme in themes}
        and before == {practice.pk for practice in practices}
    ):
        return question  # nothing changed: nothing saved, no page rebuilt
    _check_flood(user, body, editing=question)
    _check_edit(question)
    question.title = title
    question.body = body
    question.edited_at = timezone.now()
    question.save()
    question.themes.set(themes)
    question.practices.set(practices)
    # The practices it was about show it no longer; the new ones do.
    _after_commit(question.pk, extra_practices=before)
    return question


@transaction.atomic
def post_answer(question, author, body):
    _ensure_active(author)
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.is_locked:
        raise Refused(
            _("This question has been closed by the editors; it takes no new answers.")
        )
    if question.is_hidden:
        raise Refused(
            _("This question has been hidden by the editors; it takes no new answers.")
        )
    _check_flood(author, body)
    now = timezone.now()
    answer = Answer.objects.create(
        question=question, author=author, body=body, created_at=now
    )
    question.refresh_counts()
    question.touch(now)
    _after_commit(question.pk)
    _send(signals.answer_posted, Answer, answer=answer)
    return answer


@transaction.atomic
def edit_answer(answer, user, body):
    _ensure_active(user)
    if answer.author_id is None or answer.author_id != user.pk:
        raise Refused(_("Only the member who wrote this answer can change it."))
    answer = Answer.objects.select_for_update().get(pk=answer.pk)
    _not_hidden(answer)
    if answer.body == body:
        return answer  # nothing changed: nothing saved, no page rebuilt
    _check_flood(user, body, editing=answer)
    _check_edit(answer)
    answer.body = body
    answer.edited_at = timezone.now()
    answer.save()
    # Its question's page shows it; no list shows an answer's text, but the
    # search index (and so the lists from it) has it.
    schedule_update(SEARCH_KIND, [answer.question_id])
    caching.changed([answer.question_id], practices=(), listings=False, searched=True)
    return answer


@transaction.atomic
def accept_answer(answer, user, wanted=None):
    """The asker accepts `answer`, or takes the acceptance back. `wanted`
    (True or False, what the button showed) makes a repeated click change
    nothing; None toggles. Returns whether it is accepted now. Only the
    first acceptance of an answer tells its author and the followers."""
    _ensure_active(user)
    question = Question.objects.select_for_update().get(pk=answer.question_id)
    if question.author_id is None or question.author_id != user.pk:
        raise Refused(_("Only the member who asked the question can accept an answer."))
    if answer.is_hidden:
        raise Refused(_("A hidden answer cannot be accepted."))
    _check_toggle(user)
    is_accepted = question.accepted_answer_id == answer.pk
    if wanted is not None and is_accepted == wanted:
        return wanted  # a second click of the same button
    if is_accepted:
        question.accepted_answer = None
        question.save(update_fields=["accepted_answer"])
        accepted = False
    else:
        question.accepted_answer = answer
        question.save(update_fields=["accepted_answer"])
        question.touch()
        accepted = True
        first = Answer.objects.filter(
            pk=answer.pk, first_accepted_at__isnull=True
        ).update(first_accepted_at=timezone.now())
        if first:
            _send(signals.answer_accepted, Answer, answer=answer)
    # The "answered" badge shows in the lists and on the practices.
    caching.changed([question.pk])
    return accepted


@transaction.atomic
def toggle_helpful(answer, user, wanted=None):
    """Mark an answer helpful ("nuttig"), or take the mark back. `wanted`
    (True or False, what the button showed) makes a repeated click change
    nothing; None toggles. Returns whether the member's vote stands now."""
    _ensure_active(user)
    if answer.author_id == user.pk:
        raise Refused(_("You cannot mark your own answer as helpful."))
    if answer.is_hidden:
        raise Refused(_("A hidden answer cannot be marked helpful."))
    _check_toggle(user)
    # The answer row is locked so that simultaneous votes count each other.
    answer = Answer.objects.select_for_update().get(pk=answer.pk)
    votes = HelpfulVote.objects.filter(answer=answer, user=user)
    if wanted is not None and votes.exists() == wanted:
        return wanted  # a second click of the same button
    deleted, _rows = votes.delete()
    voted = not deleted
    if voted:
        try:
            with transaction.atomic():
                HelpfulVote.objects.create(answer=answer, user=user)
        except IntegrityError:  # a second click that arrived at the same time
            pass
    answer.helpful_count = answer.votes.count()
    Answer.objects.filter(pk=answer.pk).update(helpful_count=answer.helpful_count)
    # The count shows on the question's page only.
    caching.changed([answer.question_id], practices=(), listings=False)
    return voted


@transaction.atomic
def report_post(post, user, *, reason, explanation=""):
    _ensure_active(user)
    target = {"answer" if isinstance(post, Answer) else "question": post}
    if Report.objects.filter(
        reporter=user, status=Report.Status.OPEN, **target
    ).exists():
        raise Refused(
            _("You have already reported this; the editors will look at it."),
            status=400,
        )
    refusal = flood.check_report(user)
    if refusal:
        raise Refused(refusal.message, status=refusal.status)
    try:
        with transaction.atomic():
            report = Report.objects.create(
                reporter=user, reason=reason, explanation=explanation, **target
            )
    except IntegrityError as error:  # the same report sent twice at once
        raise Refused(
            _("You have already reported this; the editors will look at it."),
            status=400,
        ) from error
    _send(signals.post_reported, Report, report=report)
    return report


# Editors ---------------------------------------------------------------------


def _question_id(post):
    return post.pk if isinstance(post, Question) else post.question_id


def _resolve_reports(post, moderator, status):
    """Close the post's open reports; returns their reporters' ids."""
    field = "answer" if isinstance(post, Answer) else "question"
    reports = Report.objects.filter(status=Report.Status.OPEN, **{field: post})
    reporters = set(reports.exclude(reporter=None).values_list("reporter", flat=True))
    reports.update(status=status, handled_at=timezone.now(), handled_by=moderator)
    return reporters


@transaction.atomic
def hide_post(post, moderator):
    """Hide a post from everyone but the editors and its author; its open
    reports are resolved as "hidden". A post hidden already (a double
    click, two moderators at once) is left as it is: nobody is told twice."""
    if (
        type(post)
        .objects.select_for_update()
        .filter(pk=post.pk, is_hidden=True)
        .exists()
    ):
        post.is_hidden = True
        return
    post.is_hidden = True
    post.hidden_at = timezone.now()
    post.hidden_by = moderator
    type(post).objects.filter(pk=post.pk).update(
        is_hidden=True, hidden_at=post.hidden_at, hidden_by=moderator
    )
    reporters = _resolve_reports(post, moderator, Report.Status.HIDDEN)
    _send(
        signals.post_hidden,
        type(post),
        post=post,
        moderator=moderator,
        reporter_ids=reporters,
    )
    if isinstance(post, Question):
        forget_hidden_question(post)
    if isinstance(post, Answer):
        question = Question.objects.select_for_update().get(pk=post.question_id)
        if question.accepted_answer_id == post.pk:
            # A hidden answer no longer answers the question.
            question.accepted_answer = None
            question.save(update_fields=["accepted_answer"])
        question.refresh_counts()
    _after_commit(_question_id(post))


@transaction.atomic
def restore_post(post, moderator):
    post.is_hidden = False
    post.hidden_at = None
    post.hidden_by = None
    type(post).objects.filter(pk=post.pk).update(
        is_hidden=False, hidden_at=None, hidden_by=None
    )
    if isinstance(post, Answer):
        Question.objects.select_for_update().get(pk=post.question_id).refresh_counts()
    _after_commit(_question_id(post))


@transaction.atomic
def dismiss_reports(post, moderator):
    """The reports on this post need no action."""
    _resolve_reports(post, moderator, Report.Status.DISMISSED)


@transaction.atomic
def set_locked(question, locked, moderator):
    question.is_locked = locked
    Question.objects.filter(pk=question.pk).update(is_locked=locked)
    # The "closed" badge shows in the lists and on the practices.
    caching.changed([question.pk])


@transaction.atomic
def suspend_member(user, *, days, reason, moderator):
    profile = user.profile
    profile.suspended_until = timezone.now() + datetime.timedelta(days=days)
    profile.suspension_reason = reason
    profile.save(update_fields=["suspended_until", "suspension_reason"])
    _send(signals.member_suspended, type(user), user=user, moderator=moderator)


@transaction.atomic
def lift_suspension(user, moderator):
    profile = user.profile
    profile.suspended_until = None
    profile.suspension_reason = ""
    profile.save(update_fields=["suspended_until", "suspension_reason"])
