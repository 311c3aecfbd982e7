"""The search page, the API, CSV and Atom as visitors and programs use them."""

import csv
import io
import threading
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.core.management import call_command
from django.urls import reverse

from explore import views as explore_views
from explore.views import PracticesFeed
from practices.models import PracticePage
from search.models import SearchDocument

pytestmark = pytest.mark.django_db

API_KEYS = {"count", "page", "page_size", "num_pages", "results", "facets"}
RESULT_KEYS = {
    "id",
    "title",
    "url",
    "summary",
    "highlight",
    "missing_words",
    "provincie",
    "thema",
    "organisatie",
    "organisatietype",
    "first_published_at",
    "last_published_at",
}
FACET_KEYS = {
    "provincie",
    "zorgkantoorregio",
    "thema",
    "organisatie",
    "organisatietype",
    "beweging",
    "doelgroep",
    "fase",
    "niveau",
    "overgenomen",
}


def test_search_page_without_text_browses_everything_newest_first(client):
    response = client.get("/zoeken/")
    html = response.content.decode()
    total = PracticePage.objects.live().count()
    assert response.status_code == 200
    assert f"{total} praktijkvoorbeelden" in html
    assert '<option value="newest" selected>' in html
    assert 'name="provincie"' in html and "Filters toepassen" in html


def test_search_page_shows_highlights_chips_and_checked_boxes(client):
    html = client.get(
        "/zoeken/", {"q": "ziekenhuizen", "provincie": "zuid-holland"}
    ).content.decode()
    assert "<mark>" in html
    assert "Provincie: Zuid-Holland" in html
    assert 'value="zuid-holland" checked' in html
    assert "resultaten voor ‘ziekenhuizen’" in html


def test_search_page_says_when_it_falls_back_to_any_word(client):
    html = client.get("/zoeken/", {"q": "sunenz plofkip"}).content.decode()
    assert "Geen praktijkvoorbeeld bevat alle woorden" in html
    assert "Anderhalvelijnscentrum Sûnenz" in html


def test_search_page_empty_state_suggests_what_to_do(client):
    html = client.get("/zoeken/", {"q": "plofkip", "fase": "idee"}).content.decode()
    assert "Geen praktijkvoorbeelden gevonden" in html
    assert "controleer de spelling" in html
    assert "Alle filters verwijderen" in html


def test_search_page_explains_bad_parameters_instead_of_failing(client):
    response = client.get(
        "/zoeken/", {"provincie": "atlantis", "page": "abc", "sort": "random"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Onbekende waarde voor dit filter. (atlantis)" in html
    assert "Moet een geheel getal zijn." in html
    assert "Sorteer op een van" in html


def test_search_page_out_of_range_page_is_explained(client):
    html = client.get("/zoeken/", {"page": "400"}).content.decode()
    assert "Deze pagina bestaat niet" in html


def test_pagination_links_keep_the_whole_state(client):
    html = client.get(
        "/zoeken/", {"q": "zorg", "thema": "ouderen-thuis", "sort": "title"}
    ).content.decode()
    assert 'href="?q=zorg&amp;thema=ouderen-thuis&amp;sort=title&amp;page=2"' in html


def test_practice_page_lists_comparable_initiatives_with_reasons(client):
    practice = PracticePage.objects.get(slug="acute-zorgafdeling-aafje")
    html = client.get(practice.url).content.decode()
    assert "Vergelijkbare initiatieven" in html
    section = html.split('id="similar-heading"')[1].split("</section>")[0]
    assert section.count('<li class="similar__item">') == 5
    assert "Zelfde thema: " in section or "Zelfde regio: " in section
    assert practice.title not in section


def test_api_shape(client):
    response = client.get(reverse("api_practices"), {"q": "ouderen", "page_size": 5})
    data = response.json()
    assert response.status_code == 200
    assert set(data) >= API_KEYS
    assert data["page"] == 1 and data["page_size"] == 5
    assert len(data["results"]) == 5
    assert set(data["results"][0]) >= RESULT_KEYS
    assert data["results"][0]["url"].startswith(
        "http://testserver/praktijkvoorbeelden/"
    )
    assert set(data["facets"]) == FACET_KEYS
    value = data["facets"]["provincie"][0]
    assert set(value) == {"slug", "label", "count", "selected"}
    assert data["licence"]["name"] == "CC BY 4.0"


def test_api_filters_match_the_search_page(client):
    data = client.get(
        reverse("api_practices"), {"provincie": ["zeeland", "limburg"]}
    ).json()
    expected = (
        PracticePage.objects.live()
        .filter(provinces__slug__in=["zeeland", "limburg"])
        .distinct()
        .count()
    )
    assert data["count"] == expected
    for result in data["results"]:
        assert set(result["provincie"]) & {"zeeland", "limburg"}
    selected = [v for v in data["facets"]["provincie"] if v["selected"]]
    assert {v["slug"] for v in selected} == {"zeeland", "limburg"}


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"provincie": "atlantis"}, "provincie"),
        ({"page": "0"}, "page"),
        ({"page": "9999"}, "page"),
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "tien"}, "page_size"),
        ({"sort": "random"}, "sort"),
        ({"q": "x" * 300}, "q"),
    ],
)
def test_api_answers_400_naming_each_problem(client, params, param):
    response = client.get(reverse("api_practices"), params)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert param in {error["param"] for error in errors}
    assert all(error["message"] for error in errors)


