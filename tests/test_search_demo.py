"""On the demo content, Dutch searches find the seed initiatives a person expects."""

import pytest

from search.query import SearchQuery
from search.service import search

pytestmark = pytest.mark.django_db


def top(text, n=3):
    return [hit.object.slug for hit in search(SearchQuery(text=text)).hits[:n]]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("sunenz", "anderhalvelijnscentrum-sunenz"),
        ("Sûnenz anderhalvelijnscentrum", "anderhalvelijnscentrum-sunenz"),
        ("havenue", "havenue-rotterdam"),
        ("haven 2.0", "havenue-rotterdam"),
        ("transferpunt salland", "regionaal-transferpunt-salland"),
        ("transferpunt deventer", "regionaal-transferpunt-salland"),
        ("regiobeeld midden-holland", "gedeeld-regiobeeld-midden-holland"),
        ("hartzorg zuidoost-brabant", "hartzorgnetwerk-zuidoost-brabant"),
        ("aafje", "acute-zorgafdeling-aafje"),
        ("groenhuysen", "spoedafdeling-groenhuysen"),
        ("acuut presenterende oudere patiënt", "apop-lumc"),
        ("texel", "gezond-texel-2030"),
        ("beter samen noord", "beter-samen-in-noord"),
        ("ruwaard oss", "proeftuin-ruwaard-oss"),
        ("maasvallei", "mooi-maasvallei"),
        ("hollandscheveld", "domeinoverstijgend-werken-hollandscheveld"),
    ],
)
def test_seed_initiative_is_among_the_first_results(typed, expected):
    assert expected in top(typed)


def test_word_forms_find_the_same_initiatives():
    plural = {
        hit.object.pk
        for hit in search(SearchQuery(text="ziekenhuizen", page_size=100)).hits
    }
    singular = {
        hit.object.pk
        for hit in search(SearchQuery(text="ziekenhuis", page_size=100)).hits
    }
    assert plural == singular and len(plural) >= 10


def test_domain_overarching_experiment_finds_all_three_places():
    found = top("domeinoverstijgend werken arrangeur", n=5)
    for place in ["ede", "dongen", "hollandscheveld"]:
        assert f"domeinoverstijgend-werken-{place}" in found
