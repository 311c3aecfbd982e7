"""Saved searches: following a search on /zoeken/, naming and removing it on
/meldingen/instellingen/, and the alerts when a published practice newly
matches it (site, email, digest, one-click unsubscribe)."""

import io
import json
from urllib.parse import urlsplit

import pytest

from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Profile
from notifications import saved as saved_searches
from notifications.mail import unsubscribe_token
from notifications.models import (
    Notification,
    OutgoingEmail,
    SavedSearch,
    SavedSearchKey,
    SavedSearchMatch,
)
from search.documents import get_type
from search.models import Synonym
from search.percolation import PREFIX, query_keys
from search.query import SearchQuery

from .factories import PracticePageFactory, ThemeFactory
from .factories_community import MemberFactory

pytestmark = pytest.mark.django_db

SAVE = reverse("notifications:save_search")
SETTINGS = reverse("notifications:settings")


def member(frequency=Profile.EmailFrequency.IMMEDIATE, **kwargs):
    user = MemberFactory(**kwargs)
    user.profile.email_frequency = frequency
    user.profile.save(update_fields=["email_frequency"])
    return user


def save(user, commit, **params):
    query = saved_searches.parse_saved(
        "&".join(f"{key}={value}" for key, value in params.items())
    )
    return commit(saved_searches.save_search, user, query)[0]


def publish(commit, page, user=None):
    commit(lambda: page.save_revision(user=user).publish())


def alerts(user=None):
    rows = Notification.objects.filter(event=Notification.Event.SEARCH_MATCH)
    if user is not None:
        rows = rows.filter(user=user)
    return list(rows.values_list("message", flat=True))


# Following a search from the search page -----------------------------------


def test_search_page_offers_to_follow_the_search_and_its_feed(client):
    client.force_login(member())
    response = client.get(reverse("search"), {"q": "nachtzorg", "thema": "ggz"})
    page = response.content.decode()
    assert "Volg deze zoekopdracht" in page
    assert 'name="q" value="nachtzorg"' in page
    assert 'name="thema" value="ggz"' in page
    assert reverse("feed_practices") + "?q=nachtzorg&amp;thema=ggz" in page, (
        "the search's own Atom feed is offered beside it"
    )


def test_a_member_follows_a_search_once(client):
    user = member()
    client.force_login(user)
    response = client.post(SAVE, {"thema": "ggz", "q": " nachtzorg  thuis "})
    assert response.status_code == 302
    assert response["Location"] == reverse("search") + "?thema=ggz&q=+nachtzorg++thuis+"
    saved = SavedSearch.objects.get(user=user)
    assert saved.query == "q=nachtzorg+thuis&thema=ggz"
    assert saved.name == "nachtzorg thuis · Thema: GGZ"
    assert SavedSearchKey.objects.filter(saved_search=saved).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Je volgt nu de zoekopdracht “nachtzorg thuis · Thema: GGZ”" in page
    assert "Je volgt deze zoekopdracht als “nachtzorg thuis · Thema: GGZ”" in page

    # The same search again, its filters in another order: no second one.
    client.post(SAVE, {"q": "nachtzorg thuis", "thema": "ggz"})
    assert SavedSearch.objects.filter(user=user).count() == 1
    page = client.get(reverse("search")).content.decode()
    assert "Je volgt deze zoekopdracht al, als “nachtzorg thuis · Thema: GGZ”." in page


def test_a_visitor_logs_in_and_comes_back_to_the_same_search(client):
    response = client.post(SAVE, {"q": "nachtzorg", "thema": "ggz"})
    assert response.status_code == 302
    login, _sep, next_url = response["Location"].partition("?next=")
    assert login == reverse("account_login")
    assert next_url == "/zoeken/%3Fq%3Dnachtzorg%26thema%3Dggz"
    assert not SavedSearch.objects.exists()
    # The visitor's own link on the page says the same.
    page = client.get(reverse("search"), {"q": "nachtzorg"}).content.decode()
    assert "Log in om deze zoekopdracht te volgen" in page
    assert "?next=/zoeken/%3Fq%3Dnachtzorg" in page


def test_bad_input_is_refused_in_dutch_and_the_search_kept(client):
    user = member()
    client.force_login(user)
    response = client.post(SAVE, {"q": "nachtzorg", "thema": "bestaat-niet"})
    assert response["Location"] == reverse("search") + "?q=nachtzorg&thema=bestaat-niet"
    page = client.get(response["Location"]).content.decode()
    assert "Deze zoekopdracht kun je niet volgen" in page
    assert "Onbekende waarde voor dit filter." in page
    response = client.post(SAVE, {"q": "x" * 201}, follow=True)
    assert (
        "De zoektekst mag hoogstens 200 tekens lang zijn." in response.content.decode()
    )
    assert not SavedSearch.objects.exists()


