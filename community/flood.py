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
- ``TOGGLES_PER_MINUTE`` and ``PROFILE_SAVES_PER_HOUR``: the click and
  profile-save limits, checked in core.flood (notifications and accounts
  use them too).
- ``EDITS_PER_POST_PER_DAY``: changes to one question or answer in any 24
  hours (an edit that changes nothing is not saved and not counted).

The edit limit is a sliding window in the shared cache
(core.cache.within_rate): no burst at a day boundary.

Edits count as posts: changing a question or answer meets the interval, the
daily limit and the duplicate check (against the member's other posts).

Each check returns a `Refusal` (a Dutch message and an HTTP status: 429 for a
rate limit, 400 for a duplicate) or None when the member may go ahead.
"""

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.cache import within_rate
from core.flood import Refusal

from .models import Answer, Question, Report

DAY = datetime.timedelta(days=1)


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
    """(last activity, body, kind, pk) of the member's posts written or
    changed since `since`, latest first."""
    recent = Q(created_at__gte=since) | Q(edited_at__gte=since)
    rows = []
    for kind, model in (("question", Question), ("answer", Answer)):
        for created, edited, body, pk in model.objects.filter(
            recent, author=user
        ).values_list("created_at", "edited_at", "body", "pk"):
            rows.append((max(created, edited or created), body, kind, pk))
    return sorted(rows, key=lambda row: row[0], reverse=True)


def check_post(user, text, now=None, editing=None):
    """May `user` post `text` (a question's or answer's body) now? When
    changing a post, `editing` is that post: its own text is no duplicate."""
    now = now or timezone.now()
    limits = figures()
    new = is_new_account(user, now)
    interval = limits[
        "NEW_ACCOUNT_MIN_INTERVAL_SECONDS" if new else "MIN_INTERVAL_SECONDS"
    ]
    per_day = limits["NEW_ACCOUNT_POSTS_PER_DAY" if new else "POSTS_PER_DAY"]
    window = datetime.timedelta(hours=limits["DUPLICATE_WINDOW_HOURS"])
    recent = _recent_posts(user, now - max(DAY, window))
    others = recent
    if editing is not None:
        this = ("question" if isinstance(editing, Question) else "answer", editing.pk)
        others = [row for row in recent if (row[2], row[3]) != this]
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
    # An edit of a post counted today already adds nothing to the count.
    if len([row for row in others if row[0] >= now - DAY]) >= per_day:
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
        normalise(row[1]) == wanted for row in others if row[0] >= now - window
    ):
        return Refusal(
            _(
                "You already posted exactly this text recently. Change it, or "
                "look for your earlier post."
            ),
            status=400,
        )
    return None


def check_edit(post):
    """May this question or answer be changed once more today? Counts it."""
    per_day = figures()["EDITS_PER_POST_PER_DAY"]
    key = f"community-edit:{type(post).__name__.lower()}:{post.pk}"
    if not within_rate(key, per_day, DAY.total_seconds()):
        return Refusal(
            _(
                "This post has been changed %(count)d times in the last 24 "
                "hours. Please try again tomorrow; what you typed is still here."
            )
            % {"count": per_day}
        )
    return None


def check_report(user, now=None):
    """May `user` file another report now?"""
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
