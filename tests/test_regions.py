"""Region pages (/regio/) and the province map on the home and search page."""

import datetime
import html as html_lib
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from wagtail.documents import get_document_model

from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from explore.templatetags.map_tags import LEVELS, TILES, legend, level
from practices.models import CareOfficeRegion, PracticePage, Province
from search.query import SearchQuery
from search.service import search, update_index
from tests.factories import EditorFactory, PracticePageFactory, ThemeFactory
from tests.factories_community import AnswerFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def indexed(**kwargs):
    """A live practice, indexed as publishing would do after commit."""
    practice = PracticePageFactory(**kwargs)
    update_index("practice", [practice.pk])
    return practice


def region_url(slug):
    return reverse("region", args=[slug])


def total(**filters):
    return search(SearchQuery(filters={k: [v] for k, v in filters.items()})).total


# Region pages -----------------------------------------------------------------


def test_region_page_lists_its_live_practices_only(client):
    ours = indexed(
        title="Wijkteam Zeeuws-Vlaanderen",
        provinces=["zeeland"],
        care_office_regions=["zeeland"],
    )
    offline = indexed(
        title="Ingetrokken Zeeuwse praktijk",
        provinces=["zeeland"],
        care_office_regions=["zeeland"],
    )
    offline.unpublish()
    update_index("practice", [offline.pk])
    elsewhere = indexed(
        title="Limburgse buurtzorg",
        provinces=["limburg"],
        care_office_regions=["zuid-limburg"],
    )

    response = client.get(region_url("zeeland"))
    html = response.content.decode()

    assert response.status_code == 200
    assert html.count("<h1>") == 1 and "<h1>Zeeland</h1>" in html
    assert ours.title in html and f'href="{ours.url}"' in html
    assert offline.title not in html
    assert elsewhere.title not in html
    assert 'class="breadcrumb"' in html
    assert f'href="{reverse("regions")}"' in html
    assert 'href="/zoeken/?zorgkantoorregio=zeeland"' in html
    assert 'href="/zoeken/?provincie=zeeland"' in html  # its province
    count = total(zorgkantoorregio="zeeland")
    assert (
        count
        == PracticePage.objects.live()
        .filter(care_office_regions__slug="zeeland")
        .count()
    )
    assert f"{count} praktijkvoorbeeld" in html


def test_region_page_paginates_like_the_listing(client):
    region = CareOfficeRegion.objects.get(slug="twente")
    for number in range(13 - total(zorgkantoorregio="twente")):
        indexed(
            title=f"Twentse praktijk {number}",
            provinces=["overijssel"],
            care_office_regions=["twente"],
        )
    count = total(zorgkantoorregio="twente")
    assert count > 12
    first = client.get(region_url(region.slug)).content.decode()
    assert first.count('class="card"') == 12
    assert 'rel="next"' in first and "pagina=2" in first
    second = client.get(region_url(region.slug), {"pagina": 2}).content.decode()
    assert second.count('class="card"') == count - 12
    assert "pagina 2" in second.split("</title>")[0]
    # Junk and out-of-range page numbers show a valid page, never an error.
    assert client.get(region_url(region.slug), {"pagina": "abc"}).status_code == 200
    last = client.get(region_url(region.slug), {"pagina": 999}).content.decode()
    assert last.count('class="card"') == count - 12


def test_region_page_shows_regiobeeld_and_regioplan_or_says_they_are_missing(
    client,
):
    # A region the demo gives no regiobeeld or regioplan (fixtures/demo/regions.json).
    region = CareOfficeRegion.objects.get(slug="haaglanden")
    missing = gettext("Not yet available for this region.")

    html = client.get(region_url(region.slug)).content.decode()
    assert html.count(missing) == 2

    document = get_document_model().objects.create(
        title="Regioplan Rotterdam 2025",
        file=ContentFile(b"%PDF-1.4 test", name="regioplan-rotterdam.pdf"),
    )
    region.regiobeeld_url = "https://regio.example.org/regiobeeld-rotterdam"
    region.regioplan_document = document
    region.save()

    html = client.get(region_url(region.slug)).content.decode()
    assert missing not in html
    assert (
        '<a href="https://regio.example.org/regiobeeld-rotterdam" rel="noopener">'
        in html
    )
    assert f'<a href="{document.url}">Regioplan Rotterdam 2025</a>' in html
    assert "(PDF)" in html