def test_a_member_follows_at_most_so_many_searches(client, monkeypatch):
    monkeypatch.setattr(saved_searches, "MAX_SAVED_SEARCHES", 1)
    client.force_login(member())
    client.post(SAVE, {"q": "nachtzorg"})
    page = client.post(SAVE, {"q": "dagbesteding"}, follow=True).content.decode()
    assert SavedSearch.objects.count() == 1
    assert "Je volgt 1 zoekopdrachten, het maximum." in page


# Naming, listing and removing -----------------------------------------------


def test_settings_list_searches_with_their_feed_and_rename_them(client, commit):
    user = member()
    saved = save(user, commit, q="nachtzorg")
    client.force_login(user)
    page = client.get(SETTINGS).content.decode()
    assert "Zoekopdrachten" in page
    assert 'href="/zoeken/?q=nachtzorg"' in page
    assert f'href="{reverse("feed_practices")}?q=nachtzorg"' in page

    url = reverse("notifications:rename_search", args=[saved.pk])
    response = client.post(url, {"name": "  Nachtzorg   in de regio "})
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.name == "Nachtzorg in de regio"

    response = client.post(url, {"name": "   "})
    assert response.status_code == 400
    assert "Geef je zoekopdracht een naam." in response.content.decode()
    response = client.post(url, {"name": "Lang " * 30})
    page = response.content.decode()
    assert response.status_code == 400
    assert "De naam mag maximaal 100 tekens zijn" in page
    assert 'value="Lang Lang' in page, "what was typed stays in the field"
    saved.refresh_from_db()
    assert saved.name == "Nachtzorg in de regio"


def test_only_the_owner_renames_or_removes_a_search(client, commit):
    owner, other = member(), member()
    saved = save(owner, commit, q="nachtzorg")
    client.force_login(other)
    rename = reverse("notifications:rename_search", args=[saved.pk])
    remove = reverse("notifications:remove_search", args=[saved.pk])
    assert client.post(rename, {"name": "Van mij"}).status_code == 404
    assert client.post(remove).status_code == 404
    client.force_login(owner)
    assert client.post(remove).status_code == 302
    assert not SavedSearch.objects.exists()


# Alerts ------------------------------------------------------------------


def test_a_published_practice_that_matches_alerts_once(commit):
    """Site and email; the email has the one-click unsubscribe; an update
    that keeps matching is no news; a practice that does not match is
    none either."""
    user = member()
    saved = save(user, commit, q="kievitsbloemzorg")
    page = PracticePageFactory(
        live=False,
        first_published_at=None,
        title="Kievitsbloemzorg in de wijk",
    )
    publish(commit, page)
    assert alerts(user) == [
        "“Kievitsbloemzorg in de wijk” past bij je zoekopdracht “kievitsbloemzorg”"
    ]
    assert Notification.objects.get(user=user).url == page.url
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert "Kievitsbloemzorg in de wijk" in email.subject
    assert "de zoekopdracht “kievitsbloemzorg”" in email.body
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    publish(commit, page)  # updated, still matching
    assert len(alerts(user)) == 1
    other = PracticePageFactory(live=False, first_published_at=None)
    publish(commit, other)
    assert len(alerts(user)) == 1
    assert SavedSearchMatch.objects.filter(saved_search=saved).count() == 1


def test_an_update_that_newly_matches_alerts(commit):
    page = PracticePageFactory(title="Grutto-overleg")
    publish(commit, page)
    user = member()
    save(user, commit, q="roerdompnetwerk")
    assert alerts(user) == []
    page.summary = "Het roerdompnetwerk van de regio."
    publish(commit, page)
    assert len(alerts(user)) == 1


def test_what_matched_when_saved_is_no_news(commit):
    page = PracticePageFactory(title="Wielewaaltafel")
    publish(commit, page)
    user = member()
    save(user, commit, q="wielewaaltafel")
    page.summary = "Een nieuwe samenvatting."
    publish(commit, page)
    assert alerts(user) == []


