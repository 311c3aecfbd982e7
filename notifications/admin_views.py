"""Sending a failed email again, from the admin's outbox listing."""

from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from .mail import enqueue, hide_placeholders, redact_tokens
from .models import OutgoingEmail


def may_send_again(user):
    """Sending again shows the recipient and the error: view and change."""
    return user.has_perm("notifications.view_outgoingemail") and user.has_perm(
        "notifications.change_outgoingemail"
    )


class RetryView(WagtailAdminTemplateMixin, TemplateView):
    """GET asks to confirm; POST puts the failed email back in the queue."""

    template_name = "notifications/admin/retry.html"
    header_icon = "mail"
    page_title = gettext_lazy("Send again")

    def dispatch(self, request, pk):
        # The same permissions the "Send again" button needs: the page shows
        # the recipient and the error, so view as well as change.
        if not may_send_again(request.user):
            raise PermissionDenied
        self.email = get_object_or_404(
            OutgoingEmail, pk=pk, status=OutgoingEmail.Status.FAILED
        )
        if self.email.is_account_email:
            # Its link was made for one moment of the account; an old one
            # must not go out again. The member asks for a new one.
            messages.error(
                request,
                _(
                    "An account email (password reset, address confirmation) "
                    "cannot be sent again: its link is no longer valid. Ask the "
                    "member to request a new link on the site."
                ),
            )
            return redirect("outbox:index")
        return super().dispatch(request)

    def get_page_subtitle(self):
        return self.email.subject

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("outbox:index"), "label": _("Outbox")},
            {"url": "", "label": self.get_header_title()},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            email=self.email,
            last_error=redact_tokens(hide_placeholders(self.email.last_error)),
            **kwargs,
        )

    def post(self, request):
        email = self.email
        with transaction.atomic():
            email.status = OutgoingEmail.Status.PENDING
            email.attempts = 0
            email.next_attempt_at = timezone.now()
            email.save(update_fields=["status", "attempts", "next_attempt_at"])
            transaction.on_commit(lambda: enqueue(email.pk))
        messages.success(
            request, _("The email to %(to)s will be sent again.") % {"to": email.to}
        )
        return redirect("outbox:index")
