"""PracticePage.objects.reachable() remembers which sections are hidden (not
live, or behind a view restriction) until a page or a restriction changes:
the common case asks the database only for the practices."""

import pytest
from wagtail.models import PageViewRestriction

from django.db import connection
from django.test.utils import CaptureQueriesContext

from practices.models import PracticePage
from tests.factories import PracticePageFactory, practice_index

pytestmark = pytest.mark.django_db


def reachable_ids():
    return set(PracticePage.objects.reachable().values_list("pk", flat=True))


def test_reachable_asks_only_for_the_practices_once_the_sections_are_known(commit):
    practice = commit(PracticePageFactory)
    assert practice.pk in reachable_ids()
    with CaptureQueriesContext(connection) as queries:
        assert practice.pk in reachable_ids()
    assert len(queries) == 1


def test_an_unpublished_section_hides_its_practices_once_committed(commit):
    practice = commit(PracticePageFactory)
    section = practice_index()
    assert practice.pk in reachable_ids()
    commit(section.unpublish)
    assert practice.pk not in reachable_ids()
    commit(lambda: section.save_revision().publish(user=None))
    assert practice.pk in reachable_ids()


def test_a_view_restriction_hides_the_practice_until_it_is_lifted(commit):
    practice = commit(PracticePageFactory)
    assert practice.pk in reachable_ids()
    restriction = commit(
        lambda: PageViewRestriction.objects.create(
            page=practice, restriction_type=PageViewRestriction.LOGIN
        )
    )
    assert practice.pk not in reachable_ids()
    commit(restriction.delete)
    assert practice.pk in reachable_ids()


def test_a_change_not_yet_committed_is_seen_by_its_own_transaction(commit):
    practice = commit(PracticePageFactory)
    assert practice.pk in reachable_ids()
    practice_index().unpublish()  # its bump waits for a commit that never comes
    assert practice.pk not in reachable_ids()
