"""Witte vlekken in a real Chromium: the table read by keyboard at 390 px
and at 1280 px, its header row and place column staying in view while it
scrolls, a cell followed into search, and axe on every page of it."""

import re

import pytest

from .a11y import assert_no_axe_violations, skip_to_content, tab_to, wait_until

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
GAPS = "/witte-vlekken/"


def no_sideways_page(page):
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def settled(page):
    """Wait until the table's region has stopped scrolling."""
    page.evaluate(
        """() => new Promise(done => {
            const el = document.querySelector('.gaps-matrix__scroll');
            let last = [-1, -1];
            const check = () => {
                const now = [el.scrollLeft, el.scrollTop];
                if (now[0] === last[0] && now[1] === last[1]) return done();
                last = now;
                setTimeout(check, 150);
            };
            check();
        })"""
    )


def test_read_the_table_by_keyboard_on_a_phone(demo_site, browser):
    context = browser.new_context(locale="nl-NL", viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(demo_site + GAPS)
        assert page.locator("h1").inner_text() == "Witte vlekken"
        assert no_sideways_page(page)  # only the table scrolls sideways
        region = page.get_by_role(
            "region", name="Praktijkvoorbeelden per thema en zorgkantoorregio"
        )
        assert region.count() == 1
        skip_to_content(page)
        tab_to(page, ".gaps-matrix__scroll")
        corner = page.locator("thead .gaps-table__corner")
        place = page.locator("#plek-twente")
        before = place.bounding_box()["x"]
        for _ in range(8):
            page.keyboard.press("ArrowRight")
        # Smooth scrolling: wait until it has gone some way, and stopped.
        wait_until(
            page, "document.querySelector('.gaps-matrix__scroll').scrollLeft > 100"
        )
        settled(page)
        # The place column stays where it was; the themes slide under it.
        assert abs(place.bounding_box()["x"] - before) < 1
        assert abs(corner.bounding_box()["x"] - before) < 1
        for _ in range(10):
            page.keyboard.press("ArrowDown")
        wait_until(
            page, "document.querySelector('.gaps-matrix__scroll').scrollTop > 150"
        )
        settled(page)
        # The header row stays at the top of the scrolling table.
        header = page.locator("thead th").nth(1).bounding_box()["y"]
        assert abs(header - region.bounding_box()["y"]) < 4
        # The first cell's link has a name that says what it counts.
        tab_to(page, ".gaps-table__cell a")
        name = page.evaluate("document.activeElement.textContent.trim()")
        assert re.fullmatch(
            r"\S.* in Groningen: (\d+ praktijkvoorbeeld(en)?|0 — nog niets)", name
        ), name
        assert_no_axe_violations(page)
    finally:
        context.close()


def test_follow_a_cell_into_search_and_an_empty_one_to_sharing(demo_site, page):
    page.set_viewport_size(DESKTOP)
    page.goto(demo_site + GAPS + "?indeling=provincie")
    link = page.locator(".gaps-table__cell:not(.gaps-table__cell--empty) a").first
    expected = int(re.search(r": (\d+) praktijk", link.text_content()).group(1))
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/zoeken/**")
    count = page.locator(".result-count").first.inner_text()
    assert re.match(rf"{expected} praktijkvoorbeeld", count), count

    page.goto(demo_site + GAPS + "?indeling=provincie")
    empty = page.locator(".gaps-table__cell--empty a").first
    empty.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/witte-vlekken/nog-niets/**")
    assert page.locator("h1").inner_text().startswith("Nog niets over ")
    assert page.get_by_role("link", name="Deel jouw initiatief").count() >= 1
    assert page.get_by_role("link", name="Vraag het de community").count() == 1
    assert_no_axe_violations(page)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_which_places_have_nothing_on_ggz_without_javascript(
    demo_site, browser, viewport
):
    context = browser.new_context(
        locale="nl-NL", viewport=viewport, java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto(demo_site + GAPS)
        page.select_option("#gaps-focus", "ggz")
        page.get_by_role("button", name="Toon de tabel").click()
        page.wait_for_url("**thema=ggz**")
        focus = page.get_by_role("region", name="Nog niets over GGZ")
        assert focus.count() == 1
        assert (
            focus.locator("li").count()
            == page.locator("td.gaps-table__focus.gaps-table__cell--empty").count()
        )
        assert no_sideways_page(page)
    finally:
        context.close()
    context = browser.new_context(locale="nl-NL", viewport=viewport)
    page = context.new_page()
    try:
        page.goto(demo_site + GAPS + "?thema=ggz&beweging=nergens")
        assert page.get_by_role("alert").inner_text().count("nergens") == 1
        assert_no_axe_violations(page)
    finally:
        context.close()


def test_reached_from_the_menu_and_the_home_page(demo_site, page):
    page.set_viewport_size(DESKTOP)
    page.goto(demo_site + "/")
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    assert menu.get_by_role("link", name="Witte vlekken").is_visible()
    # The wide menu still fits on one row.
    tops = {
        round(box["y"])
        for box in (
            link.bounding_box() for link in menu.locator(".site-nav__link").all()
        )
    }
    assert len(tops) == 1, tops
    page.get_by_role("link", name="Bekijk waar nog niets is").click()
    page.wait_for_url("**/witte-vlekken/")
    assert page.locator("h1").inner_text() == "Witte vlekken"
