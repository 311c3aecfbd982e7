"""The relaying contact form of a practice's contact persons: members send at
once, visitors without an account after confirming their address."""

import datetime
import re
import time
from unittest import mock

import pytest

from django.core import mail, signing
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community import relay
from community.models import ContactMessage
from notifications.models import ContactOptOut, OutgoingEmail

from .factories import PracticeContactFactory, PracticePageFactory
from .factories_community import MemberFactory, ModeratorFactory

pytestmark = pytest.mark.django_db

SUBJECT = "Vraag over jullie aanpak"
TEXT = "Hoe hebben jullie de huisartsen meegekregen? Groet, Sanne"
VISITOR = {
    "name": "Sanne de Vries",
    "email": "sanne.bezoeker@example.org",
    "message": "Wij willen in Zwolle iets vergelijkbaars beginnen. Mag ik bellen?",
}
SECRET = "geheim.adres@example.org"


@pytest.fixture
def contact():
    return PracticeContactFactory(email=SECRET, name="Ria Bakker")


@pytest.fixture
def sender(client):
    user = MemberFactory(display_name="Sanne de Vries")
    client.force_login(user)
    return user


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run what a request queued for after its commit: emails go out."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


def url(contact):
    return reverse("community:contact", args=[contact.pk])


def send(client, contact, **data):
    return client.post(
        url(contact), {"subject": SUBJECT, "message": TEXT, "consent": "on", **data}
    )


def write(client, contact, **data):
    return client.post(url(contact), {**VISITOR, "website": "", **data})


def link_in(message, name):
    """The path of the site link `name` (confirm or report) in an email."""
    prefix = reverse(f"community:contact_{name}", args=["TOKEN"]).removesuffix("TOKEN/")
    found = re.search(rf"https?://[^/\s]+({re.escape(prefix)}[^/\s\"]+/)", message.body)
    assert found, message.body
    return found[1]


def to(address):
    return [m for m in mail.outbox if m.to == [address]]


def everything_in(message):
    """Subject, headers, text and HTML of an email, for what it must not hold."""
    parts = [message.subject, message.body, str(message.extra_headers)]
    parts += [content for content, _type in getattr(message, "alternatives", [])]
    return "\n".join(parts)


# The practice page ------------------------------------------------------------


def test_the_practice_page_says_what_happens_before_anyone_clicks(client, contact):
    html = client.get(contact.page.url).content.decode()
    assert f'href="{url(contact)}"' in html
    assert f"{reverse('account_login')}?next={url(contact)}" not in html
    assert (
        "Je bericht gaat via Vindplaats naar Ria Bakker. Je krijgt eerst een e-mail "
        "om je adres te bevestigen; daarna sturen we je bericht door. Ria Bakker "
        "antwoordt je rechtstreeks op je e-mailadres." in html
    )
    assert SECRET not in html

    client.force_login(MemberFactory())
    html = client.get(contact.page.url).content.decode()
    assert f'href="{url(contact)}"' in html
    assert "Je krijgt eerst een e-mail" not in html
    assert (
        "Je bericht gaat via Vindplaats naar Ria Bakker. Ria Bakker antwoordt je "
        "rechtstreeks op je e-mailadres." in html
    )
    assert SECRET not in html


def test_with_several_contacts_the_page_speaks_of_the_one_you_choose(client, contact):
    PracticeContactFactory(page=contact.page, name="Karim Aziz")
    html = client.get(contact.page.url).content.decode()
    assert "naar de contactpersoon die je kiest. Je krijgt eerst een e-mail" in html
    assert html.count('href="/community/contact/') == 2


def test_the_page_cache_keeps_visitors_and_members_apart(client, contact, settings):
    settings.PAGE_CACHE_SECONDS = 60
    visitor = Client()
    first = visitor.get(contact.page.url)
    again = visitor.get(contact.page.url)
    assert (first["X-Page-Cache"], again["X-Page-Cache"]) == ("miss", "hit")
    assert "Je krijgt eerst een e-mail" in again.content.decode()

    client.force_login(MemberFactory())
    member = client.get(contact.page.url)
    assert "X-Page-Cache" not in member  # a session goes past the page cache
    assert "Je krijgt eerst een e-mail" not in member.content.decode()
    assert (
        "Je krijgt eerst een e-mail" in visitor.get(contact.page.url).content.decode()
    )


