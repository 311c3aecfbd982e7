"""A practice's comparable initiatives are stored ahead of the visit
(practices.similar): the page reads them instead of ranking every practice,
and they still follow the engine's rule, the index and who may see what."""

import datetime
import io
import re
from html import unescape
from unittest import mock

import pytest

from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils import timezone

from practices.models import PracticePage, SimilarPractices
from practices.similar import similar_practices
from search.backends import get_backend
from search.service import similar, update_index
from tests.factories import PracticePageFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def indexed(**kwargs):
    page = PracticePageFactory(**kwargs)
    update_index("practice", [page.pk])
    return page


def shown(client, page):
    """(title, reasons) of the comparable initiatives on the page, as a
    visitor past the page cache sees them."""
    return [(title, reasons) for title, _phase, reasons in shown_items(client, page)]


def shown_items(client, page):
    """(title, phase badge, reasons) of each comparable initiative."""
    client.cookies["sessionid"] = "no-such-session"
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    if 'class="similar__list"' not in html:
        return []
    block = html.split('class="similar__list"', 1)[1].split("</ul>", 1)[0]
    item = (
        r'<h3 class="similar__title"><a href="[^"]*">([^<]*)</a></h3>\s*'
        r'<p class="similar__meta">(?:<span class="badge[^"]*">([^<]*)</span> )?'
        r'(?:<span class="similar__reasons">([^<]*)</span>)?</p>'
    )
    return [
        (unescape(title), phase, unescape(reasons))
        for title, phase, reasons in re.findall(item, block)
    ]


@pytest.fixture
def twins():
    """Two practices that share a theme and a region no other practice has."""
    theme = ThemeFactory()
    facets = {"themes": [theme.slug], "care_office_regions": ["twente"]}
    base = PracticePageFactory(title="Zorgzwaluw thuis", **facets)
    close = PracticePageFactory(title="Zorgzwaluw nabij", **facets)
    update_index("practice", [base.pk, close.pk])
    return base, close


def test_the_page_lists_what_the_engine_finds_and_why(client, twins):
    base, close = twins
    listed = shown(client, base)
    assert [title for title, _ in listed] == [item.title for item in similar(base)]
    assert listed[0][0] == close.title
    theme = base.themes.get()
    # Each reason names the values shared, heaviest facet first; a shared
    # region makes the shared province go without saying.
    assert listed[0][1] == (
        f"Zelfde thema: {theme.name} · zelfde regio: Twente · vergelijkbare "
        "beschrijving"
    )
    assert SimilarPractices.objects.filter(page=base).exists()


def test_each_comparable_practice_shows_its_phase(client, twins):
    base, close = twins
    close.phase = PracticePage.Phase.PILOT
    close.save_revision().publish()
    update_index("practice", [close.pk])
    title, phase, _reasons = shown_items(client, base)[0]
    assert (title, phase) == (close.title, "Pilot")


def test_a_reason_names_at_most_three_values_and_counts_the_rest(client):
    themes = [ThemeFactory(name=f"Thema {letter}") for letter in "ABCDE"]
    slugs = [theme.slug for theme in themes]
    base = PracticePageFactory(title="Vijf thema's", themes=slugs)
    other = PracticePageFactory(title="Dezelfde vijf thema's", themes=slugs)
    update_index("practice", [base.pk, other.pk])
    listed = dict(shown(client, base))
    assert listed[other.title].startswith(
        "Zelfde thema: Thema A, Thema B, Thema C en 2 andere"
    )


def test_the_movement_is_named_only_when_nothing_heavier_is_shared(twins):
    """Most practices share one of the three movements: it is named when it
    is all two practices share, and left unsaid beside a heavier reason; a
    shared region leaves its province unsaid. (The stored list is the
    engine's answer: how the values come into it, the twins show.)"""
    base, close = twins
    mover = indexed(title="Ook vervangen", movements=["vervangen"])
    SimilarPractices.objects.filter(page=base).update(
        items=[
            [mover.pk, {"beweging": ["vervangen"]}, False],
            [
                close.pk,
                {
                    "beweging": ["verplaatsen"],
                    "provincie": ["overijssel"],
                    "zorgkantoorregio": ["twente"],
                },
                True,
            ],
        ]
    )
    reasons = {item.title: item.reasons for item in similar_practices(base)}
    assert reasons == {
        mover.title: ["zelfde beweging: Vervangen"],
        close.title: ["zelfde regio: Twente", "vergelijkbare beschrijving"],
    }


def test_a_list_stored_before_the_values_were_is_shown_and_worked_out_again(
    client, twins
):
    """Rows stored by the previous version hold the shared facets' keys only:
    shown with the facets' reasons, and worked out again in the background
    (inline in the tests), after which the values are named."""
    base, close = twins
    SimilarPractices.objects.filter(page=base).update(
        items=[[close.pk, ["thema", "zorgkantoorregio"], False]]
    )
    assert [item.reasons for item in similar_practices(base)][0] == [
        "zelfde thema",
        "zelfde regio",
    ]
    stored = SimilarPractices.objects.get(page=base).items
    assert stored[0][1]["zorgkantoorregio"] == ["twente"]


