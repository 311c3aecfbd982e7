"""Witte vlekken (/witte-vlekken/): practices per theme and place, where
nothing exists yet, the same counts as search, and the files."""

import csv
import html as html_lib
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from explore.gaps import Choice, build_matrix
from practices.models import CareOfficeRegion, Province
from search.query import SearchQuery
from search.service import search, update_index
from tests.factories import PracticePageFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def indexed(**kwargs):
    """A live practice, indexed as publishing would do after commit."""
    practice = PracticePageFactory(**kwargs)
    update_index("practice", [practice.pk])
    return practice


@pytest.fixture
def themes():
    """Two themes of their own, so the demo site's practices count in no
    cell of theirs."""
    return ThemeFactory(name="Proef GGZ"), ThemeFactory(name="Proef acuut")


@pytest.fixture
def practices(themes):
    ggz, acute = themes
    return [
        indexed(
            themes=[ggz.slug],
            provinces=["zuid-holland"],
            care_office_regions=["zuid-holland-noord"],
            movements=["voorkomen"],
            phase="pilot",
        ),
        indexed(
            themes=[ggz.slug, acute.slug],
            provinces=["zuid-holland"],
            care_office_regions=["zuid-holland-noord", "haaglanden"],
            movements=["verplaatsen"],
        ),
        indexed(
            themes=[acute.slug],
            provinces=["limburg"],
            care_office_regions=["zuid-limburg"],
            movements=["vervangen", "verplaatsen"],
        ),
    ]


def page(client, **params):
    response = client.get(reverse("gaps"), params)
    assert response.status_code == 200
    return response, response.content.decode()


def cell_links(html):
    """{accessible name: href} of every link in the table's body cells."""
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    found = {}
    for href, inner in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', body, re.S):
        name = " ".join(re.sub(r"<[^>]+>", "", inner).split())
        found[html_lib.unescape(name)] = html_lib.unescape(href)
    return found


def search_total(url):
    """What the search says for the filters of a link into it."""
    params = parse_qs(urlsplit(url).query)
    return search(SearchQuery(filters=params)).total


def test_cells_count_practices_and_link_to_the_same_search(client, practices):
    response, html = page(client)
    links = cell_links(html)

    noord = links["Proef GGZ in Zuid-Holland Noord: 2 praktijkvoorbeelden"]
    assert urlsplit(noord).path == reverse("search")
    assert search_total(noord) == 2
    haaglanden = links["Proef acuut in Haaglanden: 1 praktijkvoorbeeld"]
    assert search_total(haaglanden) == 1
    limburg = links["Proef acuut in Zuid-Limburg: 1 praktijkvoorbeeld"]
    assert search_total(limburg) == 1
    # Through the search page too: the count it shows is the cell's.
    found = client.get(noord).content.decode()
    assert "2 praktijkvoorbeelden" in found
    # An empty cell says so in words and links to what you can do about it.
    empty = links["Proef GGZ in Zuid-Limburg: 0 — nog niets"]
    assert urlsplit(empty).path == reverse("gaps_empty")
    assert search_total(search_url_of(empty)) == 0


def search_url_of(empty_url):
    """The search link of the same cell as an empty-cell link."""
    params = parse_qs(urlsplit(empty_url).query)
    return (
        reverse("search")
        + "?"
        + "&".join(
            f"{key}={value}" for key, values in params.items() for value in values
        )
    )


def test_the_table_is_accessible(client, practices):
    _response, html = page(client)
    assert (
        '<div class="gaps-matrix__scroll" role="region" '
        'aria-labelledby="gaps-caption" tabindex="0">' in html
    )
    assert '<caption id="gaps-caption"' in html
    assert (
        '<th scope="col" class="gaps-table__theme">'
        '<span class="gaps-table__label">Proef GGZ</span></th>'
    ) in html
    assert re.search(r'<th scope="row" id="plek-zuid-limburg"[^>]*>Zuid-Limburg', html)
    # Every care office region is a row, with nothing yet as text.
    assert html.count('<th scope="row" id="plek-') == CareOfficeRegion.objects.count()
    assert '0 —<span class="gaps-table__nothing-text"> nog niets</span>' in html