def test_contact_pages_are_never_kept_in_the_page_cache(client, contact, settings):
    settings.PAGE_CACHE_SECONDS = 60
    for path in (url(contact), reverse("community:contact_check")):
        for _ in range(2):
            response = Client().get(path)
            assert response.status_code == 200
            assert "X-Page-Cache" not in response, path
            assert "no-store" in response["Cache-Control"]


# A visitor writes -------------------------------------------------------------


def test_a_visitor_writes_confirms_and_the_message_is_relayed(client, contact, sent):
    form = client.get(url(contact))
    assert form.status_code == 200
    html = form.content.decode()
    assert "Je krijgt eerst een e-mail om je adres te bevestigen" in html
    assert 'name="email"' in html and 'name="subject"' not in html
    assert SECRET not in html

    # 1. The form: nothing goes to the contact person yet.
    response = sent(write, client, contact)
    assert response.status_code == 302
    assert response["Location"] == reverse("community:contact_check")
    assert to(SECRET) == []
    waiting = ContactMessage.objects.get()
    assert waiting.status == ContactMessage.Status.PENDING
    assert (waiting.sender, waiting.sender_email) == (None, VISITOR["email"])

    # 2. "Check your email", with the address typed.
    check = client.get(response["Location"]).content.decode()
    assert "Kijk in je e-mail" in check and VISITOR["email"] in check
    assert SECRET not in check

    # 3. The confirmation email holds nothing the visitor typed.
    (confirmation,) = to(VISITOR["email"])
    assert "Ria Bakker" in confirmation.subject
    text = everything_in(confirmation)
    assert VISITOR["message"] not in text and VISITOR["name"] not in text
    assert SECRET not in text
    assert contact.page.title in confirmation.body
    path = link_in(confirmation, "confirm")
    assert path in confirmation.alternatives[0][0]

    # 4. The link shows the message and one button; opening it sends nothing
    # (a mail scanner opens every link).
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert VISITOR["message"] in html and "Verstuur mijn bericht" in html
    assert SECRET not in html
    assert to(SECRET) == []

    # 5. The button relays it: to the contact, answered straight to the visitor.
    done = sent(client.post, path)
    assert done.status_code == 200
    html = done.content.decode()
    assert "Je bericht is verstuurd" in html and SECRET not in html
    (relayed,) = to(SECRET)
    assert relayed.reply_to == [VISITOR["email"]]
    assert VISITOR["name"] in relayed.subject and contact.page.title in relayed.subject
    assert VISITOR["message"] in relayed.body
    assert VISITOR["email"] in relayed.body
    assert "via het contactformulier van Vindplaats" in relayed.body
    report = link_in(relayed, "report")
    assert report in relayed.alternatives[0][0]
    assert "/meldingen/afmelden-contactpersoon/" in relayed.body
    assert relayed.extra_headers["List-Unsubscribe"]

    # The contact's address reached only the contact person.
    for message in to(VISITOR["email"]):
        assert SECRET not in everything_in(message)

    # What stays is who wrote to whom and when, not the text.
    stored = ContactMessage.objects.get()
    assert stored.status == ContactMessage.Status.SENT
    assert stored.confirmed_at is not None
    assert (stored.message, stored.subject) == ("", "")
    assert (stored.sender_name, stored.sender_email, stored.contact) == (
        VISITOR["name"],
        VISITOR["email"],
        contact,
    )
    # ... and "check your email" in this browser says it went.
    assert (
        "Je bericht is verstuurd"
        in client.get(reverse("community:contact_check")).content.decode()
    )


def test_the_second_click_says_it_was_sent_and_sends_nothing(client, contact, sent):
    sent(write, client, contact)
    path = link_in(to(VISITOR["email"])[0], "confirm")
    sent(client.post, path)
    for again in (Client().get(path), sent(Client().post, path)):
        assert again.status_code == 200
        assert "Dit bericht is al verstuurd" in again.content.decode()
    assert len(to(SECRET)) == 1


def test_no_link_is_stored_in_the_outbox(client, contact, sent):
    sent(write, client, contact)
    path = link_in(to(VISITOR["email"])[0], "confirm")
    sent(client.post, path)
    token = path.rstrip("/").rsplit("/", 1)[1]
    for row in OutgoingEmail.objects.all():
        stored = row.body + row.html_body + str(row.headers)
        assert token not in stored
        assert "/community/contact/bevestigen/" not in stored
        assert "/community/contact/melden/" not in stored


