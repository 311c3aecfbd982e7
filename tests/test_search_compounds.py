"""Compound words (search.compounds): how a word splits, what the index and a
query make of it, highlights, the harvested word list, and Elasticsearch's
copy of it. What every backend must find is in tests/search_contract.py."""

import io

import pytest

from django.core.management import call_command

from search import compounds
from search.analysis import (
    analyze,
    analyze_word,
    decompounder,
    highlight,
    phrase_terms,
    query_terms,
    word_terms,
)
from search.backends.elasticsearch import index_definition
from search.query import SearchQuery
from search.service import search
from search.synonyms import build, parse
from tests.factories import (
    OrganisationFactory,
    PracticeOrganisationFactory,
    PracticePageFactory,
)

# A small word list, so the splitting rules are tested apart from the
# committed one.
SECTIONS = {
    "whole": ["ziekenhuis"],
    "base": [
        "centrum",
        "dementie",
        "gezondheid",
        "ggz",
        "huisarts",
        "jeugd",
        "opname",
        "organisatie",
        "thuis",
        "thuiszorg",
        "zorg",
    ],
    "never": ["dien"],
    "vocabulary": ["preventie"],
    "corpus": ["boven", "dien", "huis", "thuiszorgorganisatie", "val", "ziek"],
}


def split(word, **sections):
    return compounds.Splitter.from_sections(
        {**SECTIONS, **sections}, analyze_word
    ).split(word)


# Splitting


def test_parts_join_directly_or_with_a_linking_s_e_or_en():
    assert split("dementiezorg") == ("dementie", "zorg")
    assert split("jeugdggz") == ("jeugd", "ggz")
    assert split("gezondheidscentrum") == ("gezondheid", "centrum")
    assert split("huisartsenzorg") == ("huisarts", "zorg")
    assert split("dementieezorg") == ("dementie", "zorg")  # -e-, rarer now
    assert split("dementiexzorg") == ()


def test_the_last_part_may_be_inflected():
    assert split("thuiszorgorganisaties") == ("thuiszorg", "organisaties")
    assert split("ziekenhuisopnames") == ("ziekenhuis", "opnames")
    assert analyze_word("opnames") == analyze_word("opname")
    # Only the last: a part before it is written as the list has it.
    assert split("ziekenhuizenzorg") == ()


def test_the_fewest_parts_win_then_the_longest_shortest_part():
    assert split("thuiszorgorganisatie") == ("thuiszorg", "organisatie")
    assert split("thuiszorgorganisatie", base=["thuis", "zorg", "organisatie"]) == (
        "thuis",
        "zorg",
        "organisatie",
    )
    assert split(
        "thuiszorgorganisatie",
        base=["thuis", "thuiszorg", "zorgorganisatie", "organisatie"],
    ) == ("thuiszorg", "organisatie")


def test_a_list_word_made_of_list_words_is_split_all_the_same():
    assert "thuiszorgorganisatie" in SECTIONS["corpus"]
    assert split("thuiszorgorganisatie") == ("thuiszorg", "organisatie")
    assert split("thuiszorg") == ("thuis", "zorg")


def test_a_word_kept_whole_is_not_split_in_any_form_but_is_a_part():
    assert split("ziekenhuis") == () and split("ziekenhuizen") == ()
    assert split("ziekenhuis", whole=[]) == ("ziek", "huis")
    assert split("ziekenhuiszorg") == ("ziekenhuis", "zorg")


def test_minimum_part_sizes():
    # Three letters make a part only when listed by hand.
    assert split("valpreventie") == ()
    assert split("valpreventie", base=["val"]) == ("val", "preventie")
    assert split("ggzzorg") == ("ggz", "zorg")
    assert split("ggzzorg", base=["zorg"], corpus=["ggz"]) == ()


def test_an_inflected_last_part_is_a_letter_longer_than_a_part():
    # "loos" stems to "los", a list word, but is no part.
    assert split("kosteloos", corpus=["kost", "los"]) == ()


def test_a_word_takes_the_parts_of_a_list_word_with_the_same_term():
    # Porter stems both "samenwerk"; only "werken" is a word of the list.
    assert analyze_word("samenwerking") == analyze_word("samenwerken")
    corpus = ["samen", "werken", "samenwerken"]
    assert split("samenwerking", corpus=corpus) == ("samen", "werken")
    assert split("samenwerking", corpus=["samen", "werken"]) == ()


