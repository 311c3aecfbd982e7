"""The search contract on the database backend (SQLite FTS5 or PostgreSQL),
and what is particular to it: the columns it keeps in memory and the two
ways it ranks a page."""

import pytest

from community import services as community
from search.backends import columns
from search.query import SearchQuery
from search.service import search, similar
from tests.factories_community import MemberFactory
from tests.search_contract import SearchContract


class TestDatabaseBackend(SearchContract):
    backend = {"BACKEND": "search.backends.database.DatabaseBackend"}

    def unscoped(self, text, kinds=("practice",), **filters):
        """Without the test's organisation filter: only the text narrows."""
        return search(SearchQuery(text=text, filters=filters, kinds=kinds))

    def test_a_page_ranked_by_the_engine_alone_matches_the_filtered_one(self):
        in_body = self.practice(
            title="Iets anders", approach="<p>De ploegzwaluw vliegt.</p>"
        )
        in_title = self.practice(title="De ploegzwaluw", approach="<p>Anders.</p>")
        expected = [in_title.title, in_body.title]
        assert self.titles(self.unscoped("ploegzwaluw")) == expected
        assert self.titles(self.find("ploegzwaluw")) == expected

    def test_questions_and_practices_are_searched_apart(
        self, django_capture_on_commit_callbacks
    ):
        practice = self.practice(title="Het kraanvogelplan")
        with django_capture_on_commit_callbacks(execute=True):
            community.ask_question(
                MemberFactory(),
                title="Wie kent het kraanvogelplan?",
                body="Wij zoeken ervaringen.",
                themes=list(practice.themes.all()[:1]),
            )
        practices = self.unscoped("kraanvogelplan")
        questions = self.unscoped("kraanvogelplan", kinds=("question",))
        assert self.titles(practices) == [practice.title] and practices.total == 1
        assert self.titles(questions) == ["Wie kent het kraanvogelplan?"]

    @pytest.mark.parametrize("word", ["practice", "question"])
    def test_the_kind_of_a_document_is_not_a_word_in_it(self, word):
        self.practice(title="Het reigerplan")
        assert self.unscoped(word).total == 0

    def test_columns_are_reused_until_the_index_changes(self):
        loaded = columns.current(["practice"])
        assert columns.current(["practice"]) is loaded
        self.practice(title="Het lepelaarplan")
        reloaded = columns.current(["practice"])
        assert reloaded is not loaded and reloaded.size == loaded.size + 1
        assert self.find("lepelaarplan").total == 1

    def test_a_question_posted_leaves_the_practice_columns_loaded(
        self, django_capture_on_commit_callbacks
    ):
        practices = columns.current(["practice"])
        questions = columns.current(["question"])
        with django_capture_on_commit_callbacks(execute=True):
            community.ask_question(
                MemberFactory(),
                title="Wie kent de zwaluwtil?",
                body="Wij zoeken ervaringen.",
                themes=[],
            )
        assert columns.current(["practice"]) is practices
        assert columns.current(["question"]) is not questions
        found = self.unscoped("zwaluwtil", kinds=("question",))
        assert self.titles(found) == ["Wie kent de zwaluwtil?"]

    def test_the_practices_sharing_most_facets_are_reranked_by_their_words(
        self, monkeypatch
    ):
        """With enough practices sharing facets, only the best of those are
        compared by text: the one whose title and summary say what this
        one's do comes first, and the rarest shared word counts most."""
        from search.backends import database

        facets = {"themes": ["ggz"], "care_office_regions": ["twente"]}
        base = self.practice(
            title="Kraanvogel valpreventie",
            summary="Valpreventie voor ouderen thuis.",
            **facets,
        )
        common = self.practice(
            title="Ouderen thuis", summary="Ouderen thuis ondersteund.", **facets
        )
        rare = self.practice(
            title="Kraanvogel elders", summary="Valpreventie ouderen.", **facets
        )
        plain = self.practice(title="Iets anders", summary="Niets gedeeld.", **facets)
        monkeypatch.setattr(database, "SIMILAR_CANDIDATES", 3)
        items = similar(base, limit=3)
        assert [item.object.pk for item in items[:2]] == [rare.pk, common.pk]
        assert "vergelijkbare beschrijving" in items[0].reasons
        assert plain.pk not in {item.object.pk for item in items[:2]}
