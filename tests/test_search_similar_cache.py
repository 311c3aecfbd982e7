"""Comparable initiatives are computed once per index version."""

from unittest import mock

from search.backends import get_backend
from search.service import similar, update_index
from tests.factories import PracticePageFactory


def test_similar_asks_the_backend_once_until_the_index_changes(db):
    practice = PracticePageFactory()
    practice.save_revision().publish()
    update_index("practice", [practice.pk])
    backend = get_backend()
    with mock.patch.object(
        type(backend), "similar", autospec=True, side_effect=type(backend).similar
    ) as spy:
        first = similar(practice)
        second = similar(practice)
        assert spy.call_count == 1
        assert [i.object.pk for i in first] == [i.object.pk for i in second]
        update_index("practice", [practice.pk])
        # (The reindex may ask too: the practice's stored list, practices.similar.)
        asked = spy.call_count
        similar(practice)
        assert spy.call_count == asked + 1