def test_a_word_listed_as_never_a_part_is_none():
    assert split("bovendien") == ()
    assert split("bovendien", never=[]) == ("boven", "dien")


def test_other_words_are_left_alone():
    assert split("dementie") == ()
    assert split("zorgzwaluw") == ()
    assert split("zorg2025") == ()
    assert split("") == ()


def test_the_word_list_file_keeps_what_is_written_by_hand(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text(
        "# header\n[whole]\n# why\nziekenhuis\n[base]\nzorg\n[never]\n"
        "[vocabulary]\nold\n[corpus]\nold\n",
        encoding="utf-8",
    )
    compounds.write_harvested({"vocabulary": ["b", "a"], "corpus": ["c"]}, path)
    assert path.read_text(encoding="utf-8") == (
        "# header\n[whole]\n# why\nziekenhuis\n[base]\nzorg\n[never]\n"
        "[vocabulary]\na\nb\n[corpus]\nc\n"
    )
    assert compounds.read(path)["vocabulary"] == ["a", "b"]
    path.write_text("[whole]\nzorg\n[other]\nx\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Unknown section"):
        compounds.read(path)


# The committed word list, in the index and in a query


def test_the_index_holds_a_compound_then_its_parts():
    assert analyze("Dementiezorg, jeugdggz en thuiszorgorganisaties") == [
        "dementiezorg",
        "dementie",
        "zorg",
        "jeugdggz",
        "jeugd",
        "ggz",
        "thuiszorgorganisaties",
        "thuiszorg",
        "organisatie",
    ]
    # Singular and plural share their parts.
    assert word_terms("ziekenhuisopnames")[1:] == ("ziekenhuis", "opname")
    assert word_terms("ziekenhuisopname")[1:] == ("ziekenhuis", "opname")
    assert word_terms("ziekenhuis") == ("ziekenhuis",)
    assert word_terms("de") == ()


def test_a_query_asks_for_each_part_of_a_compound():
    parsed = parse("thuiszorgorganisaties dementiezorg", build([]))
    assert parsed.clauses == [
        [("thuiszorg",)],
        [("organisatie",)],
        [("dementie",)],
        [("zorg",)],
    ]
    # Elasticsearch is sent each part as written.
    assert parsed.written[("organisatie",)] == "organisaties"
    # A part typed again counts once.
    assert parse("dementiezorg zorg", build([])).clauses == [
        [("dementie",)],
        [("zorg",)],
    ]


def test_a_part_brings_its_own_synonyms_and_a_rule_is_not_split():
    rules = [("", ["GGZ", "geestelijke gezondheidszorg"])]
    assert parse("jeugdggz", build(rules)).clauses == [
        [("jeugd",)],
        [("ggz",), ("geestelijk", "gezondheidszorg", "gezond", "zorg")],
    ]
    rules = [("", ["eerstelijnsverblijf", "ELV"])]
    assert parse("eerstelijnsverblijf", build(rules)).clauses == [
        [("eerstelijnsverblijf",), ("elv",)]
    ]


def test_a_phrase_is_found_by_the_terms_the_index_holds():
    assert phrase_terms("Dementiezorg") == ("dementiezorg",)
    assert phrase_terms("acute ouderenzorg thuis") == (
        "acut",
        "ouderenzorg",
        "ouder",
        "zorg",
        "thuis",
    )
    assert analyze("de acute ouderenzorg thuis")[:5] == list(
        phrase_terms("acute ouderenzorg thuis")
    )


# Highlights


def test_highlight_marks_a_compound_when_its_parts_were_asked_for():
    terms = parse("zorg voor dementie", build([])).phrases
    assert highlight("Betere dementiezorg in de wijk.", terms) == (
        "Betere <mark>dementiezorg</mark> in de wijk."
    )


def test_highlight_marks_the_parts_when_a_compound_was_asked_for():
    terms = parse("dementiezorg", build([])).phrases
    assert highlight("Zorg voor mensen met dementie.", terms) == (
        "<mark>Zorg</mark> voor mensen met <mark>dementie</mark>."
    )


def test_highlight_shows_the_words_around_the_first_match_in_a_long_text():
    before = " ".join(f"woord{n}" for n in range(200))
    after = " ".join(f"later{n}" for n in range(200))
    text = f"  {before}\n\n  Valpreventie <thuis>  &\tmeer. {after} valpreventie  "
    html = highlight(text, ["valpreventie"], max_words=8)
    # Two words before the match, eight in all; each run of whitespace one
    # space, the rest escaped, and an ellipsis where the text goes on.
    assert html == (
        "… woord198 woord199 <mark>Valpreventie</mark> &lt;thuis&gt; &amp; "
        "meer. later0 later1 later2 …"
    )
    assert highlight(text, ["geenmatch"], max_words=3) == "woord0 woord1 woord2 …"
    assert highlight("  Kort\n\nverhaal  ", query_terms("verhaal")) == (
        "Kort <mark>verhaal</mark>"
    )
    assert highlight(" \n ", ["zorg"]) == ""


def test_highlight_reads_phrases_as_the_index_holds_them():
    html = highlight(
        "De acute ouderenzorg groeit.", [phrase_terms("acute ouderenzorg")]
    )
    assert html == "De <mark>acute</mark> <mark>ouderenzorg</mark> groeit."
    # A compound holds its parts side by side.
    assert highlight("Betere dementiezorg.", [("dementie", "zorg")]) == (
        "Betere <mark>dementiezorg</mark>."
    )
    assert highlight("Zorg bij dementie.", [("dementie", "zorg")]) == (
        "Zorg bij dementie."
    )


# On the database backend (the rest of the behaviour: tests/search_contract.py)


def test_whole_words_and_other_forms_on_the_database(
    db, django_capture_on_commit_callbacks
):
    scope = OrganisationFactory()

    def publish(problem):
        with django_capture_on_commit_callbacks(execute=True):
            page = PracticePageFactory(problem=problem)
            PracticeOrganisationFactory(page=page, organisation=scope)
            page.save_revision().publish()
        return page.title

    def found(text):
        query = SearchQuery(text=text, filters={"organisatie": [scope.slug]})
        return [hit.title for hit in search(query).hits]

    hospital = publish("<p>Na een opname in het ziekenhuis.</p>")
    working = publish("<p>De samenwerking met de gemeente.</p>")
    assert found("ziekenhuisopname") == [hospital]
    # A word kept whole is not found by its parts.
    assert found("huis") == []
    # "samenwerken" is asked for as samen and werken; "samenwerking" in the
    # text does not split itself, but has their terms all the same.
    assert found("samenwerken") == [working]


def test_the_committed_word_list_is_the_harvest_of_the_demo_content(db, tmp_path):
    path = tmp_path / "words.txt"
    path.write_bytes(compounds.WORD_LIST.read_bytes())
    call_command("harvest_compound_words", output=path, stdout=io.StringIO())
    assert path.read_text(encoding="utf-8") == compounds.WORD_LIST.read_text(
        encoding="utf-8"
    ), "run `manage.py harvest_compound_words` on the demo site and commit it"


# Elasticsearch


def test_elasticsearch_indexes_through_a_decompounder_of_the_same_list():
    analysis = index_definition("x").to_dict()["settings"]["analysis"]
    splitter = decompounder()
    assert analysis["filter"]["vindplaats_compounds"] == {
        "type": "dictionary_decompounder",
        "word_list": sorted(splitter.parts),
        "min_word_size": 6,
        "min_subword_size": 3,
        "max_subword_size": splitter.longest,
    }
    words = set(analysis["filter"]["vindplaats_compounds"]["word_list"])
    assert {"dementie", "zorg", "ggz", "thuiszorg", "organisatie"} <= words
    assert "dien" not in words and "de" not in words
    # Before the stop filter and the stemmer, which treat the parts as words.
    dutch = analysis["analyzer"]["vindplaats_dutch"]["filter"]
    assert dutch[:3] == ["lowercase", "asciifolding", "vindplaats_compounds"]
    # Searching does not decompound: a query asks for the parts itself.
    searching = analysis["analyzer"]["vindplaats_dutch_search"]["filter"]
    assert "vindplaats_compounds" not in searching
