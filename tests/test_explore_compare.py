"""/vergelijk/ (explore/compare.py): two to four practices side by side, what
happens to ids that cannot be shown, adding and removing without JavaScript
(the cookie), and the practice page's toggle, comparable initiatives and
trust line."""

import datetime
import re
from html import unescape

import pytest

from django.urls import reverse

from practices.models import PracticePage
from search.service import update_index
from tests.factories import (
    OrganisationFactory,
    PracticeOrganisationFactory,
    PracticePageFactory,
)

pytestmark = pytest.mark.django_db

COMPARE = reverse("compare")


def page_of(response):
    assert response.status_code == 200
    return unescape(response.content.decode())


def compare(client, ids, **params):
    return page_of(client.get(COMPARE, {"ids": ids, **params}))


def columns(html):
    """The practices' titles in the table's column headings, in order."""
    head = (
        html.split("<thead", 1)[1].split("</thead>", 1)[0] if "<thead" in html else ""
    )
    return re.findall(r'<a class="compare__title" href="[^"]*">([^<]*)</a>', head)


def row(html, label):
    """The cells of the row headed `label`, as text."""
    match = re.search(rf'<th scope="row"[^>]*>{label}</th>(.*?)</tr>', html, flags=re.S)
    assert match, f"no row {label}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


@pytest.fixture
def pair():
    """Two practices with every part the comparison shows."""
    one = PracticePageFactory(
        title="Wijkzuster op afroep",
        problem="<p>Te veel ritten naar de SEH.</p>",
        approach="<p>Een vaste wijkzuster per buurt.</p>",
        results="<p>Dertig procent minder ritten.</p>",
        funding="<p>Betaald door de zorgverzekeraar.</p>",
        phase=PracticePage.Phase.PILOT,
        start_year=2021,
        provinces=["overijssel"],
        care_office_regions=["twente"],
    )
    other = PracticePageFactory(
        title="Dorpsondersteuner",
        problem="",
        approach="<p>Eén ondersteuner voor het hele dorp.</p>",
        phase=PracticePage.Phase.SCALED_UP,
        provinces=["limburg"],
    )
    PracticeOrganisationFactory(
        page=one, organisation=OrganisationFactory(name="Thuiszorg Oost (voorbeeld)")
    )
    return one, other


def test_two_practices_side_by_side_in_an_accessible_table(client, pair):
    one, other = pair
    html = compare(client, f"{one.pk},{other.pk}")
    assert columns(html) == [one.title, other.title]
    assert '<caption id="compare-caption"' in html
    assert "2 praktijkvoorbeelden naast elkaar" in html
    assert html.count('<th scope="col"') == 2
    assert f'href="{one.url}"' in html and f'href="{other.url}"' in html
    assert row(html, "Pro\u00adbleem") == [
        "Te veel ritten naar de SEH.",
        "Niet beschreven",
    ]
    assert row(html, "Aanpak") == [
        "Een vaste wijkzuster per buurt.",
        "Eén ondersteuner voor het hele dorp.",
    ]
    assert row(html, "Resul\u00adtaten")[0] == "Dertig procent minder ritten."
    assert row(html, "Bekos\u00adtiging")[0] == "Betaald door de zorgverzekeraar."
    assert row(html, "Fase") == ["Pilot", "Opgeschaald"]
    assert row(html, "Start\u00adjaar") == ["2021", "Onbekend"]
    assert row(html, "Regio") == ["Twente provincie Overijssel", "Limburg"]
    assert row(html, "Organi\u00adsaties")[0] == (
        "Thuiszorg Oost (voorbeeld) (initiatiefnemer)"
    )
    assert "Niet alles wat je koos" not in html
    assert '<meta name="robots" content="noindex, follow">' in html


def test_up_to_four_and_the_rest_named_until_one_is_removed(client):
    practices = [PracticePageFactory(title=f"Vergelijking {n}") for n in range(5)]
    ids = ",".join(str(practice.pk) for practice in practices)
    html = compare(client, ids)
    assert columns(html) == [practice.title for practice in practices[:4]]
    assert "Je kunt tot 4 praktijkvoorbeelden naast elkaar zetten" in html
    assert f'Nog niet getoond: <a href="{practices[4].url}">' in html

    # Removing one makes room for the fifth.
    remove = re.findall(r'<a class="compare__remove" href="([^"]*)"', html)[1]
    response = client.get(unescape(remove))
    assert response.status_code == 302
    html = page_of(client.get(response["Location"]))
    expected = [practices[n].title for n in (0, 2, 3, 4)]
    assert columns(html) == expected
    assert "Nog niet getoond" not in html


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("abc", "“abc” is geen nummer van een praktijkvoorbeeld"),
        ("0", "“0” is geen nummer van een praktijkvoorbeeld"),
        ("999999999", "1 gekozen praktijkvoorbeeld kunnen we niet tonen"),
    ],
)
def test_what_cannot_be_shown_is_said_and_the_rest_shown(client, pair, bad, message):
    one, other = pair
    html = compare(client, f"{one.pk},{bad},{other.pk}")
    assert message in html
    assert "Niet alles wat je koos staat erin" in html
    assert columns(html) == [one.title, other.title]


