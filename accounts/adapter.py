"""How allauth creates and names members, and sends their account emails.

The username is an internal, random handle: members log in with their email
address and are shown by their display name, so neither the email address
nor anything derived from it ends up in the username.

Account emails (verification, password reset, email change) go through the
site's outbox like every other email: a mail server that is down delays the
verification link, it does not lose it or fail the sign-up.
"""

import secrets

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context

from django.contrib.auth import get_user_model
from django.contrib.sites.shortcuts import get_current_site
from django.utils.translation import gettext

from notifications.mail import queue_email


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
    def send_mail(self, template_prefix, email, context):
        request = allauth_context.request
        context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            **context,
        }
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        queue_email(
            email,
            message.subject,
            body=message.body,
            html_body=html,
            headers=message.extra_headers,
        )

    def populate_username(self, request, user):
        if not user.username:
            user.username = new_username()
