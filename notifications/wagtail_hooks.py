"""The outbox in the Wagtail admin: emails waiting, sent or given up on.

Rows hold addresses and message text, so only users with the
`notifications.view_outgoingemail` permission see them: the listing, and
each email's details with its text. Sending a failed email again needs
`notifications.change_outgoingemail`. The Editors and Moderators groups
have both (migration 0005); nobody edits or deletes an email here.

Account emails (address confirmation, password reset and the like) are
listed, and can be sent again, but their text is never shown: it is no
business of the redactie, and their one-time links are never stored anyway
(notifications.mail, accounts.adapter).
"""

import re

from wagtail import hooks
from wagtail.admin.ui.menus import MenuItem as ListingMenuItem
from wagtail.admin.views.generic.models import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from . import admin_views
from .models import OutgoingEmail


class ViewOnlyPolicy(ModelPermissionPolicy):
    """The view permission and nothing else: no add, edit or delete views."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)


register_permission_policy(OutgoingEmail, ViewOnlyPolicy(OutgoingEmail))


def may_send_again(user):
    return user.has_perm("notifications.change_outgoingemail")


class OutgoingEmailIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.status == OutgoingEmail.Status.FAILED and may_send_again(
            self.request.user
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


def without_link_tokens(text):
    """The text with the signed tokens of unsubscribe and opt-out links cut
    out: each is a credential of its recipient, not for the reader."""
    for name in ("notifications:unsubscribe", "notifications:contact_opt_out"):
        prefix = reverse(name, args=["TOKEN"]).removesuffix("TOKEN/")
        text = re.sub(re.escape(prefix) + r"[^/\s]+/", prefix + "…/", text)
    return text


class OutgoingEmailInspectView(InspectView):
    def get_body_display_value(self):
        if self.object.is_account_email:
            return _(
                "Account email (address confirmation, password reset and the "
                "like): its text is not shown."
            )
        return without_link_tokens(self.object.body)


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
