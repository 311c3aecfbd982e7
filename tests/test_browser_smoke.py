"""A visitor's first steps on the demo site, in a real Chromium."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_visitor_goes_from_home_to_a_practice_and_its_contact(demo_site, page):
    page.goto(demo_site + "/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.title().startswith("Vindplaats")

    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.inner_text() == "Direct naar de inhoud"

    page.get_by_role("link", name="Bekijk alle voorbeelden").click()
    page.wait_for_url(re.compile(r"/praktijkvoorbeelden/$"))
    assert page.locator("h1").inner_text() == "Praktijkvoorbeelden"
    cards = page.locator(".card")
    assert cards.count() == 12

    first_title = cards.first.locator(".card__title").inner_text()
    with page.expect_navigation():
        cards.first.locator(".card__title a").click()
    expect(page.locator("h1")).to_have_text(first_title)
    assert page.locator("#aanleiding").count() == 1

    contact = page.locator(".contact-card .button").first
    with page.expect_navigation():
        contact.click()
    # Visitors write without an account; the contact's address is nowhere.
    assert re.search(r"/community/contact/\d+/$", page.url)
    assert page.locator("h1").inner_text().startswith("Neem contact op met")
    assert page.locator("#id_email").is_visible()
    assert "@" not in page.locator("main").inner_text()


def test_facet_link_on_a_practice_filters_the_listing(demo_site, page):
    page.goto(demo_site + "/praktijkvoorbeelden/havenue-rotterdam/")
    with page.expect_navigation():
        page.locator(".practice__facts").get_by_role(
            "link", name="Zuid-Holland"
        ).click()
    assert "/zoeken/?provincie=zuid-holland" in page.url
    assert page.get_by_text("Provincie: Zuid-Holland").is_visible()
    assert page.locator("#f-provincie-zuid-holland").is_checked()
    count = page.locator(".result-count").inner_text()
    assert re.match(r"\d+ praktijkvoorbeelden", count)


def test_search_and_filter_without_javascript(demo_site, browser):
    context = browser.new_context(locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    page.goto(demo_site + "/")
    page.get_by_label("Zoek in de praktijkvoorbeelden").fill("ziekenhuizen")
    # A click that navigates is followed to the new page before it is read:
    # count() does not wait, and the old page's elements still answer.
    with page.expect_navigation():
        page.get_by_role("button", name="Zoeken").click()
    assert "/zoeken/?q=ziekenhuizen" in page.url
    expect(page.locator(".hit mark")).not_to_have_count(0)
    total = int(page.locator(".result-count").inner_text().split()[0])

    page.locator("#facet-provincie > summary").click()  # a <details>
    page.locator("#f-provincie-zuid-holland").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Filters toepassen").click()
    assert "provincie=zuid-holland" in page.url and "q=ziekenhuizen" in page.url
    filtered = int(page.locator(".result-count").inner_text().split()[0])
    assert 0 < filtered < total

    with page.expect_navigation():
        page.get_by_role(
            "link", name="Provincie: Zuid-Holland (filter verwijderen)"
        ).click()
    assert "provincie" not in page.url
    assert int(page.locator(".result-count").inner_text().split()[0]) == total
    page.go_back()
    assert "provincie=zuid-holland" in page.url
    context.close()
