"""A member's journeys through the demo site, in a real Chromium."""

import email
import re
import time
from email import policy

import pytest
from playwright.sync_api import expect

from .a11y import is_focused, skip_to_content, tab_to
from .demo_site_data import PASSWORD, create_member, demo_var, log_in

pytestmark = pytest.mark.browser

__all__ = ["demo_var"]  # the fixture, for pytest

PRACTICE = "/praktijkvoorbeelden/havenue-rotterdam/"


def mails_to(var_dir, address, wait_seconds=15):
    """Plain-text bodies of the emails the demo site wrote for an address,
    waiting for the email worker to send the first one."""
    deadline = time.monotonic() + wait_seconds
    while not (bodies := _mails_to(var_dir, address)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return bodies


def _mails_to(var_dir, address):
    bodies = []
    for path in sorted((var_dir / "mail").glob("*.log")):
        for raw in path.read_text("utf-8").split("\n" + "-" * 79 + "\n"):
            if not raw.strip():
                continue
            message = email.message_from_string(raw, policy=policy.default)
            if address in str(message["To"]):
                bodies.append(message.get_body(("plain",)).get_content())
    return bodies


def test_open_a_practice_and_its_comparable_initiatives(demo_site, page):
    page.goto(demo_site + PRACTICE)
    title = page.locator("h1").inner_text()
    similar = page.locator("section.similar")
    assert similar.get_by_role(
        "heading", name="Vergelijkbare initiatieven"
    ).is_visible()
    links = similar.locator("a")
    assert links.count() >= 1
    other = links.first.inner_text()
    links.first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == other != title
    assert "/praktijkvoorbeelden/" in page.url


def test_sign_up_ask_answer_follow_and_see_the_notification(
    demo_site, demo_var, browser
):
    # 1. Sign up and verify the email address with the link from the email.
    newcomer = browser.new_context(locale="nl-NL")
    page = newcomer.new_page()
    address = "nieuw-lid@example.org"
    page.goto(demo_site + "/account/signup/")
    page.locator("#id_display_name").fill("Noor Bakker")
    page.locator("#id_email").fill(address)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Registreren").click()
    page.wait_for_load_state()
    assert "/account/confirm-email/" in page.url
    (body,) = mails_to(demo_var, address)
    link = re.search(r"https?://\S+/account/confirm-email/\S+", body).group(0)
    page.goto(link.replace(re.match(r"https?://[^/]+", link).group(0), demo_site))
    page.get_by_role("button", name="Bevestigen").click()
    page.wait_for_load_state()
    # Logged in at once (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION).
    page.goto(demo_site + "/leden/account/")
    assert "/leden/account/" in page.url

    # 2. The new member asks a question.
    page.goto(demo_site + "/community/vraag-stellen/")
    question_title = "Wie heeft ervaring met een nachtteam in de wijk?"
    page.locator("#id_title").fill(question_title)
    page.locator("#id_body").fill("We willen 's nachts vaker thuis helpen.")
    page.locator("input[name=themes]").first.check()
    page.get_by_role("button", name="Vraag plaatsen").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == question_title
    question_url = page.url.split("#")[0]

    # 3. Another member follows the question.
    follower = create_member(demo_var, "journey-volger", "Femke de Boer")
    helper = create_member(demo_var, "journey-helper", "Ahmed Yilmaz")
    follower_context = browser.new_context(locale="nl-NL")
    follower_page = follower_context.new_page()
    log_in(follower_page, demo_site, follower)
    follower_page.goto(question_url)
    follow = follower_page.locator(".follow-form button")
    assert follow.get_attribute("aria-pressed") == "false"
    follow.click()
    follower_page.wait_for_load_state()
    assert (
        follower_page.locator(".follow-form button").get_attribute("aria-pressed")
        == "true"
    )

    # 4. A third member answers it.
    helper_context = browser.new_context(locale="nl-NL")
    helper_page = helper_context.new_page()
    log_in(helper_page, demo_site, helper)
    helper_page.goto(question_url)
    answer = "Wij werken met een vast nachtteam van drie wijkverpleegkundigen."
    helper_page.locator(
        "#antwoord-geven textarea, form textarea[name=body]"
    ).first.fill(answer)
    helper_page.get_by_role("button", name="Antwoord plaatsen").click()
    helper_page.wait_for_load_state()
    assert helper_page.get_by_text(answer).is_visible()

    # 5. The follower sees the notification and it leads to the question.
    follower_page.goto(demo_site + "/meldingen/")
    notification = follower_page.locator("main").get_by_role(
        "link", name=re.compile(re.escape(question_title))
    )
    assert notification.count() >= 1
    notification.first.click()
    follower_page.wait_for_load_state()
    assert follower_page.url.split("#")[0] == question_url
    assert follower_page.get_by_text(answer).is_visible()
    for context in (newcomer, follower_context, helper_context):
        context.close()


def test_member_submits_a_practice(demo_site, demo_var, page):
    member = create_member(demo_var, "journey-indiener", "Lotte Mulder")
    log_in(page, demo_site, member)
    page.goto(demo_site + "/deel-jouw-initiatief/")
    page.locator("#id_title").fill("Nachtteam wijkzorg Dordrecht")
    page.locator("#id_summary").fill(
        "Een nachtteam dat thuis helpt in plaats van de SEH."
    )
    page.locator("#id_problem").fill("Te veel ritten naar de spoedeisende hulp.")
    page.locator("#id_goal").fill("Zorg thuis houden.")
    page.locator("#id_approach").fill("Een vast team van wijkverpleegkundigen.")
    page.locator("input[name=phase][value=pilot]").check()
    page.locator("input[name=provinces]").first.check()
    page.locator("input[name=themes]").first.check()
    page.locator("input[name=movements]").first.check()
    page.locator("#id_org-0-name").fill("Stichting Nachtzorg Drechtsteden")
    page.locator("#id_org-0-role").select_option("initiatiefnemer")
    # A new organisation: the editors need its type.
    page.locator("#id_org-0-organisation_type").select_option(index=1)
    page.locator("#id_contact-0-name").fill("Karin Smit")
    page.locator("#id_contact-0-role").fill("Projectleider")
    page.locator("#id_contact-0-organisation").fill("Stichting Nachtzorg Drechtsteden")
    page.locator("#id_contact-0-email").fill("karin@example.org")
    page.locator("#id_contact-0-consent").check()
    page.get_by_role("button", name="Insturen", exact=True).click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 0, page.locator(
        ".error-summary"
    ).inner_text()
    assert page.url.endswith("/mijn-initiatieven/")
    assert page.locator("[role=status] .message--success").count() == 1
    assert page.get_by_text("Nachtteam wijkzorg Dordrecht").first.is_visible()


def test_keyboard_only_contact_form(demo_site, demo_var, page):
    member = create_member(demo_var, "journey-toetsenbord", "Sem de Jong")
    # Log in with the keyboard only: the skip link, then Tab to the field.
    page.goto(demo_site + "/account/login/")
    skip_to_content(page)
    tab_to(page, "#id_login", limit=10)
    page.keyboard.type(member["email"])
    # The password's hint ("Wachtwoord vergeten?") comes before its field.
    tab_to(page, "#id_password", limit=3)
    page.keyboard.type(member["password"])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/account/login/" not in page.url

    page.goto(demo_site + PRACTICE)
    # Tab from the top of the page to the first "Neem contact op" link.
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "document.activeElement.textContent.trim().replace(/\\s+/g, ' ')"
        )
        if focused.startswith("Neem contact op"):
            break
    else:
        pytest.fail("no 'Neem contact op' link reachable with Tab")
    contact_name = focused.removeprefix("Neem contact op met").strip()
    assert contact_name
    assert (
        page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    ), "the focused link shows no focus outline"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/community/contact/" in page.url

    # From the top of the contact page: the skip link, then Tab to the subject.
    skip_to_content(page)
    tab_to(page, "#id_subject", limit=10)
    page.keyboard.type("Vraag over jullie nachtteam")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_message"
    page.keyboard.type("Hoe hebben jullie de bekostiging geregeld?")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_consent"
    # Sent without the consent first: the error summary gets focus, its link
    # leads back to the box.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    assert is_focused(page, "#error-summary a[href='#id_consent']")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_consent"
    assert page.locator("#id_subject").input_value() == "Vraag over jullie nachtteam"
    page.keyboard.press("Space")
    assert page.locator("#id_consent").is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert PRACTICE in page.url
    # The confirmation sits in a live region (role=status).
    status = page.locator("main [role=status]")
    assert status.count() == 1
    confirmation = status.locator(".message--success")
    assert confirmation.count() == 1
    assert contact_name in confirmation.inner_text()
