"""axe-core (WCAG 2.1 A/AA) on every page type, plus one h1, lang and a title."""

import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from .a11y import assert_no_axe_violations, is_focused
from .demo_site_data import (
    create_member,
    create_question,
    demo_var,
    give_practice,
    log_in,
    unsubscribe_path,
)

pytestmark = pytest.mark.browser

__all__ = ["demo_var"]  # the fixture, for pytest

PRACTICE = "/praktijkvoorbeelden/havenue-rotterdam/"
# A practice the asker "sent in", for "Propose changes".
OWN_PRACTICE = "demo-x-palliatief-thuis-hogeland"

# (name, path or a key of site_data); the names are the test ids.
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
    ("password reset", "/account/password/reset/"),
    ("region index", "/regio/"),
    ("region page", "region"),
    ("collections", "/collecties/"),
    ("collection page", "collection"),
    ("standard page", "/toegankelijkheid/"),
    ("unsubscribe confirmation", "unsubscribe"),
    # The demo site runs as `make run` does, with DEBUG off; /404/ and /500/
    # (settings.DEV_URLS) render the real pages (500.html the way handler500
    # does, without a request context).
    ("404", "/404/"),
    ("500", "/500/"),
    ("unknown address", "/bestaat-niet/"),
]
MEMBER_PAGES = [
    ("question page as its asker", "question"),
    ("practice page as a member", PRACTICE),
    ("ask form", "/community/vraag-stellen/"),
    ("edit question", "edit_question"),
    ("edit answer", "edit_answer"),
    ("report form", "report_answer"),
    ("account edit", "/leden/account/"),
    ("email addresses", "/account/email/"),
    ("password change", "/account/password/change/"),
    ("data export", "/leden/account/gegevens/"),
    ("account delete", "/leden/account/verwijderen/"),
    ("notifications list", "/meldingen/"),
    ("notification settings", "/meldingen/instellingen/"),
    ("contact form", "contact"),
    ("submission form", "/deel-jouw-initiatief/"),
    ("submission draft", "draft"),
    ("proposed update", "update_draft"),
    ("my initiatives", "/mijn-initiatieven/"),
    ("missing draft", "/mijn-initiatieven/concept/999999/"),
]
STATUS = {"404": 404, "500": 500, "missing draft": 404, "unknown address": 404}
# What must be on the page when axe looks at it (so axe checks it too).
VISIBLE = {
    "question page as its asker": [
        ".follow-form button",
        "form[action$='/accepteren/'] button",
        "form[action$='/nuttig/'] button",
        "#antwoord-geven textarea",
    ],
    "practice page as a member": [".follow-form button", ".contact-card a.button"],
    "submission draft": ["button[name=send]"],
    "proposed update": ["button[name=send]"],
}


def href(page, selector):
    link = page.locator(selector)
    assert link.count() >= 1, f"no link {selector} on {page.url}"
    return link.first.get_attribute("href")


@pytest.fixture(scope="session")
def site_data(demo_site, demo_var, browser):
    asker = create_member(demo_var, "a11y-vrager", "Anna de Vries")
    helper = create_member(demo_var, "a11y-helper", "Bram Jansen")
    # The asker's question with the helper's answer, and the other way round.
    question = create_question(
        demo_var, asker, "Hoe regelen jullie de nachtzorg in de wijk?", helper
    )
    other_question = create_question(
        demo_var, helper, "Wie werkt met een vast team per wijk?", asker
    )
    own = give_practice(demo_var, asker, OWN_PRACTICE)
    data = {
        "member": asker,
        "question": question,
        "profile": asker["profile_url"],
        "unsubscribe": unsubscribe_path(demo_var, helper),
    }
    # Links the tests follow, found the way a visitor finds them.
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.goto(demo_site + "/regio/")
    data["region"] = href(page, "main a[href^='/regio/']:not([href='/regio/'])")
    page.goto(demo_site + "/collecties/")
    data["collection"] = href(
        page, "main a[href^='/collecties/']:not([href='/collecties/'])"
    )
    # ... and the way a member finds them.
    log_in(page, demo_site, asker)
    page.goto(demo_site + PRACTICE)
    data["contact"] = href(page, ".contact-card a.button")
    assert data["contact"].startswith("/community/contact/"), data["contact"]
    page.goto(demo_site + question)
    data["edit_question"] = href(page, "#vraag a[href$='/bewerken/']")
    data["report_answer"] = href(page, ".answer-list a[href$='/melden/']")
    page.goto(demo_site + other_question)
    data["edit_answer"] = href(page, ".answer-list a[href$='/bewerken/']")
    # A draft: "Save as draft" on an almost empty form.
    page.goto(demo_site + "/deel-jouw-initiatief/")
    page.locator("#id_title").fill("Concept: nachtzorg in de wijk")
    with page.expect_navigation():
        page.locator("button[name=save]").click()
    assert "/mijn-initiatieven/concept/" in page.url, page.url
    data["draft"] = page.url.removeprefix(demo_site)
    # Changes to a practice the member sent in: "Propose changes".
    page.goto(demo_site + "/mijn-initiatieven/")
    practice = page.locator(f"#practice-{own['id']}")
    with page.expect_navigation():
        # Once proposed (the site outlived a test run), the draft is linked.
        practice.locator("form button, a[href*='/concept/']").first.click()
    assert "/mijn-initiatieven/concept/" in page.url, page.url
    data["update_draft"] = page.url.removeprefix(demo_site)
    context.close()
    return data


