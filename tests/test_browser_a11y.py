"""axe-core (WCAG 2.1 A/AA) on every page type, plus one h1, lang and a title."""

import pytest

from .a11y import assert_no_axe_violations
from .demo_site_data import create_member, create_question, demo_var, log_in

pytestmark = pytest.mark.browser

__all__ = ["demo_var"]  # the fixture, for pytest

PRACTICE = "/praktijkvoorbeelden/havenue-rotterdam/"

# (name, path or callable(data) -> path, logged in)
PUBLIC_PAGES = [
    ("home", "/"),
    ("practice listing", "/praktijkvoorbeelden/"),
    ("practice page", PRACTICE),
    ("search without a query", "/zoeken/"),
    ("community listing", "/community/"),
    ("question page", "question"),
    ("public profile", "profile"),
    ("login", "/account/login/"),
    ("sign-up", "/account/signup/"),
    ("region index", "/regio/"),
    ("region page", "region"),
    ("collections", "/collecties/"),
    ("standard page", "/toegankelijkheid/"),
    # The demo site runs with DEBUG on: /404/ renders the real 404 page.
    ("404", "/404/"),
]
MEMBER_PAGES = [
    ("ask form", "/community/vraag-stellen/"),
    ("account edit", "/leden/account/"),
    ("notifications list", "/meldingen/"),
    ("contact form", "contact"),
    ("submission form", "/deel-jouw-initiatief/"),
    ("my initiatives", "/mijn-initiatieven/"),
]


@pytest.fixture(scope="session")
def site_data(demo_site, demo_var, browser):
    asker = create_member(demo_var, "a11y-vrager", "Anna de Vries")
    helper = create_member(demo_var, "a11y-helper", "Bram Jansen")
    question = create_question(
        demo_var, asker, "Hoe regelen jullie de nachtzorg in de wijk?", helper
    )
    # Links the tests follow, found the way a visitor finds them.
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.goto(demo_site + "/regio/")
    region = page.locator("main a[href^='/regio/']").first.get_attribute("href")
    page.goto(demo_site + PRACTICE)
    contact = page.locator(".contact-card a.button").first.get_attribute("href")
    context.close()
    return {
        "member": asker,
        "question": question,
        "profile": f"/leden/{asker['id']}/",
        "region": region,
        "contact": contact,
    }


@pytest.fixture(scope="session")
def member_context(browser, demo_site, site_data):
    context = browser.new_context(locale="nl-NL")
    log_in(context.new_page(), demo_site, site_data["member"])
    yield context
    context.close()


def check_page(page, path, expected_status=200):
    response = page.goto(path)
    assert response.status == expected_status, f"{path}: {response.status}"
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("h1").count() == 1, f"{path}: not exactly one h1"
    title = page.title()
    assert title.endswith("| Vindplaats") or title.startswith("Vindplaats"), title
    assert len(title) > len("| Vindplaats"), f"{path}: title {title!r}"
    assert page.locator("main#main").count() == 1
    assert page.locator("header, [role=banner]").count() >= 1
    assert page.locator("footer, [role=contentinfo]").count() >= 1
    assert_no_axe_violations(page)


def resolve(path, site_data):
    return site_data.get(path, path)


@pytest.mark.parametrize(
    ("name", "path"), PUBLIC_PAGES, ids=[p[0] for p in PUBLIC_PAGES]
)
def test_public_page_has_no_axe_violations(name, path, demo_site, site_data, page):
    status = 404 if name == "404" else 200
    check_page(page, demo_site + resolve(path, site_data), status)


@pytest.mark.parametrize(
    ("name", "path"), MEMBER_PAGES, ids=[p[0] for p in MEMBER_PAGES]
)
def test_member_page_has_no_axe_violations(
    name, path, demo_site, site_data, member_context
):
    page = member_context.new_page()
    try:
        check_page(page, demo_site + resolve(path, site_data))
    finally:
        page.close()


FORMS = [
    # (name, path, submit button selector, logged in)
    ("ask form", "/community/vraag-stellen/", "main form button[type=submit]", True),
    ("contact form", "contact", "main form button[type=submit]", True),
    ("submission form", "/deel-jouw-initiatief/", "button[name=send]", True),
    ("sign-up", "/account/signup/", "main form button[type=submit]", False),
]
# The sign-up form keeps the browser's own checks for empty fields; what only
# the server can check (a weak password, two different ones) goes to the summary.
FILL = {
    "sign-up": {
        "#id_display_name": "Kim",
        "#id_email": "kim@example.org",
        "#id_password1": "kort",
        "#id_password2": "anders",
    }
}


@pytest.mark.parametrize(
    ("name", "path", "submit", "logged_in"), FORMS, ids=[f[0] for f in FORMS]
)
def test_form_errors_are_summarised_and_pass_axe(
    name, path, submit, logged_in, demo_site, site_data, member_context, browser
):
    """An empty form: an error summary at the top links to every invalid field."""
    context = member_context if logged_in else browser.new_context(locale="nl-NL")
    page = context.new_page()
    try:
        page.goto(demo_site + resolve(path, site_data))
        for selector, value in FILL.get(name, {}).items():
            page.locator(selector).fill(value)
        with page.expect_navigation():
            page.locator(submit).first.click()
        summary = page.locator(".error-summary")
        assert summary.count() == 1, f"{name}: no error summary"
        form_top = page.locator("main form").first.bounding_box()["y"]
        assert summary.bounding_box()["y"] < form_top, "summary not above the form"
        links = summary.locator("a[href^='#']")
        assert links.count() >= 1
        for href in links.evaluate_all("links => links.map(a => a.hash)"):
            target = page.locator(f"[id='{href[1:]}']")
            assert target.count() == 1, f"{name}: {href} links to nothing"
        assert page.locator("h1").count() == 1
        assert_no_axe_violations(page)
    finally:
        page.close()
        if not logged_in:
            context.close()


def test_the_axe_check_fails_on_a_violation(demo_site, page):
    """The helper is not vacuous: an unlabelled field and an image without alt fail."""
    page.goto(demo_site + "/")
    page.evaluate(
        """() => {
            const main = document.querySelector("main");
            const bad = '<input type="text"><img src="/x.png">';
            main.insertAdjacentHTML("beforeend", bad);
        }"""
    )
    with pytest.raises(AssertionError) as failure:
        assert_no_axe_violations(page)
    assert "label" in str(failure.value)
    assert "image-alt" in str(failure.value)


def test_pages_fit_a_320_pixel_wide_screen(demo_site, site_data, browser):
    """No sideways scrolling at 320 px (WCAG 1.4.10 Reflow), public and members'."""
    too_wide = []
    for logged_in, pages in ((False, PUBLIC_PAGES), (True, MEMBER_PAGES)):
        context = browser.new_context(
            locale="nl-NL", viewport={"width": 320, "height": 640}
        )
        page = context.new_page()
        if logged_in:
            log_in(page, demo_site, site_data["member"])
        for name, path in pages:
            page.goto(demo_site + resolve(path, site_data))
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                too_wide.append(f"{name}: {width}px")
        context.close()
    assert not too_wide, "wider than 320 px: " + ", ".join(too_wide)
