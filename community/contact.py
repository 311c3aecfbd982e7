"""The contact form of a practice's contact person ("Neem contact op").

Members write to a contact person through the site: the message is emailed
to the contact's stored address with the member's address as Reply-To, so
the contact answers the member directly while the contact's address is
never shown to the member. A copy is kept as a ContactMessage for the
editors, and a member may send at most COMMUNITY_FLOOD
["CONTACT_MESSAGES_PER_DAY"] messages in any 24 hours. The same message to
the same person again within DUPLICATE_WINDOW_HOURS is refused, and a form
sent twice (a double click) sends once (community.once). A form sent after
the session expired keeps its text through the login (core.keep_input).
"""

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.keep_input import as_initial, keeps_input, login_keeping_input, restore_input
from notifications.events import display_name
from notifications.mail import (
    absolute_url,
    contact_opt_out_link,
    queue_email,
    unsubscribe_headers,
)
from notifications.models import contact_opted_out
from practices.models import PracticeContact, PracticePage

from . import flood
from .models import ContactMessage
from .once import Repeated, once
from .services import Refused


class ContactForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=150)
    message = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    consent = forms.BooleanField(
        label=gettext_lazy(
            "I agree that Vindplaats sends my message, my name and my email "
            "address to this contact person and keeps a copy for the editors."
        ),
        error_messages={
            "required": gettext_lazy(
                "Tick this box to send the message: without it we cannot pass it on."
            )
        },
    )


def sent_today(user):
    since = timezone.now() - datetime.timedelta(days=1)
    return ContactMessage.objects.filter(sender=user, created_at__gte=since).count()


@keeps_input
def contact(request, contact_id):
    contact = get_object_or_404(
        PracticeContact.objects.select_related("page"),
        pk=contact_id,
        page__in=PracticePage.objects.reachable(),
    )
    practice = contact.page
    if not request.user.is_authenticated:
        return login_keeping_input(request)
    context = {"contact_name": contact.name, "practice": practice}
    profile = getattr(request.user, "profile", None)
    if profile is not None and profile.is_suspended:
        context["refusal"] = _(
            "Your account is suspended, so you cannot send messages for now."
        )
        return render(request, "community/contact.html", context, status=403)
    if contact_opted_out(contact.email):  # their opt-out covers the relay too
        context["refusal"] = _(
            "This contact person does not want to receive messages through "
            "Vindplaats. The practice page may list other ways to reach them."
        )
        return render(request, "community/contact.html", context, status=403)

    status = 200
    if request.method == "POST":
        form = ContactForm(request.POST)
    else:
        form = ContactForm(initial=as_initial(restore_input(request)))
    if request.method == "POST" and form.is_valid():
        try:
            once(request, lambda: _send_checked(request, contact, form.cleaned_data))
        except Refused as refused:
            form.add_error(None, refused.message)
            status = refused.status
        except Repeated as repeated:
            if not repeated.url:  # not this member's form: nothing was sent
                form.add_error(
                    None,
                    _("This form could not be sent yet. Please send it again."),
                )
                status = 400
            # else: this very form was sent twice at once; the first one went
        if status == 200:
            messages.success(
                request,
                _(
                    "Your message to %(name)s has been sent. Their reply will "
                    "come to you by email."
                )
                % {"name": contact.name},
            )
            return redirect(f"{practice.url}#{contact.anchor}")
    elif request.method == "POST":
        status = 400
    context["form"] = form
    return render(request, "community/contact.html", context, status=status)


def _send_checked(request, contact, data):
    """Send unless the daily limit is reached or it repeats a message."""
    limit = settings.COMMUNITY_FLOOD["CONTACT_MESSAGES_PER_DAY"]
    with transaction.atomic():
        # Lock the sender's row: a double submit waits and is counted.
        get_user_model().objects.select_for_update().filter(pk=request.user.pk).first()
        if sent_today(request.user) >= limit:
            raise Refused(
                _(
                    "You have sent %(count)d messages in the past 24 hours, "
                    "the most we allow. Please try again tomorrow; your text "
                    "is kept below."
                )
                % {"count": limit},
                status=429,
            )
        window = datetime.timedelta(
            hours=settings.COMMUNITY_FLOOD["DUPLICATE_WINDOW_HOURS"]
        )
        wanted = flood.normalise(data["message"])
        if any(
            flood.normalise(message) == wanted
            for message in ContactMessage.objects.filter(
                sender=request.user,
                contact=contact,
                created_at__gte=timezone.now() - window,
            ).values_list("message", flat=True)
        ):
            raise Refused(
                _(
                    "You already sent this message to %(name)s. Their reply will "
                    "come to you by email."
                )
                % {"name": contact.name},
                status=400,
            )
        send_contact_message(request, contact, data)
    return f"{contact.page.url}#{contact.anchor}"


def send_contact_message(request, contact, data):
    """Store the copy and queue the email, in the caller's transaction."""
    practice = contact.page
    ContactMessage.objects.create(
        practice=practice,
        contact=contact,
        contact_name=contact.name,
        sender=request.user,
        subject=data["subject"],
        message=data["message"],
    )
    sender = display_name(request.user)
    opt_out = contact_opt_out_link(contact)  # made when sent, never stored
    queue_email(
        contact.email,
        _("[Vindplaats] %(subject)s (from %(sender)s)")
        % {"subject": data["subject"], "sender": sender},
        "email/contact_message",
        {
            "contact_name": contact.name,
            "sender": sender,
            "practice": practice.title,
            "practice_url": absolute_url(practice.url),
            "subject": data["subject"],
            "message": data["message"],
            "opt_out_url": opt_out,
        },
        reply_to=request.user.email,
        headers=unsubscribe_headers(opt_out),
        sender=request.user,
    )