@pytest.fixture(scope="session")
def member_context(browser, demo_site, site_data):
    context = browser.new_context(locale="nl-NL")
    log_in(context.new_page(), demo_site, site_data["member"])
    yield context
    context.close()


def check_page(page, path, expected_status=200, visible=()):
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
    skip = page.locator("a.skip-link").first
    assert skip.get_attribute("href") == "#main", f"{path}: no skip link"
    for selector in visible:
        assert page.locator(selector).first.is_visible(), f"{path}: no {selector}"
    assert_no_axe_violations(page)


def resolve(path, site_data):
    return site_data.get(path, path)


@pytest.mark.parametrize(
    ("name", "path"), PUBLIC_PAGES, ids=[p[0] for p in PUBLIC_PAGES]
)
def test_public_page_has_no_axe_violations(name, path, demo_site, site_data, page):
    check_page(
        page,
        demo_site + resolve(path, site_data),
        STATUS.get(name, 200),
        VISIBLE.get(name, ()),
    )


@pytest.mark.parametrize(
    ("name", "path"), MEMBER_PAGES, ids=[p[0] for p in MEMBER_PAGES]
)
def test_member_page_has_no_axe_violations(
    name, path, demo_site, site_data, member_context
):
    page = member_context.new_page()
    try:
        check_page(
            page,
            demo_site + resolve(path, site_data),
            expected_status=STATUS.get(name, 200),
            visible=VISIBLE.get(name, ()),
        )
    finally:
        page.close()


FORMS = [
    # (name, path, submit button selector, logged in)
    ("ask form", "/community/vraag-stellen/", "main form button[type=submit]", True),
    ("answer form", "question", "#antwoord-geven button[type=submit]", True),
    ("contact form", "contact", "main form button[type=submit]", True),
    ("submission form", "/deel-jouw-initiatief/", "button[name=send]", True),
    ("sign-up", "/account/signup/", "main form button[type=submit]", False),
    ("login", "/account/login/", "main form button[type=submit]", False),
]
# The sign-up and login forms keep the browser's own checks for empty fields;
# what only the server can check (a weak password, two different ones, a
# wrong password) goes to the summary.
FILL = {
    "sign-up": {
        "#id_display_name": "Kim",
        "#id_email": "kim@example.org",
        "#id_password1": "kort",
        "#id_password2": "anders",
    },
    "login": {
        "#id_login": "niemand@example.org",
        "#id_password": "Niet-het-goede-wachtwoord-1",
    },
}
# A wrong password belongs to no one field: the summary has no field links.
WHOLE_FORM_ERRORS = {"login"}
# A field's error is part of its label, its group's legend or its description,
# so a screen reader reads it out with the field.
ERROR_BELONGS_TO_FIELD = """el => {
    if (!el.matches("input, select, textarea")) return "";
    const field = el.closest(".form-field");
    const error = field && field.querySelector(".form-field__error");
    if (!error) return "no error message at the field";
    const legend = el.closest("fieldset")?.querySelector("legend");
    const described = (el.getAttribute("aria-describedby") || "").split(" ")
        .map(id => document.getElementById(id));
    const owners = [...(el.labels || []), legend, ...described];
    return owners.some(owner => owner && owner.contains(error))
        ? "" : "the error is not in the label, legend or description";
}"""


@pytest.mark.parametrize(
    ("name", "path", "submit", "logged_in"), FORMS, ids=[f[0] for f in FORMS]
)
def test_form_errors_are_summarised_and_pass_axe(
    name, path, submit, logged_in, demo_site, site_data, member_context, browser
):
    """A form sent empty (or wrong): an error summary above it, with focus,
    links to every invalid field."""
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
        form = page.locator(submit).first.locator("xpath=ancestor::form[1]")
        form_top = form.bounding_box()["y"]
        assert summary.bounding_box()["y"] < form_top, "summary not above the form"
        # Focus moves to the summary, so it is read out first.
        expect(summary).to_be_focused()
        links = summary.locator("a[href^='#']")
        if name in WHOLE_FORM_ERRORS:
            assert summary.locator("li").count() >= 1
        else:
            assert links.count() >= 1
        for href in links.evaluate_all("links => links.map(a => a.hash)"):
            target = page.locator(f"[id='{href[1:]}']")
            assert target.count() == 1, f"{name}: {href} links to nothing"
            problem = target.evaluate(ERROR_BELONGS_TO_FIELD)
            assert not problem, f"{name}: {href}: {problem}"
        assert page.locator("h1").count() == 1
        assert_no_axe_violations(page)
    finally:
        page.close()
        if not logged_in:
            context.close()


