"""Finding practices in a real Chromium at a phone's and a desktop's width:
the skip link to the results, the filters in a dialog on a phone (by
keyboard), finding a value in a long filter, the page without JavaScript,
and axe with and without filters, without results and with the dialog open."""

import re

import pytest

from .a11y import (
    assert_no_axe_violations,
    describe_focus,
    is_focused,
    skip_to_content,
    tab_to,
    wait_until,
)
from .test_browser_search import needs_htmx, open_search, result_count, still_same_page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
FIRST_RESULT = "ol#results > li:first-child .hit__title a"


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="nl-NL", viewport=PHONE)
    yield context.new_page()
    context.close()


def apply_count(page):
    return int(
        re.search(r"\d+", page.locator("#filters-dialog-apply-label").inner_text())[0]
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_the_first_result_is_three_tab_presses_away(demo_site, browser, viewport):
    """The audit counted 79 presses on Tab: the site's skip link and the
    page's "Naar de resultaten" make it three."""
    context = browser.new_context(locale="nl-NL", viewport=viewport)
    page = context.new_page()
    page.goto(demo_site + "/zoeken/?thema=ouderen-thuis")
    skip_to_content(page)  # Tab, Enter
    page.keyboard.press("Tab")
    assert is_focused(page, "a.search-page__skip"), describe_focus(page)
    assert page.locator("a.search-page__skip").is_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert is_focused(page, FIRST_RESULT), describe_focus(page)
    context.close()


@pytest.mark.parametrize("path", ["/zoeken/", "/zoeken/?page=2"])
def test_a_page_of_results_reads_in_two_screens_at_1280(demo_site, browser, path):
    """The audit: /zoeken/ with its filters closed is at most twice the
    window's height. Ten compact results, each with its image, title, facts,
    snippet and compare toggle in sight."""
    context = browser.new_context(locale="nl-NL", viewport=DESKTOP)
    page = context.new_page()
    page.goto(demo_site + path)
    assert page.locator("details.facet[open]").count() == 0
    hits = page.locator("ol#results > li.hit")
    assert hits.count() == 10
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 2 * DESKTOP["height"], height
    first = hits.first
    for part in [".hit__image", ".hit__title a", ".phase-badge", ".hit__snippet"]:
        assert first.locator(part).is_visible(), part
    assert first.locator(".compare-toggle").is_visible()
    context.close()


def test_without_skip_links_the_filters_cost_one_press_each(demo_site, page):
    """Closed filters: Tab passes each in one press on the way to the results."""
    page.goto(demo_site + "/zoeken/")
    presses = 0
    while not is_focused(page, FIRST_RESULT):
        page.keyboard.press("Tab")
        presses += 1
        assert presses < 40, f"no first result: {describe_focus(page)}"
    filters = page.locator("#search-facets summary").count()
    header = page.locator(
        "header a:visible, header button:visible, header summary:visible"
    ).count()
    # The header's links, each closed filter once, and a few on the way
    # (the skip links, the search box and its button, the sort).
    assert presses <= header + filters + 8, (presses, header, filters)


@needs_htmx
def test_on_a_phone_the_filters_open_in_a_dialog_by_keyboard(demo_site, phone):
    open_search(phone, demo_site + "/zoeken/")
    total = result_count(phone)
    assert not phone.locator("#filters").is_visible()
    opener = phone.locator("a.filters-open__control")
    assert opener.get_attribute("role") == "button"
    assert opener.get_attribute("aria-haspopup") == "dialog"

    skip_to_content(phone)
    tab_to(phone, "a.filters-open__control")
    phone.keyboard.press("Enter")
    wait_until(phone, "document.getElementById('filters-dialog').open")
    assert phone.evaluate("document.getElementById('filters-dialog').matches(':modal')")
    assert is_focused(phone, "[data-filters-close]"), describe_focus(phone)
    assert apply_count(phone) == total

    # Tick a phase: the results and the button's count follow, the dialog
    # stays open, focus stays on the box and the dialog says the number.
    tab_to(phone, "#facet-fase > summary", limit=10)
    phone.keyboard.press("Enter")
    tab_to(phone, "#f-fase-pilot", limit=10)
    phone.keyboard.press("Space")
    phone.wait_for_url(re.compile(r"fase=pilot"))
    wait_until(
        phone,
        "!document.getElementById('filters-dialog-apply-label')"
        f".innerText.includes(' {total} ')",
    )
    pilots = apply_count(phone)
    assert 0 < pilots < total
    assert phone.evaluate("document.getElementById('filters-dialog').open")
    assert is_focused(phone, "#f-fase-pilot"), describe_focus(phone)
    assert phone.locator("#f-fase-pilot").is_checked()
    assert phone.locator("#facet-fase").get_attribute("open") is not None
    wait_until(
        phone, "document.getElementById('filters-dialog-announcer').textContent !== ''"
    )
    assert str(pilots) in phone.locator("#filters-dialog-announcer").inner_text()
    assert still_same_page(phone)

    # "Toon N praktijkvoorbeelden": the dialog closes, focus lands on the results.
    tab_to(phone, "[data-filters-apply]", limit=40)
    phone.keyboard.press("Enter")
    wait_until(phone, "!document.getElementById('filters-dialog').open")
    assert is_focused(phone, "#results-heading"), describe_focus(phone)
    assert result_count(phone) == pilots
    assert (
        phone.locator("a.filters-open__control").inner_text() == "Filters (1 gekozen)"
    )
    phone.keyboard.press("Tab")
    assert phone.evaluate(
        "document.activeElement.closest('#search-region') !== null"
    ), describe_focus(phone)

    # Escape closes it too, and the filters are back in their place.
    opener.click()
    wait_until(phone, "document.getElementById('filters-dialog').open")
    phone.keyboard.press("Escape")
    wait_until(phone, "!document.getElementById('filters-dialog').open")
    assert is_focused(phone, "a.filters-open__control"), describe_focus(phone)
    wait_until(
        phone,
        "document.getElementById('filters').parentElement"
        ".classList.contains('search-layout')",
        message="the filters did not go back to the page",
    )


@needs_htmx
def test_finding_an_organisation_in_the_long_list(demo_site, page):
    open_search(page, demo_site + "/zoeken/")
    page.locator("#facet-organisatie > summary").click()
    items = page.locator("#facet-list-organisatie .facet__value")
    total = items.count()
    box = page.locator("#facet-filter-organisatie")
    box.click()
    page.keyboard.type("ggd", delay=20)
    status = page.locator("#facet-filter-organisatie-status")
    wait_until(
        page,
        "document.getElementById('facet-filter-organisatie-status').textContent !== ''",
    )
    shown = page.locator("#facet-list-organisatie .facet__value:visible")
    names = shown.locator("label").all_inner_texts()
    assert names and all("ggd" in name.lower() for name in names)
    assert status.inner_text() == f"{len(names)} van de {total} getoond"
    assert box.get_attribute("aria-describedby") == "facet-filter-organisatie-status"

    # A ticked value joins the chosen ones above the list; the box keeps
    # its text and the list its filter after the update.
    chosen = shown.first.locator("input").get_attribute("value")
    shown.first.locator("input").check()
    page.wait_for_url(re.compile(f"organisatie={chosen}"))
    wait_until(
        page,
        "document.querySelector("
        f"'.facet__values--chosen #f-organisatie-{chosen}') !== null",
    )
    assert page.locator(f"#f-organisatie-{chosen}").is_visible()
    assert box.input_value() == "ggd"
    still = page.locator(
        "#facet-list-organisatie .facet__value:visible label"
    ).all_inner_texts()
    assert all("ggd" in name.lower() for name in still)
    assert still_same_page(page)

    box.fill("zzqqxx")
    wait_until(
        page,
        "document.getElementById('facet-filter-organisatie-status').textContent.startsWith('Niets')",
    )
    assert page.locator("#facet-list-organisatie .facet__value:visible").count() == 0
    # The chosen value stays in sight whatever the box says.
    assert page.locator(f"#f-organisatie-{chosen}").is_visible()


def test_on_a_phone_without_javascript_the_filters_stay_on_the_page(demo_site, browser):
    context = browser.new_context(
        locale="nl-NL", viewport=PHONE, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(demo_site + "/zoeken/")
    total = result_count(page)
    # The filters stand below the search box, not behind a button.
    assert page.locator("#filters").is_visible()
    assert not page.locator("a.filters-open__control").is_visible()
    # A long list scrolls within its own height instead of growing the page.
    page.locator("#facet-organisatie > summary").click()
    listed = page.locator("#facet-list-organisatie")
    assert listed.evaluate("list => list.scrollHeight > list.clientHeight * 3")
    assert page.evaluate("document.documentElement.scrollHeight") < 12_000
    page.locator("#facet-fase > summary").click()
    page.locator("#f-fase-pilot").check()
    page.get_by_role("button", name="Filters toepassen").click()
    page.wait_for_url(re.compile(r"fase=pilot"))
    assert 0 < result_count(page) < total
    context.close()


@needs_htmx
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
@pytest.mark.parametrize(
    "path",
    [
        "/zoeken/",
        "/zoeken/?thema=ouderen-thuis&provincie=gelderland",
        "/zoeken/?q=plofkip",
    ],
    ids=["all", "filtered", "nothing found"],
)
def test_search_page_has_no_axe_violations(demo_site, browser, viewport, path):
    context = browser.new_context(locale="nl-NL", viewport=viewport)
    page = context.new_page()
    open_search(page, demo_site + path)
    # Every filter open: axe looks at every checkbox and the map.
    page.evaluate(
        "document.querySelectorAll('#search-facets details')"
        ".forEach(d => d.open = true)"
    )
    assert_no_axe_violations(page)
    context.close()


@needs_htmx
def test_the_open_filter_dialog_has_no_axe_violations(demo_site, phone):
    open_search(phone, demo_site + "/zoeken/?provincie=gelderland")
    phone.locator("a.filters-open__control").click()
    wait_until(phone, "document.getElementById('filters-dialog').open")
    phone.locator("#facet-organisatie > summary").click()
    phone.locator("#facet-filter-organisatie").fill("zorg")
    wait_until(
        phone,
        "document.getElementById('facet-filter-organisatie-status').textContent !== ''",
    )
    assert_no_axe_violations(phone)
