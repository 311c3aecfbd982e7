"""How allauth creates and names members, and sends their account emails.

The username is an internal, random handle: members log in with their email
address and are shown by their display name, so neither the email address
nor anything derived from it ends up in the username.

Account emails (verification, password reset, email change) go through the
site's outbox like every other email: a mail server that is down delays the
verification link, it does not lose it or fail the sign-up.

A one-time link (password reset, address confirmation) is never stored in
the outbox: the queued body holds a placeholder, and the link is made when
the email is sent (`build_account_secrets`), so neither the admin's outbox
nor a backup holds a usable link. Every link in these emails starts with
the configured base URL (kb.site_url), never with the request's Host header.
"""

import secrets
from types import SimpleNamespace
from urllib.parse import quote

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.core import context as allauth_context

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext

from kb.site_url import site_domain, site_url
from notifications.mail import queue_email

# The entries of allauth's email context that hold a one-time secret, per
# kind of secret the outbox knows how to make again when sending.
SECRET_ENTRIES = {
    "password_reset": ("key", "password_reset_url"),
    "email_confirmation": ("key", "activate_url"),
}


def user_display(user):
    """What allauth's templates and emails call a member: the display name."""
    profile = getattr(user, "profile", None)
    if profile is not None and profile.display_name:
        return profile.display_name
    return user.get_full_name() or gettext("member")


def login_attempts_key(login):
    """The key of the per-account failed-login limit (ACCOUNT_RATE_LIMITS
    "login_failed", per key), and nothing of the request.

    A login that names one account (its username, or any of its email
    addresses, in any case) counts against that account, so trying the
    username and then the address of the same editor at the admin login
    shares one count. Any other login counts as typed, stripped and
    lower-cased.
    """
    from allauth.account.models import EmailAddress

    login = str(login or "").strip().lower()
    if not login:
        return login
    User = get_user_model()
    owners = set(
        User.objects.filter(
            Q(username__iexact=login) | Q(email__iexact=login)
        ).values_list("pk", flat=True)[:2]
    )
    owners.update(
        EmailAddress.objects.filter(email__iexact=login).values_list(
            "user_id", flat=True
        )[:2]
    )
    if len(owners) == 1:
        return f"account:{owners.pop()}"
    return login


def new_username():
    User = get_user_model()
    while True:
        username = f"lid-{secrets.token_hex(6)}"
        if not User.objects.filter(username=username).exists():
            return username


class AccountAdapter(DefaultAccountAdapter):
    def get_reset_password_from_key_url(self, key):
        # allauth's own path trick (its key is "<uidb36>-<token>"), on the
        # configured base URL instead of the request's host.
        path = reverse(
            "account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"}
        ).replace("UID-KEY", quote(key))
        return site_url(path)

    def get_email_confirmation_url(self, request, emailconfirmation):
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def send_password_reset_mail(self, user, email, context):
        self._secret_ref = {"kind": "password_reset", "user": user.pk}
        return super().send_password_reset_mail(user, email, context)

    def send_confirmation_mail(self, request, emailconfirmation, signup):
        from allauth.account.models import EmailConfirmationHMAC

        if isinstance(emailconfirmation, EmailConfirmationHMAC):
            # ACCOUNT_EMAIL_CONFIRMATION_HMAC (the default): the key is
            # signed from the address's id and can be made again.
            self._secret_ref = {
                "kind": "email_confirmation",
                "email_address": emailconfirmation.email_address.pk,
            }
        else:
            self._secret_ref = {
                "kind": "email_confirmation",
                "confirmation": emailconfirmation.pk,
            }
        return super().send_confirmation_mail(request, emailconfirmation, signup)

    def send_mail(self, template_prefix, email, context):
        request = allauth_context.request
        ref, self._secret_ref = getattr(self, "_secret_ref", None), None
        context = {
            name: site_url(value)
            if name.endswith("_url") and isinstance(value, str) and value
            else value
            for name, value in context.items()
        }
        secret_refs, originals = {}, {}
        for entry in SECRET_ENTRIES[ref["kind"]] if ref else ():
            if context.get(entry):
                placeholder = f"vindplaats-secret-{secrets.token_hex(16)}"
                originals[placeholder] = str(context[entry])
                context[entry] = placeholder
                secret_refs[placeholder] = {**ref, "entry": entry}
        context = {
            "request": request,
            "email": email,
            "current_site": SimpleNamespace(
                name=settings.WAGTAIL_SITE_NAME, domain=site_domain()
            ),
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
        body = message.body
        for placeholder, secret in originals.items():
            # Whatever a template did with the context, no secret is stored.
            body = body.replace(secret, placeholder)
            html = html.replace(secret, placeholder)
        user = context.get("user")
        queue_email(
            email,
            message.subject,
            body=body,
            html_body=html,
            headers=message.extra_headers,
            user=user if isinstance(user, get_user_model()) else None,
            account_email=True,
            secret_refs=secret_refs,
        )

    def populate_username(self, request, user):
        if not user.username:
            user.username = new_username()

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth puts the request's site in front of the login, and without
        # django.contrib.sites that is the Host header: another port, upper
        # case or a trailing dot would start a fresh count. Every login (the
        # members' and both admin logins, kb/admin_login.py) and the reset
        # that clears the count come through here.
        return login_attempts_key(
            credentials.get("email", credentials.get("username", ""))
        )


def build_account_secrets(refs):
    """{placeholder: secret} for an outbox row's `secret_refs`, made now.

    Called by the outbox when it sends the email (notifications.mail): the
    password reset token is made from the member's current state and the
    confirmation key from the address, so the link is fresh and valid.
    """
    from allauth.account.models import (
        EmailAddress,
        EmailConfirmation,
        EmailConfirmationHMAC,
    )
    from allauth.account.utils import user_pk_to_url_str

    adapter = get_adapter()
    made = {}
    values = {}
    for placeholder, ref in refs.items():
        kind = ref["kind"]
        if kind not in made:
            if kind == "password_reset":
                user = get_user_model().objects.get(pk=ref["user"])
                token = allauth_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(
                    user
                )
                made[kind] = {
                    "key": token,
                    "password_reset_url": adapter.get_reset_password_from_key_url(
                        f"{user_pk_to_url_str(user)}-{token}"
                    ),
                }
            elif kind == "email_confirmation":
                if "email_address" in ref:
                    confirmation = EmailConfirmationHMAC(
                        EmailAddress.objects.get(pk=ref["email_address"])
                    )
                else:
                    confirmation = EmailConfirmation.objects.get(pk=ref["confirmation"])
                made[kind] = {
                    "key": confirmation.key,
                    "activate_url": adapter.get_email_confirmation_url(
                        None, confirmation
                    ),
                }
            else:
                raise ValueError(f"Unknown kind of account secret: {kind}")
        values[placeholder] = made[kind][ref["entry"]]
    return values
