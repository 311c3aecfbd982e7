"""The search journeys in a real Chromium: with htmx (no full reloads, the URL
and the back button in step), without JavaScript, by keyboard only, and axe
after a facet click."""

import re

import pytest

from django.utils.translation import ngettext, override

from explore.views import htmx_available

from .a11y import (
    assert_no_axe_violations,
    describe_focus,
    is_focused,
    skip_to_content,
    tab_to,
    wait_until,
)

pytestmark = pytest.mark.browser

needs_htmx = pytest.mark.skipif(
    not htmx_available(),
    reason="htmx is not installed: run `make htmx` (needs npm); "
    "the search page then works with full page loads only",
)


def announcement(count):
    with override("nl"):
        return ngettext(
            "%(counter)s practice example found",
            "%(counter)s practice examples found",
            count,
        ) % {"counter": count}


def result_count(page):
    return int(page.locator(".result-count").inner_text().split()[0])


def open_search(page, url):
    page.goto(url)
    wait_until(page, "window.htmx !== undefined")
    # Survives swaps, not page loads: proves there was no full reload.
    page.evaluate("window.noReload = true")


def still_same_page(page):
    return page.evaluate("window.noReload === true")


def result_count_is_not(total):
    return (
        "document.querySelector('.result-count')?.innerText.split(' ')[0]"
        f" !== '{total}'"
    )


@needs_htmx
def test_filter_sort_and_page_by_keyboard_with_htmx_and_back_again(demo_site, page):
    """Keyboard only, from the top of the page: the skip link, Tab to a facet,
    Space ticks it, the arrow key changes the sort, Enter follows the next
    page. After every swap focus is where the visitor left it, or on the
    results when the element they used is gone."""
    open_search(page, demo_site + "/zoeken/")
    total = result_count(page)

    # A facet: Enter opens its filter, Space ticks it, the results update,
    # focus stays on the box.
    skip_to_content(page)
    tab_to(page, "#search-q")
    tab_to(page, "#facet-provincie > summary")
    page.keyboard.press("Enter")
    tab_to(page, "#f-provincie-zuid-holland")
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"provincie=zuid-holland"))
    wait_until(page, result_count_is_not(total))
    filtered = result_count(page)
    assert 0 < filtered < total
    assert still_same_page(page)
    assert page.locator("#f-provincie-zuid-holland").is_checked()
    assert is_focused(page, "#f-provincie-zuid-holland"), describe_focus(page)
    wait_until(page, "document.getElementById('search-announcer').textContent !== ''")
    assert page.locator("#search-announcer").inner_text() == announcement(filtered)
    assert page.get_by_text("Provincie: Zuid-Holland").is_visible()  # the chip

    # Sort: Tab on to the select, ArrowDown picks the next order ("newest"
    # comes before "title"); the select keeps focus and the URL follows.
    newest = page.locator(".hit__title").all_inner_texts()
    tab_to(page, "#search-sort", limit=150)
    assert page.locator("#search-sort").input_value() == "newest"
    page.keyboard.press("ArrowDown")
    page.wait_for_url(re.compile(r"sort=title"))
    wait_until(
        page,
        f"document.querySelector('.hit__title')?.innerText !== {newest[0]!r}",
    )
    assert "provincie=zuid-holland" in page.url
    assert is_focused(page, "#search-sort"), describe_focus(page)
    assert page.locator("#search-sort").input_value() == "title"
    titles = page.locator(".hit__title").all_inner_texts()
    assert titles != newest
    assert still_same_page(page)

    # Paging: Tab on to "Next", Enter. The link is gone after the swap, so
    # focus goes to the results heading.
    assert filtered > len(titles), "one page of results: nothing to page to"
    assert page.locator(".pagination a[rel=next]").count() == 1
    tab_to(page, ".pagination a[rel=next]", limit=150)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"page=2"))
    wait_until(
        page,
        "document.activeElement && document.activeElement.id === 'results-heading'",
        message=f"focus is not on the results heading after paging: "
        f"{describe_focus(page)}",
    )
    assert page.locator(".hit__title").first.inner_text() != titles[0]
    assert still_same_page(page)
    # The next Tab goes on into the new results, not back to the top.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.search-region') !== null"), (
        describe_focus(page)
    )

    # The back button: page 1, then before the sort, then before the filter.
    page.go_back()
    page.wait_for_url(re.compile(r"sort=title(?!.*page=2)"))
    assert "page=2" not in page.url
    wait_until(
        page, f"document.querySelector('.hit__title')?.innerText === {titles[0]!r}"
    )
    page.go_back()
    page.wait_for_url(re.compile(r"sort=newest"))
    # htmx fetches that page again (no copies kept in localStorage).
    wait_until(page, "document.getElementById('search-sort')?.value === 'newest'")
    assert result_count(page) == filtered
    page.go_back()
    # The skip link left "#main" in the URL of the first page.
    page.wait_for_url(re.compile(r"/zoeken/(#main)?$"))
    wait_until(
        page,
        "document.querySelector('.result-count')?.innerText.split(' ')[0]"
        f" === '{total}'",
    )
    assert not page.locator("#f-provincie-zuid-holland").is_checked()
    assert still_same_page(page)


