"""The relaying contact form of a practice's contact persons."""

import datetime

import pytest

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from community.models import ContactMessage

from .factories import PracticeContactFactory, PracticePageFactory
from .factories_community import MemberFactory

pytestmark = pytest.mark.django_db

SUBJECT = "Vraag over jullie aanpak"
TEXT = "Hoe hebben jullie de huisartsen meegekregen? Groet, Sanne"


@pytest.fixture
def contact():
    return PracticeContactFactory(email="geheim.adres@example.org")


@pytest.fixture
def sender(client):
    user = MemberFactory(display_name="Sanne de Vries")
    client.force_login(user)
    return user


def url(contact):
    return reverse("community:contact", args=[contact.pk])


def send(client, contact, **data):
    return client.post(
        url(contact), {"subject": SUBJECT, "message": TEXT, "consent": "on", **data}
    )


def test_the_practice_page_links_each_contact_to_the_form(client, contact):
    html = client.get(contact.page.url).content.decode()
    assert f'href="{reverse("account_login")}?next={url(contact)}"' in html
    assert contact.email not in html
    client.force_login(MemberFactory())
    html = client.get(contact.page.url).content.decode()
    assert f'href="{url(contact)}"' in html
    assert contact.email not in html


def test_anonymous_visitors_are_asked_to_log_in(client, contact):
    response = client.get(url(contact))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert send(client, contact).status_code == 302
    assert not ContactMessage.objects.exists()


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