def test_the_axe_check_fails_on_a_violation(demo_site, page):
    """The helper is not vacuous: an unlabelled field, an image without alt
    and a link whose name lacks the text it shows (WCAG 2.5.3) fail."""
    page.goto(demo_site + "/")
    page.evaluate(
        """() => {
            const main = document.querySelector("main");
            const bad = '<input type="text"><img src="/x.png">'
                + '<a href="/" aria-label="Fryslân: 3 praktijkvoorbeelden">FR 3</a>';
            main.insertAdjacentHTML("beforeend", bad);
        }"""
    )
    with pytest.raises(AssertionError) as failure:
        assert_no_axe_violations(page)
    assert "label" in str(failure.value)
    assert "image-alt" in str(failure.value)
    assert "label-content-name-mismatch" in str(failure.value)


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


# The header and its menu ---------------------------------------------------------

PHONE = {"width": 390, "height": 844}
# The pages a phone user lands on most, with the header they see.
PHONE_PAGES = [
    ("home", "/"),
    ("practice page", PRACTICE),
    ("search", "/zoeken/?q=wijk"),
    ("login", "/account/login/"),
    ("unknown address", "/bestaat-niet/"),
]


def test_an_unknown_address_gets_the_dutch_404_page_as_make_run_serves(demo_site):
    """The demo site runs as `make run` does (tests/browser.py): DEBUG off,
    so the site's own page, not Django's technical 404; static files still
    served (runserver --insecure)."""
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(demo_site + "/bestaat-niet/", timeout=10)
    assert error.value.code == 404
    body = error.value.read().decode()
    assert "Pagina niet gevonden" in body and '<html lang="nl"' in body
    assert "Django" not in body and "URLconf" not in body
    with urllib.request.urlopen(demo_site + "/static/css/theme.css") as css:
        assert css.status == 200 and b"--utrecht-" in css.read()


@pytest.mark.parametrize(("name", "path"), PHONE_PAGES, ids=[p[0] for p in PHONE_PAGES])
def test_the_header_takes_at_most_a_quarter_of_a_phone_screen(
    name, path, demo_site, browser
):
    context = browser.new_context(locale="nl-NL", viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(demo_site + path)
        box = page.locator("header.site-header").bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"] / 4, box
        # The main menu waits behind the "Menu" button.
        assert page.locator("summary.site-menu__toggle").is_visible()
        assert not page.get_by_role("link", name="Regio's", exact=True).is_visible()
    finally:
        context.close()


def test_the_phone_menu_by_keyboard(demo_site, browser):
    """Tab reaches the skip link, the name, then the Menu button; Enter opens
    it, and Tab goes through the sections to "Deel jouw initiatief"; the
    opened menu passes axe."""
    context = browser.new_context(locale="nl-NL", viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(demo_site + "/regio/")
        page.keyboard.press("Tab")
        assert is_focused(page, "a.skip-link")
        page.keyboard.press("Tab")
        assert is_focused(page, "a.site-logo")
        page.keyboard.press("Tab")
        assert is_focused(page, "summary.site-menu__toggle")
        page.keyboard.press("Enter")
        menu = page.get_by_role("navigation", name="Hoofdmenu")
        expect(menu).to_be_visible()
        texts = []
        for _ in range(7):
            page.keyboard.press("Tab")
            texts.append(page.evaluate("document.activeElement.textContent.trim()"))
        assert texts == [
            "Zoeken",
            "Regio's",
            "Witte vlekken",
            "Vragen",
            "Collecties",
            "Over Vindplaats",
            "Deel jouw initiatief",
        ]
        current = menu.locator("[aria-current]")
        assert current.count() == 1 and current.inner_text() == "Regio's"
        assert current.get_attribute("aria-current") == "page"
        assert_no_axe_violations(page)
        page.keyboard.press("Enter")
        page.wait_for_url("**/account/login/**")  # sharing asks for an account
    finally:
        context.close()


def test_the_wide_menu_is_a_bar_without_a_button(demo_site, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(demo_site + "/zoeken/")
    assert not page.locator("summary.site-menu__toggle").is_visible()
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    expect(menu.get_by_role("link", name="Collecties")).to_be_visible()
    expect(menu.get_by_role("link", name="Deel jouw initiatief")).to_be_visible()
    assert menu.locator("[aria-current=page]").inner_text() == "Zoeken"
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] <= 160, header
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the site's name
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Zoeken"


@pytest.mark.parametrize(("name", "path"), PHONE_PAGES, ids=[p[0] for p in PHONE_PAGES])
def test_phone_pages_have_no_axe_violations(name, path, demo_site, browser):
    context = browser.new_context(locale="nl-NL", viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(demo_site + path)
        assert_no_axe_violations(page)
    finally:
        context.close()