def test_csv_export_has_every_matching_practice(client):
    response = client.get(reverse("api_practices_csv"), {"thema": "acute-zorg"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'rel="license"' in response["Link"]
    text = response.content.decode("utf-8-sig")  # Dutch spreadsheets: explore.exports
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    expected = PracticePage.objects.live().filter(themes__slug="acute-zorg").count()
    assert len(rows) == expected
    assert all("acute-zorg" in row["Thema (code)"].split(" | ") for row in rows)


def test_atom_feed_lists_newest_matching_practices(client):
    response = client.get(reverse("feed_practices"), {"provincie": "fryslan"})
    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    expected = PracticePage.objects.live().filter(provinces__slug="fryslan").count()
    assert len(entries) == expected
    assert "CC BY 4.0" in feed.find("a:rights", ns).text
    assert client.get(reverse("feed_practices"), {"fase": "nope"}).status_code == 400


def test_feed_requests_at_once_each_get_their_own_query(monkeypatch, rf):
    """One PracticesFeed instance serves every request (urls.py), and a
    threaded server runs two at once: neither may see the other's query."""
    feed = PracticesFeed()
    before = dict(vars(feed))
    both_parsed = threading.Barrier(2, timeout=10)
    parse = PracticesFeed.get_object

    def get_object(self, request, *args, **kwargs):
        query = parse(self, request, *args, **kwargs)
        both_parsed.wait()  # each request has read its query; now both go on
        return query

    def search(query):
        hit = SimpleNamespace(
            kind="practice",
            id=len(query.text),
            title=f"Over {query.text}",
            summary=query.text,
            url=f"/praktijkvoorbeelden/{query.text}/",
            published_at=None,
            updated_at=None,
        )
        return SimpleNamespace(hits=[hit])

    monkeypatch.setattr(PracticesFeed, "get_object", get_object)
    monkeypatch.setattr(explore_views, "search", search)
    bodies = {}

    def fetch(text):
        bodies[text] = feed(rf.get("/feeds/praktijken/", {"q": text})).content

    threads = [threading.Thread(target=fetch, args=(t,)) for t in ("appel", "peer")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    ns = {"a": "http://www.w3.org/2005/Atom"}
    for text, other in (("appel", "peer"), ("peer", "appel")):
        atom = ET.fromstring(bodies[text])
        assert [e.find("a:title", ns).text for e in atom.findall("a:entry", ns)] == [
            f"Over {text}"
        ]
        assert f"q={text}" in atom.find("a:link", ns).get("href")
        assert other not in bodies[text].decode()
    assert vars(feed) == before  # no request left anything on the instance


def test_rebuild_search_index_indexes_every_live_practice_and_nothing_else():
    practice = PracticePage.objects.live().first()
    PracticePage.objects.filter(pk=practice.pk).update(live=False)
    out = io.StringIO()
    call_command("rebuild_search_index", "--no-progress", stdout=out)
    indexed = set(
        SearchDocument.objects.filter(kind="practice").values_list(
            "object_id", flat=True
        )
    )
    assert indexed == set(
        PracticePage.objects.live().public().values_list("pk", flat=True)
    )
    assert practice.pk not in indexed
    assert "Zoekindex opnieuw opgebouwd" in out.getvalue()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "a\x00b"},
        {"provincie": "\x00"},
        {"fase": "x\x00"},
        {"page": "1\x00"},
        # thema and organisatie are looked up as merged slugs too
        {"thema": "\x00"},
        {"organisatie": "zorg\x00"},
    ],
)
def test_control_characters_are_dropped(client, params):
    for url in ["/zoeken/", "/api/v1/practices/"]:
        assert client.get(url, params).status_code in (200, 400)


PARAM_NAMES = st.sampled_from(
    ["q", "provincie", "thema", "organisatie", "fase", "sort", "page", "page_size", "x"]
)
PARAM_VALUES = st.text(max_size=40) | st.integers(-5, 10**12).map(str)


@pytest.mark.slow
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.tuples(PARAM_NAMES, PARAM_VALUES), max_size=6))
def test_no_parameters_ever_cause_a_server_error(client, params):
    for url in [
        "/zoeken/",
        "/api/v1/practices/",
        "/api/v1/practices.csv",
        "/feeds/praktijkvoorbeelden.atom",
    ]:
        response = client.get(url, params)
        assert response.status_code in (200, 400), (url, params)
