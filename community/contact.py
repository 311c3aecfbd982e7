"""The pages of the contact form of a practice's contact person ("Neem
contact op"); what happens to a message is community.relay.

Anyone may write; nobody sees the contact person's address.

- Members write subject and message and tick the consent box; the email
  goes at once with their address as Reply-To. A member may send at most
  COMMUNITY_FLOOD["CONTACT_MESSAGES_PER_DAY"] messages in any 24 hours, the
  same message to the same person again within DUPLICATE_WINDOW_HOURS is
  refused, and a form sent twice (a double click) sends once
  (community.once). A members' form sent after the session expired keeps
  its text through the login (core.keep_input).
- Visitors without an account write name, address and message
  (`contact`), see "check your email" (`check_email`), open the link from
  that email and press one button (`confirm`), after which the message is
  relayed. The pages say so before anyone starts. A refused or invalid
  form shows what was typed with the reason; the honeypot
  (core.honeypot) and community.relay's limits apply.
- A contact person reports abuse with the link in the email (`report`).
- The member who recorded a confirmed adoption of the practice is written
  to the same way (`contact_adopter`, community.relay.Adopter).

The form page differs for members and visitors and is never cached; the
practice page's contact section (templates/practices/includes/contacts.html)
branches only on being logged in, which its fragment key and the page
cache's session bypass already follow (practices.templatetags
.practice_fragments, core.cache).
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.keep_input import as_initial, keeps_input, login_keeping_input, restore_input
from notifications.models import contact_opted_out

from . import flood, relay
from .forms import ContactForm, ContactReportForm, VisitorContactForm
from .models import ContactMessage
from .once import Repeated, once
from .services import Refused

# The visitor's latest message waiting for confirmation, in their session.
SESSION_KEY = "contact_waiting"


def sent_today(user):
    since = timezone.now() - datetime.timedelta(days=1)
    return ContactMessage.objects.filter(sender=user, created_at__gte=since).count()


def _contact_or_404(contact_id):
    contact = relay.reachable_contact(contact_id)
    if contact is None:
        raise Http404
    return contact


@keeps_input
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def contact(request, contact_id):
    return _contact_page(request, _contact_or_404(contact_id))


@keeps_input
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def contact_adopter(request, adoption_id):
    """The same form, to the member who recorded a confirmed adoption."""
    adopter = relay.reachable_adopter(adoption_id)
    if adopter is None:
        raise Http404
    return _contact_page(request, adopter)


def _contact_page(request, contact):
    practice = contact.page
    context = {"contact": contact, "contact_name": contact.name, "practice": practice}
    if not request.user.is_authenticated and (
        request.method == "POST" and "email" not in request.POST
    ):
        # The members' form (it has no address field), sent after the
        # session expired: log in again, keeping the text.
        return login_keeping_input(request)
    refusal = _refusal(request, contact)
    if refusal:
        context["refusal"] = refusal.message
        return render(request, "community/contact.html", context, status=refusal.status)
    if not request.user.is_authenticated:
        return _visitor_form(request, contact, context)

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


def _refusal(request, contact):
    """Why nobody, or not this member, can write to this person now."""
    profile = getattr(request.user, "profile", None)
    if profile is not None and profile.is_suspended:
        return Refused(
            _("Your account is suspended, so you cannot send messages for now."),
            status=403,
        )
    if contact_opted_out(contact.email):  # their opt-out covers the relay too
        return relay.opted_out_refusal(contact)
    return None


def _send_checked(request, contact, data):
    """Send unless the daily limit is reached, it repeats a message, or the
    contact person reported this member."""
    limit = settings.COMMUNITY_FLOOD["CONTACT_MESSAGES_PER_DAY"]
    with transaction.atomic():
        # Lock the sender's row: a double submit waits and is counted.
        get_user_model().objects.select_for_update().filter(pk=request.user.pk).first()
        if relay.is_blocked(contact, user=request.user):
            raise relay.blocked_refusal(contact)
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
                created_at__gte=timezone.now() - window,
                **relay.recipient(contact),
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
        relay.send_contact_message(request, contact, data)
    return f"{contact.page.url}#{contact.anchor}"


# Visitors ------------------------------------------------------------------------


def _waiting_in_session(request):
    """This browser's latest message that waits for confirmation or was
    just sent, or None."""
    message_id = request.session.get(SESSION_KEY)
    if not isinstance(message_id, int):
        return None
    message = (
        ContactMessage.objects.from_visitors()
        .filter(pk=message_id)
        .select_related("practice")
        .first()
    )
    if message is None or (
        message.status == ContactMessage.Status.PENDING
        and not relay.waiting().filter(pk=message.pk).exists()
    ):
        return None
    return message


def _visitor_form(request, contact, context):
    earlier = _waiting_in_session(request)
    if earlier is not None and (
        relay.recipient_of_stored(earlier) != relay.recipient(contact)
        or earlier.status != ContactMessage.Status.PENDING
    ):
        earlier = None
    status = 200
    if request.method == "POST":
        form = VisitorContactForm(request.POST, contact_name=contact.name)
        if form.is_valid():
            data = form.cleaned_data
            try:
                message = relay.write_visitor_message(
                    request,
                    contact,
                    data["name"],
                    data["email"],
                    data["message"],
                    replaces=earlier.pk if earlier else None,
                )
            except Refused as refused:
                form.add_error(None, refused.message)
                status = refused.status
            else:
                request.session[SESSION_KEY] = message.pk
                return redirect("community:contact_check")
        else:
            status = 400
    else:
        initial = as_initial(restore_input(request))
        if initial is None and earlier is not None and "wijzigen" in request.GET:
            initial = {
                "name": earlier.sender_name,
                "email": earlier.sender_email,
                "message": earlier.message,
            }
        form = VisitorContactForm(initial=initial, contact_name=contact.name)
    context.update(
        form=form,
        visitor=True,
        correcting=earlier is not None and "wijzigen" in request.GET,
        login_url=f"{reverse('account_login')}?next={request.path}",
        privacy=_privacy_figures(),
    )
    return render(request, "community/contact.html", context, status=status)


def _privacy_figures():
    return {
        "link_hours": relay.CONFIRM_LINK_HOURS,
        "keep_hours": relay.PENDING_KEEP_HOURS,
        "keep_days": relay.KEEP_DAYS,
    }


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def check_email(request):
    """The "check your email" page: where the visitor's message waits, with
    a button for a new email and a way back to correct the address."""
    message = _waiting_in_session(request)
    status = 200
    error = None
    waits = message is not None and message.status == ContactMessage.Status.PENDING
    if request.method == "POST" and waits:
        try:
            relay.resend_confirmation(request, message)
        except Refused as refused:
            error, status = refused.message, refused.status
        else:
            messages.success(
                request,
                _("We have sent the email again to %(email)s.")
                % {"email": message.sender_email},
            )
            return redirect("community:contact_check")
    return render(
        request,
        "community/contact_check.html",
        {"message": message, "error": error, "privacy": _privacy_figures()},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """The link in the confirmation email: the message and one button that
    relays it (POST). A used link says the message went; an expired one
    offers a new link without typing anything again."""
    try:
        message_id, contact_id, expired = relay.read_confirm_token(token)
    except signing.BadSignature:
        return render(
            request, "community/contact_link.html", {"state": "invalid"}, status=400
        )
    message = (
        ContactMessage.objects.from_visitors()
        .filter(pk=message_id)
        .select_related("practice")
        .first()
    )
    context = {"message": message, "privacy": _privacy_figures()}
    if message is not None and message.status == ContactMessage.Status.SENT:
        return render(
            request, "community/contact_sent.html", {**context, "already": True}
        )
    if message is None or not relay.waiting().filter(pk=message.pk).exists():
        context["contact"] = relay.reachable_contact(contact_id) if contact_id else None
        return render(
            request,
            "community/contact_link.html",
            {**context, "state": "gone"},
            status=410,
        )
    if expired:
        return _expired(request, message, context)
    if request.method != "POST":
        return render(request, "community/contact_confirm.html", context)
    try:
        message, relayed = relay.relay_visitor_message(message.pk)
    except relay.Gone:
        return render(
            request,
            "community/contact_link.html",
            {**context, "state": "gone"},
            status=410,
        )
    except Refused as refused:
        context["refusal"] = refused.message
        return render(
            request, "community/contact_confirm.html", context, status=refused.status
        )
    return render(
        request,
        "community/contact_sent.html",
        {**context, "message": message, "already": not relayed},
    )


def _expired(request, message, context):
    status = 410
    if request.method == "POST":
        try:
            sent = relay.resend_confirmation(request, message)
        except Refused as refused:
            context["refusal"] = refused.message
            status = refused.status
        else:
            if sent:
                request.session[SESSION_KEY] = message.pk
                messages.success(
                    request,
                    _("We have sent a new link to %(email)s.")
                    % {"email": message.sender_email},
                )
                return redirect("community:contact_check")
    return render(
        request,
        "community/contact_link.html",
        {**context, "state": "expired"},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report(request, token):
    """The "report abuse" link in a relayed email, for the contact person."""
    try:
        message_id = relay.read_report_token(token)
    except signing.SignatureExpired:
        return render(
            request,
            "community/contact_link.html",
            {"state": "report_expired", "privacy": _privacy_figures()},
            status=410,
        )
    except signing.BadSignature:
        return render(
            request, "community/contact_link.html", {"state": "invalid"}, status=400
        )
    message = (
        ContactMessage.objects.filter(pk=message_id, status=ContactMessage.Status.SENT)
        .select_related("practice", "sender__profile")
        .first()
    )
    if message is None:
        return render(
            request,
            "community/contact_link.html",
            {"state": "report_expired", "privacy": _privacy_figures()},
            status=410,
        )
    status = 200
    if request.method == "POST":
        form = ContactReportForm(request.POST)
        if form.is_valid():
            relay.report_message(message, form.cleaned_data["note"])
            message.refresh_from_db()
        else:
            status = 400
    else:
        form = ContactReportForm()
    return render(
        request,
        "community/contact_report.html",
        {"message": message, "form": form},
        status=status,
    )
