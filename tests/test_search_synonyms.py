"""How a query's text becomes clauses of alternatives (search.synonyms), and
the rules as Elasticsearch's synonym_graph reads them; no database."""

from search.analysis import highlight
from search.synonyms import build, parse, solr_rules

RULES = [
    ("ELV", ["eerstelijnsverblijf", "eerstelijnsverblijven"]),
    ("SO, SOG", ["specialist ouderengeneeskunde"]),
    ("", ["SEH", "spoedeisende hulp"]),
    ("", ["zorg op afstand", "beeldbellen"]),
]


def clauses(text):
    return parse(text, build(RULES)).clauses


def test_each_word_is_a_clause_of_its_own():
    assert clauses("de ziekenhuizen en ouderen") == [[("ziekenhuis",)], [("ouder",)]]
    assert clauses("de het") == [] and clauses("") == []


def test_an_abbreviation_is_one_clause_with_what_it_stands_for():
    assert clauses("ELV thuis") == [
        [("elv",), ("eerstelijnsverblijf",), ("eerstelijnsverblijv",)],
        [("thuis",)],
    ]
    # A phrase holds the terms as the index does, a compound's parts after it.
    specialist = ("specialist", "ouderengeneeskund", "ouder", "geneeskund")
    assert clauses("sog") == [[("sog",), specialist]]
    assert clauses("SO") == [[("so",), specialist]]


def test_one_way_does_not_go_back():
    # (A compound typed is asked for as its parts: tests/test_search_compounds.py.)
    assert clauses("eerstelijnsverblijf") == [[("eerstelijn",)], [("verblijf",)]]
    assert clauses("specialist ouderengeneeskunde") == [
        [("specialist",)],
        [("ouder",)],
        [("geneeskund",)],
    ]


def test_the_longest_run_of_words_that_is_a_rule_makes_one_clause():
    assert clauses("spoedeisende hulp voor ouderen") == [
        [("spoedeis", "hulp"), ("seh",)],
        [("ouder",)],
    ]
    # Stopwords inside a phrase are skipped, as in the index.
    assert clauses("zorg op afstand") == [[("zorg", "afstand"), ("beeldbell",)]]
    # Words that are not next to each other are separate clauses.
    assert clauses("spoedeisende ouderen hulp") == [
        [("spoedeis",)],
        [("ouder",)],
        [("hulp",)],
    ]


def test_a_clause_typed_twice_counts_once():
    assert clauses("SEH spoedeisende hulp") == [[("seh",), ("spoedeis", "hulp")]]


def test_alternatives_keep_their_words_for_other_engines():
    parsed = parse("ELV na de Spoedeisende  hulp", build(RULES))
    assert parsed.written[("elv",)] == "ELV"
    assert parsed.written[("eerstelijnsverblijf",)] == "eerstelijnsverblijf"
    assert parsed.written[("spoedeis", "hulp")] == "Spoedeisende  hulp"
    assert parsed.written[("seh",)] == "SEH"


def test_rules_in_solr_format():
    assert solr_rules(RULES) == [
        "ELV => ELV, eerstelijnsverblijf, eerstelijnsverblijven",
        "SO, SOG => SO, SOG, specialist ouderengeneeskunde",
        "SEH, spoedeisende hulp",
        # Elasticsearch cannot parse a synonym with a stopword's gap in it.
        "zorg afstand, beeldbellen",
    ]


def test_highlight_marks_phrases_only_as_a_run_of_words():
    parsed = parse("SEH", build(RULES))
    html = highlight(
        "Hulp thuis; later de spoedeisende hulp en de SEH.", parsed.phrases
    )
    assert html == (
        "Hulp thuis; later de <mark>spoedeisende</mark> <mark>hulp</mark> "
        "en de <mark>SEH</mark>."
    )
