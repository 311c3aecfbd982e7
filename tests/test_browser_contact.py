"""A visitor without an account writes to a practice's contact person, in a
real Chromium on the demo site: the whole journey by keyboard, and axe-core
on every page of it at 390 and 1280 pixels wide."""

import email
import re
import time
from email import policy

import pytest
from playwright.sync_api import expect

from .a11y import assert_no_axe_violations, is_focused, skip_to_content, tab_to
from .demo_site_data import demo_var, manage_shell
from .test_browser_a11y import check_page

pytestmark = pytest.mark.browser

__all__ = ["demo_var"]  # the fixture, for pytest

PRACTICE = "/praktijkvoorbeelden/havenue-rotterdam/"
LINK = re.compile(r"https?://[^/\s]+(/community/contact/(?:bevestigen|melden)/\S+/)")


def mails(var_dir):
    """Every email the demo site wrote, parsed."""
    found = []
    for path in sorted((var_dir / "mail").glob("*.log")):
        for raw in path.read_text("utf-8").split("\n" + "-" * 79 + "\n"):
            if raw.strip():
                found.append(email.message_from_string(raw, policy=policy.default))
    return found


def link_in_mail(var_dir, kind, wait_seconds=15, **headers):
    """The path of the first confirm or report link in an email whose
    headers contain these values, waiting for the email worker."""
    deadline = time.monotonic() + wait_seconds
    while True:
        for message in mails(var_dir):
            if all(value in str(message[name]) for name, value in headers.items()):
                body = message.get_body(("plain",)).get_content()
                for path in LINK.findall(body):
                    if f"/{kind}/" in path:
                        return path, message
        if time.monotonic() > deadline:
            raise AssertionError(f"no {kind} link in an email with {headers}")
        time.sleep(0.2)


def focused_text(page):
    return page.evaluate(
        "document.activeElement.textContent.trim().replace(/\\s+/g, ' ')"
    )


def test_a_visitor_writes_to_a_contact_person_by_keyboard(demo_site, demo_var, page):
    address = "toetsenbord.bezoeker@example.org"
    page.goto(demo_site + PRACTICE)
    section = page.locator("#contact")
    expect(section).to_contain_text("Je krijgt eerst een e-mail om je adres")
    # Tab from the top of the page to the first "Neem contact op" link.
    for _ in range(200):
        page.keyboard.press("Tab")
        if focused_text(page).startswith("Neem contact op"):
            break
    else:
        pytest.fail("no 'Neem contact op' link reachable with Tab")
    contact_name = focused_text(page).removeprefix("Neem contact op met").strip()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/community/contact/" in page.url
    assert "/account/login/" not in page.url  # no account needed
    expect(page.locator("h1")).to_have_text(f"Neem contact op met {contact_name}")
    expect(page.locator(".contact-how")).to_contain_text(
        f"Je bericht gaat via Vindplaats naar {contact_name}. Je krijgt eerst een "
        "e-mail om je adres te bevestigen"
    )

    # Name, a mistyped address and the message; the honeypot is skipped.
    skip_to_content(page)
    tab_to(page, "#id_name", limit=10)
    page.keyboard.type("Toetsenbord Bezoeker")
    page.keyboard.press("Tab")
    assert is_focused(page, "#id_email")
    page.keyboard.type("toetsenbord.bezoeker@")
    page.keyboard.press("Tab")
    assert is_focused(page, "#id_message")
    page.keyboard.type("Hoe hebben jullie de huisartsen erbij betrokken?")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # The error summary has focus and leads to the address; nothing is lost.
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    assert is_focused(page, "#error-summary a[href='#id_email']")
    page.keyboard.press("Enter")
    assert is_focused(page, "#id_email")
    assert page.locator("#id_name").input_value() == "Toetsenbord Bezoeker"
    assert "huisartsen" in page.locator("#id_message").input_value()
    page.keyboard.press("End")
    page.keyboard.type("example.org")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # "Check your email".
    assert "/community/contact/controleer-je-e-mail/" in page.url
    expect(page.locator("h1")).to_have_text("Kijk in je e-mail")
    expect(page.locator("main")).to_contain_text(address)

    # The link from the email; one button sends the message.
    path, _confirmation = link_in_mail(demo_var, "bevestigen", To=address)
    page.goto(demo_site + path)
    expect(page.locator("main")).to_contain_text("huisartsen erbij betrokken")
    skip_to_content(page)
    tab_to(page, "main form button[type=submit]", limit=10)
    assert focused_text(page) == "Verstuur mijn bericht"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Je bericht is verstuurd")
    expect(page.locator("main [role=status]")).to_contain_text(contact_name)
    assert "@example.org" not in page.locator("main").inner_text().replace(address, "")

    # The contact person got it, to answer the visitor directly.
    report, relayed = link_in_mail(demo_var, "melden", **{"Reply-To": address})
    assert "huisartsen erbij betrokken" in relayed.get_body(("plain",)).get_content()
    assert address not in str(relayed["To"])

    # The link again: sent once, and said so.
    page.goto(demo_site + path)
    expect(page.locator("h1")).to_have_text("Dit bericht is al verstuurd")