def test_filter_and_sort_without_javascript(demo_site, browser):
    context = browser.new_context(locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    page.goto(demo_site + "/zoeken/")
    total = result_count(page)
    # No combobox without JavaScript: a plain search field.
    assert page.locator("#search-q").get_attribute("role") is None
    assert page.locator("[role=listbox]").count() == 0

    page.locator("#facet-provincie > summary").click()
    page.locator("#f-provincie-zuid-holland").check()
    page.get_by_role("button", name="Filters toepassen").click()
    page.wait_for_url(re.compile(r"provincie=zuid-holland"))
    filtered = result_count(page)
    assert 0 < filtered < total
    assert page.locator("#f-provincie-zuid-holland").is_checked()

    page.select_option("#search-sort", "title")
    page.get_by_role("button", name="Sorteer").click()
    page.wait_for_url(re.compile(r"sort=title"))
    assert "provincie=zuid-holland" in page.url
    assert result_count(page) == filtered

    page.go_back()
    page.go_back()
    assert result_count(page) == total
    context.close()


# The suggestions come from search.js alone (every page loads it), so these
# two run without htmx too.
def test_keyboard_only_from_the_home_page_through_suggestions(demo_site, page):
    page.goto(demo_site + "/")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "home-search":
            break
    else:
        pytest.fail("Tab never reached the search box on the home page")
    box = page.locator("#home-search")
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-expanded") == "false"

    page.keyboard.type("dementie", delay=30)
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    listbox.locator("[role=option]").first.wait_for()
    assert listbox.get_attribute("role") == "listbox"
    assert box.get_attribute("aria-expanded") == "true"
    options = listbox.locator("[role=option]")
    assert 1 < options.count() <= 8
    assert page.locator("#home-search-suggestions-status").inner_text()

    page.keyboard.press("ArrowDown")
    first = options.nth(0)
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert first.get_attribute("aria-selected") == "true"
    page.keyboard.press("ArrowDown")
    second = options.nth(1)
    assert box.get_attribute("aria-activedescendant") == second.get_attribute("id")
    assert first.get_attribute("aria-selected") == "false"
    page.keyboard.press("ArrowUp")
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    # Focus stays in the box all along (aria-activedescendant).
    assert page.evaluate("document.activeElement.id") == "home-search"

    page.keyboard.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    assert not listbox.is_visible()
    assert box.input_value() == "dementie"

    page.keyboard.press("ArrowDown")  # opens the list again
    assert box.get_attribute("aria-expanded") == "true"
    target = options.nth(0).get_attribute("data-url")
    assert box.get_attribute("aria-activedescendant") == options.nth(0).get_attribute(
        "id"
    )
    page.keyboard.press("Enter")
    page.wait_for_url(demo_site + target)

    # Enter without choosing a suggestion is a normal search.
    page.goto(demo_site + "/zoeken/")
    skip_to_content(page)
    tab_to(page, "#search-q")
    page.keyboard.type("ziekenhuizen", delay=30)
    page.locator("#search-q-suggestions [role=option]").first.wait_for()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=ziekenhuizen"))
    wait_until(page, "document.querySelector('.hit mark') !== null")


def test_mouse_picks_a_suggestion(demo_site, page):
    page.goto(demo_site + "/zoeken/")
    page.locator("#search-q").click()
    page.keyboard.type("rotterdam", delay=30)
    option = page.locator(
        "#search-q-suggestions [role=option]", has_text="Zorgkantoorregio: Rotterdam"
    )
    option.click()
    page.wait_for_url(re.compile(r"/zoeken/\?zorgkantoorregio=rotterdam$"))
    assert page.locator("#f-zorgkantoorregio-rotterdam").is_checked()


@needs_htmx
def test_search_page_after_a_facet_click_has_no_axe_violations(demo_site, page):
    open_search(page, demo_site + "/zoeken/?q=zorg")
    page.locator("#facet-provincie > summary").click()
    page.locator("#f-provincie-zuid-holland").check()
    page.wait_for_url(re.compile(r"provincie=zuid-holland"))
    wait_until(page, "document.getElementById('search-announcer').textContent !== ''")
    assert still_same_page(page)
    assert_no_axe_violations(page)
    # And with the suggestions open.
    page.fill("#search-q", "")
    page.focus("#search-q")
    page.keyboard.type("dementie", delay=30)
    page.locator("#search-q-suggestions [role=option]").first.wait_for()
    page.keyboard.press("ArrowDown")
    assert_no_axe_violations(page)