def test_filters_narrow_every_cell_and_the_links_keep_them(client, practices):
    _response, html = page(client, beweging="voorkomen")
    links = cell_links(html)
    noord = links["Proef GGZ in Zuid-Holland Noord: 1 praktijkvoorbeeld"]
    assert parse_qs(urlsplit(noord).query)["beweging"] == ["voorkomen"]
    assert search_total(noord) == 1
    assert "Proef acuut in Zuid-Limburg: 0 — nog niets" in links

    # Several values of one filter: either of them, as in search.
    _response, html = page(client, beweging=["voorkomen", "vervangen"], fase="pilot")
    links = cell_links(html)
    assert "Proef GGZ in Zuid-Holland Noord: 1 praktijkvoorbeeld" in links
    assert "Proef acuut in Zuid-Limburg: 0 — nog niets" in links  # not a pilot


def test_per_province(client, practices):
    _response, html = page(client, indeling="provincie")
    links = cell_links(html)
    zuid_holland = links["Proef GGZ in Zuid-Holland: 2 praktijkvoorbeelden"]
    assert search_total(zuid_holland) == 2
    assert "Proef GGZ in Limburg: 0 — nog niets" in links
    assert html.count('<th scope="row" id="plek-') == Province.objects.count()
    empty = client.get(links["Proef GGZ in Limburg: 0 — nog niets"])
    assert "Nog niets over Proef GGZ in Limburg" in empty.content.decode()


def test_which_regions_have_nothing_on_a_theme(client, practices, themes):
    ggz, _acute = themes
    _response, html = page(client, thema=ggz.slug)
    focus = html.split('id="gaps-focus-heading"')[1].split("</section>")[0]
    assert "Nog niets over Proef GGZ" in focus
    total = CareOfficeRegion.objects.count()
    assert f"In {total - 2} van de {total} plekken" in focus
    assert ">Zuid-Limburg</a>" in focus
    assert ">Zuid-Holland Noord</a>" not in focus
    assert ">Haaglanden</a>" not in focus


def test_hidden_practices_are_not_counted(client, practices, themes):
    ggz, _acute = themes
    offline = practices[0]
    offline.unpublish()
    update_index("practice", [offline.pk])
    _response, html = page(client)
    links = cell_links(html)
    assert "Proef GGZ in Zuid-Holland Noord: 1 praktijkvoorbeeld" in links
    assert (
        search_total(links["Proef GGZ in Zuid-Holland Noord: 1 praktijkvoorbeeld"]) == 1
    )


def test_a_new_practice_shows_at_once(client, practices, themes, commit):
    ggz, _acute = themes
    page(client)  # the matrix is in the cache now
    commit(
        lambda: (
            indexed(
                themes=[ggz.slug],
                provinces=["limburg"],
                care_office_regions=["zuid-limburg"],
            )
            .save_revision()
            .publish()
        )
    )
    _response, html = page(client)
    assert "Proef GGZ in Zuid-Limburg: 1 praktijkvoorbeeld" in cell_links(html)


def test_the_counts_take_a_fixed_number_of_queries(practices):
    choice = Choice()
    with CaptureQueriesContext(connection) as few:
        first = build_matrix(choice)
    for _ in range(5):
        ThemeFactory()
    with CaptureQueriesContext(connection) as more:
        result = build_matrix(choice)
    assert len(more) == len(few) <= 8
    assert len(result.themes) == len(first.themes) + 5


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"beweging": "stilstaan"},
            "Beweging: “stilstaan” is geen waarde van dit filter.",
        ),
        (
            {"fase": "<b>x</b>"},
            "Fase: “&lt;b&gt;x&lt;/b&gt;” is geen waarde van dit filter.",
        ),
        ({"indeling": "gemeente"}, "“gemeente” is geen indeling"),
        ({"thema": "bestaat-niet"}, "Het thema “bestaat-niet” bestaat niet (meer)."),
    ],
)
def test_bad_input_gets_a_dutch_message_not_an_error(
    client, practices, params, message
):
    response, html = page(client, **params)
    assert message in html
    assert 'role="alert"' in html
    assert "Proef GGZ in Zuid-Holland Noord: 2 praktijkvoorbeelden" in cell_links(html)
    bad_file = client.get(reverse("gaps_csv"), params)
    assert bad_file.status_code == 400
    assert bad_file.json()["errors"]


