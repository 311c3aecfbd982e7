"""The maturity ladder in a real Chromium: filter the search on a level, see
the badge on the cards and on the practice, read what the levels mean; axe
finds nothing on any of those pages, the comparison and the submission
form with its evidence questions included."""

import pytest

from .a11y import assert_no_axe_violations
from .demo_site_data import create_member, demo_var, log_in

pytestmark = pytest.mark.browser
__all__ = ["demo_var"]  # the fixture, for pytest

PRACTICE = "/praktijkvoorbeelden/demo-x-leefstijlloket-haarlem/"


def test_filter_the_search_on_a_level_and_see_the_badges(demo_site, page):
    page.goto(demo_site + "/zoeken/")
    group = page.locator("#facet-niveau")
    group.locator("summary").click()
    group.get_by_label("Goede praktijk").check()
    apply = page.get_by_role("button", name="Filters toepassen")
    if apply.count() and apply.first.is_visible():
        apply.first.click()
    page.wait_for_url("**niveau=goede-praktijk**")
    page.locator(".hit").first.wait_for()
    badges = page.locator(".hit .maturity-badge")
    assert badges.count() == page.locator(".hit").count() >= 1
    assert set(badges.all_inner_texts()) == {"Goede praktijk"}
    assert_no_axe_violations(page)

    page.locator("#facet-niveau").get_by_role(
        "link", name="Wat betekenen de niveaus?"
    ).click()
    page.wait_for_url("**/niveaus/")
    assert page.locator("h1").inner_text() == "Wat betekenen de niveaus?"
    assert_no_axe_violations(page)


def test_the_practice_shows_its_level_and_reason(demo_site, page):
    page.goto(demo_site + PRACTICE)
    level = page.locator(".practice__level")
    badge = level.locator(".maturity-badge").text_content()
    assert " ".join(badge.split()) == "Niveau: Goede praktijk"
    assert "Kennemerland" in level.inner_text()
    assert page.get_by_role("heading", name="Werkzame elementen").is_visible()
    assert_no_axe_violations(page)


def test_the_comparison_shows_the_levels(demo_site, page):
    ids = []
    for path in (PRACTICE, "/praktijkvoorbeelden/havenue-rotterdam/"):
        page.goto(demo_site + path)
        toggle = page.locator(".practice__follow .compare-toggle")
        ids.append(toggle.get_attribute("data-compare-id"))
    page.goto(f"{demo_site}/vergelijk/?ids={','.join(ids)}")
    row = page.locator("tr", has=page.locator("th", has_text="Niveau"))
    cells = [" ".join(cell.split()) for cell in row.locator("td").all_inner_texts()]
    assert cells == ["Goede praktijk", "Nog niet beoordeeld"]
    assert_no_axe_violations(page)


def test_the_submission_form_asks_for_the_evidence(demo_site, demo_var, page):
    member = create_member(demo_var, "niveau-indiener", "Noor Bakker")
    log_in(page, demo_site, member)
    page.goto(demo_site + "/deel-jouw-initiatief/")
    assert page.get_by_label("Werkzame elementen").is_visible()
    assert page.get_by_role("group", name="Is het initiatief geëvalueerd?").is_visible()
    assert page.get_by_label("Hoe heb je de resultaten gemeten of geëvalueerd?")
    assert_no_axe_violations(page)