def test_a_stored_list_is_shown_without_ranking_again(client, twins):
    base, close = twins
    backend = get_backend()
    with mock.patch.object(
        type(backend), "similar", autospec=True, side_effect=type(backend).similar
    ) as ranking:
        listed = shown(client, base)
    assert ranking.call_count == 0
    assert listed[0][0] == close.title


def test_a_missing_list_is_worked_out_on_the_visit_and_kept(client, twins):
    base, close = twins
    SimilarPractices.objects.all().delete()
    assert shown(client, base)[0][0] == close.title
    assert SimilarPractices.objects.filter(page=base).exists()


def test_a_changed_practice_is_listed_by_its_new_facets(client, twins):
    base, close = twins
    theme = ThemeFactory()
    other = indexed(title="Andere aanpak", themes=[theme.slug])
    assert shown(client, base)[0][0] == close.title

    base.themes.set([theme])
    base.care_office_regions.set([])
    base.save()
    update_index("practice", [base.pk])
    assert shown(client, base)[0][0] == other.title


def test_a_newcomer_joins_an_older_list_within_a_day(twins):
    base, close = twins
    newcomer = indexed(
        title="Zorgzwaluw dichtbij",
        themes=list(base.themes.values_list("slug", flat=True)),
        care_office_regions=["twente"],
    )
    # The newcomer's own list has the others at once ...
    assert base.pk in [item.id for item in similar_practices(newcomer)]
    # ... and base's list, worked out before it was published, takes it in
    # once that is a day old: the old one is shown while the background
    # (inline in the tests) works it out again.
    assert newcomer.pk not in [item.id for item in similar_practices(base)]
    day_ago = timezone.now() - datetime.timedelta(days=1, minutes=1)
    SimilarPractices.objects.filter(page=base).update(computed_at=day_ago)
    assert newcomer.pk not in [item.id for item in similar_practices(base)]
    assert newcomer.pk in [item.id for item in similar_practices(base)]
    assert SimilarPractices.objects.get(page=base).computed_at > day_ago


def test_a_practice_out_of_reach_leaves_every_list_at_once(client, commit, twins):
    base, close = twins
    assert close.title in [title for title, _ in shown(client, base)]
    commit(close.unpublish)
    assert close.title not in [title for title, _ in shown(client, base)]
    assert close.pk not in [item.id for item in similar_practices(base)]


def test_the_command_works_out_missing_and_old_lists(twins):
    base, close = twins
    indexed_practices = SimilarPractices.objects.count()
    SimilarPractices.objects.filter(page=base).delete()
    SimilarPractices.objects.filter(page=close).update(
        computed_at=timezone.now() - datetime.timedelta(hours=21)
    )
    out = io.StringIO()
    call_command("refresh_similar_practices", stdout=out)
    assert out.getvalue().startswith("2 lists")
    assert SimilarPractices.objects.count() == indexed_practices
    assert [pk for pk, *_ in SimilarPractices.objects.get(page=base).items][0] == (
        close.pk
    )

    out = io.StringIO()
    call_command("refresh_similar_practices", stdout=out)
    assert out.getvalue().startswith("0 lists")


def test_the_command_shares_the_work_out_in_parts(twins):
    base, close = twins
    SimilarPractices.objects.filter(page__in=[base, close]).delete()
    first, second = sorted([base.pk, close.pk])
    out = io.StringIO()
    call_command("refresh_similar_practices", "--part", "2/2", stdout=out)
    assert out.getvalue().startswith("1 lists")
    assert list(
        SimilarPractices.objects.filter(page__in=[base, close]).values_list(
            "page_id", flat=True
        )
    ) == [second]
    call_command("refresh_similar_practices", "--part", "1/2", stdout=out)
    assert SimilarPractices.objects.filter(page=first).exists()
    for wrong in ("3/2", "0/2", "x"):
        with pytest.raises(CommandError):
            call_command("refresh_similar_practices", "--part", wrong)


def test_rebuilding_the_index_works_out_every_list_again(twins):
    base, close = twins
    long_ago = timezone.now() - datetime.timedelta(hours=30)
    SimilarPractices.objects.update(computed_at=long_ago)
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert not SimilarPractices.objects.filter(computed_at=long_ago).exists()
    cache.clear()
    assert similar_practices(base)[0].id == close.pk


def test_a_shared_value_renamed_is_named_anew_at_once(client, commit, twins):
    """The labels add no dependency of their own to the page part: the
    value is the practice's own, and renaming it rebuilds its page."""
    base, close = twins
    theme = base.themes.get()
    assert shown(client, base)[0][1].startswith(f"Zelfde thema: {theme.name}")

    def rename():
        theme.name = "Een hernoemd thema"
        theme.save()

    commit(rename)
    assert shown(client, base)[0][1].startswith("Zelfde thema: Een hernoemd thema")
