"""Adoptions ("wij zijn hier ook mee aan de slag"): a member records that
their organisation took up a practice, the editors confirm it, and the
practice page, its followers, the API and the spreadsheets show it."""

import csv
import io

import pytest
from bs4 import BeautifulSoup

from django.urls import reverse

from community import adoptions, relay
from community.models import ContactMessage
from notifications.models import Follow, Notification
from practices.models import Adoption, CareOfficeRegion, PracticePage
from tests.factories import (
    AdoptionFactory,
    EditorFactory,
    PracticePageFactory,
)
from tests.factories_community import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = PracticePageFactory(title="Wijkteam Zorgzwaluw")
        page.save_revision().publish()
    return page


@pytest.fixture
def member():
    return MemberFactory()


def form_data(**changes):
    data = {
        "organisation": "Zorggroep Oost (voorbeeld)",
        "region": CareOfficeRegion.objects.get(slug="twente").pk,
        "status": Adoption.Status.UNDER_WAY,
        "note": "Wij begonnen dit voorjaar met twee wijkteams.",
        "own_practice": "",
        "url": "https://example.org/zorgzwaluw",
    }
    data.update(changes)
    return data


def page_soup(client, practice):
    response = client.get(practice.url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def confirm(adoption, capture, editor=None):
    with capture(execute=True):
        return adoptions.review_adoption(
            adoption, editor or EditorFactory(), confirm=True
        )


# Recording ---------------------------------------------------------------------


def test_anonymous_visitors_are_asked_to_log_in(client, practice):
    response = client.get(reverse("community:adopt", args=[practice.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"] or "login" in response["Location"]


def test_a_member_records_an_adoption_that_waits_for_the_editors(
    client, practice, member, django_capture_on_commit_callbacks
):
    client.force_login(member)
    url = reverse("community:adopt", args=[practice.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form_data(), follow=True)
    assert response.status_code == 200
    adoption = Adoption.objects.get(practice=practice)
    assert (adoption.member, adoption.review) == (member, Adoption.Review.PENDING)
    assert adoption.region.slug == "twente"
    mine = BeautifulSoup(response.content, "html.parser")
    row = mine.find(id=f"mijn-{adoption.anchor}")
    assert "Zorggroep Oost (voorbeeld)" in row.get_text()
    assert "Wacht op de redactie" in row.get_text()
    # Not on the practice page before the editors confirmed it.
    section = page_soup(client, practice).find(id="overgenomen")
    assert "Zorggroep Oost" not in section.get_text()


def test_bad_input_gets_dutch_errors_and_keeps_what_was_typed(client, practice, member):
    client.force_login(member)
    response = client.post(
        reverse("community:adopt", args=[practice.pk]),
        form_data(organisation="", url="niet een adres", note="Onze eigen notitie"),
    )
    assert response.status_code == 400
    soup = BeautifulSoup(response.content, "html.parser")
    text = soup.get_text()
    assert "Vul de naam van je organisatie in." in text
    assert "Vul een volledig webadres in" in text
    note = soup.find("textarea", {"name": "note"}).get_text().strip()
    assert note == "Onze eigen notitie"
    assert soup.find("input", {"name": "url"})["value"] == "niet een adres"
    assert not Adoption.objects.filter(practice=practice).exists()


def test_the_same_organisation_twice_is_refused_clearly(client, practice, member):
    AdoptionFactory(
        practice=practice, member=member, organisation="Zorggroep Oost (voorbeeld)"
    )
    client.force_login(member)
    response = client.post(
        reverse("community:adopt", args=[practice.pk]),
        form_data(organisation="zorggroep  oost (voorbeeld)", note="Nieuwe tekst"),
    )
    assert response.status_code == 400
    soup = BeautifulSoup(response.content, "html.parser")
    assert "Je hebt deze organisatie al vastgelegd" in soup.get_text()
    assert soup.find("textarea", {"name": "note"}).get_text().strip() == "Nieuwe tekst"
    assert Adoption.objects.filter(practice=practice).count() == 1


def test_a_member_may_record_only_so_many_per_day(client, practice, member, settings):
    settings.COMMUNITY_FLOOD = {**settings.COMMUNITY_FLOOD, "ADOPTIONS_PER_DAY": 1}
    AdoptionFactory(practice=practice, member=member)
    client.force_login(member)
    response = client.post(reverse("community:adopt", args=[practice.pk]), form_data())
    assert response.status_code == 429
    assert "per 24 uur" in response.content.decode()
    assert Adoption.objects.filter(practice=practice).count() == 1


def test_a_suspended_member_cannot_record(client, practice, member):
    from django.utils import timezone

    member.profile.suspended_until = timezone.now() + timezone.timedelta(days=2)
    member.profile.save()
    client.force_login(member)
    response = client.post(reverse("community:adopt", args=[practice.pk]), form_data())
    assert response.status_code == 403
    assert not Adoption.objects.filter(practice=practice).exists()


# Confirming ---------------------------------------------------------------------


def test_a_confirmed_adoption_shows_with_count_map_and_list(
    client, practice, django_capture_on_commit_callbacks
):
    adoption = AdoptionFactory(
        practice=practice, organisation="Zorggroep Oost (voorbeeld)"
    )
    before = page_soup(client, practice).find(id="overgenomen")
    assert "Nog geen andere organisatie" in before.get_text()
    confirm(adoption, django_capture_on_commit_callbacks)
    section = page_soup(client, practice).find(id="overgenomen")
    text = " ".join(section.get_text().split())
    assert "1 organisatie werkt hier ook mee" in text
    item = section.find(id=adoption.anchor)
    assert "Zorggroep Oost (voorbeeld)" in item.get_text()
    assert item.find("a", href=reverse("region", args=["twente"]))
    # The map highlights Overijssel (Twente's province), with an accessible name.
    tile = section.find(id="kaart-overijssel")
    assert tile["aria-label"] == "Overijssel: 1 keer overgenomen"
    assert tile["href"] == "#overgenomen-in-overijssel"
    assert section.find(id="overgenomen-in-overijssel")


def test_followers_hear_of_a_confirmed_adoption_not_of_a_claim(
    client, practice, member, django_capture_on_commit_callbacks
):
    follower = MemberFactory()
    Follow.objects.create(user=follower, practice=practice)
    Follow.objects.create(user=member, practice=practice)
    with django_capture_on_commit_callbacks(execute=True):
        adoption = adoptions.record_adoption(
            member,
            practice,
            organisation="Zorggroep Oost (voorbeeld)",
            region=CareOfficeRegion.objects.get(slug="twente"),
            status=Adoption.Status.ADOPTED,
            note="",
            own_practice=None,
            url="",
        )
    assert not Notification.objects.filter(event="new_adoption").exists()
    confirm(adoption, django_capture_on_commit_callbacks)
    notes = Notification.objects.filter(event=Notification.Event.NEW_ADOPTION)
    assert [n.user for n in notes] == [follower]  # not the member who recorded it
    assert "Zorggroep Oost (voorbeeld)" in notes[0].message
    assert notes[0].url.endswith(f"#{adoption.anchor}")


def test_editors_confirm_and_reject_in_the_admin(
    client, practice, django_capture_on_commit_callbacks
):
    adoption = AdoptionFactory(practice=practice)
    editor = EditorFactory()
    client.force_login(editor)
    listing = client.get(reverse("adoption:index") + "?review=pending")
    assert listing.status_code == 200
    assert adoption.organisation in listing.content.decode()
    inspect = client.get(reverse("adoption:inspect", args=[adoption.pk]))
    assert "Bevestigen: tonen bij het praktijkvoorbeeld" in inspect.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("community_moderation:confirm_adoption", args=[adoption.pk])
        )
    assert response.status_code == 302
    adoption.refresh_from_db()
    assert (adoption.review, adoption.reviewed_by) == (
        Adoption.Review.CONFIRMED,
        editor,
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("community_moderation:reject_adoption", args=[adoption.pk]))
    adoption.refresh_from_db()
    assert adoption.review == Adoption.Review.REJECTED
    section = page_soup(client, practice).find(id="overgenomen")
    assert adoption.organisation not in section.get_text()


def test_members_cannot_confirm(client, practice, member):
    adoption = AdoptionFactory(practice=practice)
    client.force_login(member)
    response = client.post(
        reverse("community_moderation:confirm_adoption", args=[adoption.pk])
    )
    assert response.status_code in (302, 403)
    adoption.refresh_from_db()
    assert adoption.review == Adoption.Review.PENDING


# Changing and withdrawing ---------------------------------------------------------


def test_a_new_status_stays_confirmed_other_changes_go_back_to_the_editors(
    client, practice, member, django_capture_on_commit_callbacks
):
    adoption = confirm(
        AdoptionFactory(practice=practice, member=member),
        django_capture_on_commit_callbacks,
    )
    client.force_login(member)
    url = reverse("community:edit_adoption", args=[adoption.pk])
    data = form_data(
        organisation=adoption.organisation,
        note=adoption.note,
        url="",
        status=Adoption.Status.ADOPTED,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    adoption.refresh_from_db()
    assert (adoption.status, adoption.review) == (
        Adoption.Status.ADOPTED,
        Adoption.Review.CONFIRMED,
    )
    assert "Ingevoerd" in page_soup(client, practice).find(id=adoption.anchor).text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**data, "note": "Een heel andere tekst."})
    adoption.refresh_from_db()
    assert adoption.review == Adoption.Review.PENDING
    assert not page_soup(client, practice).find(id=adoption.anchor)


def test_only_the_member_who_recorded_it_may_change_or_withdraw_it(client, practice):
    adoption = AdoptionFactory(practice=practice, member=MemberFactory())
    client.force_login(MemberFactory())
    edit = reverse("community:edit_adoption", args=[adoption.pk])
    withdraw = reverse("community:withdraw_adoption", args=[adoption.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, form_data()).status_code == 403
    assert client.post(withdraw).status_code == 403
    assert Adoption.objects.filter(pk=adoption.pk).exists()


def test_withdrawing_removes_it_from_the_page(
    client, practice, member, django_capture_on_commit_callbacks
):
    adoption = confirm(
        AdoptionFactory(practice=practice, member=member),
        django_capture_on_commit_callbacks,
    )
    client.force_login(member)
    url = reverse("community:withdraw_adoption", args=[adoption.pk])
    assert adoption.organisation in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert not Adoption.objects.filter(pk=adoption.pk).exists()
    assert not page_soup(client, practice).find(id=adoption.anchor)


# Based on ----------------------------------------------------------------------


def test_based_on_links_both_ways(client, practice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        derived = PracticePageFactory(title="Zorgzwaluw in Twente")
        derived.based_on = practice
        derived.save_revision().publish()
    derived_page = page_soup(client, derived)
    link = derived_page.find(id="gebaseerd-op").find("a")
    assert (link.get_text(), link["href"]) == (practice.title, practice.url)
    source = page_soup(client, practice).find(id="overgenomen")
    assert "Hierop gebaseerd" in source.get_text()
    assert source.find("a", href=derived.url)


def test_a_page_seen_before_shows_what_is_confirmed_or_based_on_it_later(
    client, practice, django_capture_on_commit_callbacks
):
    # Seen first with nothing to show: the page's part and what the site
    # keeps about which practices have adoptions are both in the cache.
    assert not page_soup(client, practice).find(class_="adoptions__item")
    adoption = AdoptionFactory(practice=practice, organisation="Zorggroep Oost")
    confirm(adoption, django_capture_on_commit_callbacks)
    shown = page_soup(client, practice).find(id=adoption.anchor)
    assert "Zorggroep Oost" in shown.get_text()
    with django_capture_on_commit_callbacks(execute=True):
        derived = PracticePageFactory(title="Zorgzwaluw in Twente")
        derived.based_on = practice
        derived.save_revision().publish()
    source = page_soup(client, practice).find(id="overgenomen")
    assert source.find("a", href=derived.url)


# Open data ----------------------------------------------------------------------


def test_api_csv_and_xlsx_carry_the_confirmed_adoptions(
    client, practice, django_capture_on_commit_callbacks
):
    confirm(
        AdoptionFactory(practice=practice, organisation="Zorggroep Oost (voorbeeld)"),
        django_capture_on_commit_callbacks,
    )
    AdoptionFactory(practice=practice, organisation="Nog niet bevestigd")
    api = client.get(reverse("api_practices"), {"overgenomen": "elders"}).json()
    record = next(r for r in api["results"] if r["id"] == practice.pk)
    assert record["overgenomen"] == ["elders"]
    assert record["adoptions"] == [
        {
            "organisation": "Zorggroep Oost (voorbeeld)",
            "zorgkantoorregio": "twente",
            "status": "bezig",
        }
    ]
    response = client.get(reverse("api_practices_csv"), {"overgenomen": "elders"})
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, row = rows[0], next(r for r in rows[1:] if r[0] == practice.title)
    assert row[header.index("Overgenomen (aantal)")] == "1"
    assert (
        "Zorggroep Oost (voorbeeld) (Twente, Bezig)"
        in row[header.index("Overgenomen door")]
    )
    assert "Nog niet bevestigd" not in text


# Demo content ----------------------------------------------------------------------


def test_the_demo_shows_adoptions_and_a_practice_based_on_another(client):
    assert Adoption.objects.confirmed().count() >= 5
    assert Adoption.objects.pending().exists()  # the editors' queue has work
    assert all("(voorbeeld)" in a.organisation for a in Adoption.objects.all())
    sunenz = PracticePage.objects.get(slug="anderhalvelijnscentrum-sunenz")
    helmond = PracticePage.objects.get(slug="demo-z-anderhalvelijnscentrum-helmond")
    assert helmond.based_on_id == sunenz.pk
    taken = client.get(reverse("api_practices"), {"overgenomen": "elders"}).json()
    assert taken["count"] == (
        Adoption.objects.confirmed().values("practice").distinct().count()
    )
    ranked = client.get(reverse("api_practices"), {"sort": "uptake"}).json()
    assert ranked["results"][0]["id"] == (
        PracticePage.objects.get(slug="domeinoverstijgend-werken-ede").pk
    )


def test_the_members_data_export_holds_their_adoptions_only(client, practice, member):
    AdoptionFactory(practice=practice, member=member, organisation="Mijn Zorggroep")
    AdoptionFactory(practice=practice, organisation="Andermans Zorggroep")
    client.force_login(member)
    data = client.post(reverse("accounts:export")).json()
    assert [(a["practice"], a["organisation"]) for a in data["adoptions"]] == [
        (practice.title, "Mijn Zorggroep")
    ]
    assert "Andermans Zorggroep" not in str(data)


# Writing to an adopter through the contact relay ------------------------------------

ADOPTER_EMAIL = "overnemer.geheim@example.org"


def confirmed_adopter(practice, capture):
    return confirm(
        AdoptionFactory(
            practice=practice,
            member=MemberFactory(email=ADOPTER_EMAIL),
            organisation="Zorggroep Oost (voorbeeld)",
        ),
        capture,
    )


def test_a_member_writes_to_an_adopter_without_seeing_the_address(
    client, practice, django_capture_on_commit_callbacks, mailoutbox
):
    adoption = confirmed_adopter(practice, django_capture_on_commit_callbacks)
    url = reverse("community:contact_adopter", args=[adoption.pk])
    item = page_soup(client, practice).find(id=adoption.anchor)
    assert item.find("a", href=url)
    assert ADOPTER_EMAIL not in client.get(practice.url).content.decode()
    writer = MemberFactory(email="schrijver@example.org")
    client.force_login(writer)
    form = client.get(url)
    assert "Zorggroep Oost (voorbeeld)" in form.content.decode()
    assert ADOPTER_EMAIL not in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"subject": "Jullie aanpak", "message": "Mag ik bellen?", "consent": "on"},
        )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#{adoption.anchor}")
    [sent] = [m for m in mailoutbox if m.to == [ADOPTER_EMAIL]]
    assert sent.reply_to == ["schrijver@example.org"]
    assert "Mag ik bellen?" in sent.body
    # They stop by withdrawing what they recorded, not as a contact person.
    withdraw = reverse("community:withdraw_adoption", args=[adoption.pk])
    assert withdraw in sent.body
    assert "contactpersoon van dit praktijkvoorbeeld" not in sent.body
    stored = ContactMessage.objects.get(adoption=adoption)
    assert (stored.sender, stored.contact) == (writer, None)


def test_a_visitor_writes_to_an_adopter_after_confirming_the_address(
    client, practice, django_capture_on_commit_callbacks, mailoutbox
):
    adoption = confirmed_adopter(practice, django_capture_on_commit_callbacks)
    url = reverse("community:contact_adopter", args=[adoption.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "name": "Eva Jansen",
                "email": "eva.bezoeker@example.org",
                "message": "Hoe kregen jullie de huisartsen mee?",
                "website": "",
            },
        )
    assert response.status_code == 302
    assert not [m for m in mailoutbox if m.to == [ADOPTER_EMAIL]]
    message = ContactMessage.objects.get(adoption=adoption)
    with django_capture_on_commit_callbacks(execute=True):
        relay.relay_visitor_message(message.pk)
    [sent] = [m for m in mailoutbox if m.to == [ADOPTER_EMAIL]]
    assert sent.reply_to == ["eva.bezoeker@example.org"]
    assert "Hoe kregen jullie de huisartsen mee?" in sent.body


def test_only_confirmed_adopters_of_visible_practices_can_be_written_to(
    client, practice
):
    waiting = AdoptionFactory(practice=practice)
    url = reverse("community:contact_adopter", args=[waiting.pk])
    assert client.get(url).status_code == 404
    waiting.review = Adoption.Review.CONFIRMED
    waiting.member = None
    waiting.save()
    assert client.get(url).status_code == 404  # its member left