def test_region_page_shows_open_questions_only(client):
    practice = indexed(provinces=["utrecht"], care_office_regions=["utrecht"])
    other = indexed(provinces=["limburg"], care_office_regions=["zuid-limburg"])

    def question(title, about=practice, **kwargs):
        created = QuestionFactory(title=title, **kwargs)
        created.practices.set([about])
        return created

    open_question = question("Wie heeft ervaring met nachtzorg in Utrecht?")
    answered_but_open = question("Welke wijkteams werken al samen?")
    AnswerFactory(question=answered_but_open)
    hidden = question("Verborgen vraag over Utrecht", is_hidden=True)
    locked = question("Gesloten vraag over Utrecht", is_locked=True)
    accepted = question("Opgeloste vraag over Utrecht")
    accepted.accepted_answer = AnswerFactory(question=accepted)
    accepted.save()
    elsewhere = question("Vraag over Zuid-Limburg", about=other)

    html = client.get(region_url("utrecht")).content.decode()

    assert open_question.title in html
    assert answered_but_open.title in html
    for absent in (hidden, locked, accepted, elsewhere):
        assert absent.title not in html
    assert f'href="{reverse("community:index")}"' in html


def test_region_page_shows_at_most_five_open_questions_newest_activity_first(
    client,
):
    practice = indexed(provinces=["drenthe"], care_office_regions=["drenthe"])
    now = timezone.now()
    questions = []
    for number in range(7):
        created = QuestionFactory(
            title=f"Drentse vraag nummer {number}",
            last_activity_at=now - datetime.timedelta(days=number),
        )
        created.practices.set([practice])
        questions.append(created)

    html = client.get(region_url("drenthe")).content.decode()

    shown = [q for q in questions if q.title in html]
    assert shown == questions[:5]
    positions = [html.index(q.title) for q in shown]
    assert positions == sorted(positions)


def test_a_question_about_two_practices_of_the_region_is_listed_once(client):
    first = indexed(provinces=["fryslan"], care_office_regions=["friesland"])
    second = indexed(provinces=["fryslan"], care_office_regions=["friesland"])
    question = QuestionFactory(title="Wie doet mee aan de Friese pilot?")
    question.practices.set([first, second])

    html = client.get(region_url("friesland")).content.decode()

    assert html.count(question.title) == 1


def test_region_without_practices_says_so(client):
    region = CareOfficeRegion.objects.create(
        name="Testregio zonder praktijken",
        province=Province.objects.get(slug="utrecht"),
        description="Een regio om te testen.\n\nMet twee alinea's.",
    )
    for params in ({}, {"pagina": 5}):
        response = client.get(region_url(region.slug), params)
        html = response.content.decode()
        assert response.status_code == 200
        assert 'class="card"' not in html
        assert gettext("There are no practice examples from this region yet.") in html
        assert "<p>Een regio om te testen.</p>" in html
        assert (
            gettext(
                "There are no open questions about practice examples in this region."
            )
            in html
        )


def test_editors_manage_regiobeeld_and_regioplan_in_the_admin(client):
    client.force_login(EditorFactory())
    region = CareOfficeRegion.objects.get(slug="zwolle")
    url = reverse("wagtailsnippets_practices_careofficeregion:edit", args=[region.pk])
    html = client.get(url).content.decode()
    for field in (
        "description",
        "regiobeeld_url",
        "regiobeeld_document",
        "regioplan_url",
        "regioplan_document",
    ):
        assert f'name="{field}"' in html, field


def test_unknown_region_is_404(client):
    assert client.get(region_url("atlantis")).status_code == 404
    assert client.get("/regio/atlantis/").status_code == 404


def test_region_index_lists_every_region_with_its_count(client):
    response = client.get(reverse("regions"))
    html = response.content.decode()

    assert response.status_code == 200
    assert html.count("<h1>") == 1
    regions = CareOfficeRegion.objects.select_related("province")
    assert regions.count() == 31
    for region in regions:
        count = total(zorgkantoorregio=region.slug)
        word = "praktijkvoorbeeld" if count == 1 else "praktijkvoorbeelden"
        link = re.search(
            rf'<a id="regio-{region.slug}" href="{region_url(region.slug)}">'
            r"(.*?)</a>",
            html,
            re.S,
        )
        assert link, region.slug
        assert html_lib.escape(region.name) in link.group(1)
        assert f">{count} {word}<" in link.group(1), region.slug
        # Grouped under its province's heading.
        heading = html.index(f'id="provincie-{region.province.slug}"')
        assert heading < link.start()


