"""Limits on clicks and saves that several apps share, per member.

The figures live in `settings.COMMUNITY_FLOOD` with the community's post
limits (community.flood), read on every call so tests can override them:

- ``TOGGLES_PER_MINUTE``: "nuttig" votes, follows and accepting an answer
  (each click, on or off) a member may make in any 60 seconds, together;
- ``PROFILE_SAVES_PER_HOUR``: profile saves a member may make in any hour.

Both are sliding windows in the shared cache (core.cache.within_rate): no
burst at a minute boundary. Each check counts the click or save and returns
a `Refusal` (a Dutch message and an HTTP status) or None when the member
may go ahead.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from core.cache import within_rate


@dataclass
class Refusal:
    message: str
    status: int = 429


def check_toggle(user):
    """May `user` vote "nuttig", (un)follow or accept once more? Counts the
    click: call it once per click, before acting."""
    per_minute = settings.COMMUNITY_FLOOD["TOGGLES_PER_MINUTE"]
    if not within_rate(f"community-toggle:{user.pk}", per_minute, 60):
        return Refusal(
            _("You are clicking very quickly. Please wait a minute and try again.")
        )
    return None


def check_profile_save(user):
    """May `user` save their profile once more this hour? Counts it."""
    per_hour = settings.COMMUNITY_FLOOD["PROFILE_SAVES_PER_HOUR"]
    if not within_rate(f"community-profile:{user.pk}", per_hour, 3600):
        return Refusal(
            _(
                "You have saved your profile many times in the last hour. "
                "Please try again later; what you typed is still here."
            )
        )
    return None
