"""How allauth creates and names members.

The username is an internal, random handle: members log in with their email
address and are shown by their display name, so neither the email address
nor anything derived from it ends up in the username.
"""

import secrets

from allauth.account.adapter import DefaultAccountAdapter

from django.contrib.auth import get_user_model
from django.utils.translation import gettext


def user_display(user):
    """What allauth's templates and emails call a member: the display name."""
    profile = getattr(user, "profile", None)
    if profile is not None and profile.display_name:
        return profile.display_name
    return user.get_full_name() or gettext("member")


def new_username():
    User = get_user_model()
    while True:
        username = f"lid-{secrets.token_hex(6)}"
        if not User.objects.filter(username=username).exists():
            return username


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user):
        if not user.username:
            user.username = new_username()
