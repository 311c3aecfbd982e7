"""Factories for members and their posts (accounts, community, notifications)."""

import factory
from allauth.account.models import EmailAddress
from factory.django import DjangoModelFactory

from django.contrib.auth.models import Group

from community.models import Answer, Question
from practices.models import Theme

from .factories import UserFactory


class MemberFactory(UserFactory):
    """A member who signed up and verified their email address."""

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(
                user=obj, email=obj.email, verified=True, primary=True
            )

    @factory.post_generation
    def display_name(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.profile.display_name = extracted
            obj.profile.save(update_fields=["display_name"])


class ModeratorFactory(MemberFactory):
    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get(name="Moderators"))


class QuestionFactory(DjangoModelFactory):
    author = factory.SubFactory(MemberFactory)
    title = factory.Sequence(lambda n: f"Hoe organiseren jullie de nachtzorg {n}?")
    body = "Wij zoeken **ervaringen** met zorg in de wijk."

    class Meta:
        model = Question
        skip_postgeneration_save = True

    @factory.post_generation
    def themes(obj, create, extracted, **kwargs):
        if create:
            obj.themes.set(extracted or [Theme.objects.order_by("pk").first()])


class AnswerFactory(DjangoModelFactory):
    question = factory.SubFactory(QuestionFactory)
    author = factory.SubFactory(MemberFactory)
    body = "Bij ons werkt een *vast team* per wijk."

    class Meta:
        model = Answer
