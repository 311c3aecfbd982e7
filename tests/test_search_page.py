"""The search page as a visitor reads it: the filters (their order, which are
open, a long one's find box and bounded list), the result cards, the empty
result, the htmx answer and the follow control."""

import pytest
from bs4 import BeautifulSoup
from wagtail.images import get_image_model

from django.urls import reverse
from django.utils.translation import gettext

from explore.views import FILTER_ORDER, LONG_FILTER
from practices.facets import FACETS_BY_KEY
from practices.models import Organisation, PracticeOrganisation, PracticePage
from search.service import update_index
from tests.factories import (
    OrganisationFactory,
    PracticeOrganisationFactory,
    PracticePageFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "search-region"}


def page(client, params=None, **headers):
    response = client.get("/zoeken/", params or {}, **headers)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def indexed(**kwargs):
    practice = PracticePageFactory(**kwargs)
    update_index("practice", [practice.pk])
    return practice


def filters(soup):
    """{facet key: <details>} in the order of the page."""
    return {
        details["id"].removeprefix("facet-"): details
        for details in soup.select("#search-facets details.facet")
    }


def card(soup, title):
    link = soup.find("a", string=title)
    assert link is not None, title
    return link.find_parent("li", class_="hit")


def text(element):
    return " ".join(element.get_text(" ").split())


# Filters -------------------------------------------------------------------


def test_filters_come_in_order_phase_first_and_only_chosen_ones_open(client):
    soup = page(client, {"thema": "ouderen-thuis"})
    groups = filters(soup)
    assert list(groups) == [key for key in FILTER_ORDER if key in groups]
    assert list(groups)[:4] == ["fase", "niveau", "thema", "provincie"]
    assert {"organisatietype", "organisatie"} <= set(groups)
    assert [key for key, details in groups.items() if details.has_attr("open")] == [
        "thema"
    ]
    summary = text(groups["thema"].summary)
    assert summary == f"{gettext('Theme')} 1 gekozen"
    # Every checkbox belongs to the search form, wherever the list stands.
    boxes = soup.select("#search-facets input[type=checkbox]")
    assert boxes and {box["form"] for box in boxes} == {"search-form"}
    assert soup.select_one("form#search-form[data-search-form]")


def test_phases_are_listed_from_idea_to_stopped(client):
    soup = page(client)
    values = [box["value"] for box in filters(soup)["fase"].select("input")]
    assert values == [v for v in FACETS_BY_KEY["fase"].labels() if v in values]
    assert values[:2] == ["idee", "pilot"]


def test_a_long_filter_has_a_find_box_a_bounded_list_and_its_choice_on_top(client):
    organisations = Organisation.objects.filter(practice_links__isnull=False)
    assert organisations.distinct().count() > LONG_FILTER
    chosen = organisations.first()
    soup = page(client, {"organisatie": chosen.slug})
    group = filters(soup)["organisatie"]
    assert group.has_attr("open")
    on_top = group.select(".facet__values--chosen input")
    assert [(box["value"], box.has_attr("checked")) for box in on_top] == [
        (chosen.slug, True)
    ]
    listed = group.select_one("ul.facet__values--scroll")
    assert listed["id"] == "facet-list-organisatie"
    values = [box["value"] for box in listed.select("input")]
    assert chosen.slug not in values and len(values) > LONG_FILTER
    box = group.select_one("input[data-facet-filter]")
    assert box["data-facet-filter"] == listed["id"] == box["aria-controls"]
    assert not box.has_attr("name")  # never sent with the search
    label = group.find("label", attrs={"for": box["id"]})
    assert text(label) == "Zoek een organisatie"
    status = group.find(id=box["aria-describedby"])
    assert status["role"] == "status"
    assert "{shown}" in status["data-shown"] and "{total}" in status["data-shown"]
    # A short one lists its values where they are, without a box.
    assert not filters(soup)["fase"].select("input[data-facet-filter]")


