"""The trust pages and the spreadsheet downloads in a real Chromium: axe-core
(WCAG 2.1 A/AA) finds nothing at 390 and 1280 px, nothing scrolls sideways,
and the footer leads to every page."""

import pytest

from .a11y import assert_no_axe_violations

pytestmark = pytest.mark.browser

TRUST_PAGES = [
    "/colofon/",
    "/contact/",
    "/privacy/",
    "/toegankelijkheid/",
    "/open-data/",
]
SEARCH = "/zoeken/?thema=acute-zorg"
WIDTHS = [390, 1280]


@pytest.fixture(scope="module", params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def sized_page(request, browser):
    context = browser.new_context(
        locale="nl-NL", viewport={"width": request.param, "height": 900}
    )
    page = context.new_page()
    page.width = request.param
    yield page
    context.close()


def check(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    assert page.locator("h1").count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.width, f"{url}: {width}px wide at {page.width}px"
    assert_no_axe_violations(page)


@pytest.mark.parametrize("path", TRUST_PAGES)
def test_trust_page_passes_axe(demo_site, sized_page, path):
    check(sized_page, demo_site + path)


def test_the_downloads_on_the_search_page_pass_axe(demo_site, sized_page):
    check(sized_page, demo_site + SEARCH)
    summary = sized_page.locator("details.downloads summary")
    summary.click()
    links = sized_page.locator("details.downloads a[download]")
    assert links.count() == 2
    assert all(links.nth(i).is_visible() for i in range(2))
    hrefs = [links.nth(i).get_attribute("href") for i in range(2)]
    assert hrefs == [
        "/api/v1/practices.xlsx?thema=acute-zorg",
        "/api/v1/practices.csv?thema=acute-zorg",
    ]
    assert_no_axe_violations(sized_page)


def test_trust_pages_fit_a_320_pixel_wide_screen(demo_site, browser):
    """No sideways scrolling at 320 px (WCAG 1.4.10 Reflow)."""
    context = browser.new_context(
        locale="nl-NL", viewport={"width": 320, "height": 640}
    )
    page = context.new_page()
    too_wide = []
    for path in [*TRUST_PAGES, SEARCH]:
        page.goto(demo_site + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            too_wide.append(f"{path}: {width}px")
    context.close()
    assert not too_wide, "wider than 320 px: " + ", ".join(too_wide)


def test_the_footer_leads_to_every_trust_page(demo_site, page):
    page.goto(demo_site + "/")
    footer = page.locator("footer")
    assert "Vindplaats is een uitgave van" in footer.inner_text()
    for path in TRUST_PAGES:
        link = footer.locator(f"a[href='{path}']")
        assert link.count() == 1, path
        with page.expect_navigation():
            link.click()
        assert page.url == demo_site + path
        page.go_back()