def count_queries(client, url):
    client.get(url)  # warm the label and rendition caches, as on a running site
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_region_pages_use_a_constant_number_of_queries(
    client, django_assert_max_num_queries
):
    # Gelderland's "Arnhem" gets many practices and questions, "Nijmegen" one.
    many = [
        indexed(provinces=["gelderland"], care_office_regions=["arnhem"])
        for _ in range(6)
    ]
    for number in range(len(many)):
        question = QuestionFactory(title=f"Arnhemse vraag {number}")
        question.practices.set(many[: number + 1])
    indexed(provinces=["gelderland"], care_office_regions=["nijmegen"])

    assert count_queries(client, region_url("arnhem")) == count_queries(
        client, region_url("nijmegen")
    )
    # The region, the search, the cards (with their images, regions and
    # initiators), the questions and the site menu.
    with django_assert_max_num_queries(17):
        client.get(region_url("arnhem"))
    client.get(reverse("regions"))
    with django_assert_max_num_queries(9):
        client.get(reverse("regions"))


def test_practice_page_links_its_region_page(client):
    practice = PracticePageFactory(
        provinces=["noord-holland"], care_office_regions=["amsterdam", "t-gooi"]
    )
    html = client.get(practice.url).content.decode()
    assert f'href="{region_url("amsterdam")}"' in html
    assert f'href="{region_url("t-gooi")}"' in html
    assert 'href="/zoeken/?zorgkantoorregio=amsterdam"' not in html


# The map ----------------------------------------------------------------------


def tile(html, slug):
    """(href, accessible name, shown count) of a province's tile on the map."""
    match = re.search(
        rf'<a id="kaart-{re.escape(slug)}" class="[^"]*" href="([^"]+)" '
        r'aria-label="([^"]+)">(.*?)</a>',
        html,
        re.S,
    )
    assert match, slug
    count = re.search(r'class="province-map__count"[^>]*>(\d+)</text>', match[3])
    return html_lib.unescape(match[1]), html_lib.unescape(match[2]), int(count[1])


def tile_name(province, count):
    return ngettext(
        "%(province)s: %(count)s practice example",
        "%(province)s: %(count)s practice examples",
        count,
    ) % {"province": province, "count": count}


def table_count(html, slug):
    match = re.search(
        rf'<tr id="kaart-rij-{re.escape(slug)}"[^>]*><th scope="row">'
        r'<a href="([^"]+)">.*?</th><td[^>]*>(\d+)</td></tr>',
        html,
    )
    assert match, slug
    return html_lib.unescape(match[1]), int(match[2])


def test_home_page_map_links_every_province_to_search_with_its_count(client):
    html = client.get("/").content.decode()

    assert html.count("<svg") >= 1 and 'viewBox="0 0 ' in html
    caption = gettext(
        "A schematic map: every province is a tile, placed roughly where it lies. "
        "The darker the tile, the more practice examples. Choose a province to see "
        "its practice examples."
    )
    assert "<figcaption" in html and caption in html
    assert '<table id="province-map-table"' in html and "<caption>" in html
    for province in Province.objects.exclude(slug="landelijk"):
        assert province.slug in TILES, province.slug
        count = total(provincie=province.slug)
        href, name, shown = tile(html, province.slug)
        assert href == f"/zoeken/?provincie={province.slug}"
        assert shown == count
        assert name == tile_name(province.name, count)
        assert table_count(html, province.slug) == (href, count)
    # Landelijk is not a place: a link below the map, and a row in the table.
    national = total(provincie="landelijk")
    assert not re.search(r'<a id="kaart-landelijk" class="province-map__tile', html)
    link_text = html_lib.escape(tile_name("Landelijk", national))
    assert (
        '<a id="kaart-landelijk" class="province-map__other" '
        f'href="/zoeken/?provincie=landelijk">{link_text}</a>'
    ) in html
    assert table_count(html, "landelijk") == ("/zoeken/?provincie=landelijk", national)


