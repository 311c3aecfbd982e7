"""The admin logins, rate limited like the members' login.

Wagtail's and Django's admin login views check a password as often as they
are asked. Their forms here authenticate through allauth's adapter instead,
so failed admin logins count against the same `login_failed` limits as the
members' login (settings.ACCOUNT_RATE_LIMITS: per IP address and per
username, kept in the default cache, which production shares between
workers), and `rate_limited` counts every posted attempt against the `login`
limit. A blocked attempt gets the 429 page (templates/429.html), whatever
password it brings. kb/urls.py puts both views in front of the admins' own.
"""

from functools import wraps

from allauth.account.adapter import get_adapter
from allauth.core import ratelimit
from wagtail.admin.forms.auth import LoginForm

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy


class RateLimitedAuthenticationMixin:
    """For a subclass of Django's AuthenticationForm."""

    rate_limited = False

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                # Counts the attempt first and takes it back when the password
                # was right, as allauth's own login form does.
                self.user_cache = get_adapter(self.request).authenticate(
                    self.request, username=username, password=password
                )
            except ValidationError:
                self.rate_limited = True
                raise
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class WagtailLoginForm(RateLimitedAuthenticationMixin, LoginForm):
    """settings.WAGTAILADMIN_USER_LOGIN_FORM"""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Wagtail's password field has no label: Django showed its name,
        # "Password", in English.
        self.fields["password"].label = gettext_lazy("Password")


class DjangoAdminLoginForm(RateLimitedAuthenticationMixin, AdminAuthenticationForm):
    """admin.site.login_form (kb/urls.py)"""


def rate_limited(login_view):
    """A login view that answers 429 when a limit is reached."""

    @wraps(login_view)
    def view(request, *args, **kwargs):
        refused = ratelimit.consume_or_429(request, action="login")
        if refused is not None:
            return refused
        response = login_view(request, *args, **kwargs)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if getattr(form, "rate_limited", False):
            return ratelimit.respond_429(request)
        return response

    return view
