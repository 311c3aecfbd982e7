"""Freshness: which practices are due for a check, and marking them checked.

`last_reviewed_at` is editorial metadata, not part of the story: confirming
that a practice is still current must not need a new revision, a review by
the editors or a new "updated" notification to followers. So it is written
directly with `.update()` on the practice row, and the same date is written
into the stored content of the live revision and, when there is one, of the
newer draft revision, so a later publish (of the live content or of the
draft) keeps the date instead of putting the old one back. Only the pages of
these practices are rebuilt (their own version, core.cache.page_name), never
the whole page cache; a practice already confirmed today is left alone.
"""

import datetime
from types import SimpleNamespace

from wagtail.models import Revision

from django.core import signing
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from core.cache import bump_on_commit, page_name
from core.site_url import site_url
from notifications.mail import secret_link
from practices.models import PracticePage

STALE_AFTER = datetime.timedelta(days=365)
REMINDER_INTERVAL = datetime.timedelta(days=365)
CONFIRM_SALT = "editorial.confirm-current"
CONFIRM_MAX_AGE = datetime.timedelta(days=60)


def stale_cutoff(today=None):
    """Practices last reviewed before this date are due (as PracticePage.is_stale)."""
    return (today or timezone.localdate()) - STALE_AFTER


def stale_practices(today=None):
    """Live practices not reviewed for a year (or never), oldest review first."""
    return (
        PracticePage.objects.live()
        .filter(
            Q(last_reviewed_at__isnull=True)
            | Q(last_reviewed_at__lt=stale_cutoff(today))
        )
        .order_by(F("last_reviewed_at").asc(nulls_first=True), "pk")
    )


def mark_reviewed(page_ids, day=None):
    """Set `last_reviewed_at` on these practices (see the module docstring).
    Returns how many changed (one confirmed on `day` already does not)."""
    day = day or timezone.localdate()
    page_ids = list(page_ids)
    with transaction.atomic():
        pages = list(
            PracticePage.objects.filter(pk__in=page_ids)
            .exclude(last_reviewed_at=day)
            .only("pk", "live_revision_id", "latest_revision_id")
        )
        if not pages:
            return 0
        PracticePage.objects.filter(pk__in=[p.pk for p in pages]).update(
            last_reviewed_at=day
        )
        revision_ids = {
            revision_id
            for page in pages
            for revision_id in (page.live_revision_id, page.latest_revision_id)
            if revision_id
        }
        revisions = list(Revision.objects.filter(pk__in=revision_ids))
        for revision in revisions:
            if isinstance(revision.content, dict):
                revision.content["last_reviewed_at"] = day.isoformat()
        Revision.objects.bulk_update(revisions, ["content"])
        bump_on_commit(*(page_name(page.pk) for page in pages))
    return len(pages)


def confirm_token(page):
    """The credential in the reminder's "still current" link."""
    return signing.dumps({"p": page.pk, "u": page.owner_id}, salt=CONFIRM_SALT)


def confirm_current_link(page):
    """The reminder's "still current?" link, as the outbox stores it: a
    placeholder made into the link when the email is sent
    (`confirm_current_links`, registered with the outbox by EditorialConfig)."""
    return secret_link("confirm_current", page=page.pk, owner=page.owner_id)


def confirm_current_links(refs, to):
    """{placeholder: link} for the outbox, made when it sends."""
    return {
        placeholder: site_url(
            reverse(
                "editorial:confirm_current",
                args=[
                    confirm_token(
                        SimpleNamespace(pk=ref["page"], owner_id=ref["owner"])
                    )
                ],
            )
        )
        for placeholder, ref in refs.items()
    }


def read_confirm_token(token):
    """(page id, owner id); raises signing.BadSignature when forged or too old."""
    data = signing.loads(
        token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE.total_seconds()
    )
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("p"), int)
        or not isinstance(data.get("u"), int)
    ):
        raise signing.BadSignature("Unexpected confirm payload")
    return data["p"], data["u"]