def test_a_practice_chosen_twice_is_shown_once(client, pair):
    one, other = pair
    html = compare(client, f"{one.pk},{other.pk},{one.pk}")
    assert "meer dan eens gekozen; het staat er één keer in" in html
    assert columns(html) == [one.title, other.title]


@pytest.mark.parametrize("how", ["draft", "unpublished"])
def test_a_practice_the_public_cannot_see_is_never_shown(client, pair, commit, how):
    one, other = pair
    hidden = PracticePageFactory(title="Geheim concept Zwaluw", live=how != "draft")
    if how == "unpublished":
        commit(hidden.unpublish)
    html = compare(client, f"{one.pk},{hidden.pk},{other.pk}")
    assert "Zwaluw" not in html and hidden.slug not in html
    assert "1 gekozen praktijkvoorbeeld kunnen we niet tonen" in html
    assert columns(html) == [one.title, other.title]
    # ... the same message as for an id that never existed.
    assert "Zwaluw" not in compare(client, str(hidden.pk))


def test_one_practice_explains_how_to_add_and_offers_comparable_ones(client):
    practice = PracticePage.objects.live().get(slug="havenue-rotterdam")
    html = compare(client, str(practice.pk))
    assert columns(html) == [practice.title]
    assert "Kies nog een praktijkvoorbeeld" in html
    assert f'href="{reverse("search")}"' in html
    # Its comparable initiatives, each added with one link.
    adds = re.findall(r'<a class="compare__add" href="([^"]*)"', html)
    assert adds
    response = client.get(unescape(adds[0]))
    html = page_of(client.get(response["Location"]))
    assert len(columns(html)) == 2 and columns(html)[0] == practice.title


def test_nothing_chosen_explains_how_to_choose(client):
    response = client.get(COMPARE)
    html = page_of(response)
    assert "Kies praktijkvoorbeelden om te vergelijken" in html
    assert "Kies ‘Vergelijk’" in html
    assert "<table" not in html
    # It depends on the visitor's cookie: never kept for everyone.
    assert "private" in response["Cache-Control"]


def test_the_toggle_without_javascript_adds_to_the_same_comparison(client, pair):
    """A visitor without JavaScript follows "Vergelijk" on one practice page,
    then on another: the cookie the first answer set makes the second add to
    the same comparison."""
    one, other = pair
    for practice in (one, other):
        update_index("practice", [practice.pk])
    link = toggle_link(page_of(client.get(one.url)), one)
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == f"{COMPARE}?ids={one.pk}"
    assert response.cookies["vergelijk"].value == str(one.pk)
    html = page_of(client.get(response["Location"]))
    assert columns(html) == [one.title]

    response = client.get(toggle_link(page_of(client.get(other.url)), other))
    assert response["Location"] == f"{COMPARE}?ids={one.pk},{other.pk}"
    assert columns(page_of(client.get(response["Location"]))) == [
        one.title,
        other.title,
    ]
    # /vergelijk/ itself opens what was chosen.
    assert client.get(COMPARE)["Location"] == f"{COMPARE}?ids={one.pk},{other.pk}"


def toggle_link(html, practice):
    """The href of the practice's own "Vergelijk" toggle on its page; its
    accessible name is "Vergelijk <title>", starting with its visible text."""
    match = re.search(
        r'<a class="compare-toggle" href="([^"]*)"[^>]*>'
        r'<span class="compare-toggle__box" aria-hidden="true"></span>'
        r'Vergelijk<span class="visually-hidden"> ([^<]*)</span></a>',
        html,
    )
    assert match and match.group(2) == practice.title
    return match.group(1)


def test_removing_changes_the_cookie_and_the_address(client, pair):
    one, other = pair
    client.cookies["vergelijk"] = f"{one.pk}-{other.pk}"
    html = compare(client, f"{one.pk},{other.pk}")
    remove = re.findall(r'<a class="compare__remove" href="([^"]*)"', html)[0]
    assert 'Verwijder uit vergelijking<span class="visually-hidden">: ' in html
    response = client.get(unescape(remove))
    assert response["Location"] == f"{COMPARE}?ids={other.pk}"
    assert response.cookies["vergelijk"].value == str(other.pk)

    response = client.get(COMPARE, {"wis": 1})
    assert response["Location"] == COMPARE
    assert response.cookies["vergelijk"].value == ""  # deleted
    assert "<table" not in page_of(client.get(COMPARE))


