"""The maturity ladder (issue 18, part 4): the level the redactie gives a
practice with a reason and a date, who may set it, its history, the facet
"niveau" in search, the badge on cards, pages and the comparison, the field
in the open data, and the werkzame elementen and evidence of the submission
form carried into the practice draft."""

import datetime
import io
import zipfile

import pytest
from bs4 import BeautifulSoup
from wagtail.models import PageLogEntry

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from practices.facets import FACETS_BY_KEY
from practices.maturity import ACTION, log_level_change
from practices.models import PracticeLink, PracticePage
from search.service import update_index
from submissions.models import Submission
from submissions.services import draft_from_page
from tests.factories import EditorFactory, PracticePageFactory, UserFactory
from tests.factories_community import MemberFactory
from tests.html_forms import form_data
from tests.test_submissions import valid_post

pytestmark = pytest.mark.django_db

LEVEL = PracticePage.MaturityLevel


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def text(element):
    return " ".join(element.get_text(" ").split())


def latest(page):
    """The newest version of `page` as saved (its draft, if any)."""
    return PracticePage.objects.get(pk=page.pk).get_latest_revision_as_object()


def assessed(**kwargs):
    """A live, indexed practice with a level."""
    practice = PracticePageFactory(
        maturity_level=kwargs.pop("maturity_level", LEVEL.PROMISING),
        maturity_reason=kwargs.pop("maturity_reason", "De resultaten zijn gemeten."),
        maturity_assessed_on=datetime.date(2026, 11, 2),
        **kwargs,
    )
    update_index("practice", [practice.pk])
    return practice


# The model ------------------------------------------------------------------


def test_a_level_needs_a_reason_and_a_date():
    page = PracticePageFactory.build(maturity_level=LEVEL.GOOD_PRACTICE)
    with pytest.raises(ValidationError) as raised:
        page.clean()
    errors = raised.value.message_dict
    assert errors["maturity_reason"] == [
        "Schrijf waarom het praktijkvoorbeeld dit niveau krijgt: de reden "
        "staat bij het niveau."
    ]
    assert errors["maturity_assessed_on"] == [
        "Vul de datum in waarop het niveau is beoordeeld, bijvoorbeeld 3-12-2026."
    ]
    PracticePageFactory.build().clean()  # no level, nothing required


def test_the_ladder_runs_from_local_initiative_to_good_practice():
    assert list(FACETS_BY_KEY["niveau"].labels()) == [
        "lokaal-initiatief",
        "veelbelovend",
        "goede-praktijk",
    ]
    assert list(FACETS_BY_KEY["niveau"].labels().values()) == [
        "Lokaal initiatief",
        "Veelbelovend",
        "Goede praktijk",
    ]


# The page editor --------------------------------------------------------------


def edit_form(client, page):
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    return response


def post_edit(client, page, publish=False, **changes):
    data = form_data(edit_form(client, page).content, "form#page-edit-form")
    data.update({key: [value] for key, value in changes.items()})
    if publish:
        data["action-publish"] = ["action-publish"]
    return client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)


def test_the_editor_sets_a_level_and_the_history_shows_it_with_the_reason(
    client, commit
):
    editor = EditorFactory()
    client.force_login(editor)
    practice = PracticePageFactory(title="Wijkzorg Kwartel")
    response = commit(
        post_edit,
        client,
        practice,
        publish=True,
        maturity_level=LEVEL.PROMISING,
        maturity_reason="Minder SEH-bezoeken, gemeten over twee jaar.",
        maturity_assessed_on="2026-11-30",
    )
    assert response.status_code == 302, text(soup_of(response))[:500]
    saved = latest(practice)
    assert saved.maturity_level == LEVEL.PROMISING
    assert saved.maturity_assessed_on == datetime.date(2026, 11, 30)
    entry = PageLogEntry.objects.get(page=practice, action=ACTION)
    assert entry.user == editor
    assert entry.message == "Niveau gewijzigd: niet beoordeeld → Veelbelovend"
    assert entry.comment == "Minder SEH-bezoeken, gemeten over twee jaar."

    history = client.get(reverse("wagtailadmin_pages:history", args=[practice.pk]))
    shown = text(soup_of(history))
    assert "Niveau gewijzigd: niet beoordeeld → Veelbelovend" in shown
    assert "Minder SEH-bezoeken, gemeten over twee jaar." in shown

    # Raising it later is a second entry, from the old level to the new.
    commit(
        post_edit,
        client,
        practice,
        publish=True,
        maturity_level=LEVEL.GOOD_PRACTICE,
        maturity_reason="Geëvalueerd en overgenomen in Twente.",
    )
    newest = PageLogEntry.objects.filter(page=practice, action=ACTION).latest("pk")
    assert newest.message == "Niveau gewijzigd: Veelbelovend → Goede praktijk"
    # Saving without changing the level logs nothing more.
    commit(post_edit, client, practice, title="Wijkzorg Kwartel en Grutto")
    assert PageLogEntry.objects.filter(page=practice, action=ACTION).count() == 2


