"""The lists on a practice page (contacts, images, links, documents,
organisations) are read with one query each (PracticePage.children), in the
editors' order, with what they point to."""

import io

import pytest
from PIL import Image
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practices.models import (
    PracticeDocument,
    PracticeGalleryImage,
    PracticeLink,
    PracticeOrganisation,
)
from tests.factories import (
    OrganisationFactory,
    PracticeContactFactory,
    PracticeOrganisationFactory,
    PracticePageFactory,
)

pytestmark = pytest.mark.django_db


def image(title):
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "teal").save(buffer, format="PNG")
    upload = SimpleUploadedFile(f"{title}.png", buffer.getvalue())
    return get_image_model().objects.create(title=title, file=upload)


def visit(client, page):
    client.cookies["sessionid"] = "no-such-session"  # past the page cache
    response = client.get(page.url)
    assert response.status_code == 200
    return response.content.decode()


def in_order(html, *texts):
    positions = [html.index(text) for text in texts]
    return positions == sorted(positions)


@pytest.fixture
def practice():
    page = PracticePageFactory(title="Een praktijk met alles erop")
    PracticeContactFactory(page=page, name="Bea Tweede", sort_order=2)
    PracticeContactFactory(
        page=page, name="Anna Eerste", sort_order=1, photo=image("pasfoto")
    )
    PracticeGalleryImage.objects.create(
        page=page, image=image("later"), caption="Het tweede beeld", sort_order=2
    )
    PracticeGalleryImage.objects.create(
        page=page, image=image("eerder"), caption="Het eerste beeld", sort_order=1
    )
    PracticeLink.objects.create(
        page=page, title="Tweede link", url="https://example.org/2", sort_order=2
    )
    PracticeLink.objects.create(
        page=page, title="Eerste link", url="https://example.org/1", sort_order=1
    )
    document = get_document_model().objects.create(
        title="Eigen titel van het document",
        file=SimpleUploadedFile("verslag.pdf", b"%PDF-1.4\n%t\n"),
    )
    PracticeDocument.objects.create(page=page, document=document, sort_order=1)
    PracticeOrganisationFactory(
        page=page,
        organisation=OrganisationFactory(name="Partner Zorg (voorbeeld)"),
        role=PracticeOrganisation.Role.PARTNER,
        sort_order=1,
    )
    PracticeOrganisationFactory(
        page=page,
        organisation=OrganisationFactory(name="Initiatiefnemer Zorg (voorbeeld)"),
        sort_order=2,
    )
    return page


def test_the_page_shows_its_lists_in_the_editors_order(client, practice):
    html = visit(client, practice)
    assert in_order(html, "Anna Eerste", "Bea Tweede")
    assert 'class="contact-card__photo"' in html  # Anna's photo, resized
    assert "contact-card__photo--initials" in html  # Bea has none: initials
    assert in_order(html, "Het eerste beeld", "Het tweede beeld")
    assert in_order(html, "Eerste link", "Tweede link")
    assert "Eigen titel van het document" in html and "(PDF)" in html
    facts = html.split('id="facts-heading"', 1)[1]
    assert in_order(facts, "Initiatiefnemer Zorg", "Partner Zorg")


def test_the_lists_carry_what_they_point_to(practice):
    contacts = practice.children("contacts", "photo")
    assert [c.name for c in contacts] == ["Anna Eerste", "Bea Tweede"]
    assert contacts[0].photo.title == "pasfoto" and contacts[1].photo is None
    images = practice.children("gallery_images", "image")
    assert [g.image.title for g in images] == ["eerder", "later"]
    assert images[0].image.created_at.tzinfo is not None  # converted as the ORM does
    with CaptureQueriesContext(connection) as queries:
        initiators, partners = practice.organisations_by_role()
        names = [o.name for o in initiators + partners]
    assert names == ["Initiatiefnemer Zorg (voorbeeld)", "Partner Zorg (voorbeeld)"]
    assert len(queries) == 1


def test_a_first_view_reads_each_list_once(client, practice):
    with CaptureQueriesContext(connection) as queries:
        visit(client, practice)
    tables = ("practicecontact", "practicegalleryimage", "practicelink")
    for table in tables:
        reads = [q for q in queries if f'FROM "practices_{table}"' in q["sql"]]
        assert len(reads) == 1, table


def test_the_facts_link_each_value_places_marked_as_places(client):
    page = PracticePageFactory(
        provinces=["fryslan"],
        care_office_regions=["friesland"],
        target_groups=["kwetsbare-ouderen"],
        phase="pilot",
    )
    facts = visit(client, page).split('id="facts-heading"', 1)[1]
    assert '<a class="tag tag--place" href="/zoeken/?provincie=fryslan">' in facts
    assert '<a class="tag tag--place" href="/regio/friesland/">' in facts
    assert '<a class="tag" href="/zoeken/?doelgroep=kwetsbare-ouderen">' in facts
    assert '<a class="tag" href="/zoeken/?fase=pilot">Pilot</a>' in facts
    assert in_order(facts, "<dt>Provincie</dt>", "<dt>Fase</dt>")


def test_the_organisations_show_their_type_in_dutch(client):
    page = PracticePageFactory()
    PracticeOrganisationFactory(
        page=page,
        organisation=OrganisationFactory(
            name="GGZ Voorbeeld", slug="ggz-voorbeeld", organisation_type="ggz"
        ),
    )
    facts = visit(client, page).split('id="facts-heading"', 1)[1]
    assert (
        '<a href="/zoeken/?organisatie=ggz-voorbeeld">GGZ Voorbeeld</a> '
        '<span class="muted">(GGZ)</span>'
    ) in facts


def test_the_story_shows_its_rich_text_with_links_expanded(client):
    other = PracticePageFactory(title="Een andere praktijk")
    page = PracticePageFactory(
        approach=f'<p>Zoals <a linktype="page" id="{other.pk}">de buren</a>.</p>'
    )
    html = visit(client, page)
    assert f'<p>Zoals <a href="{other.url}">de buren</a>.</p>' in html
    assert "linktype" not in html