def test_adding_to_a_comparison_of_four_keeps_the_address_honest(client):
    practices = [PracticePageFactory() for _ in range(5)]
    client.cookies["vergelijk"] = "-".join(str(p.pk) for p in practices[:4])
    response = client.get(COMPARE, {"voeg_toe": practices[4].pk})
    ids = ",".join(str(p.pk) for p in practices)
    assert response["Location"] == f"{COMPARE}?ids={ids}"
    html = page_of(client.get(response["Location"]))
    assert "Nog niet getoond" in html and practices[4].title in html


def test_a_cookie_or_address_of_any_shape_gets_an_answer(client):
    for cookie in ("", "abc", "1-2-x", "-" * 50, "9" * 40):
        client.cookies["vergelijk"] = cookie
        assert client.get(COMPARE).status_code in (200, 302)
        assert client.get(COMPARE, {"voeg_toe": "x" * 500}).status_code == 302
    html = compare(client, ",".join(["1"] * 30) + ",x" * 30)
    assert "alleen de eerste 20 gelezen" in html


def test_a_cached_comparison_follows_its_practices(client, settings, commit, pair):
    settings.PAGE_CACHE_SECONDS = 60
    one, other = pair
    url = f"{COMPARE}?ids={one.pk},{other.pk}"
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    one.title = "Wijkzuster, nu met een nieuwe naam"
    commit(lambda: one.save_revision().publish())
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "nu met een nieuwe naam" in response.content.decode()


# The practice page -------------------------------------------------------------


@pytest.fixture
def havenue():
    return PracticePage.objects.live().get(slug="havenue-rotterdam")


def visit(client, page):
    client.cookies["sessionid"] = "no-such-session"  # past the page cache
    return page_of(client.get(page.url))


def test_comparable_initiatives_follow_the_first_section_and_are_on_this_page(
    client, havenue
):
    html = visit(client, havenue)
    toc = html.split('<nav class="toc"', 1)[1].split("</nav>", 1)[0]
    entries = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', toc)
    assert entries[:3] == [
        ("aanleiding", "Aanleiding en probleem"),
        ("vergelijkbaar", "Vergelijkbare initiatieven"),
        ("doel", "Doel"),
    ]
    # In the page as in its table of contents: right after the first section.
    positions = [
        html.index(f'id="{anchor}"')
        for anchor in ("aanleiding", "vergelijkbaar", "doel")
    ]
    assert positions == sorted(positions)
    # Each comparable practice can be put in the comparison.
    section = html.split('id="vergelijkbaar"', 1)[1].split("</section>", 1)[0]
    assert (
        section.count('class="compare-toggle"')
        == section.count('class="similar__item"')
        == 5
    )


def test_visitors_see_when_the_story_was_last_reviewed_never_that_it_is_overdue(
    client, havenue
):
    long_ago = datetime.date(2022, 3, 1)
    PracticePage.objects.filter(pk=havenue.pk).update(last_reviewed_at=long_ago)
    havenue.refresh_from_db()
    assert havenue.is_stale  # the redactie's reminder still knows
    html = visit(client, havenue)
    assert (
        'Laatst gecontroleerd <time datetime="2022-03-01">1 maart 2022</time>' in html
    )
    assert "controle nodig" not in html and "badge--warning" not in html


def test_before_the_first_review_visitors_see_when_it_was_published(client):
    practice = PracticePageFactory(last_reviewed_at=None)
    html = visit(client, practice)
    published = practice.first_published_at
    header = html.split('<p class="practice__checked">', 1)[1].split("</p>", 1)[0]
    assert header.startswith("Gepubliceerd <time")
    assert f"{published.day} " in header and str(published.year) in header
    assert "nog niet gecontroleerd" not in html
    assert "Laatst gecontroleerd" not in html


def test_the_query_count_does_not_grow_with_the_practices_compared(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    practices = [PracticePageFactory() for _ in range(4)]
    for practice in practices:
        PracticeOrganisationFactory(page=practice)
    counts = []
    for many in (2, 4):
        ids = ",".join(str(practice.pk) for practice in practices[:many])
        client.get(COMPARE, {"ids": ids})  # warm what every page reads
        with CaptureQueriesContext(connection) as queries:
            assert len(columns(compare(client, ids))) == many
        counts.append(len(queries))
    # The practices and their provinces, regions and organisations; the site
    # (the menus); which sections are hidden (read afresh here, in the test's
    # open transaction that made the practices: core.cache.changing).
    assert counts[0] == counts[1] <= 7, counts
