"""The behaviour every search backend must show, written once.

A backend's test module binds this class to the backend:

    class TestDatabaseBackend(SearchContract):
        backend = {"BACKEND": "search.backends.database.DatabaseBackend"}

Each test works inside a scope (an organisation created for it) so the demo
content loaded for the session cannot disturb the counts.
"""

import datetime

import pytest
from wagtail.models import PageViewRestriction

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from community import adoptions
from practices.models import Adoption, Organisation, PracticePage
from search.models import Synonym
from search.query import SearchQuery
from search.service import FEW_RESULTS, matching, search, similar, update_index
from tests.factories import (
    AdoptionFactory,
    EditorFactory,
    OrganisationFactory,
    PracticeOrganisationFactory,
    PracticePageFactory,
    UserFactory,
)


class SearchContract:
    backend = None

    @pytest.fixture(autouse=True)
    def _setup(self, db, django_capture_on_commit_callbacks):
        self.capture = django_capture_on_commit_callbacks
        self.scope = OrganisationFactory()
        with override_settings(VINDPLAATS_SEARCH=self.backend):
            yield

    def practice(self, **kwargs):
        """A published, indexed practice inside this test's scope."""
        with self.capture(execute=True):
            practice = PracticePageFactory(**kwargs)
            PracticeOrganisationFactory(page=practice, organisation=self.scope)
            practice.save_revision().publish()
        return practice

    def find(
        self,
        text="",
        sort="",
        page=1,
        page_size=20,
        prefix=True,
        hits_only=False,
        **filters,
    ):
        filters = {
            key: value if isinstance(value, list) else [value]
            for key, value in filters.items()
        }
        filters.setdefault("organisatie", [self.scope.slug])
        return search(
            SearchQuery(
                text=text,
                filters=filters,
                sort=sort,
                page=page,
                page_size=page_size,
                prefix=prefix,
                hits_only=hits_only,
            )
        )

    def titles(self, results):
        return [hit.title for hit in results.hits]

    # Dutch analysis

    @pytest.mark.parametrize(
        ("stored", "typed"),
        [
            ("ziekenhuis", "ziekenhuizen"),
            ("ziekenhuizen", "ziekenhuis"),
            ("oudere", "ouderen"),
            ("ouderen", "oudere"),
            ("huisarts", "huisartsen"),
            ("huisartsen", "huisarts"),
            ("organisatie", "organisaties"),
            ("organisaties", "organisatie"),
            ("regio's", "regio"),
        ],
    )
    def test_word_forms_meet(self, stored, typed):
        practice = self.practice(
            title=f"Samen met de {stored}", approach="<p>Niets bijzonders.</p>"
        )
        assert self.titles(self.find(typed)) == [practice.title]

    @pytest.mark.parametrize(
        ("stored", "typed"),
        [
            ("Sûnenz", "sunenz"),
            ("coöperatie", "cooperatie"),
            ("cooperatie", "Coöperatie"),
            ("Fryslân", "FRYSLAN"),
        ],
    )
    def test_case_and_diacritics_are_folded(self, stored, typed):
        practice = self.practice(problem=f"<p>Een verhaal over {stored} en meer.</p>")
        assert self.titles(self.find(typed)) == [practice.title]

    def test_stopwords_do_not_block_a_match(self):
        practice = self.practice(title="Zorgzwaluw in de wijk")
        assert self.titles(self.find("de zorgzwaluw van de wijk")) == [practice.title]

    # Matching and ranking

    def test_every_word_must_match(self):
        both = self.practice(title="Zorgzwaluw en kwartiermaker")
        self.practice(title="Alleen de zorgzwaluw")
        results = self.find("zorgzwaluw kwartiermaker")
        assert self.titles(results) == [both.title]
        assert not results.fallback

    def test_falls_back_to_any_word_and_says_so(self):
        first = self.practice(title="Alleen de zorgzwaluw")
        second = self.practice(title="Alleen de kwartiermaker")
        results = self.find("zorgzwaluw kwartiermaker pelikaan")
        assert set(self.titles(results)) == {first.title, second.title}
        assert results.fallback

    def test_no_fallback_for_a_single_unknown_word(self):
        self.practice(title="Alleen de zorgzwaluw")
        results = self.find("pelikaan")
        assert results.total == 0 and not results.fallback

    # Some documents only (SearchQuery.ids): what a saved search asks of the
    # practice just published (search.service.matching)

    def test_matching_asks_only_the_documents_named_without_widening(self):
        three = self.practice(title="Zorgzwaluw, kwartiermaker en pelikaan")
        two = self.practice(title="Zorgzwaluw en kwartiermaker")
        other = self.practice(title="Nog een zorgzwaluw met kwartiermaker en pelikaan")
        query = SearchQuery(text=self.LONG, filters={"organisatie": [self.scope.slug]})
        # Three of four words are needed; the page would widen to two, a
        # saved search does not.
        assert matching(query, [three.pk, two.pk]) == {three.pk}
        assert matching(query, [two.pk]) == set()
        assert matching(query) == {three.pk, other.pk}
        other_scope = SearchQuery(text="zorgzwaluw", filters={"fase": ["idee"]})
        assert matching(other_scope, [three.pk]) == set()

    # Long queries: a share of the words (search.query.MINIMUM_SHOULD_MATCH)

    LONG = "zorgzwaluw kwartiermaker pelikaan Reigerplan"

    def test_four_words_find_what_has_three_and_say_which_it_lacks(self):
        three = self.practice(title="Zorgzwaluw, kwartiermaker en pelikaan")
        two = self.practice(title="Zorgzwaluw en kwartiermaker")  # two of four
        one = self.practice(title="Alleen de pelikaan")  # one of four
        results = self.find(self.LONG)
        # So few have three that half the words are enough, and so few have
        # half that any word is: below them, what has more words first.
        assert self.titles(results) == [three.title, two.title, one.title]
        assert results.hits[0].missing == ["Reigerplan"]
        assert results.hits[1].missing == ["pelikaan", "Reigerplan"]
        assert results.hits[2].missing == ["zorgzwaluw", "kwartiermaker", "Reigerplan"]
        assert results.partial and not results.fallback

    def test_four_words_need_three_when_enough_have_three(self):
        threes = [
            self.practice(title=f"Zorgzwaluw, kwartiermaker en pelikaan {n}")
            for n in range(FEW_RESULTS)
        ]
        self.practice(title="Zorgzwaluw en kwartiermaker")  # two of four
        results = self.find(self.LONG)
        assert set(self.titles(results)) == {three.title for three in threes}

    def test_every_word_ranks_above_a_better_score_with_fewer(self):
        fewer = self.practice(
            title="Zorgzwaluw, kwartiermaker en pelikaan",
            summary="Zorgzwaluw, kwartiermaker en pelikaan.",
        )
        every = self.practice(
            title="Iets anders",
            approach="<p>Een zorgzwaluw, kwartiermaker, pelikaan en reigerplan.</p>",
        )
        results = self.find(self.LONG)
        assert self.titles(results) == [every.title, fewer.title]
        assert [hit.missing for hit in results.hits] == [[], ["Reigerplan"]]

    def test_a_stopword_is_no_word_to_miss(self):
        every = self.practice(title="Zorgzwaluw en kwartiermaker voor de pelikaan")
        results = self.find("de zorgzwaluw van de kwartiermaker voor de pelikaan")
        assert self.titles(results) == [every.title]
        assert not results.partial

    def test_title_matches_rank_above_body_matches(self):
        in_body = self.practice(
            title="Iets anders", approach="<p>De zorgzwaluw vliegt.</p>"
        )
        in_title = self.practice(title="De zorgzwaluw", approach="<p>Iets anders.</p>")
        assert self.titles(self.find("zorgzwaluw")) == [in_title.title, in_body.title]

    def published_days_ago(self, practice, days):
        """Backdate a practice's first publication and reindex it."""
        when = timezone.now() - datetime.timedelta(days=days)
        PracticePage.objects.filter(pk=practice.pk).update(first_published_at=when)
        update_index("practice", [practice.pk])

    def test_empty_text_browses_newest_first(self):
        old = self.practice(title="Oud")
        new = self.practice(title="Nieuw")
        self.published_days_ago(old, 30)
        results = self.find()
        assert results.query.effective_sort == "newest"
        assert self.titles(results) == [new.title, old.title]

    def test_sort_by_title_ignores_case_and_accents(self):
        for title in ["beta", "Álpha", "Gamma", "alpha two"]:
            self.practice(title=title)
        assert self.titles(self.find(sort="title")) == [
            "Álpha",
            "alpha two",
            "beta",
            "Gamma",
        ]

    def test_sort_newest_with_text(self):
        older = self.practice(title="Zorgzwaluw een")
        newer = self.practice(title="Zorgzwaluw twee")
        self.published_days_ago(older, 3)
        self.published_days_ago(newer, 1)
        assert self.titles(self.find("zorgzwaluw", sort="newest")) == [
            newer.title,
            older.title,
        ]

    # Facets

    def test_or_within_a_facet_and_across_facets(self):
        zeeland = self.practice(provinces=["zeeland"], movements=["voorkomen"])
        limburg = self.practice(provinces=["limburg"], movements=["voorkomen"])
        replaced = self.practice(provinces=["limburg"], movements=["vervangen"])
        either = self.find(provincie=["zeeland", "limburg"])
        assert either.total == 3
        both = self.find(provincie=["limburg"], beweging=["voorkomen"])
        assert self.titles(both) == [limburg.title]
        assert zeeland.title not in self.titles(
            both
        ) and replaced.title not in self.titles(both)

    def test_facet_counts_ignore_their_own_selection(self):
        self.practice(provinces=["zeeland"], movements=["voorkomen"])
        self.practice(provinces=["limburg"], movements=["voorkomen"])
        self.practice(provinces=["limburg"], movements=["vervangen"])
        results = self.find(provincie=["zeeland"])
        provinces = {
            v.value: (v.count, v.selected) for v in results.facet("provincie").values
        }
        assert provinces == {"zeeland": (1, True), "limburg": (2, False)}
        movements = {v.value: v.count for v in results.facet("beweging").values}
        assert movements == {"voorkomen": 1}

    def test_selected_value_stays_listed_with_zero(self):
        self.practice(provinces=["zeeland"], movements=["voorkomen"])
        results = self.find(provincie=["zeeland"], beweging=["vervangen"])
        assert results.total == 0
        movement = {
            v.value: (v.count, v.selected) for v in results.facet("beweging").values
        }
        assert movement["vervangen"] == (0, True)
        province = {
            v.value: (v.count, v.selected) for v in results.facet("provincie").values
        }
        assert province["zeeland"] == (0, True)

    def test_facet_values_carry_labels(self):
        self.practice(provinces=["fryslan"], phase="pilot")
        results = self.find()
        assert {v.value: v.label for v in results.facet("provincie").values} == {
            "fryslan": "Fryslân"
        }
        assert {v.value: v.label for v in results.facet("fase").values} == {
            "pilot": "Pilot"
        }

    def test_organisation_types_filter_and_count_each_type_once(self):
        """A practice has the type of each of its organisations, once."""
        with self.capture(execute=True):
            mixed = PracticePageFactory(title="Zorgzwaluw ziekenhuis en gemeente")
            PracticeOrganisationFactory(page=mixed, organisation=self.scope)
            for _ in range(2):
                PracticeOrganisationFactory(
                    page=mixed,
                    organisation=OrganisationFactory(
                        organisation_type=Organisation.Type.MUNICIPALITY
                    ),
                )
            mixed.save_revision().publish()
        self.practice(title="Zorgzwaluw alleen ziekenhuis")
        assert self.titles(self.find(organisatietype="gemeente")) == [mixed.title]
        assert self.find(organisatietype=["gemeente", "ziekenhuis"]).total == 2
        types = self.find().facet("organisatietype").values
        assert {v.value: (v.count, v.label) for v in types} == {
            "ziekenhuis": (2, str(Organisation.Type.HOSPITAL.label)),
            "gemeente": (1, str(Organisation.Type.MUNICIPALITY.label)),
        }
        hit = self.find(organisatietype="gemeente").hits[0]
        assert sorted(value for value, _label in hit.facets["organisatietype"]) == [
            "gemeente",
            "ziekenhuis",
        ]

    def test_a_new_organisation_type_reindexes_its_practices(self):
        practice = self.practice(title="Zorgzwaluw van type veranderd")
        assert self.find(organisatietype="ggd").total == 0
        with self.capture(execute=True):
            self.scope.organisation_type = Organisation.Type.PUBLIC_HEALTH
            self.scope.save()
        assert self.titles(self.find(organisatietype="ggd")) == [practice.title]
        assert self.find(organisatietype="ziekenhuis").total == 0

    # Adoptions

    def test_taken_up_filters_counts_and_sorts_by_confirmed_adoptions(self):
        twice = self.practice(title="Zorgzwaluw twee keer overgenomen")
        once = self.practice(title="Zorgzwaluw een keer overgenomen")
        waiting = self.practice(title="Zorgzwaluw alleen gemeld")
        self.published_days_ago(twice, 5)  # older: the count decides, not the date
        with self.capture(execute=True):
            editor = EditorFactory()
            for practice, confirmed in ((twice, 2), (once, 1)):
                for _ in range(confirmed):
                    adoptions.review_adoption(
                        AdoptionFactory(practice=practice), editor, confirm=True
                    )
            AdoptionFactory(practice=waiting)  # not confirmed: not counted
        taken = self.find(overgenomen="elders")
        assert set(self.titles(taken)) == {twice.title, once.title}
        values = self.find().facet("overgenomen").values
        assert [(v.value, v.count, v.label) for v in values] == [
            ("elders", 2, str(Adoption.Uptake.ELSEWHERE.label))
        ]
        assert self.titles(self.find(sort="uptake")) == [
            twice.title,
            once.title,
            waiting.title,
        ]
        assert self.titles(self.find("zorgzwaluw", sort="uptake"))[:2] == [
            twice.title,
            once.title,
        ]

    def test_a_withdrawn_adoption_leaves_the_filter(self):
        practice = self.practice(title="Zorgzwaluw ingetrokken")
        with self.capture(execute=True):
            adoption = adoptions.review_adoption(
                AdoptionFactory(practice=practice), EditorFactory(), confirm=True
            )
        assert self.titles(self.find(overgenomen="elders")) == [practice.title]
        with self.capture(execute=True):
            adoptions.withdraw_adoption(adoption, adoption.member)
        assert self.find(overgenomen="elders").total == 0

    # Pagination

    def test_pagination_edges(self):
        for number in range(5):
            self.practice(title=f"Zorgzwaluw {number}")
        pages = [self.find("zorgzwaluw", page=n, page_size=2) for n in (1, 2, 3, 4)]
        assert [len(p.hits) for p in pages] == [2, 2, 1, 0]
        assert all(p.total == 5 and p.num_pages == 3 for p in pages)
        assert pages[3].page_out_of_range and not pages[2].page_out_of_range
        seen = [title for p in pages for title in self.titles(p)]
        assert len(set(seen)) == 5

    # Highlighting

    def test_highlight_marks_matches_and_escapes_the_rest(self):
        self.practice(
            summary="Een <script>alert('x')</script> verhaal: de zorgzwaluw & meer.",
            problem="<p>De zorgzwaluwen vliegen &lt;b&gt;hoog&lt;/b&gt;.</p>",
        )
        hit = self.find("zorgzwaluw").hits[0]
        assert "<mark>zorgzwaluw</mark>" in hit.highlight
        assert "<script>" not in hit.highlight and "&lt;script&gt;" in hit.highlight
        assert "<b>" not in hit.highlight
        assert "&amp;" in hit.highlight

    # Only the hits (SearchQuery.hits_only, the suggestions as someone types)

    @pytest.mark.parametrize(
        ("text", "filters", "fallback", "suggestion"),
        [
            ("zorgzwaluw", {}, False, None),
            ("wijk zorgzwa", {"fase": "pilot"}, False, None),
            ("zorgzwaulw wijk", {}, False, "zorgzwaluw wijk"),
            ("zorgzwaluw kwartiermaker pelikaan", {}, True, None),
        ],
    )
    def test_hits_only_finds_the_same_hits_without_what_a_page_shows(
        self, text, filters, fallback, suggestion
    ):
        for number in range(3):
            self.practice(
                title=f"Zorgzwaluw {number} in de wijk",
                summary="De zorgzwaluw " * (number + 1),
                phase="pilot" if number else "lopend",
            )
        self.practice(title="De wijk", problem="<p>Een zorgzwaluw in de wijk.</p>")
        self.practice(title="Kwartiermaker", phase="pilot")
        page = self.find(text, page_size=3, **filters)
        only = self.find(text, page_size=3, hits_only=True, **filters)

        def listed(results):
            return [(hit.kind, hit.id, hit.title, hit.url) for hit in results.hits]

        assert page.hits and listed(only) == listed(page)
        assert only.total == page.total
        assert only.fallback == page.fallback == fallback
        assert page.suggestion == suggestion and only.suggestion is None
        assert any("<mark>" in hit.highlight for hit in page.hits) and page.facets
        assert all(hit.facets["fase"] for hit in page.hits)
        assert only.facets == []
        assert all(hit.highlight == "" and hit.facets == {} for hit in only.hits)

    # Compound words (search.compounds): split when indexed and when asked

    def test_a_compound_finds_its_parts_written_apart(self):
        apart = self.practice(
            title="Samen verder", problem="<p>Zorg voor mensen met dementie.</p>"
        )
        self.practice(title="Alleen zorg", problem="<p>Zorg in de wijk.</p>")
        results = self.find("dementiezorg")
        assert self.titles(results) == [apart.title] and not results.fallback
        assert "<mark>Zorg</mark>" in results.hits[0].highlight
        assert "<mark>dementie</mark>" in results.hits[0].highlight

    def test_the_parts_find_the_compound(self):
        compound = self.practice(
            title="Samen verder", problem="<p>Betere dementiezorg in de wijk.</p>"
        )
        results = self.find("zorg bij dementie")
        assert self.titles(results) == [compound.title]
        assert "<mark>dementiezorg</mark>" in results.hits[0].highlight

    @pytest.mark.parametrize(
        "typed",
        ["ziekenhuisopname", "ziekenhuisopnames", "opnames in het ziekenhuis"],
    )
    def test_an_inflected_compound_meets_its_other_forms_and_its_parts(self, typed):
        practice = self.practice(problem="<p>Minder ziekenhuisopnames na een val.</p>")
        self.practice(problem="<p>Een opname in het verpleeghuis.</p>")
        assert self.titles(self.find(typed)) == [practice.title]

    def test_a_phrase_with_a_compound_in_it_still_matches_its_words(self):
        self.synonym("acute ouderenzorg", abbreviation="AOZ")
        phrase = self.practice(
            title="Snel", problem="<p>Zo werkt de acute ouderenzorg in de regio.</p>"
        )
        self.practice(title="Apart", problem="<p>Ouderenzorg, soms acute.</p>")
        results = self.find("aoz")
        assert self.titles(results) == [phrase.title]
        assert (
            "<mark>acute</mark> <mark>ouderenzorg</mark>" in results.hits[0].highlight
        )

    # What may be returned

    def test_unpublished_practice_is_removed_and_returns_when_republished(self):
        practice = self.practice(title="Zorgzwaluw tijdelijk")
        with self.capture(execute=True):
            practice.unpublish()
        assert self.find("zorgzwaluw").total == 0
        with self.capture(execute=True):
            practice.save_revision().publish()
        assert self.find("zorgzwaluw").total == 1

    def test_deleted_practice_is_removed(self):
        practice = self.practice(title="Zorgzwaluw weg")
        with self.capture(execute=True):
            practice.delete()
        assert self.find("zorgzwaluw").total == 0

    def test_private_practice_is_never_returned(self):
        practice = self.practice(title="Zorgzwaluw besloten")
        with self.capture(execute=True):
            PageViewRestriction.objects.create(
                page=practice, restriction_type="password", password="geheim"
            )
        assert self.find("zorgzwaluw").total == 0
        assert (
            similar(PracticePage.objects.live().exclude(pk=practice.pk).first())
            is not None
        )

    def test_practices_in_an_unpublished_section_are_not_returned(self):
        self.practice(title="Zorgzwaluw in de lijst")
        index = PracticePage.objects.get(title="Zorgzwaluw in de lijst").get_parent()
        with self.capture(execute=True):
            index.specific.unpublish()
        assert self.find("zorgzwaluw").total == 0
        with self.capture(execute=True):
            index.specific.save_revision().publish()
        assert self.find("zorgzwaluw").total == 1

    def test_draft_changes_are_not_searchable_until_published(self):
        practice = self.practice(title="Zorgzwaluw gepubliceerd")
        practice.title = "Kwartiermaker concept"
        with self.capture(execute=True):
            practice.save_revision()
        assert self.find("kwartiermaker").total == 0
        assert self.find("zorgzwaluw").total == 1

    def test_renaming_a_taxonomy_value_reindexes_its_practices(self):
        practice = self.practice(title="Iets gewoons")
        with self.capture(execute=True):
            self.scope.name = "Zorgzwaluwcollectief (voorbeeld)"
            self.scope.save()
        assert self.titles(self.find("zorgzwaluwcollectief")) == [practice.title]

    # Comparable initiatives

    def test_similar_practices_share_facets_and_say_why(self):
        base = self.practice(
            title="Zorgzwaluw thuis", themes=["ggz"], care_office_regions=["twente"]
        )
        close = self.practice(
            title="Zorgzwaluw nabij", themes=["ggz"], care_office_regions=["twente"]
        )
        items = similar(base, limit=5)
        assert items and items[0].object.pk != base.pk
        match = next(item for item in items if item.object.pk == close.pk)
        assert "zelfde thema" in match.reasons and "zelfde regio" in match.reasons
        assert all(item.object.pk != base.pk for item in items)

    def test_similar_takes_newcomers_in_when_worked_out_again(self):
        """A list is kept for a day per practice (search.service.similar):
        a newcomer joins when it is worked out again, here because the
        practice itself changed; an unpublished one leaves it at once."""
        base = self.practice(
            title="Zorgzwaluw thuis", themes=["ggz"], care_office_regions=["twente"]
        )
        before = {item.object.pk for item in similar(base, limit=50)}
        newcomer = self.practice(
            title="Zorgzwaluw dichtbij", themes=["ggz"], care_office_regions=["twente"]
        )
        assert newcomer.pk not in before
        update_index("practice", [base.pk])
        assert newcomer.pk in {item.object.pk for item in similar(base, limit=50)}
        with self.capture(execute=True):
            newcomer.unpublish()
        assert newcomer.pk not in {item.object.pk for item in similar(base, limit=50)}

    # Synonyms and abbreviations (search.synonyms), applied as a query is asked

    def synonym(self, terms, abbreviation=""):
        """A rule saved the way the admin saves it, its commit run."""
        with self.capture(execute=True):
            return Synonym.objects.create(abbreviation=abbreviation, terms=terms)

    def test_the_seeded_elv_finds_a_practice_that_says_eerstelijnsverblijf(self):
        practice = self.practice(
            title="Tijdelijk bed na de val",
            problem="<p>Een eerstelijnsverblijf dicht bij huis.</p>",
        )
        self.practice(title="Iets anders", problem="<p>Over de wijk.</p>")
        results = self.find("ELV")
        assert self.titles(results) == [practice.title]
        assert "<mark>eerstelijnsverblijf</mark>" in results.hits[0].highlight

    def test_an_abbreviation_finds_what_it_stands_for(self):
        self.synonym("kraanvogelverblijven", abbreviation="KVV")
        practice = self.practice(
            title="Herstellen buiten het ziekenhuis",
            problem="<p>Twaalf kraanvogelverblijven in de regio.</p>",
        )
        results = self.find("kvv")
        assert self.titles(results) == [practice.title]
        assert "<mark>kraanvogelverblijven</mark>" in results.hits[0].highlight

    def test_a_one_way_expansion_does_not_go_back(self):
        self.synonym("kraanvogelverblijf", abbreviation="KVV")
        abbreviated = self.practice(title="Het KVV in de wijk")
        assert self.titles(self.find("KVV")) == [abbreviated.title]
        assert self.find("kraanvogelverblijf").total == 0

    def test_a_group_finds_each_other_both_ways(self):
        self.synonym("ploegbellen, zwaluwconsult")
        bells = self.practice(title="Ploegbellen met de huisarts")
        consult = self.practice(title="Het zwaluwconsult")
        assert set(self.titles(self.find("ploegbellen"))) == {
            bells.title,
            consult.title,
        }
        assert set(self.titles(self.find("zwaluwconsulten"))) == {
            bells.title,
            consult.title,
        }

    def test_every_word_still_matches_with_synonyms(self):
        self.synonym("ploegbellen, zwaluwconsult")
        both = self.practice(title="Zwaluwconsult voor de kraanvogel")
        self.practice(title="Zwaluwconsult alleen")
        results = self.find("ploegbellen kraanvogel")
        assert self.titles(results) == [both.title] and not results.fallback

    def test_a_phrase_stays_within_one_field(self):
        self.synonym("ZWH, zwaluw hulpdienst")
        within = self.practice(title="Binnen", summary="De zwaluw hulpdienst helpt.")
        self.practice(title="Over de zwaluw", summary="Hulpdienst in de regio.")
        assert self.titles(self.find("zwh")) == [within.title]

    def test_a_multi_word_synonym_is_a_phrase(self):
        self.synonym("ZWH, zwaluw hulpdienst")
        phrase = self.practice(
            title="Spoed", problem="<p>De zwaluw hulpdienst komt snel.</p>"
        )
        apart = self.practice(
            title="Apart", problem="<p>Een hulpdienst en later een zwaluw.</p>"
        )
        short = self.practice(title="Kort", problem="<p>Bel de ZWH.</p>")
        # The abbreviation finds the words side by side only.
        assert set(self.titles(self.find("zwh"))) == {phrase.title, short.title}
        # The phrase typed finds the abbreviation too, and still the words
        # side by side only.
        typed = self.find("zwaluw hulpdienst")
        assert set(self.titles(typed)) == {phrase.title, short.title}
        assert apart.title not in self.titles(typed)
        hit = next(h for h in self.find("zwh").hits if h.title == phrase.title)
        assert "<mark>zwaluw</mark> <mark>hulpdienst</mark>" in hit.highlight

    def test_an_editor_adds_and_deletes_a_group_in_the_admin(self, client):
        practice = self.practice(title="Het reigerconsult")
        assert self.find("lepelbellen").total == 0
        client.force_login(UserFactory(is_superuser=True, is_staff=True))
        with self.capture(execute=True):
            response = client.post(
                reverse("wagtailsnippets_search_synonym:add"),
                {"abbreviation": "", "terms": "lepelbellen, reigerconsult", "note": ""},
            )
        assert response.status_code == 302
        assert self.titles(self.find("lepelbellen")) == [practice.title]
        rule = Synonym.objects.get(terms="lepelbellen, reigerconsult")
        with self.capture(execute=True):
            response = client.post(
                reverse("wagtailsnippets_search_synonym:delete", args=[rule.pk])
            )
        assert response.status_code == 302
        assert self.find("lepelbellen").total == 0

    def test_editors_see_the_seeded_synonyms_in_the_admin(self, client):
        client.force_login(EditorFactory())
        response = client.get(reverse("wagtailsnippets_search_synonym:list"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "ELV → eerstelijnsverblijf" in html
        assert "SEH, spoedeisende hulp" in html

    def test_the_admin_refuses_a_group_of_one_term(self, client):
        client.force_login(UserFactory(is_superuser=True, is_staff=True))
        response = client.post(
            reverse("wagtailsnippets_search_synonym:add"),
            {"abbreviation": "", "terms": "lepelbellen", "note": ""},
        )
        assert response.status_code == 200
        assert not Synonym.objects.filter(terms="lepelbellen").exists()

    # Typos and prefixes (search.expansion), from the index's own words

    def test_a_misspelt_word_finds_the_practice_and_says_what_was_meant(self):
        practice = self.practice(
            title="Zorgzwaluw in de wijk",
            problem="<p>Een verhaal over de zorgzwaluw.</p>",
        )
        results = self.find("zorgzwaulw in de wijk")
        assert self.titles(results) == [practice.title]
        assert not results.fallback
        assert results.suggestion == "zorgzwaluw in de wijk"
        assert "<mark>zorgzwaluw</mark>" in results.hits[0].highlight

    def test_a_word_the_index_knows_is_never_rewritten(self):
        kwartel = self.practice(title="De kwartel")
        self.practice(title="Het kwartet")
        results = self.find("kwartel")
        assert self.titles(results) == [kwartel.title]
        assert results.suggestion is None

    def test_a_word_with_a_synonym_is_not_corrected(self):
        self.practice(title="De zorgzwaluw")
        pelikaan = self.practice(title="De pelikaan")
        self.synonym("pelikaan", abbreviation="zorgzwalum")
        results = self.find("zorgzwalum", prefix=False)
        assert self.titles(results) == [pelikaan.title]
        assert results.suggestion is None

    @pytest.mark.parametrize("typed", ["mies", "123457"])
    def test_short_words_and_numbers_are_not_corrected(self, typed):
        self.practice(title="De mees en project 123456")
        results = self.find(typed, prefix=False)
        assert results.total == 0 and results.suggestion is None

    def test_two_edits_only_for_words_longer_than_eight_letters(self):
        long = self.practice(title="De zorgzwaluw")
        self.practice(title="De kwartel")
        assert self.titles(self.find("zorgswaluv")) == [long.title]  # 10 letters
        assert self.find("kwartle").total == 1  # 7 letters, one edit
        results = self.find("kwurtep", prefix=False)  # 7 letters, two edits
        assert results.total == 0 and results.suggestion is None

    def test_the_last_word_being_typed_finds_the_words_it_starts(self):
        practice = self.practice(
            title="Xylofoonles in de wijk",
            problem="<p>Samen xylofoonles geven.</p>",
        )
        results = self.find("wijk xylofo")
        assert self.titles(results) == [practice.title]
        assert results.suggestion is None  # unfinished, not misspelt
        assert "<mark>xylofoonles</mark>" in results.hits[0].highlight
        # Not a word before the last, nor one ended with a space.
        assert self.find("xylofo wijk").fallback
        assert self.find("xylofo", prefix=False).total == 0

    def test_a_prefix_needs_three_letters(self):
        practice = self.practice(title="Xylofoonles in de wijk")
        assert self.find("xy").total == 0
        assert self.titles(self.find("xyl")) == [practice.title]
