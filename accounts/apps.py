from wagtail.users.apps import WagtailUsersAppConfig

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Members: sign-up through allauth, profiles, data export and deletion."""

    name = "accounts"
    verbose_name = _("Members")
    default = True

    def ready(self):
        from django.contrib.auth import get_user_model

        from notifications.mail import register_secrets

        from . import signals  # noqa: F401
        from .adapter import SECRET_ENTRIES, build_account_secrets
        from .models import member_name

        # The outbox makes the reset and confirmation links when it sends.
        register_secrets(SECRET_ENTRIES, build_account_secrets)

        # Everything that prints a user (Wagtail's listings, inspect pages
        # and buttons, Django's admin, log entries) calls them by their name,
        # never by the login username. get_username() still gives the
        # username, so logging in is unchanged.
        get_user_model().__str__ = member_name

        # Wagtail's own account page asks for a last name too; an editor
        # whose display name is one word could not save a preference there.
        from wagtail.admin.forms.account import NameEmailForm

        NameEmailForm.base_fields["last_name"].required = False


class UsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user management, listing members by name and address
    instead of their login username (accounts.admin_users)."""

    default = False
    user_viewset = "accounts.admin_users.UserViewSet"
