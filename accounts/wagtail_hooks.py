"""Wagtail's account page ("Account") changes neither password nor email
address (WAGTAIL_PASSWORD_MANAGEMENT_ENABLED and
WAGTAIL_EMAIL_MANAGEMENT_ENABLED are off): both go through the site's own
account pages, where allauth asks for the old password with its
failed-attempt limit and confirms a new address before using it. The
account page links there."""

from wagtail import hooks

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@hooks.register("register_account_menu_item")
def change_password_on_the_site(request):
    return {
        "url": reverse("account_change_password"),
        "label": _("Change password"),
        "help_text": _("On the site's account pages, with your current password."),
    }


@hooks.register("register_account_menu_item")
def change_email_on_the_site(request):
    return {
        "url": reverse("account_email"),
        "label": _("Change email address"),
        "help_text": _(
            "On the site's account pages: a new address is used once you confirm it."
        ),
    }
