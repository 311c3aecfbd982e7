import datetime

import pytest
from wagtail.models import Page

from django.utils import translation

from kb.models import HomePage, StandardPage
from practices.models import (
    Organisation,
    PracticeIndexPage,
    PracticeOrganisation,
    PracticePage,
    Theme,
)
from tests.factories import (
    OrganisationFactory,
    PracticeContactFactory,
    PracticeOrganisationFactory,
    PracticePageFactory,
)

pytestmark = pytest.mark.django_db


def test_practices_can_only_live_below_the_practice_index():
    assert PracticePage.allowed_parent_page_models() == [PracticeIndexPage]
    assert PracticePage.allowed_subpage_models() == []
    assert PracticeIndexPage.allowed_parent_page_models() == [HomePage]
    assert set(HomePage.allowed_subpage_models()) == {PracticeIndexPage, StandardPage}


def test_there_is_one_practice_index_and_one_home_page(home_page):
    assert not PracticeIndexPage.can_create_at(home_page)
    assert not HomePage.can_create_at(Page.get_first_root_node())
    assert StandardPage.can_create_at(home_page)


def test_a_practice_spans_several_provinces_and_regions():
    practice = PracticePageFactory(
        provinces=["groningen", "drenthe"],
        care_office_regions=["groningen", "drenthe"],
        movements=["voorkomen", "vervangen"],
    )
    practice.refresh_from_db()
    assert sorted(p.slug for p in practice.provinces.all()) == ["drenthe", "groningen"]
    assert practice.care_office_regions.count() == 2
    assert practice.movements.count() == 2


def test_story_sections_keep_reading_order_and_skip_empty_ones():
    practice = PracticePageFactory(
        problem="<p>P</p>", goal="", approach="<p>A</p>", lessons="<p>L</p>"
    )
    assert [anchor for anchor, _heading, _html in practice.story_sections()] == [
        "aanleiding",
        "aanpak",
        "lessen",
    ]


def test_organisations_are_split_into_initiators_and_partners_in_order():
    practice = PracticePageFactory()
    first = PracticeOrganisationFactory(page=practice, sort_order=0)
    partner = PracticeOrganisationFactory(
        page=practice, role=PracticeOrganisation.Role.PARTNER, sort_order=1
    )
    second = PracticeOrganisationFactory(page=practice, sort_order=2)
    initiators, partners = practice.organisations_by_role()
    assert initiators == [first.organisation, second.organisation]
    assert partners == [partner.organisation]


def test_vocabulary_slug_is_filled_from_the_name():
    organisation = OrganisationFactory(
        name="Huisartsencoöperatie Zuidoost Friesland (voorbeeld)"
    )
    assert organisation.slug == "huisartsencooperatie-zuidoost-friesland-voorbeeld"
    assert str(organisation) == organisation.name
    assert organisation.get_organisation_type_display() == "Ziekenhuis"


def test_contact_person_has_a_stable_anchor_and_initials():
    contact = PracticeContactFactory(name="Anna de Vries")
    assert contact.anchor == f"contactpersoon-{contact.pk}"
    assert contact.initials == "AV"


@pytest.mark.parametrize(
    ("days_ago", "stale"), [(None, True), (30, False), (364, False), (400, True)]
)
def test_practice_is_stale_after_a_year_without_review(days_ago, stale):
    reviewed = (
        None
        if days_ago is None
        else datetime.date.today() - datetime.timedelta(days=days_ago)
    )
    assert PracticePage(last_reviewed_at=reviewed).is_stale is stale


def test_fixed_vocabularies_are_complete():
    from practices.models import CareOfficeRegion, Movement, Province

    assert Province.objects.count() == 13
    assert Province.objects.filter(slug="landelijk").exists()
    assert CareOfficeRegion.objects.count() == 31
    assert list(Movement.objects.values_list("slug", flat=True)) == [
        "voorkomen",
        "verplaatsen",
        "vervangen",
    ]


def test_organisation_in_use_cannot_be_deleted():
    from django.db.models import ProtectedError

    link = PracticeOrganisationFactory()
    with pytest.raises(ProtectedError):
        Organisation.objects.filter(pk=link.organisation_id).delete()


def test_facet_values_are_read_at_once_in_vocabulary_order(
    django_assert_num_queries,
):
    practice = PracticePageFactory(
        provinces=["utrecht", "groningen"],
        themes=["ggz"],
        movements=["vervangen", "voorkomen"],
        target_groups=[],
    )
    PracticePage.objects.get(pk=practice.pk).facet_values()  # the labels
    page = PracticePage.objects.get(pk=practice.pk)
    with django_assert_num_queries(1):
        shown = {facet.key: values for facet, values in page.facet_values()}
    assert shown["provincie"] == [("groningen", "Groningen"), ("utrecht", "Utrecht")]
    assert [slug for slug, _name in shown["beweging"]] == ["voorkomen", "vervangen"]
    assert shown["thema"] == [("ggz", "GGZ")]
    assert "doelgroep" not in shown and shown["fase"] == [
        (page.phase, page.get_phase_display())
    ]


def test_facet_values_of_a_preview_are_the_unsaved_ones():
    practice = PracticePageFactory(themes=["ggz"])
    preview = PracticePage.objects.get(pk=practice.pk)
    preview.themes = Theme.objects.filter(slug="preventie-en-leefstijl")
    shown = {facet.key: values for facet, values in preview.facet_values()}
    assert shown["thema"] == [("preventie-en-leefstijl", "Preventie en leefstijl")]


def test_choice_labels_follow_the_active_language():
    organisation = Organisation(organisation_type=Organisation.Type.MENTAL_HEALTH)
    practice = PracticePage(phase=PracticePage.Phase.SCALED_UP)
    assert organisation.type_label == "GGZ"
    assert practice.phase_label == practice.get_phase_display()
    with translation.override("en"):
        assert organisation.type_label == "Mental health care (GGZ)"
        assert practice.phase_label == "Scaled up"
    assert organisation.type_label == "GGZ"
    # A value that is no (longer a) choice shows as it is, as get_*_display does.
    organisation.organisation_type = "opgeheven"
    assert organisation.type_label == organisation.get_organisation_type_display()
    assert organisation.type_label == "opgeheven"
