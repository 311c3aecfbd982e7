"""Issue 14, item 18: three parallel requests create one thing, for real.

The other tests replay a double click one request after the other. Here three
threads send the same form at the same moment, each on its own database
connection, as three gunicorn workers would. Only PostgreSQL runs requests
truly side by side; the in-memory SQLite test database is one connection's.
Committed (transactional) tests run after all others and empty the database
when they end. This is one test, in a file named to sort before the other
committed tests (tests/test_backup.py), so it still finds the demo site.
"""

import re
import threading

import pytest

from django.apps import apps
from django.db import connection
from django.test import Client

from community.models import Answer, ContactMessage, Question
from notifications.models import Follow
from practices.models import PracticeContact, PracticeIndexPage, PracticePage, Theme
from submissions.models import Submission
from tests.factories_community import MemberFactory
from tests.test_submissions import valid_post

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="only PostgreSQL runs the three requests side by side",
    ),
    pytest.mark.django_db(
        transaction=True, available_apps=[app.name for app in apps.get_app_configs()]
    ),
]


def clients_of(member, count=3):
    clients = []
    for _ in range(count):
        client = Client()
        client.force_login(member)
        clients.append(client)
    return clients


def token_in(response):
    return re.search(r'name="form_token" value="([^"]+)"', response.content.decode())[1]


def at_once(clients, url, data):
    """POST the same data from every client at the same moment."""
    start = threading.Barrier(len(clients))
    answers = []

    def send(client):
        try:
            start.wait()
            answers.append(client.post(url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(answers)


def test_three_parallel_requests_create_one_of_each():
    assert PracticeIndexPage.objects.exists(), "the demo site is loaded"
    member = MemberFactory()
    clients = clients_of(member)
    ask = "/community/vraag-stellen/"
    title = "Wie heeft ervaring met drie gelijktijdige verzoeken?"
    data = {
        "title": title,
        "body": "Een toelichting die lang genoeg is om te plaatsen.",
        "themes": [Theme.objects.order_by("pk").first().pk],
        "form_token": token_in(clients[0].get(ask)),
    }
    assert at_once(clients, ask, data) == [302, 302, 302]
    assert Question.objects.filter(title=title).count() == 1

    answerer = MemberFactory()
    clients = clients_of(answerer)
    question = Question.objects.filter(is_hidden=False).exclude(author=answerer)[0]
    body = "Een antwoord dat drie keer tegelijk wordt verstuurd."
    data = {
        "body": body,
        "form_token": token_in(clients[0].get(question.get_absolute_url())),
    }
    assert at_once(clients, question.get_absolute_url(), data) == [302, 302, 302]
    assert Answer.objects.filter(body=body).count() == 1

    practice = PracticePage.objects.live().first()
    follow = {"target": "practice", "id": practice.pk, "action": "follow", "next": "/"}
    assert at_once(clients, "/meldingen/volgen/", follow) == [302, 302, 302]
    assert Follow.objects.filter(user=answerer, practice=practice).count() == 1

    member = MemberFactory()
    clients = clients_of(member)
    contact = PracticeContact.objects.exclude(email="").order_by("pk")[0]
    url = f"/community/contact/{contact.pk}/"
    message = "Een bericht dat drie keer tegelijk wordt verstuurd, over jullie aanpak."
    data = {
        "subject": "Drie tegelijk",
        "message": message,
        "consent": "on",
        "form_token": token_in(clients[0].get(url)),
    }
    assert at_once(clients, url, data) == [302, 302, 302]
    assert ContactMessage.objects.filter(message=message).count() == 1

    initiator = MemberFactory()
    clients = clients_of(initiator)
    assert at_once(clients, "/deel-jouw-initiatief/", valid_post()) == [302, 302, 302]
    assert Submission.objects.filter(owner=initiator).count() == 1
    assert PracticePage.objects.filter(owner=initiator).count() == 1