def test_every_tile_is_named_with_the_text_it_shows(client):
    """A wide map shows the province's name, a narrow one its code (the
    stylesheet shows one of each tile's two links): each link's name holds
    what it shows, as WCAG 2.5.3 asks ("FR 5" is "Fryslân (FR): 5 ...")."""
    html = client.get("/").content.decode()
    labels = dict(Province.objects.values_list("slug", "name"))
    for slug, (_column, _row, code) in TILES.items():
        href, name, count = tile(html, slug)
        named = re.search(rf'<a id="kaart-{re.escape(slug)}" .*?</a>', html, re.S)[0]
        assert shown_text(named) == f"{labels[slug]} {count}"
        assert name.startswith(f"{labels[slug]}: {count} ")
        coded = re.search(
            rf'<a id="kaart-{re.escape(slug)}-code" class="[^"]*" href="([^"]+)" '
            r'aria-label="([^"]+)" display="none">(.*?)</a>',
            html,
            re.S,
        )
        assert html_lib.unescape(coded[1]) == href
        assert shown_text(coded[3]) == f"{code} {count}"
        assert html_lib.unescape(coded[2]).startswith(
            f"{labels[slug]} ({code}): {count} "
        )


def shown_text(svg):
    return " ".join(html_lib.unescape(t) for t in re.findall(r">([^<>]+)</text>", svg))


def test_home_page_map_follows_a_new_practice(client):
    before = total(provincie="flevoland")
    indexed(provinces=["flevoland"])
    html = client.get("/").content.decode()
    assert tile(html, "flevoland")[2] == before + 1


def test_search_page_map_reflects_the_filters_and_marks_the_selection(client):
    theme = ThemeFactory(name="Kaarttestthema")
    indexed(provinces=["zeeland"], themes=[theme.slug])
    indexed(provinces=["zeeland", "noord-brabant"], themes=[theme.slug])
    indexed(provinces=["limburg"], themes=[theme.slug])

    html = client.get("/zoeken/", {"thema": theme.slug}).content.decode()
    assert tile(html, "zeeland")[2] == 2
    assert tile(html, "noord-brabant")[2] == 1
    assert tile(html, "limburg")[2] == 1
    assert tile(html, "groningen")[2] == 0
    href, name, _count = tile(html, "zeeland")
    assert urlsplit(href).path == "/zoeken/"
    assert parse_qs(urlsplit(href).query) == {
        "provincie": ["zeeland"],
        "thema": [theme.slug],
    }
    assert table_count(html, "zeeland") == (href, 2)
    assert "(geselecteerd)" not in name

    html = client.get(
        "/zoeken/", {"thema": theme.slug, "provincie": "zeeland"}
    ).content.decode()
    assert "province-map__tile--selected" in html
    _href, name, count = tile(html, "zeeland")
    with translation.override("nl"):
        expected = gettext("%(description)s (selected)") % {
            "description": tile_name("Zeeland", 2)
        }
    assert name == expected and count == 2
    # A province's count applies the other filters, not its own selection.
    assert tile(html, "limburg")[2] == 1
    assert "(geselecteerd)" not in tile(html, "limburg")[1]


def test_map_colours_keep_text_readable_in_every_shade():
    def luminance(colour):
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
            for c in channels
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for fill, ink in LEVELS:
        light, dark = sorted([luminance(fill), luminance(ink)], reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, (fill, ink)


def test_map_levels_and_legend_cover_every_count():
    assert level(0, 40) == 0
    assert level(1, 40) == 1
    assert level(10, 40) == 1 and level(11, 40) == 2
    assert level(40, 40) == 4
    ranges = legend(40)
    assert [(step["low"], step["high"]) for step in ranges] == [
        (0, 0),
        (1, 10),
        (11, 20),
        (21, 30),
        (31, 40),
    ]
    # With a small largest count, levels without any count are left out, and
    # every count falls in the legend range drawn in its tile's colour.
    assert [(step["low"], step["high"]) for step in legend(2)] == [
        (0, 0),
        (1, 1),
        (2, 2),
    ]
    for largest in (1, 2, 3, 5, 7, 40, 123):
        ranges = legend(largest)
        for count in range(largest + 1):
            (step,) = [r for r in ranges if r["low"] <= count <= r["high"]]
            assert step["fill"] == LEVELS[level(count, largest)][0]