def test_a_level_without_reason_or_date_is_refused_in_dutch_keeping_the_input(
    client,
):
    client.force_login(EditorFactory())
    practice = PracticePageFactory()
    response = post_edit(
        client,
        practice,
        maturity_level=LEVEL.GOOD_PRACTICE,
        maturity_reason="",
        maturity_assessed_on="",
        evaluation_description="Gemeten door de GGD: 30 procent minder opnames.",
    )
    assert response.status_code == 200
    soup = soup_of(response)
    shown = text(soup)
    assert "Schrijf waarom het praktijkvoorbeeld dit niveau krijgt" in shown
    assert "Vul de datum in waarop het niveau is beoordeeld" in shown
    chosen = soup.select_one('input[name="maturity_level"][checked]')
    assert chosen["value"] == LEVEL.GOOD_PRACTICE
    assert (
        "30 procent minder opnames"
        in soup.select_one('textarea[name="evaluation_description"]').get_text()
    )
    assert not PageLogEntry.objects.filter(page=practice, action=ACTION).exists()
    assert latest(practice).maturity_level == ""


def test_the_level_tab_shows_what_the_level_rests_on(client):
    client.force_login(EditorFactory())
    practice = PracticePageFactory(
        results="<p>Opnames daalden van 24 naar 15 procent.</p>",
        evaluation=PracticePage.Evaluation.INDEPENDENT,
        evaluation_description="Geëvalueerd door een hogeschool.",
    )
    PracticeLink.objects.create(
        page=practice,
        title="Evaluatierapport Roodborst",
        url="https://example.org/evaluatie",
        is_evidence=True,
    )
    PracticeLink.objects.create(
        page=practice, title="Projectsite Zwaluw", url="https://example.org/project"
    )
    practice.save_revision()
    evidence = soup_of(edit_form(client, practice)).select_one(".maturity-evidence")
    shown = text(evidence)
    assert "Opnames daalden van 24 naar 15 procent." in shown
    assert "Evaluatierapport Roodborst" in shown
    assert "Projectsite Zwaluw" not in shown


def test_a_page_editor_without_the_permission_cannot_set_the_level(client):
    """Someone who may edit pages but is not in the redactie (a moderator)
    sees no level fields, and a level posted anyway changes nothing."""
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get(name="Moderators"))
    assert moderator.has_perm("wagtailadmin.access_admin")
    assert not moderator.has_perm("practices.assess_maturity")
    client.force_login(moderator)
    practice = PracticePageFactory()
    form = soup_of(edit_form(client, practice)).select_one("form#page-edit-form")
    assert form.select_one('[name="evaluation"]') is not None
    assert form.select_one('[name="maturity_level"]') is None
    response = post_edit(
        client,
        practice,
        maturity_level=LEVEL.GOOD_PRACTICE,
        maturity_reason="Zelf verhoogd.",
        maturity_assessed_on="2026-11-30",
    )
    assert response.status_code == 302
    assert latest(practice).maturity_level == ""
    assert not PageLogEntry.objects.filter(page=practice, action=ACTION).exists()


def test_the_demo_loader_logs_its_levels():
    practice = assessed()
    entry = log_level_change(practice, "")
    assert entry.message == "Niveau gewijzigd: niet beoordeeld → Veelbelovend"
    assert log_level_change(practice, LEVEL.PROMISING) is None