def test_empty_cell_page_invites_sharing_and_asking(client, practices, themes):
    ggz, _acute = themes
    response = client.get(
        reverse("gaps_empty"), {"thema": ggz.slug, "zorgkantoorregio": "twente"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Nog niets over Proef GGZ in Twente</h1>" in html
    assert f'href="{reverse("submissions:new")}"' in html
    assert f'href="{reverse("community:ask")}"' in html
    assert f'href="{reverse("region", args=["twente"])}"' in html
    # A cell that is not empty (any more) says so and leads to the practices.
    response = client.get(
        reverse("gaps_empty"),
        {"thema": ggz.slug, "zorgkantoorregio": "zuid-holland-noord"},
    )
    assert "2 praktijkvoorbeelden toegevoegd" in response.content.decode()
    # An unknown theme or place: a clear message, not an error.
    for params in ({"thema": "nope", "zorgkantoorregio": "twente"}, {}):
        response = client.get(reverse("gaps_empty"), params)
        assert response.status_code == 404
        assert "noemt geen thema en plek die (nog) bestaan" in response.content.decode()


def test_csv_for_dutch_spreadsheets(client, practices):
    response = client.get(reverse("gaps_csv"), {"beweging": "verplaatsen"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "vindplaats-witte-vlekken-" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    headings = rows[0]
    assert headings[:2] == ["Zorgkantoorregio", "Provincie"]
    assert headings[-1] == "Alle thema's"
    ggz, acute = headings.index("Proef GGZ"), headings.index("Proef acuut")
    by_place = {row[0]: row for row in rows[1:]}
    assert by_place["Haaglanden"][1] == "Zuid-Holland"
    assert [by_place["Haaglanden"][i] for i in (ggz, acute)] == ["1", "1"]
    # The pilot of "voorkomen" alone is left out by the filter.
    assert [by_place["Zuid-Holland Noord"][i] for i in (ggz, acute)] == ["1", "1"]
    assert [by_place["Zuid-Limburg"][i] for i in (ggz, acute)] == ["0", "1"]
    assert [by_place["Twente"][i] for i in (ggz, acute)] == ["0", "0"]
    assert len(rows) == CareOfficeRegion.objects.count() + 1


def test_xlsx_has_the_same_table(client, practices):
    response = client.get(reverse("gaps_xlsx"), {"indeling": "provincie"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    headings = rows[0]
    assert headings[0] == "Provincie" and headings[-1] == "Alle thema's"
    ggz, acute = headings.index("Proef GGZ"), headings.index("Proef acuut")
    by_place = {row[0]: row for row in rows[1:]}
    assert [by_place["Zuid-Holland"][i] for i in (ggz, acute)] == [2, 1]
    assert [by_place["Limburg"][i] for i in (ggz, acute)] == [0, 1]
    assert len(rows) == Province.objects.count() + 1
    assert sheet.freeze_panes == "B2"


def test_linked_from_menu_home_and_regions(client, practices):
    target = f'href="{reverse("gaps")}"'
    _response, html = page(client)
    menu = html.split('id="hoofdmenu"')[1].split("</nav>")[0]
    assert target in menu and 'aria-current="page"' in menu
    assert target in client.get("/").content.decode()
    assert target in client.get(reverse("regions")).content.decode()
    region = client.get(reverse("region", args=["twente"])).content.decode()
    assert f'href="{reverse("gaps")}#plek-twente"' in region


def test_demo_regions_have_a_regiobeeld_and_regioplan(client):
    twente = CareOfficeRegion.objects.get(slug="twente")
    assert twente.regiobeeld_document and twente.regioplan_document
    html = client.get(reverse("region", args=["twente"])).content.decode()
    assert "Regiobeeld Twente (voorbeeld)" in html
    assert "Regioplan Twente (voorbeeld)" in html
    document = client.get(twente.regioplan_document.url)
    assert document.status_code == 200
    assert b"".join(document.streaming_content).startswith(b"%PDF")
    rotterdam = CareOfficeRegion.objects.get(slug="rotterdam")
    assert rotterdam.regiobeeld_url.startswith("https://example.org/")
    assert rotterdam.regioplan_document and rotterdam.regioplan_url


def test_control_characters_and_long_values_are_no_error(client, practices):
    """What no slug holds is dropped (PostgreSQL refuses a NUL in a query)."""
    for params in (
        {"thema": "ggz\x00"},
        {"indeling": "\x00" * 500},
        {"beweging": "voor\x00komen"},
    ):
        assert client.get(reverse("gaps"), params).status_code == 200
    response = client.get(reverse("gaps"), {"thema": "x" * 5000})
    assert "Het thema “" + "x" * 50 + "” bestaat niet" in response.content.decode()
    response = client.get(
        reverse("gaps_empty"), {"thema": "ggz\x00", "zorgkantoorregio": "\x00"}
    )
    assert response.status_code == 404
