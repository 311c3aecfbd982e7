"""Comparing practices in a real Chromium: with JavaScript (the toggles and
the "Vergelijk (N)" bar), without it, by keyboard only, axe at phone and
desktop widths, and on paper."""

import re

import pytest

from .a11y import assert_no_axe_violations, is_focused, skip_to_content, tab_to

pytestmark = pytest.mark.browser

FIRST = "/praktijkvoorbeelden/havenue-rotterdam/"
SECOND = "/praktijkvoorbeelden/acute-zorgafdeling-aafje/"
THIRD = "/praktijkvoorbeelden/regionaal-transferpunt-salland/"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def own_toggle(page):
    """The practice's own "Vergelijk" toggle, beside the follow button."""
    return page.locator(".practice__follow .compare-toggle")


def practice_id(page, path):
    page.goto(path)
    return own_toggle(page).get_attribute("data-compare-id")


def column_titles(page):
    return page.locator("thead .compare__title").all_inner_texts()


def choose(page, path):
    """Open a practice and press its own toggle; returns its title."""
    page.goto(path)
    title = page.locator("h1").inner_text()
    toggle = page.get_by_role("button", name=f"Vergelijk {title}", exact=True)
    assert toggle.count() == 1
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    return title


def test_choose_two_practices_on_their_pages_and_compare_them(demo_site, page):
    first = choose(page, demo_site + FIRST)
    bar = page.get_by_role("complementary", name="Jouw vergelijking")
    assert bar.is_visible()
    assert bar.get_by_role("link").inner_text() == "Vergelijk (1)"
    assert bar.get_by_text(
        "Kies nog een praktijkvoorbeeld om te vergelijken."
    ).is_visible()

    second = choose(page, demo_site + SECOND)
    link = bar.get_by_role("link", name="Vergelijk (2)")
    assert not bar.get_by_text("Kies nog een").is_visible()
    # Back on the first page, its toggle shows it is chosen.
    page.goto(demo_site + FIRST)
    assert own_toggle(page).get_attribute("aria-pressed") == "true"
    # A comparable initiative chosen here is marked on its own page too.
    link.click()
    page.wait_for_url(re.compile(r"/vergelijk/\?ids=\d+,\d+$"))
    assert column_titles(page) == [first, second]
    assert not page.locator("[data-compare-bar]").is_visible()


def test_a_toggle_pressed_again_takes_the_practice_out(demo_site, page):
    title = choose(page, demo_site + FIRST)
    page.get_by_role("button", name=f"Vergelijk {title}").click()
    assert own_toggle(page).get_attribute("aria-pressed") == "false"
    assert not page.locator("[data-compare-bar]").is_visible()


def test_a_fifth_practice_is_refused_with_a_message(demo_site, page):
    ids = [practice_id(page, demo_site + path) for path in (FIRST, SECOND, THIRD)]
    page.goto(demo_site + FIRST)
    similar = page.locator("#vergelijkbaar .compare-toggle")
    others = [
        similar.nth(n).get_attribute("data-compare-id") for n in range(similar.count())
    ]
    fourth = next(pk for pk in others if pk not in ids)
    fifth = next(pk for pk in others if pk not in ids and pk != fourth)
    page.context.add_cookies(
        [{"name": "vergelijk", "value": "-".join([*ids, fourth]), "url": demo_site}]
    )
    page.reload()
    assert page.get_by_role("link", name="Vergelijk (4)").is_visible()
    toggle = page.locator(f"#vergelijkbaar .compare-toggle[data-compare-id='{fifth}']")
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "false"
    assert page.get_by_text(
        "Je kunt tot 4 praktijkvoorbeelden vergelijken."
    ).first.is_visible()
    assert page.get_by_role("link", name="Vergelijk (4)").is_visible()