def test_the_demo_gives_a_subset_of_fictional_practices_a_level():
    levelled = PracticePage.objects.live().exclude(maturity_level="")
    assert 10 <= levelled.count() < PracticePage.objects.live().count() / 2
    assert set(levelled.values_list("maturity_level", flat=True)) == set(LEVEL.values)
    for practice in levelled:
        assert practice.maturity_reason and practice.maturity_assessed_on
        assert practice.slug.startswith("demo-")  # fictional, never a real one
    logged = PageLogEntry.objects.filter(action=ACTION, page__in=levelled)
    assert logged.count() == levelled.count()
    assert PracticePage.objects.live().exclude(werkzame_elementen="").count() >= 10


# Search, cards, pages ---------------------------------------------------------


def test_search_filters_on_a_level_listed_in_ladder_order_with_badges(client):
    good = assessed(title="Goede praktijk Kievit", maturity_level=LEVEL.GOOD_PRACTICE)
    local = assessed(title="Lokaal Plevier", maturity_level=LEVEL.LOCAL)
    soup = soup_of(client.get("/zoeken/", {"niveau": LEVEL.GOOD_PRACTICE}))
    titles = [text(a) for a in soup.select(".hit h3 a, .hit h2 a")]
    assert good.title in titles and local.title not in titles
    expected = PracticePage.objects.live().filter(maturity_level="goede-praktijk")
    assert text(soup.select_one("#results-heading")).startswith(str(expected.count()))
    group = soup.select_one("#facet-niveau")
    values = [box["value"] for box in group.select("input[type=checkbox]")]
    assert values == [v for v in FACETS_BY_KEY["niveau"].labels() if v in values]
    assert group.has_attr("open")
    assert group.select_one('a[href="/niveaus/"]')
    card = soup.find("a", string=good.title).find_parent("li", class_="hit")
    badge = card.select_one(".maturity-badge--goede-praktijk")
    assert text(badge) == "Goede praktijk"  # the card's list names it "Niveau"
    assert text(badge.find_parent("div").dt) == "Niveau"