def test_a_tampered_or_made_up_link_is_refused(client, contact, sent):
    sent(write, client, contact)
    path = link_in(to(VISITOR["email"])[0], "confirm")
    tampered = path[:-4] + ("xx" if path[-4:-2] != "xx" else "yy") + "/"
    for bad in (tampered, reverse("community:contact_confirm", args=["onzin"])):
        for response in (client.get(bad), sent(client.post, bad)):
            assert response.status_code == 400
            assert "Deze link werkt niet" in response.content.decode()
    assert to(SECRET) == []
    # Another message's id in a token signed with another key is no key.
    forged = signing.dumps(
        {"m": ContactMessage.objects.get().pk, "c": contact.pk},
        salt=relay.CONFIRM_SALT,
        key="een-andere-sleutel",
    )
    path = reverse("community:contact_confirm", args=[forged])
    assert sent(client.post, path).status_code == 400
    assert to(SECRET) == []


def old_confirm_token(message, hours):
    past = time.time() - hours * 3600
    with mock.patch("django.core.signing.time.time", return_value=past):
        return relay.confirm_token(message)


def test_an_expired_link_offers_a_new_one_without_typing_again(client, contact, sent):
    sent(write, client, contact)
    message = ContactMessage.objects.get()
    path = reverse("community:contact_confirm", args=[old_confirm_token(message, 25)])
    page = Client().get(path)
    assert page.status_code == 410
    html = page.content.decode()
    assert "Deze link is verlopen" in html
    assert f"Stuur een nieuwe link naar {VISITOR['email']}" in html
    # Pressing the button confirms nothing...
    other = Client()
    response = sent(other.post, path)
    assert to(SECRET) == []
    # ...but mails a new link, and says so on "check your email".
    assert response.status_code == 302
    assert response["Location"] == reverse("community:contact_check")
    assert "nieuwe link gestuurd" in other.get(response["Location"]).content.decode()
    first, second = to(VISITOR["email"])
    new = link_in(second, "confirm")
    assert sent(other.post, new).status_code == 200
    (relayed,) = to(SECRET)
    assert VISITOR["message"] in relayed.body


def test_a_message_not_confirmed_in_time_is_gone(client, contact, sent):
    sent(write, client, contact)
    message = ContactMessage.objects.get()
    path = link_in(to(VISITOR["email"])[0], "confirm")
    ContactMessage.objects.filter(pk=message.pk).update(
        confirmation_sent_at=timezone.now() - datetime.timedelta(hours=49)
    )
    for response in (client.get(path), sent(client.post, path)):
        assert response.status_code == 410
        html = response.content.decode()
        assert "Dit bericht is er niet meer" in html
        assert f'href="{url(contact)}"' in html
    assert to(SECRET) == []
    # The periodic job deletes it.
    call_command("purge_contact_messages", verbosity=0)
    assert not ContactMessage.objects.exists()


def test_a_double_click_keeps_one_message_and_sends_one_email(client, contact, sent):
    sent(write, client, contact)
    sent(write, client, contact)
    assert ContactMessage.objects.count() == 1
    assert len(to(VISITOR["email"])) == 1


def test_a_visitor_corrects_a_mistyped_address(client, contact, sent):
    sent(write, client, contact, email="sanne.bezoeker@exampel.org")
    check = client.get(reverse("community:contact_check")).content.decode()
    assert f'href="{url(contact)}?wijzigen=1"' in check
    form = client.get(url(contact) + "?wijzigen=1").content.decode()
    assert 'value="sanne.bezoeker@exampel.org"' in form
    assert VISITOR["message"] in form and 'value="Sanne de Vries"' in form
    sent(write, client, contact)
    (message,) = ContactMessage.objects.all()
    assert message.sender_email == VISITOR["email"]
    # The email to the wrong address no longer confirms anything.
    wrong = link_in(to("sanne.bezoeker@exampel.org")[0], "confirm")
    assert client.get(wrong).status_code == 410


def test_the_visitor_can_have_the_email_sent_again(client, contact, sent, settings):
    settings.COMMUNITY_FLOOD = {
        **settings.COMMUNITY_FLOOD,
        "CONTACT_CONFIRMATION_RESENDS": 1,
    }
    sent(write, client, contact)
    check = reverse("community:contact_check")
    response = sent(client.post, check)
    assert response.status_code == 302
    assert len(to(VISITOR["email"])) == 2
    refused = sent(client.post, check)
    assert refused.status_code == 429
    assert "al 2 keer gestuurd" in refused.content.decode()
    assert len(to(VISITOR["email"])) == 2


