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
nor a backup holds a usable link. It is made again exactly as it was when
the member asked for it (the reset token's timestamp, the confirmation
key's), so it expires as it would have, and it is not sent at all when the
account or address changed in between. Any other secret in an account
email's context (a login or verification code) is refused rather than
stored. Every link in these emails starts with the configured base URL
(core.site_url), never with the request's Host header.
"""

import hashlib
import secrets
from types import SimpleNamespace
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.core import context as allauth_context

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

from accounts.models import member_name
from core.site_url import site_domain, site_url
from notifications.mail import new_placeholder, queue_email

# The entries of allauth's email context that hold a one-time secret, per
# kind of secret the outbox knows how to make again when sending.
SECRET_ENTRIES = {
    "password_reset": ("key", "password_reset_url"),
    "email_confirmation": ("key", "activate_url"),
}
# Context entries that hold a secret whatever the email: the outbox must
# know how to make them when sending, or the email is refused.
SECRET_NAMES = ("key", "code", "token")


class AccountSecretGone(Exception):
    """The account or address changed, or the link expired, since the
    member asked: the email is not sent (the row is marked failed)."""


def fingerprint(secret):
    """A one-way check of a secret, kept to see whether the secret made when
    sending is the one the member asked for. It opens nothing."""
    return hashlib.sha256(str(secret).encode()).hexdigest()


def is_secret_name(name):
    return name in SECRET_NAMES or name.endswith(("_key", "_code", "_token"))


def user_display(user):
    """What allauth's templates and emails call a member: the display name
    (accounts.models.member_name, also the user's __str__)."""
    return member_name(user)


def login_attempts_key(login):
    """The key of the per-account failed-login limit (ACCOUNT_RATE_LIMITS
    "login_failed", per key), and nothing of the request.

    A login that names an account (its username, or any of its email
    addresses, in any case) counts against that account, so trying the
    username and then the address of the same editor at the admin login
    shares one count. allauth tries the password against every account a
    login names, so accounts that share a name or address (a username that
    is another account's address, an address entered twice in the admin)
    share one count too: the key is the lowest id among all accounts linked
    that way, the same whichever of their logins is typed, and no account
    gets more tries than the limit. A login naming no account counts as
    typed, stripped and lower-cased.
    """
    login = str(login or "").strip().lower()
    if not login:
        return login
    linked = _linked_accounts(login)
    if linked:
        return f"account:{min(linked)}"
    return login


# Accounts linked through shared logins are followed this far (a chain
# longer than this does not occur outside an attack on the admin).
LINKED_ACCOUNTS_MAX = 20


def _linked_accounts(login):
    """The ids of the accounts `login` names, and of every account that
    shares a username or address with one of those, and so on."""
    from allauth.account.models import EmailAddress

    User = get_user_model()
    names, accounts = {login}, set()
    while names and len(accounts) < LINKED_ACCOUNTS_MAX:
        found = set(
            User.objects.annotate(
                login_name=Lower("username"), login_email=Lower("email")
            )
            .filter(Q(login_name__in=names) | Q(login_email__in=names))
            .values_list("pk", flat=True)[:LINKED_ACCOUNTS_MAX]
        )
        found.update(
            EmailAddress.objects.annotate(login_email=Lower("email"))
            .filter(login_email__in=names)
            .values_list("user_id", flat=True)[:LINKED_ACCOUNTS_MAX]
        )
        new = found - accounts
        if not new:
            break
        accounts |= new
        known = names
        names = set()
        for username, email in User.objects.filter(pk__in=new).values_list(
            "username", "email"
        ):
            names.update({username.strip().lower(), email.strip().lower()})
        names.update(
            email.strip().lower()
            for email in EmailAddress.objects.filter(user_id__in=new).values_list(
                "email", flat=True
            )
        )
        names = names - known - {""}
    return accounts


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
        # allauth's token is "<timestamp in base 36>-<hash>": the timestamp
        # is kept, so the token made when sending is the one made now.
        token = str(context.get("key", ""))
        self._secret_ref = {
            "kind": "password_reset",
            "user": user.pk,
            "ts": base36_to_int(token.split("-", 1)[0]) if "-" in token else None,
            "check": fingerprint(token),
        }
        return super().send_password_reset_mail(user, email, context)

    def send_confirmation_mail(self, request, emailconfirmation, signup):
        from allauth.account.models import EmailConfirmationHMAC

        if isinstance(emailconfirmation, EmailConfirmationHMAC):
            # ACCOUNT_EMAIL_CONFIRMATION_HMAC (the default): the key is
            # signed from the address's id and can be made again.
            key = emailconfirmation.key
            self._secret_ref = {
                "kind": "email_confirmation",
                "email_address": emailconfirmation.email_address.pk,
                # The key's own timestamp (payload:timestamp:signature).
                "ts": key.rsplit(":", 2)[-2],
                "check": fingerprint(key),
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
                placeholder = new_placeholder()
                originals[placeholder] = str(context[entry])
                context[entry] = placeholder
                secret_refs[placeholder] = {**ref, "entry": entry}
        leaked = sorted(
            name
            for name, value in context.items()
            if is_secret_name(name) and value and str(value) not in secret_refs
        )
        if leaked:
            # A code or key the outbox cannot make when sending (login by
            # code, verification by code, a new allauth feature) would be
            # stored in clear: refuse instead.
            raise ValueError(
                f"Account email {template_prefix} holds secrets the outbox "
                f"cannot make when sending: {', '.join(leaked)}"
            )
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


class _SignerAt(signing.TimestampSigner):
    """Django's signer with a given timestamp: allauth's confirmation key
    made again exactly as it was."""

    def __init__(self, timestamp, **kwargs):
        self._at = timestamp
        super().__init__(**kwargs)

    def timestamp(self):
        return self._at


def _address_of(user, to):
    """Whether `to` is still one of the member's addresses."""
    from allauth.account.models import EmailAddress

    to = (to or "").strip().lower()
    return bool(to) and (
        (user.email or "").lower() == to
        or EmailAddress.objects.filter(user=user, email__iexact=to).exists()
    )


def _password_reset(ref, to):
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    user = get_user_model().objects.filter(pk=ref["user"], is_active=True).first()
    if user is None or not _address_of(user, to):
        raise AccountSecretGone("the account or this address is gone")
    if ref.get("ts") is None:
        raise AccountSecretGone("a reset link queued without its time")
    generator = default_token_generator
    token = generator._make_token_with_timestamp(user, ref["ts"], generator.secret)
    # The same token as when the member asked, unless the password, the last
    # login or an address changed since; and still within its time.
    if not constant_time_compare(
        fingerprint(token), ref.get("check", "")
    ) or not generator.check_token(user, token):
        raise AccountSecretGone("the account changed or the link expired")
    return {
        "key": token,
        "password_reset_url": get_adapter().get_reset_password_from_key_url(
            f"{user_pk_to_url_str(user)}-{token}"
        ),
    }


def _email_confirmation(ref, to):
    from allauth.account import app_settings as account_settings
    from allauth.account.models import (
        EmailAddress,
        EmailConfirmation,
        EmailConfirmationHMAC,
    )

    if "email_address" in ref:
        address = EmailAddress.objects.filter(
            pk=ref["email_address"], verified=False
        ).first()
        if address is None or address.email.lower() != (to or "").lower():
            raise AccountSecretGone("the address is gone or confirmed already")
        if ref.get("ts") is None:
            raise AccountSecretGone("a confirmation queued without its time")
        key = _SignerAt(ref["ts"], salt=account_settings.SALT).sign_object(address.pk)
        if (
            not constant_time_compare(fingerprint(key), ref.get("check", ""))
            or EmailConfirmationHMAC.from_key(key) is None
        ):
            raise AccountSecretGone("the confirmation link expired")
    else:
        confirmation = (
            EmailConfirmation.objects.select_related("email_address")
            .filter(pk=ref["confirmation"], email_address__verified=False)
            .first()
        )
        if (
            confirmation is None
            or confirmation.key_expired()
            or confirmation.email_address.email.lower() != (to or "").lower()
        ):
            raise AccountSecretGone("the address is gone, confirmed or expired")
        key = confirmation.key
    # The link of the key made again, so it expires counted from the request.
    return {
        "key": key,
        "activate_url": site_url(reverse("account_confirm_email", args=[key])),
    }


def build_account_secrets(refs, to=None):
    """{placeholder: secret} for an outbox row's `secret_refs`, made now.

    Called by the outbox when it sends the email to `to` (registered with
    notifications.mail.register_secrets by AccountsConfig): the link is the
    one the member asked for, made again from the reference (the same
    timestamp, checked against the fingerprint kept), so it expires as it
    would have. Raises
    AccountSecretGone, and nothing is sent, when the account, its password
    or addresses changed, the address is confirmed or gone, `to` is no
    longer the member's, or the link expired.
    """
    made = {}
    values = {}
    for placeholder, ref in refs.items():
        kind = ref["kind"]
        if kind not in made:
            if kind == "password_reset":
                made[kind] = _password_reset(ref, to)
            elif kind == "email_confirmation":
                made[kind] = _email_confirmation(ref, to)
            else:
                raise ValueError(f"Unknown kind of account secret: {kind}")
        values[placeholder] = made[kind][ref["entry"]]
    return values