def test_an_unknown_level_is_a_clear_error(client):
    response = client.get(reverse("api_practices"), {"niveau": "keurmerk"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["param"] == "niveau"


def test_the_practice_page_shows_the_level_its_reason_and_the_criteria_link(client):
    practice = assessed(
        maturity_reason="Resultaten gemeten bij 300 ouderen.",
        werkzame_elementen="<p>Een vast gezicht voor elke oudere.</p>",
    )
    soup = soup_of(client.get(practice.url))
    level = soup.select_one(".practice__level")
    assert text(level.select_one(".maturity-badge")) == "Niveau: Veelbelovend"
    assert "Resultaten gemeten bij 300 ouderen." in text(level)
    assert level.select_one('time[datetime="2026-11-02"]')
    assert level.select_one('a[href="/niveaus/"]')
    section = soup.select_one("#werkzame-elementen")
    assert text(section.h2) == "Werkzame elementen"
    assert "Een vast gezicht voor elke oudere." in text(section)
    facts = soup.select_one(".practice__facts")
    assert facts.select_one('a[href="/zoeken/?niveau=veelbelovend"]')


def test_a_practice_without_a_level_shows_none(client):
    practice = PracticePageFactory()
    soup = soup_of(client.get(practice.url))
    assert soup.select_one(".practice__level") is None
    assert soup.select_one(".maturity-badge") is None


def test_the_comparison_has_a_level_row(client):
    one = assessed(maturity_level=LEVEL.LOCAL, maturity_reason="Net begonnen.")
    other = PracticePageFactory()
    soup = soup_of(client.get(reverse("compare"), {"ids": f"{one.pk},{other.pk}"}))
    row = next(
        th.find_parent("tr")
        for th in soup.select("th[scope=row]")
        if text(th).startswith("Niveau")
    )
    assert row.select_one('th a[href="/niveaus/"]')
    cells = [text(td) for td in row.select("td")]
    assert cells == ["Lokaal initiatief", "Nog niet beoordeeld"]


# Open data --------------------------------------------------------------------


def test_the_api_gives_the_level_as_one_code(client):
    practice = assessed(title="Open niveau Tjiftjaf")
    other = PracticePageFactory(title="Zonder niveau Tjiftjaf")
    update_index("practice", [other.pk])
    data = client.get(reverse("api_practices"), {"q": "Tjiftjaf"}).json()
    records = {record["id"]: record for record in data["results"]}
    assert records[practice.pk]["niveau"] == "veelbelovend"
    assert records[other.pk]["niveau"] is None
    assert {v["slug"] for v in data["facets"]["niveau"]} == {"veelbelovend"}


def test_csv_and_xlsx_have_the_level_and_its_code(client):
    assessed(title="Spreadsheet niveau Fitis")
    csv = client.get(reverse("api_practices_csv"), {"q": "Fitis"})
    lines = csv.content.decode("utf-8-sig").splitlines()
    headings = lines[0].split(";")
    row = lines[1].split(";")
    assert row[headings.index("Niveau")] == "Veelbelovend"
    assert row[headings.index("Niveau (code)")] == "veelbelovend"
    xlsx = client.get(reverse("api_practices_xlsx"), {"q": "Fitis"})
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as workbook:
        strings = (
            workbook.read("xl/sharedStrings.xml").decode()
            if ("xl/sharedStrings.xml" in workbook.namelist())
            else workbook.read("xl/worksheets/sheet1.xml").decode()
        )
    assert "Niveau (code)" in strings and "veelbelovend" in strings


# The submission form ------------------------------------------------------------


def test_werkzame_elementen_and_evidence_go_into_the_draft_for_the_editors(client):
    member = MemberFactory()
    client.force_login(member)
    response = client.post(
        reverse("submissions:new"),
        valid_post(
            title="Buurtzorg Boomklever",
            werkzame_elementen="- een vast gezicht\n- korte lijnen met de huisarts",
            evaluation="onafhankelijk",
            evaluation_description="De GGD mat 30 procent minder SEH-bezoeken.",
            **{"link-0-is_evidence": "on"},
        ),
    )
    assert response.status_code == 302
    page = PracticePage.objects.get(title="Buurtzorg Boomklever")
    draft = page.get_latest_revision_as_object()
    assert "een vast gezicht" in draft.werkzame_elementen
    assert draft.evaluation == PracticePage.Evaluation.INDEPENDENT
    assert draft.evaluation_description == "De GGD mat 30 procent minder SEH-bezoeken."
    assert [link.is_evidence for link in draft.links.all()] == [True]
    assert draft.maturity_level == ""  # only the editors give a level

    # Proposing an update starts from what was sent in.
    Submission.objects.filter(page=page).delete()
    data = draft_from_page(page, member).data
    assert data["fields"]["evaluation"] == "onafhankelijk"
    assert data["links"][0]["is_evidence"] is True


def test_evaluated_without_saying_how_is_a_dutch_error_that_keeps_the_input(client):
    client.force_login(MemberFactory())
    response = client.post(
        reverse("submissions:new"),
        valid_post(
            title="Buurtzorg Goudhaan",
            werkzame_elementen="Korte lijnen.",
            evaluation="eigen",
            evaluation_description="",
        ),
    )
    assert response.status_code == 400
    soup = soup_of(response)
    assert "beschrijf in een paar regels hoe, en wat eruit kwam" in text(soup)
    assert soup.select_one('input[name="evaluation"][value="eigen"][checked]')
    assert (
        "Korte lijnen."
        in soup.select_one('textarea[name="werkzame_elementen"]').get_text()
    )
    assert not PracticePage.objects.filter(title="Buurtzorg Goudhaan").exists()


def test_a_member_cannot_set_a_level_through_the_submission_form(client):
    client.force_login(MemberFactory())
    client.post(
        reverse("submissions:new"),
        valid_post(title="Buurtzorg Putter", maturity_level="goede-praktijk"),
    )
    draft = PracticePage.objects.get(title="Buurtzorg Putter")
    assert draft.get_latest_revision_as_object().maturity_level == ""
