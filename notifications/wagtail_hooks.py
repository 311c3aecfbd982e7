"""The outbox in the Wagtail admin: emails waiting, sent or given up on.

Rows hold addresses and message text, so only users with the
`notifications.view_outgoingemail` permission see them: the listing, and
each email's details with its text. Sending a failed email again needs
`notifications.change_outgoingemail`. The Editors and Moderators groups
have both (migration 0005); nobody edits or deletes an email here.

Account emails (address confirmation, password reset and the like) are
listed, but their text is never shown and they cannot be sent again (the
member asks for a new link): it is no business of the redactie, and their
one-time links are never stored anyway (notifications.mail,
accounts.adapter). No row holds a working token (unsubscribe, opt-out,
"still current?" links are placeholders, made when sent); as a second line,
every text shown here has any token-like value cut out (redact_tokens).
"""

from wagtail import hooks
from wagtail.admin.ui.menus import MenuItem as ListingMenuItem
from wagtail.admin.views.generic.models import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from . import admin_views
from .mail import hide_placeholders, redact_headers, redact_tokens
from .models import OutgoingEmail


class ViewOnlyPolicy(ModelPermissionPolicy):
    """The view permission and nothing else: no add, edit or delete views."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)


register_permission_policy(OutgoingEmail, ViewOnlyPolicy(OutgoingEmail))


class OutgoingEmailIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if (
            instance.status == OutgoingEmail.Status.FAILED
            and not instance.is_account_email
            and admin_views.may_send_again(self.request.user)
        ):
            buttons.append(
                ListingMenuItem(
                    _("Send again"),
                    url=reverse("outbox_retry", args=[instance.pk]),
                    icon_name="repeat",
                    priority=5,
                )
            )
        return buttons


def shown_text(text):
    """A row's text as the admin shows it: links made when sent as
    "[link]", and any token that is there anyway cut out."""
    return redact_tokens(hide_placeholders(text))


class OutgoingEmailInspectView(InspectView):
    def get_body_display_value(self):
        if self.object.is_account_email:
            return _(
                "Account email (address confirmation, password reset and the "
                "like): its text is not shown."
            )
        return shown_text(self.object.body)

    def get_last_error_display_value(self):
        return shown_text(self.object.last_error)

    def get_headers_display_value(self):
        headers = redact_headers(self.object.headers)
        return shown_text(
            "\n".join(f"{name}: {value}" for name, value in headers.items())
        )


class OutgoingEmailViewSet(ModelViewSet):
    model = OutgoingEmail
    icon = "mail"
    menu_label = _("Outbox")
    url_prefix = "uitgaande-emails"
    add_to_settings_menu = True
    index_view_class = OutgoingEmailIndexView
    inspect_view_class = OutgoingEmailInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    search_backend_name = None
    list_per_page = 50
    list_display = ["subject", "to", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to", "subject"]
    inspect_view_fields = [
        "to",
        "subject",
        "is_account_email",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "headers",
        "body",
    ]
    exclude_form_fields = []


@hooks.register("register_admin_viewset")
def register_outbox():
    return OutgoingEmailViewSet("outbox")


@hooks.register("register_admin_urls")
def register_outbox_retry():
    return [
        path(
            "uitgaande-emails/<int:pk>/opnieuw/",
            admin_views.RetryView.as_view(),
            name="outbox_retry",
        )
    ]
