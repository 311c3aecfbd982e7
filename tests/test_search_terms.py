"""The "Zoektermen" report: what visitors search for, what found nothing,
and one click from there to a synonym (search.terms, explore.middleware)."""

import datetime

import pytest

from django.contrib.auth.models import Group
from django.utils import timezone

from search import terms
from search.models import SearchTerm, Synonym

from .factories import EditorFactory, PracticePageFactory, UserFactory

pytestmark = pytest.mark.django_db

REPORT = "/admin/zoektermen/"


@pytest.fixture(autouse=True)
def no_counts_from_other_tests():
    terms.flush()
    SearchTerm.objects.all().delete()


def counted():
    terms.flush()
    return {
        text: (searches, results)
        for text, searches, results in SearchTerm.objects.values_list(
            "text", "searches", "results"
        )
    }


@pytest.fixture
def practice():
    return PracticePageFactory(title="Valpreventie in de wijk")


def shown(response):
    return response.context["results"].total


def test_a_search_is_counted_once_with_its_results(client, practice):
    client.get("/zoeken/?q=Valpreventie")
    found = shown(client.get("/zoeken/?q=valpreventie "))
    assert found >= 1
    client.get("/zoeken/?q=zeppelinvaart")
    assert counted() == {"valpreventie": (2, found), "zeppelinvaart": (1, 0)}


def test_filtering_sorting_and_paging_are_not_new_searches(client, practice):
    here = "http://testserver/zoeken/?q=valpreventie"
    client.get("/zoeken/?q=valpreventie&provincie=zuid-holland", HTTP_REFERER=here)
    client.get("/zoeken/?q=valpreventie&sort=title", HTTP_HX_CURRENT_URL=here)
    client.get("/zoeken/?q=valpreventie&page=2")
    client.get("/zoeken/")
    client.get("/api/v1/practices/?q=valpreventie")
    assert counted() == {}
    # A new text typed on the search page is a new search.
    client.get("/zoeken/?q=dementie", HTTP_REFERER=here)
    assert list(counted()) == ["dementie"]


def test_searches_answered_from_the_page_cache_count_too(client, settings, practice):
    settings.PAGE_CACHE_SECONDS = 60
    first = client.get("/zoeken/?q=valpreventie")
    second = client.get("/zoeken/?q=valpreventie")
    assert second["X-Page-Cache"] == "hit"
    # The count travels with the cached page but never reaches the visitor.
    assert "X-Search-Results" not in first and "X-Search-Results" not in second
    assert counted() == {"valpreventie": (2, shown(first))}


@pytest.mark.parametrize(
    "text",
    ["jan.jansen@example.org", "06-12345678", "bel 0612 345 678", "1234 AB 12"],
)
def test_what_looks_like_personal_data_is_not_kept(client, text):
    client.get("/zoeken/", {"q": text})
    assert counted() == {}


def test_a_postcode_alone_is_a_search_like_any_other(client):
    client.get("/zoeken/", {"q": "7411 AB"})
    assert list(counted()) == ["7411 ab"]


def test_the_report_lists_the_most_searched_and_what_found_nothing(client, practice):
    for _ in range(3):
        client.get("/zoeken/?q=valpreventie")
    client.get("/zoeken/?q=zeppelinvaart")
    client.force_login(EditorFactory())
    page = client.get(REPORT)
    assert page.status_code == 200
    most = [term.text for term in page.context["most_searched"]]
    nothing = [term.text for term in page.context["found_nothing"]]
    assert most == ["valpreventie", "zeppelinvaart"]
    assert nothing == ["zeppelinvaart"]
    html = page.content.decode()
    assert "Niets gevonden" in html and "Meest gezocht" in html
    assert "/admin/snippets/search/synonym/add/?zoekterm=zeppelinvaart" in html


def test_a_text_that_finds_something_now_leaves_the_nothing_list(
    client, django_capture_on_commit_callbacks
):
    client.get("/zoeken/?q=zeppelinvaart")
    terms.flush()
    assert [term.text for term in terms.report()[1]] == ["zeppelinvaart"]
    with django_capture_on_commit_callbacks(execute=True):
        PracticePageFactory(
            title="Zeppelinvaart voor ouderen"
        ).save_revision().publish()
    client.get("/zoeken/?q=zeppelinvaart")
    terms.flush()
    most, nothing = terms.report()
    assert [(t.text, t.searches, t.results) for t in most] == [("zeppelinvaart", 2, 1)]
    assert nothing == []


def test_the_report_covers_thirty_days_and_old_counts_are_removed():
    today = timezone.localdate()
    SearchTerm.objects.create(day=today, text="nu", searches=1, results=0)
    SearchTerm.objects.create(
        day=today - datetime.timedelta(days=29), text="maand", searches=5, results=2
    )
    SearchTerm.objects.create(
        day=today - datetime.timedelta(days=30), text="ouder", searches=9, results=0
    )
    SearchTerm.objects.create(
        day=today - datetime.timedelta(days=terms.KEEP_DAYS + 1),
        text="lang geleden",
        searches=1,
        results=0,
    )
    most, nothing = terms.report()
    assert [term.text for term in most] == ["maand", "nu"]
    assert [term.text for term in nothing] == ["nu"]
    terms._last_cleanup = None
    terms.record("iets nieuws", 0)
    terms.flush()
    assert not SearchTerm.objects.filter(text="lang geleden").exists()
    assert SearchTerm.objects.filter(text="ouder").exists()


def test_one_click_from_a_text_that_found_nothing_to_a_synonym(client):
    client.force_login(EditorFactory())
    add = "/admin/snippets/search/synonym/add/?zoekterm=zeppelinvaart"
    form = client.get(add)
    assert form.status_code == 200
    assert 'name="abbreviation" value="zeppelinvaart"' in form.content.decode()
    client.post(
        add, {"abbreviation": "zeppelinvaart", "terms": "luchtschip", "note": ""}
    )
    assert Synonym.objects.filter(abbreviation="zeppelinvaart").exists()


def test_only_the_redactie_reads_the_report(client):
    client.force_login(UserFactory())
    assert client.get(REPORT).status_code in (302, 403)
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(moderator)
    assert client.get(REPORT).status_code == 200


def test_the_report_is_in_the_reports_menu(client):
    client.force_login(EditorFactory())
    assert REPORT in client.get("/admin/").content.decode()