def test_organisation_type_filters_the_page_and_names_both_types(client):
    hospital = OrganisationFactory(organisation_type=Organisation.Type.HOSPITAL)
    town = OrganisationFactory(organisation_type=Organisation.Type.MUNICIPALITY)
    both = PracticePageFactory(title="Samen met ziekenhuis en gemeente")
    PracticeOrganisationFactory(page=both, organisation=hospital)
    PracticeOrganisationFactory(
        page=both, organisation=town, role=PracticeOrganisation.Role.PARTNER
    )
    update_index("practice", [both.pk])
    expected = (
        PracticePage.objects.live()
        .filter(practice_organisations__organisation__organisation_type="gemeente")
        .distinct()
        .count()
    )
    soup = page(client, {"organisatietype": "gemeente"})
    assert (
        text(soup.select_one("#results-heading")) == f"{expected} praktijkvoorbeelden"
    )
    assert card(soup, both.title)
    chip = text(soup.select_one(".active-filters .chip"))
    assert chip.startswith(f"{gettext('Organisation type')}: Gemeente")
    data = client.get(
        reverse("api_practices"), {"organisatietype": "ziekenhuis", "page_size": 100}
    ).json()
    record = next(r for r in data["results"] if r["id"] == both.pk)
    assert sorted(record["organisatietype"]) == ["gemeente", "ziekenhuis"]
    assert {"ziekenhuis", "gemeente"} <= {
        value["slug"] for value in data["facets"]["organisatietype"]
    }


# Result cards ----------------------------------------------------------------


def test_a_result_card_shows_phase_first_places_initiators_start_year_and_image(
    client,
):
    image = get_image_model().objects.first()
    practice = indexed(
        title="Kaartjespraktijk Twente",
        phase="pilot",
        start_year=2021,
        hero_image=image,
        provinces=["overijssel"],
        care_office_regions=["twente"],
    )
    initiator = OrganisationFactory(name="Initiatiefhuis Twente (voorbeeld)")
    partner = OrganisationFactory(name="Partnerhuis Twente (voorbeeld)")
    PracticeOrganisationFactory(page=practice, organisation=initiator)
    PracticeOrganisationFactory(
        page=practice, organisation=partner, role=PracticeOrganisation.Role.PARTNER
    )
    update_index("practice", [practice.pk])

    hit = card(page(client, {"q": "Kaartjespraktijk"}), practice.title)
    facts = hit.select(".card-facts > div")
    badge = facts[0].select_one("dd > .phase-badge")
    assert "utrecht-status-badge" in badge["class"]
    assert "phase-badge--pilot" in badge["class"] and text(badge) == "Pilot"
    assert [text(fact.dt) for fact in facts] == [
        "Fase",
        "Regio",
        "Startjaar",
        "Initiatiefnemer",
    ]
    assert [text(fact.dd) for fact in facts[1:]] == [
        "Twente",
        "gestart in 2021",
        initiator.name,
    ]
    assert partner.name not in text(hit)
    assert hit.select_one("img.hit__image")["src"].endswith(".fill-480x270.jpg")
    assert hit.select_one("img.hit__image")["alt"] == ""


def test_a_card_names_two_places_and_how_many_more(client):
    practice = indexed(
        title="Drieregiopraktijk",
        care_office_regions=["twente", "zwolle", "apeldoorn-zutphen"],
    )
    hit = card(page(client, {"q": "Drieregiopraktijk"}), practice.title)
    place = hit.select(".card-facts > div")[1]
    assert text(place.dt) == "Regio"
    assert text(place.dd).endswith("en nog 1")


def test_practice_cards_on_lists_say_the_same(client):
    """The practice index lists pages (includes/practice_card.html): the
    same facts as a search result's card."""
    practice = indexed(
        title="Lijstkaartpraktijk",
        phase="opgeschaald",
        start_year=2019,
        care_office_regions=["zuid-limburg"],
        provinces=["limburg"],
    )
    PracticeOrganisationFactory(
        page=practice, organisation=OrganisationFactory(name="Lijsthuis (voorbeeld)")
    )
    html = client.get(practice.get_parent().url).content
    article = (
        BeautifulSoup(html, "html.parser")
        .find("a", string=practice.title)
        .find_parent("article")
    )
    facts = [text(fact) for fact in article.select(".card-facts > div")]
    assert facts == [
        "Fase Opgeschaald",
        "Regio Zuid-Limburg",
        "Startjaar gestart in 2019",
        "Initiatiefnemer Lijsthuis (voorbeeld)",
    ]


# Nothing found ---------------------------------------------------------------


def test_an_empty_result_invites_to_share_an_initiative_and_ask_the_community(
    client,
):
    soup = page(client, {"q": "plofkip"})
    empty = soup.select_one("#results.empty-state")
    links = {a["href"]: text(a) for a in empty.select("a")}
    assert links[reverse("submissions:new")] == "Deel jouw initiatief"
    assert links[reverse("community:ask")] == "Stel je vraag aan de community"
    # The skip link at the top leads there; no filters to offer.
    assert soup.select_one("a.search-page__skip")["href"] == "#results"
    assert soup.select_one("#filters-open").has_attr("hidden")
    assert not soup.select("#search-facets details")


