"""No email address of a contact person or a member in any public response.

The test crawls the demo site as an anonymous visitor, with community
content of members added on top: from the home page, the sitemap, robots.txt,
the API, the CSV and the Atom feed it follows every same-site link (bounded)
and checks that no response contains any address the database holds for a
person (accounts, allauth's addresses, contact persons, addresses typed into
drafts, the outbox and the contact persons' opt-outs), and that no response
is a server error.

Data export and account deletion are covered in tests/test_accounts.py
(`test_export_contains_own_data_and_nothing_of_others`,
`test_delete_account_keeps_posts_anonymous_and_removes_personal_data`); what
they leave out, a member's submissions, is tested at the end of this file.
"""

import io
import json
import re
import time
import zipfile
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from allauth.account.models import EmailAddress

from django.contrib.auth import get_user_model
from django.urls import reverse

from community import services
from community.models import ContactMessage
from notifications.models import ContactOptOut, Follow, OutgoingEmail
from practices.models import PracticeContact, PracticePage, Province
from submissions.models import Submission, SubmissionFile

from .factories_community import AnswerFactory, MemberFactory, QuestionFactory

pytestmark = pytest.mark.django_db

MAX_URLS = 1500
# Of the URLs with a query (facet links, sort orders, page numbers) only this
# many: they show the same practices again, in another order.
MAX_QUERY_URLS = 250
SKIPPED_PREFIXES = (
    "/admin/",
    "/django-admin/",
    "/media/",
    "/static/",
    "/documenten/",
    "/account/logout/",
)
START = [
    "/",
    "/sitemap.xml",
    "/robots.txt",
    "/api/v1/practices/",
    "/api/v1/practices/?page_size=100",
    "/api/v1/practices.csv",
    "/feeds/praktijkvoorbeelden.atom",
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Published on purpose: the redactie's address in the accessibility
# statement, which the demo's editor account also logs in with.
PUBLISHED = {"redactie@example.org"}


class Links(HTMLParser):
    """The href of every <a> and <link>, and the action of GET forms."""

    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("a", "link") and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self.links.append(attrs.get("action") or "")


def links_in(url, response):
    kind = response.get("Content-Type", "")
    body = response.content.decode(errors="replace")
    if "html" in kind:
        parser = Links()
        parser.feed(body)
        found = parser.links
    elif "xml" in kind:  # the sitemap's <loc>, the feed's <link href>
        found = re.findall(r"<loc>([^<]+)</loc>", body)
        found += re.findall(r'<link[^>]*href="([^"]+)"', body)
    elif "json" in kind:
        found = re.findall(r'"url": ?"([^"]+)"', body)
    elif "csv" in kind or "text/plain" in kind:
        found = re.findall(r"https?://testserver[^\s,;\"]*", body)
    else:
        found = []
    for href in found:
        target = urlsplit(urljoin(f"http://testserver{url}", urldefrag(href)[0]))
        if target.scheme not in ("http", "https") or target.netloc != "testserver":
            continue
        if target.path.startswith(SKIPPED_PREFIXES):
            continue
        yield target.path + (f"?{target.query}" if target.query else "")


def visible_text(body):
    """The body with the ways an address can be written made plain."""
    for encoded in ("%40", "\\u0040", "&#64;", "&#x40;", "&commat;"):
        body = body.replace(encoded, "@")
    return body.lower()


def readable(response):
    """The response as text; a workbook (XLSX) as the XML inside it."""
    if response.get("Content-Type", "").startswith("image/"):
        return ""  # the favicon and its kind: no text to hold an address
    if response.get("Content-Type", "").startswith(XLSX):
        with zipfile.ZipFile(io.BytesIO(response.content)) as workbook:
            return "".join(
                workbook.read(name).decode()
                for name in workbook.namelist()
                if name.endswith(".xml")
            )
    return response.content.decode("utf-8")


def crawl(client, start):
    """Breadth first from `start`; returns {url: response}."""
    queue, seen, responses, with_query = deque(start), set(start), {}, 0
    while queue and len(responses) < MAX_URLS:
        url = queue.popleft()
        response = client.get(url)
        responses[url] = response
        found = list(links_in(url, response))
        if response.status_code in (301, 302) and response.get("Location"):
            found += list(links_in(url, _LocationOnly(response["Location"])))
        for link in found:
            if link in seen:
                continue
            if "?" in link:
                if with_query >= MAX_QUERY_URLS:
                    continue
                with_query += 1
            seen.add(link)
            queue.append(link)
    return responses


class _LocationOnly:
    """A redirect seen as a page with one link."""

    def __init__(self, location):
        self.content = f'<a href="{location}"></a>'.encode()

    def get(self, name, default=""):
        return "text/html" if name == "Content-Type" else default


def add_community(practice):
    """Members with addresses, and what they do in public."""
    theme = practice.themes.first()
    members = [
        MemberFactory(
            email=f"crawl.lid{i}@voorbeeld-zorg.nl",
            display_name=f"Crawl Lid {i}",
        )
        for i in range(4)
    ]
    for member in members:
        profile = member.profile
        profile.organisation = "Wijkteam Oost"
        profile.role = "Wijkverpleegkundige"
        profile.bio = "Ik werk in de wijk."
        profile.province = Province.objects.first()
        profile.save()
    EmailAddress.objects.create(
        user=members[0], email="tweede.adres@voorbeeld-zorg.nl", verified=False
    )
    # A member who is also a practice's contact person: the "initiatiefnemer".
    contact = practice.contacts.first()
    contact_member = MemberFactory(email=contact.email, display_name="Contact Lid")
    question = QuestionFactory(
        author=members[0], title="Hoe houden jullie contact met de huisarts?"
    )
    question.themes.set([theme])
    question.practices.add(practice)
    answers = [
        AnswerFactory(question=question, author=author, body=f"Antwoord van {i}.")
        for i, author in enumerate([members[1], members[2], contact_member])
    ]
    services.accept_answer(answers[0], members[0])
    services.toggle_helpful(answers[1], members[3])
    services.report_post(answers[2], members[3], reason="spam")
    hidden = QuestionFactory(author=members[3], title="Een verborgen vraag, toch?")
    services.hide_post(hidden, None)
    services.suspend_member(members[2], days=3, reason="Reclame", moderator=None)
    Follow.objects.create(user=members[1], question=question)
    ContactMessage.objects.create(
        practice=practice,
        contact=contact,
        contact_name=contact.name,
        sender=members[1],
        subject="Vraag",
        message="Hallo",
    )
    OutgoingEmail.objects.create(
        to="uitgaand@voorbeeld-zorg.nl",
        reply_to=members[1].email,
        subject="Vraag",
        body="Hallo",
    )
    ContactOptOut.objects.create(email="afgemeld@voorbeeld-zorg.nl")
    Submission.objects.create(
        owner=members[3],
        data={
            "fields": {"title": "Concept"},
            "contact": [{"name": "Iemand", "email": "concept.contact@voorbeeld.nl"}],
        },
    )
    return question


def personal_addresses():
    User = get_user_model()
    addresses = set(User.objects.values_list("email", flat=True))
    addresses |= set(EmailAddress.objects.values_list("email", flat=True))
    addresses |= set(PracticeContact.objects.values_list("email", flat=True))
    addresses |= set(OutgoingEmail.objects.values_list("to", flat=True))
    addresses |= set(OutgoingEmail.objects.values_list("reply_to", flat=True))
    addresses |= set(ContactOptOut.objects.values_list("email", flat=True))
    for data in Submission.objects.values_list("data", flat=True):
        addresses |= set(EMAIL.findall(json.dumps(data)))
    return {address.lower() for address in addresses if address} - PUBLISHED


@pytest.mark.slow  # some 1,000 requests; the pages' own tests check them one by one
def test_no_personal_email_address_in_any_public_response(client, capsys):
    practice = PracticePage.objects.live().filter(contacts__isnull=False).first()
    question = add_community(practice)
    addresses = personal_addresses()
    assert len(addresses) > 150  # the demo's contact persons and members, and ours

    started = time.monotonic()
    responses = crawl(client, [*START, question.get_absolute_url()])
    seconds = time.monotonic() - started
    with capsys.disabled():
        print(f"\nprivacy crawl: {len(responses)} URLs in {seconds:.0f} s")

    errors = {
        url: r.status_code for url, r in responses.items() if r.status_code >= 400
    }
    assert not errors, errors
    leaks = {}
    for url, response in responses.items():
        found = set(EMAIL.findall(visible_text(readable(response))))
        if found & addresses:
            leaks[url] = found & addresses
    assert not leaks, leaks

    # The crawl reached what it should, so it cannot pass by seeing nothing.
    assert len(responses) > 400
    paths = {url.split("?")[0] for url in responses}
    practices = set(
        PracticePage.objects.live().public().values_list("url_path", flat=True)
    )
    reached = {path for path in paths if any(p.endswith(path) for p in practices)}
    assert len(reached) >= 120
    assert question.get_absolute_url() in paths
    for member_page in (
        answer.author.profile.get_absolute_url() for answer in question.answers.all()
    ):
        assert member_page in paths
    assert {"/sitemap.xml", "/api/v1/practices.csv", "/community/", "/regio/"} <= paths
    assert "/api/v1/practices.xlsx" in paths  # the downloads of the search page


def test_a_members_submissions_are_in_the_export_and_go_with_the_account(
    client, django_capture_on_commit_callbacks
):
    """The export holds the member's drafts (their own words and the contact
    persons they typed); deleting the account removes them and their files."""
    member = MemberFactory(email="inzender@example.org")
    other = MemberFactory(email="ander.inzender@example.org")
    draft = Submission.objects.create(
        owner=member,
        data={"fields": {"title": "Mijn wijkinitiatief", "summary": "Over de wijk"}},
    )
    attached = SubmissionFile.objects.create(
        submission=draft, kind="document", original_name="plan.txt"
    )
    attached.file.save("plan.txt", io.BytesIO(b"plan"), save=True)
    Submission.objects.create(owner=other, data={"fields": {"title": "Van een ander"}})
    client.force_login(member)

    exported = client.post(reverse("accounts:export")).json()
    assert [s["title"] for s in exported["submissions"]] == ["Mijn wijkinitiatief"]
    assert exported["submissions"][0]["data"]["fields"]["summary"] == "Over de wijk"
    assert exported["submissions"][0]["files"] == ["plan.txt"]
    assert "Van een ander" not in json.dumps(exported)

    storage, name = attached.file.storage, attached.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:delete"), {"password": "een-veilig-testwachtwoord"}
        )
    assert response.status_code == 302
    assert not Submission.objects.filter(owner_id=member.pk).exists()
    assert not SubmissionFile.objects.filter(pk=attached.pk).exists()
    assert not storage.exists(name)
    assert Submission.objects.filter(owner=other).exists()