EXPIRED_LINK = """
import json, time
from unittest import mock
from django.urls import reverse
from django.utils import timezone
from community import relay
from community.models import ContactMessage
from practices.models import PracticeContact
contact = PracticeContact.objects.filter(page__slug="havenue-rotterdam").first()
message = ContactMessage.objects.create(
    practice=contact.page, contact=contact, contact_name=contact.name,
    sender_name="Verlopen Bezoeker", sender_email={address!r},
    message="Een bericht met een oude link.",
    status=ContactMessage.Status.PENDING, confirmation_sent_at=timezone.now(),
)
with mock.patch("django.core.signing.time.time", return_value=time.time() - 25 * 3600):
    token = relay.confirm_token(message)
print(json.dumps({{"path": reverse("community:contact_confirm", args=[token])}}))
"""


@pytest.mark.parametrize("width", [390, 1280])
def test_every_contact_page_has_no_axe_violations(width, demo_site, demo_var, browser):
    context = browser.new_context(
        locale="nl-NL", viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    address = f"axe-{width}@example.org"
    try:
        check_page(page, demo_site + PRACTICE, visible=[".contacts__how"])
        form = page.locator(".contact-card a.button").first.get_attribute("href")
        check_page(page, demo_site + form, visible=["#id_name", "#id_email"])
        # The form with errors, what was typed kept.
        page.locator("#id_message").fill("Een vraag over jullie aanpak.")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        expect(page.locator("#error-summary")).to_be_focused()
        assert_no_axe_violations(page)
        page.locator("#id_name").fill(f"Axe Bezoeker {width}")
        page.locator("#id_email").fill(address)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        check_page(page, page.url, visible=[".contact-step__hints"])
        # The form again to correct the address.
        check_page(page, demo_site + form + "?wijzigen=1", visible=["#id_email"])

        path, _mail = link_in_mail(demo_var, "bevestigen", To=address)
        check_page(page, demo_site + path, visible=["main form button"])
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        expect(page.locator("h1")).to_have_text("Je bericht is verstuurd")
        assert_no_axe_violations(page)
        check_page(page, demo_site + path)  # already sent

        report, _mail = link_in_mail(demo_var, "melden", **{"Reply-To": address})
        check_page(page, demo_site + report, visible=["#id_note"])
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        expect(page.locator("main [role=status]")).to_contain_text("Dank je")
        assert_no_axe_violations(page)

        expired = manage_shell(
            demo_var, EXPIRED_LINK.format(address=f"verlopen-{width}@example.org")
        )["path"]
        check_page(page, demo_site + expired, 410, visible=["main form button"])
        check_page(page, demo_site + path[:-4] + "xx/", 400)
    finally:
        context.close()
    # Another browser: nothing waits there.
    other = browser.new_context(
        locale="nl-NL", viewport={"width": width, "height": 900}
    )
    try:
        check_page(
            other.new_page(), demo_site + "/community/contact/controleer-je-e-mail/"
        )
    finally:
        other.close()