def test_without_javascript_the_toggle_opens_the_comparison(demo_site, browser):
    context = browser.new_context(locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    page.goto(demo_site + FIRST)
    first = page.locator("h1").inner_text()
    page.get_by_role("link", name=f"Vergelijk {first}", exact=True).click()
    page.wait_for_url(re.compile(r"/vergelijk/\?ids=\d+$"))
    assert column_titles(page) == [first]
    assert page.get_by_role(
        "heading", name="Kies nog een praktijkvoorbeeld"
    ).is_visible()

    page.goto(demo_site + SECOND)
    second = page.locator("h1").inner_text()
    page.get_by_role("link", name=f"Vergelijk {second}", exact=True).click()
    page.wait_for_url(re.compile(r"/vergelijk/\?ids=\d+,\d+$"))
    assert column_titles(page) == [first, second]
    # No bar and no print button without JavaScript: links do it all.
    assert not page.locator("[data-compare-bar]").is_visible()
    assert not page.locator("[data-compare-print]").is_visible()
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_no_axe_violations(demo_site, browser, viewport):
    context = browser.new_context(locale="nl-NL", viewport=viewport)
    page = context.new_page()
    ids = [practice_id(page, demo_site + path) for path in (FIRST, SECOND, THIRD)]
    # The practice page with its own toggle pressed and the bar showing.
    choose(page, demo_site + FIRST)
    assert page.locator("[data-compare-bar]").is_visible()
    assert_no_axe_violations(page)
    for query in (
        ",".join(ids),  # three side by side
        f"{ids[0]},abc,{ids[1]}",  # with what could not be shown
        ids[0],  # one, with its comparable initiatives to add
    ):
        page.goto(f"{demo_site}/vergelijk/?ids={query}")
        assert page.locator("h1").count() == 1
        assert_no_axe_violations(page)
    # Nothing sideways but the table itself.
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    context.close()


def test_keyboard_only_choose_compare_and_remove(demo_site, browser):
    context = browser.new_context(locale="nl-NL", viewport=PHONE)
    page = context.new_page()
    titles = []
    for path in (FIRST, SECOND, THIRD):
        page.goto(demo_site + path)
        titles.append(page.locator("h1").inner_text())
        skip_to_content(page)
        tab_to(page, ".practice__follow button.compare-toggle")
        page.keyboard.press("Space" if path != SECOND else "Enter")
        assert own_toggle(page).get_attribute("aria-pressed") == "true"
    # The bar is the last thing on the page: Tab reaches its link.
    tab_to(page, "[data-compare-link]", limit=300)
    assert page.locator(":focus").inner_text() == "Vergelijk (3)"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/vergelijk/\?ids="))
    assert column_titles(page) == titles

    skip_to_content(page)
    # The table scrolls sideways from the keyboard, row headings in view.
    tab_to(page, ".compare__scroll")
    assert page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle"
    ) not in ("none", "")
    scroll = page.locator(".compare__scroll")
    assert scroll.evaluate("el => el.scrollLeft") == 0
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    assert scroll.evaluate("el => el.scrollLeft") > 0
    heading = page.locator(".compare__row-heading").first
    assert heading.bounding_box()["x"] < 40  # sticky at the left edge

    # Each column's links: the practice, then taking it out.
    tab_to(page, "thead .compare__title")
    assert page.locator(":focus").inner_text() == titles[0]
    page.keyboard.press("Tab")
    assert is_focused(page, "a.compare__remove")
    assert (
        page.locator(":focus")
        .get_attribute("href")
        .endswith("&verwijder=" + page.url.split("ids=")[1].split(",")[0])
    )
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/vergelijk/\?ids=\d+,\d+$"))
    assert column_titles(page) == titles[1:]
    context.close()


def test_the_comparison_prints_landscape_whole_and_without_controls(demo_site, browser):
    context = browser.new_context(
        locale="nl-NL", viewport={"width": 1040, "height": 700}
    )
    page = context.new_page()
    ids = [practice_id(page, demo_site + path) for path in (FIRST, SECOND, THIRD)]
    page.goto(f"{demo_site}/vergelijk/?ids={','.join(ids)}")
    page.emulate_media(media="print")
    # The site's name stays at the top of the paper; its menus do not.
    for hidden in (
        ".site-menu",
        ".site-footer__nav",
        ".breadcrumb",
        ".compare__remove",
        ".compare__tools",
        ".compare__scroll-hint",
    ):
        assert not page.locator(hidden).first.is_visible(), hidden
    scroll = page.locator(".compare__scroll")
    assert scroll.evaluate("el => getComputedStyle(el).overflowX") == "visible"
    # Every column fits the paper's width: nothing cut off.
    assert scroll.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    text = page.locator("table").inner_text()
    for label in ("Probleem", "Aanpak", "Resultaten", "Bekostiging", "Organisaties"):
        assert label in text.replace("\u00ad", "")
    # A4 landscape (595 × 842 points), every page.
    pdf = page.pdf(prefer_css_page_size=True)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes and all(float(w) > float(h) for w, h in boxes), boxes
    context.close()