# Skip link, dialog and htmx ----------------------------------------------------


def test_skip_link_filters_link_and_dialog_come_before_the_results(client):
    soup = page(client)
    order = [
        element.get("id") or " ".join(element["class"])
        for element in soup.select(
            "a.search-page__skip, form#search-form, a.filters-open__control, "
            "aside#filters, dialog#filters-dialog, #search-region, ol#results"
        )
    ]
    assert order == [
        "search-page__skip",
        "search-form",
        "filters-open__control",
        "filters",
        "filters-dialog",
        "search-region",
        "results",
    ]
    assert soup.select_one("a.search-page__skip")["href"] == "#results"
    assert soup.select_one("a.filters-open__control")["href"] == "#filters"
    dialog = soup.select_one("dialog#filters-dialog")
    heading = dialog.find(id=dialog["aria-labelledby"])
    assert heading.name == "h2" and text(heading) == "Filters"
    apply = dialog.select_one("[data-filters-apply]")
    assert apply["form"] == "search-form"
    total = PracticePage.objects.live().public().count()
    assert text(apply) == f"Toon {total} praktijkvoorbeelden"


def test_htmx_gets_the_results_and_the_filters_out_of_band(client):
    response = client.get("/zoeken/", {"fase": "pilot"}, **HTMX)
    html = response.content.decode()
    soup = BeautifulSoup(html, "html.parser")
    assert "<html" not in html and "search-page__skip" not in html
    region = soup.select_one("section#search-region")
    pilots = PracticePage.objects.live().filter(phase="pilot").count()
    assert (
        text(region.select_one("#results-heading")) == f"{pilots} praktijkvoorbeelden"
    )
    out_of_band = {element["id"]: element for element in soup.select("[hx-swap-oob]")}
    assert set(out_of_band) == {
        "search-facets",
        "filters-open",
        "filters-dialog-apply-label",
        "search-errors",
    }
    assert text(out_of_band["filters-dialog-apply-label"]) == (
        f"Toon {pilots} praktijkvoorbeelden"
    )
    assert text(out_of_band["filters-open"]) == "Filters (1 gekozen)"
    assert not out_of_band["filters-open"].has_attr("hidden")
    assert out_of_band["search-facets"].select_one("#f-fase-pilot").has_attr("checked")
    assert "HX-Target" in response["Vary"]


# Following -------------------------------------------------------------------


def test_the_follow_control_says_what_is_followed_and_what_it_brings(client):
    theme = ThemeFactory(name="Volgtestthema")
    params = {"thema": theme.slug, "provincie": "gelderland"}
    follow = page(client, params).select_one("#search-follow")
    link = follow.select_one("a.follow-login")
    assert (
        text(link)
        == "Log in om het thema Volgtestthema en de provincie Gelderland te volgen"
    )
    assert "melding bij elk nieuw praktijkvoorbeeld" in text(follow)

    client.force_login(UserFactory())
    follow = page(client, params).select_one("#search-follow")
    buttons = [text(button) for button in follow.select("button")]
    assert buttons == ["Volg het thema Volgtestthema", "Volg de provincie Gelderland"]
    assert "melding bij elk nieuw praktijkvoorbeeld" in text(follow)
    # Nothing to follow when two themes are chosen, nor without filters.
    other = ThemeFactory()
    assert not page(client, {"thema": [theme.slug, other.slug]}).select(
        "#search-follow button"
    )
    assert not page(client).select("#search-follow")


def test_a_snippet_keeps_the_words_of_list_items_apart(client):
    """The story's HTML becomes the index's text: where a list item or a
    paragraph ends, a space, so a snippet never reads "kaart;overleg"."""
    indexed(
        title="Casusregie voor vaste bezoekers",
        approach="<ul><li>brengt de problemen in kaart;</li>"
        "<li>overleg met het zorgwerfteam</li></ul><p>Daarna</p><p>volgt</p>",
    )
    snippet = page(client, {"q": "zorgwerfteam"}).select_one(".hit__snippet")
    text = " ".join(snippet.get_text().split())
    assert "kaart; overleg met het zorgwerfteam" in text
    assert "Daarna volgt" in text