def test_synonyms_compounds_and_filters_count(commit):
    """The search contract decides: ELV finds eerstelijnsverblijf (a seeded
    synonym), dementie finds dementiezorg (a compound's part), and a filter
    alone finds the practices with that value."""
    theme = ThemeFactory(name="Boomkleverthema")
    by_synonym, by_compound, by_theme, unrelated = (
        member(),
        member(),
        member(),
        member(),
    )
    save(by_synonym, commit, q="ELV")
    save(by_compound, commit, q="dementie")
    save(by_theme, commit, thema=theme.slug)
    save(unrelated, commit, q="dementie", provincie="limburg")
    page = PracticePageFactory(
        live=False,
        first_published_at=None,
        title="Dementiezorg in het eerstelijnsverblijf",
        themes=[theme.slug],
        provinces=["utrecht"],
    )
    publish(commit, page)
    assert len(alerts(by_synonym)) == 1
    assert len(alerts(by_compound)) == 1
    assert len(alerts(by_theme)) == 1
    assert alerts(unrelated) == []


def test_a_daily_member_gets_the_alert_in_the_digest(commit):
    user = member(Profile.EmailFrequency.DAILY)
    save(user, commit, q="kievitsbloemzorg")
    publish(
        commit,
        PracticePageFactory(
            live=False, first_published_at=None, title="Kievitsbloemzorg"
        ),
    )
    assert len(alerts(user)) == 1
    assert mail.outbox == []
    commit(call_command, "send_notification_digests", stdout=io.StringIO())
    assert len(mail.outbox) == 1
    assert "Kievitsbloemzorg" in mail.outbox[0].body


def test_the_publishing_editor_is_not_told(commit):
    editor = member()
    save(editor, commit, q="kievitsbloemzorg")
    page = PracticePageFactory(
        live=False, first_published_at=None, title="Kievitsbloemzorg"
    )
    publish(commit, page, user=editor)
    assert alerts(editor) == []


def test_one_click_unsubscribe_stops_the_saved_search(client, commit):
    user = member()
    saved = save(user, commit, q="nachtzorg")
    token = unsubscribe_token(user.pk, saved.unsubscribe_scope)
    url = reverse("notifications:unsubscribe", args=[token])
    assert "de zoekopdracht “nachtzorg”" in client.get(url).content.decode()
    assert client.post(url).status_code == 200
    assert not SavedSearch.objects.exists()


def test_the_email_link_stops_the_saved_search(client, commit):
    user = member()
    save(user, commit, q="kievitsbloemzorg")
    publish(
        commit,
        PracticePageFactory(
            live=False, first_published_at=None, title="Kievitsbloemzorg"
        ),
    )
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    assert client.post(urlsplit(link).path).status_code == 200
    assert not SavedSearch.objects.exists()
    assert OutgoingEmail.objects.filter(user=user).exists()


# Reverse matching ----------------------------------------------------------


def test_only_saved_searches_whose_keys_the_practice_holds_are_asked(commit):
    matching = save(member(), commit, q="kievitsbloemzorg")
    others = [save(member(), commit, q=f"vogel{n}netwerk") for n in range(5)]
    page = PracticePageFactory(
        live=False, first_published_at=None, title="Kievitsbloemzorg"
    )
    publish(commit, page)
    document = next(iter(get_type("practice").documents([page.pk])))
    found = saved_searches.candidates(document)
    assert matching.pk in found
    assert not found & {saved.pk for saved in others}


def test_a_word_being_typed_keeps_a_prefix_key():
    """ "kievitsbloemz" completes to a term that no practice holds yet: the
    search keeps its start, so the practice that brings it is asked."""
    keys = query_keys(SearchQuery(text="kievitsbloemz"))
    assert (PREFIX, "kievitsbloemz") in keys


def test_a_new_synonym_reaches_searches_saved_before_it(commit):
    user = member()
    save(user, commit, q="kraanvogelzorg")
    commit(Synonym.objects.create, terms="kraanvogelzorg, zwaluwhulp")
    page = PracticePageFactory(
        live=False, first_published_at=None, title="Zwaluwhulp in de wijk"
    )
    publish(commit, page)
    assert len(alerts(user)) == 1


def test_the_data_export_lists_saved_searches_and_deletion_removes_them(client, commit):
    user = member()
    save(user, commit, q="nachtzorg", thema="ggz")
    client.force_login(user)
    data = json.loads(client.post(reverse("accounts:export")).content)
    assert [(s["name"], s["search"]) for s in data["saved_searches"]] == [
        ("nachtzorg · Thema: GGZ", "q=nachtzorg&thema=ggz")
    ]
    user.delete()
    assert not SavedSearch.objects.exists()
    assert not SavedSearchKey.objects.exists()
