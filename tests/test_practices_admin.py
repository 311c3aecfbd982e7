"""The redactie manages taxonomies and practices in the Wagtail admin."""

import io

import pytest

from django.core.management import call_command
from django.urls import reverse

from practices.models import PracticePage, Theme
from tests.factories import EditorFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory())
    return client


@pytest.mark.parametrize(
    "model",
    [
        "theme",
        "organisation",
        "targetgroup",
        "province",
        "careofficeregion",
        "movement",
    ],
)
def test_editor_sees_every_taxonomy_listing(editor_client, model):
    response = editor_client.get(reverse(f"wagtailsnippets_practices_{model}:list"))
    assert response.status_code == 200


def test_editor_filters_organisations_by_type(editor_client):
    municipality = OrganisationFactory(
        name="Gemeente Testdorp (voorbeeld)", organisation_type="gemeente"
    )
    hospital = OrganisationFactory(
        name="Ziekenhuis Testdorp (voorbeeld)", organisation_type="ziekenhuis"
    )
    url = reverse("wagtailsnippets_practices_organisation:list")
    response = editor_client.get(
        url, {"organisation_type": "gemeente", "q": "Testdorp"}
    )
    html = response.content.decode()
    assert municipality.name in html
    assert hospital.name not in html


def test_editor_adds_a_theme(editor_client):
    url = reverse("wagtailsnippets_practices_theme:add")
    response = editor_client.post(
        url, {"name": "Zorg op afstand", "slug": "", "description": ""}
    )
    assert response.status_code == 302
    assert Theme.objects.get(name="Zorg op afstand").slug == "zorg-op-afstand"


def test_editor_cannot_delete_a_province(editor_client):
    province = PracticePage.objects.live().first().provinces.first()
    delete = reverse("wagtailsnippets_practices_province:delete", args=[province.pk])
    editor_client.post(delete)
    assert type(province).objects.filter(pk=province.pk).exists()


def test_member_without_admin_access_is_kept_out(client):
    client.force_login(UserFactory())
    response = client.get(reverse("wagtailsnippets_practices_theme:list"))
    assert response.status_code in (302, 403)


def test_practice_editor_opens_with_all_tabs(editor_client):
    practice = PracticePage.objects.live().get(slug="havenue-rotterdam")
    response = editor_client.get(reverse("wagtailadmin_pages:edit", args=[practice.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for tab in ["Verhaal", "Kenmerken", "Mensen en bronnen"]:
        assert tab in html


def test_generate_practices_creates_live_practices_with_facets(client):
    before = PracticePage.objects.live().count()
    call_command("generate_practices", "25", "--no-progress", stdout=io.StringIO())
    generated = PracticePage.objects.live().filter(slug__startswith="gen-")
    assert PracticePage.objects.live().count() == before + 25
    practice = generated.first()
    assert practice.provinces.exists() and practice.themes.exists()
    assert practice.practice_organisations.exists() and practice.contacts.exists()
    assert client.get(practice.url).status_code == 200
    # A second run continues the numbering instead of clashing.
    call_command("generate_practices", "5", "--no-progress", stdout=io.StringIO())
    assert generated.count() == 30