def test_another_browser_sees_no_waiting_message(client, contact, sent):
    sent(write, client, contact)
    html = Client().get(reverse("community:contact_check")).content.decode()
    assert "Er wacht geen bericht" in html and VISITOR["email"] not in html
    assert sent(Client().post, reverse("community:contact_check")).status_code == 200
    assert len(to(VISITOR["email"])) == 1


# Bad input, bots and limits --------------------------------------------------


def test_bad_input_keeps_what_was_typed_and_says_why(client, contact, sent):
    response = sent(write, client, contact, email="sanne@", name="")
    assert response.status_code == 400
    html = response.content.decode()
    assert VISITOR["message"] in html and 'value="sanne@"' in html
    assert "Vul je naam in." in html
    assert "Vul een e-mailadres in zoals naam@voorbeeld.nl" in html
    assert 'href="#id_email"' in html and 'href="#id_name"' in html
    assert SECRET not in html
    assert not ContactMessage.objects.exists() and mail.outbox == []

    response = sent(write, client, contact, message="x" * 5001)
    assert response.status_code == 400
    assert "x" * 5001 in response.content.decode()


def test_the_honeypot_refuses_and_keeps_the_text(client, contact, sent):
    response = sent(write, client, contact, website="http://spam.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert "door een programma ingevuld" in html
    assert VISITOR["message"] in html and f'value="{VISITOR["email"]}"' in html
    assert not ContactMessage.objects.exists() and mail.outbox == []


def limits(settings, **figures):
    settings.COMMUNITY_FLOOD = {**settings.COMMUNITY_FLOOD, **figures}


def test_one_internet_connection_may_write_so_often(contact, sent, settings):
    limits(settings, CONTACT_VISITOR_PER_IP_PER_HOUR=2)
    for number in range(2):
        response = sent(write, Client(), contact, email=f"bezoeker{number}@example.org")
        assert response.status_code == 302
    response = sent(write, Client(), contact, email="derde@example.org")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Probeer het over een uur opnieuw" in html
    assert VISITOR["message"] in html and 'value="derde@example.org"' in html
    # Another connection may.
    other = Client(REMOTE_ADDR="192.0.2.44")
    assert sent(write, other, contact, email="derde@example.org").status_code == 302


def test_one_address_gets_so_many_confirmation_emails(contact, sent, settings):
    limits(settings, CONTACT_VISITOR_PER_ADDRESS_PER_DAY=2)
    for number in range(2):
        client = Client(REMOTE_ADDR=f"192.0.2.{number + 1}")
        response = sent(write, client, contact, message=f"Bericht {number}")
        assert response.status_code == 302
    client = Client(REMOTE_ADDR="192.0.2.9")
    response = sent(write, client, contact, email=VISITOR["email"].upper())
    assert response.status_code == 429
    assert "Probeer het morgen opnieuw" in response.content.decode()
    assert len(to(VISITOR["email"])) == 2


def test_a_contact_person_gets_so_many_visitors_messages_a_day(
    client, contact, sent, settings
):
    limits(settings, CONTACT_VISITOR_PER_CONTACT_PER_DAY=1)
    sent(write, client, contact)
    sent(client.post, link_in(to(VISITOR["email"])[0], "confirm"))
    response = sent(write, Client(), contact, email="ander@example.org")
    assert response.status_code == 429
    assert "Ria Bakker kreeg vandaag al veel berichten" in response.content.decode()
    assert len(to(SECRET)) == 1


def test_a_contact_who_opted_out_takes_no_visitors_messages(client, contact, sent):
    ContactOptOut.objects.create(email=SECRET)
    assert client.get(url(contact)).status_code == 403
    assert sent(write, client, contact).status_code == 403
    assert mail.outbox == [] and not ContactMessage.objects.exists()


def test_an_opt_out_while_a_message_waits_stops_it(client, contact, sent):
    sent(write, client, contact)
    path = link_in(to(VISITOR["email"])[0], "confirm")
    ContactOptOut.objects.create(email=SECRET)
    response = sent(client.post, path)
    assert response.status_code == 403
    assert to(SECRET) == [] and not ContactMessage.objects.exists()


# Reports of abuse ------------------------------------------------------------


def test_the_contact_person_reports_abuse_and_the_sender_is_blocked(
    client, contact, sent
):
    moderator = ModeratorFactory(email="moderator@example.org")
    sent(write, client, contact)
    sent(client.post, link_in(to(VISITOR["email"])[0], "confirm"))
    report = link_in(to(SECRET)[0], "report")

    page = Client().get(report)
    assert page.status_code == 200
    assert "Sanne de Vries" in page.content.decode()
    response = sent(Client().post, report, {"note": "Reclame voor zonnepanelen."})
    assert response.status_code == 200
    assert "de redactie kijkt ernaar" in response.content.decode()
    message = ContactMessage.objects.get()
    assert message.reported_at and message.report_note == "Reclame voor zonnepanelen."
    (alert,) = to(moderator.email)
    assert "Ria Bakker" in alert.subject
    assert "Reclame voor zonnepanelen." in alert.body
    assert f"/contactberichten/inspect/{message.pk}/" in alert.body

    # The same address cannot reach this contact person again.
    sent(write, Client(), contact, message="Nog een aanbieding!")
    path = link_in(to(VISITOR["email"])[-1], "confirm")
    response = sent(Client().post, path)
    assert response.status_code == 403
    assert "geen berichten meer sturen" in response.content.decode()
    assert len(to(SECRET)) == 1
    # A second report changes nothing.
    sent(Client().post, report, {"note": "Nog eens"})
    assert ContactMessage.objects.get(pk=message.pk).report_note == (
        "Reclame voor zonnepanelen."
    )
    assert len(to(moderator.email)) == 1


def test_a_tampered_report_link_is_refused(client, contact, sent):
    sent(write, client, contact)
    sent(client.post, link_in(to(VISITOR["email"])[0], "confirm"))
    report = link_in(to(SECRET)[0], "report")
    response = sent(Client().post, report[:-3] + "xx/", {"note": "x"})
    assert response.status_code == 400
    assert ContactMessage.objects.get().reported_at is None


# Retention -------------------------------------------------------------------


def test_the_purge_keeps_only_what_abuse_handling_needs(contact):
    now = timezone.now()
    hours = datetime.timedelta(hours=1)
    days = datetime.timedelta(days=1)

    def visitor_message(**fields):
        return ContactMessage.objects.create(
            contact=contact,
            contact_name=contact.name,
            sender_name="Bezoeker",
            sender_email="bezoeker@example.org",
            **fields,
        )

    pending = ContactMessage.Status.PENDING
    fresh = visitor_message(status=pending, confirmation_sent_at=now - 47 * hours)
    stale = visitor_message(status=pending, confirmation_sent_at=now - 49 * hours)
    recent = visitor_message(confirmed_at=now - 29 * days)
    old = visitor_message(confirmed_at=now - 31 * days)
    reported = visitor_message(confirmed_at=now - 300 * days, reported_at=now - days)
    long_ago = visitor_message(
        confirmed_at=now - 400 * days, reported_at=now - 366 * days
    )
    member = ContactMessage.objects.create(
        contact=contact, contact_name=contact.name, sender=MemberFactory()
    )
    ContactMessage.objects.filter(pk=member.pk).update(created_at=now - 400 * days)

    assert relay.purge_contact_messages() == 3
    kept = set(ContactMessage.objects.values_list("pk", flat=True))
    assert kept == {fresh.pk, recent.pk, reported.pk, member.pk}
    assert stale.pk not in kept and old.pk not in kept and long_ago.pk not in kept


# Members ---------------------------------------------------------------------


def test_a_members_form_sent_after_the_session_expired_goes_to_the_login(
    client, contact
):
    response = send(client, contact)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not ContactMessage.objects.exists()


def test_members_see_the_members_form(client, contact, sender):
    html = client.get(url(contact)).content.decode()
    assert 'name="subject"' in html and 'name="consent"' in html
    assert 'name="email"' not in html
    assert "Ria Bakker antwoordt je rechtstreeks op je e-mailadres" in html
    assert "Je krijgt eerst een e-mail" not in html


def test_message_is_relayed_with_the_sender_as_reply_to(
    client, contact, sender, django_capture_on_commit_callbacks
):
    bodies = [client.get(url(contact)).content.decode()]
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, contact)
    assert response.status_code == 302
    assert response["Location"] == f"{contact.page.url}#{contact.anchor}"
    bodies.append(client.get(response["Location"]).content.decode())

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [contact.email]
    assert message.reply_to == [sender.email]
    assert SUBJECT in message.subject
    assert TEXT in message.body
    assert "Sanne de Vries" in message.body
    assert contact.page.title in message.body
    assert link_in(message, "report")

    stored = ContactMessage.objects.get()
    assert (stored.sender, stored.contact, stored.practice) == (
        sender,
        contact,
        contact.page.specific,
    )
    assert (stored.subject, stored.message, stored.contact_name) == (
        SUBJECT,
        TEXT,
        contact.name,
    )
    for body in bodies:
        assert contact.email not in body


