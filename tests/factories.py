"""Factories for test data; pages are created below the demo site's pages."""

import datetime

import factory
import wagtail_factories
from factory.django import DjangoModelFactory

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from practices.models import (
    Adoption,
    CareOfficeRegion,
    Movement,
    Organisation,
    PracticeContact,
    PracticeIndexPage,
    PracticeOrganisation,
    PracticePage,
    Province,
    TargetGroup,
    Theme,
)


class ThemeFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Testthema {n}")

    class Meta:
        model = Theme


class TargetGroupFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Testdoelgroep {n}")

    class Meta:
        model = TargetGroup


class OrganisationFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Testorganisatie {n} (voorbeeld)")
    organisation_type = Organisation.Type.HOSPITAL

    class Meta:
        model = Organisation


def practice_index():
    return PracticeIndexPage.objects.get()


class PracticePageFactory(wagtail_factories.PageFactory):
    """A live practice below the site's practice index.

    Facets are passed as lists of slugs (`provinces=["limburg"]`), the way
    people see them in URLs; themes default to one fresh theme.
    """

    title = factory.Sequence(lambda n: f"Testpraktijk {n}")
    slug = factory.Sequence(lambda n: f"testpraktijk-{n}")
    parent = factory.LazyFunction(practice_index)
    summary = "Een korte samenvatting van de testpraktijk."
    problem = "<p>Het probleem.</p>"
    approach = "<p>De aanpak.</p>"
    phase = PracticePage.Phase.RUNNING
    first_published_at = factory.LazyFunction(timezone.now)
    last_reviewed_at = factory.LazyFunction(datetime.date.today)

    class Meta:
        model = PracticePage
        skip_postgeneration_save = True

    @factory.post_generation
    def provinces(obj, create, extracted, **kwargs):
        obj.provinces.set(Province.objects.filter(slug__in=extracted or ["utrecht"]))

    @factory.post_generation
    def care_office_regions(obj, create, extracted, **kwargs):
        if extracted:
            obj.care_office_regions.set(
                CareOfficeRegion.objects.filter(slug__in=extracted)
            )

    @factory.post_generation
    def themes(obj, create, extracted, **kwargs):
        if extracted:
            obj.themes.set(Theme.objects.filter(slug__in=extracted))
        else:
            obj.themes.set([ThemeFactory()])

    @factory.post_generation
    def movements(obj, create, extracted, **kwargs):
        obj.movements.set(
            Movement.objects.filter(slug__in=extracted or ["verplaatsen"])
        )

    @factory.post_generation
    def target_groups(obj, create, extracted, **kwargs):
        if extracted:
            obj.target_groups.set(TargetGroup.objects.filter(slug__in=extracted))

    @factory.post_generation
    def save_relations(obj, create, extracted, **kwargs):
        # ParentalManyToManyField keeps values in memory until the page is saved.
        if create:
            obj.save()


class PracticeOrganisationFactory(DjangoModelFactory):
    page = factory.SubFactory(PracticePageFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = PracticeOrganisation.Role.INITIATOR

    class Meta:
        model = PracticeOrganisation


class PracticeContactFactory(DjangoModelFactory):
    page = factory.SubFactory(PracticePageFactory)
    name = factory.Sequence(lambda n: f"Contact Persoon{n}")
    role = "Projectleider"
    organisation = "Testorganisatie (voorbeeld)"
    email = factory.Sequence(lambda n: f"contact{n}@example.org")

    class Meta:
        model = PracticeContact


class UserFactory(DjangoModelFactory):
    username = factory.Sequence(lambda n: f"gebruiker{n}")
    email = factory.Sequence(lambda n: f"gebruiker{n}@example.org")
    password = factory.django.Password("een-veilig-testwachtwoord")

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True


class EditorFactory(UserFactory):
    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get(name="Editors"))


class AdoptionFactory(DjangoModelFactory):
    """An adoption a member recorded; pending unless `review` says otherwise."""

    practice = factory.SubFactory(PracticePageFactory)
    member = factory.SubFactory(UserFactory)
    organisation = factory.Sequence(lambda n: f"Overnemer {n} (voorbeeld)")
    region = factory.LazyFunction(lambda: CareOfficeRegion.objects.get(slug="twente"))
    status = Adoption.Status.UNDER_WAY
    note = "Wij werken sinds dit jaar ook zo."

    class Meta:
        model = Adoption
