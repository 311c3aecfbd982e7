"""Flood control: how fast and how much a member may post and report.

The figures live in `settings.COMMUNITY_FLOOD` (read on every call, so tests
can override them):

- ``MIN_INTERVAL_SECONDS``: seconds a member waits between two posts
  (questions and answers together).
- ``POSTS_PER_DAY``: posts a member may make in any 24 hours.
- ``NEW_ACCOUNT_DAYS``: an account younger than this many days (counted from
  ``user.date_joined``) is new and gets the tighter figures below.
- ``NEW_ACCOUNT_POSTS_PER_DAY``: posts per 24 hours for a new account.
- ``NEW_ACCOUNT_MIN_INTERVAL_SECONDS``: seconds a new account waits between
  two posts.
- ``DUPLICATE_WINDOW_HOURS``: the same text (compared case-insensitively and
  with whitespace collapsed) posted again by the same member within this many
  hours is refused as a duplicate.
- ``REPORTS_PER_DAY``: reports a member may file in any 24 hours.

Each check returns a `Refusal` (a Dutch message and an HTTP status: 429 for a
rate limit, 400 for a duplicate) or None when the member may go ahead.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

DAY = datetime.timedelta(days=1)


@dataclass
class Refusal:
    message: str
    status: int = 429


def figures():
    return settings.COMMUNITY_FLOOD


def normalise(text):
    """Text as compared for duplicates: lowercase, whitespace collapsed."""
    return " ".join((text or "").casefold().split())


def is_new_account(user, now=None):
    now = now or timezone.now()
    joined = user.date_joined or now
    return now - joined < datetime.timedelta(days=figures()["NEW_ACCOUNT_DAYS"])


def _recent_posts(user, since):
    from .models import Answer, Question

    questions = Question.objects.filter(author=user, created_at__gte=since)
    answers = Answer.objects.filter(author=user, created_at__gte=since)
    return questions, answers


def check_post(user, text, now=None):
    """May `user` post `text` (a question's or answer's body) now?"""
    now = now or timezone.now()
    limits = figures()
    new = is_new_account(user, now)
    interval = limits[
        "NEW_ACCOUNT_MIN_INTERVAL_SECONDS" if new else "MIN_INTERVAL_SECONDS"
    ]
    per_day = limits["NEW_ACCOUNT_POSTS_PER_DAY" if new else "POSTS_PER_DAY"]
    window = datetime.timedelta(hours=limits["DUPLICATE_WINDOW_HOURS"])
    questions, answers = _recent_posts(user, now - max(DAY, window))

    recent = sorted(
        [
            *questions.values_list("created_at", "body", "title"),
            *answers.values_list("created_at", "body"),
        ],
        key=lambda row: row[0],
        reverse=True,
    )
    if recent and interval:
        wait = interval - (now - recent[0][0]).total_seconds()
        if wait > 0:
            seconds = int(wait) + 1
            return Refusal(
                ngettext(
                    "You are posting very quickly. Please wait %(seconds)d second "
                    "and try again; what you typed is still here.",
                    "You are posting very quickly. Please wait %(seconds)d seconds "
                    "and try again; what you typed is still here.",
                    seconds,
                )
                % {"seconds": seconds}
            )
    today = [row for row in recent if row[0] >= now - DAY]
    if len(today) >= per_day:
        retry_at = min(row[0] for row in today) + DAY
        return Refusal(
            _(
                "You have reached the limit of %(count)d posts per 24 hours. "
                "You can post again from %(time)s; what you typed is still here."
            )
            % {
                "count": per_day,
                "time": formats.date_format(timezone.localtime(retry_at), "j F Y H:i"),
            }
        )
    wanted = normalise(text)
    if wanted and any(
        normalise(row[1]) == wanted for row in recent if row[0] >= now - window
    ):
        return Refusal(
            _(
                "You already posted exactly this text recently. Change it, or "
                "look for your earlier post."
            ),
            status=400,
        )
    return None


def check_report(user, now=None):
    """May `user` file another report now?"""
    from .models import Report

    now = now or timezone.now()
    per_day = figures()["REPORTS_PER_DAY"]
    count = Report.objects.filter(reporter=user, created_at__gte=now - DAY).count()
    if count >= per_day:
        return Refusal(
            _(
                "You have reached the limit of %(count)d reports per 24 hours. "
                "Please try again tomorrow, or write to the editors."
            )
            % {"count": per_day}
        )
    return None