def test_a_member_the_contact_person_reported_cannot_write_again(
    client, contact, sender, sent
):
    sent(send, client, contact)
    sent(Client().post, link_in(to(SECRET)[0], "report"), {"note": ""})
    response = sent(send, client, contact, message="Een ander bericht")
    assert response.status_code == 403
    assert "geen berichten meer sturen" in response.content.decode()
    assert len(to(SECRET)) == 1


def test_consent_is_required_and_the_text_is_kept(client, contact, sender):
    response = send(client, contact, consent="")
    assert response.status_code == 400
    html = response.content.decode()
    assert TEXT in html and SUBJECT in html
    assert 'href="#id_consent"' in html
    assert contact.email not in html
    assert not ContactMessage.objects.exists()
    assert mail.outbox == []


def test_rate_limit_answers_429_and_keeps_the_text(
    client, contact, sender, settings, django_capture_on_commit_callbacks
):
    settings.COMMUNITY_FLOOD = {
        **settings.COMMUNITY_FLOOD,
        "CONTACT_MESSAGES_PER_DAY": 2,
    }
    old = ContactMessage.objects.create(
        contact=contact, contact_name="x", sender=sender, subject="oud", message="oud"
    )
    ContactMessage.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert send(client, contact).status_code == 302
        # A different text: the same one again is refused as a repeat.
        assert send(client, contact, message="Tweede bericht").status_code == 302
        response = send(client, contact, message="Derde bericht, nog steeds hier")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Derde bericht, nog steeds hier" in html
    assert contact.email not in html
    assert ContactMessage.objects.filter(sender=sender).count() == 3
    assert len(mail.outbox) == 2


def test_suspended_members_cannot_send(client, contact, sender):
    sender.profile.suspended_until = timezone.now() + datetime.timedelta(days=1)
    sender.profile.save()
    assert client.get(url(contact)).status_code == 403
    response = send(client, contact)
    assert response.status_code == 403
    assert contact.email not in response.content.decode()
    assert not ContactMessage.objects.exists()


def test_only_contacts_of_live_public_practices(client, sender):
    draft = PracticePageFactory(live=False)
    hidden_contact = PracticeContactFactory(page=draft)
    assert client.get(url(hidden_contact)).status_code == 404
    assert send(client, hidden_contact).status_code == 404
    assert client.get(reverse("community:contact", args=[999_999])).status_code == 404
    client.logout()
    assert write(client, hidden_contact).status_code == 404


def test_the_editors_see_sent_messages_only(client, contact, sent):
    sent(write, Client(), contact, email="wacht@example.org")
    sent(write, client, contact)
    sent(client.post, link_in(to(VISITOR["email"])[0], "confirm"))
    waiting = ContactMessage.objects.get(sender_email="wacht@example.org")
    relayed = ContactMessage.objects.get(sender_email=VISITOR["email"])
    client.force_login(ModeratorFactory())
    listing = client.get("/admin/community/contactberichten/").content.decode()
    assert VISITOR["email"] in listing and "wacht@example.org" not in listing
    inspect = "/admin/community/contactberichten/inspect/{}/"
    assert client.get(inspect.format(relayed.pk)).status_code == 200
    assert client.get(inspect.format(waiting.pk)).status_code == 404


def test_a_visitors_form_with_an_expired_csrf_token_keeps_what_was_typed(contact):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        url(contact), {**VISITOR, "website": ""}, HTTP_ORIGIN="http://testserver"
    )
    assert response.status_code == 302 and response["Location"] == url(contact)
    html = client.get(url(contact)).content.decode()
    assert VISITOR["message"] in html and f'value="{VISITOR["email"]}"' in html
    assert not ContactMessage.objects.exists()


def test_a_report_link_works_as_long_as_the_details_are_kept(client, contact, sent):
    sent(write, client, contact)
    sent(client.post, link_in(to(VISITOR["email"])[0], "confirm"))
    message = ContactMessage.objects.get()
    past = time.time() - (relay.KEEP_DAYS + 1) * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=past):
        old = reverse("community:contact_report", args=[relay.report_token(message.pk)])
    response = sent(Client().post, old, {"note": "Te laat"})
    assert response.status_code == 410
    assert "Deze link werkt niet meer" in response.content.decode()
    assert ContactMessage.objects.get().reported_at is None
