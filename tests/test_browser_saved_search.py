"""A member follows a search, an editor publishes a practice that matches
it, and the member hears of it in the site and by email: in a real Chromium
on the demo site, its email worker doing the matching in the background,
with axe-core on every page of the journey."""

import email
import re
import time
from email import policy

import pytest
from playwright.sync_api import expect

from .a11y import assert_no_axe_violations
from .demo_site_data import create_member, demo_var, manage_shell

pytestmark = pytest.mark.browser

__all__ = ["demo_var"]  # the fixture, for pytest

WORD = "grutto"
TITLE = "Grutto-netwerk voor ouderen thuis (voorbeeld)"

PUBLISH = """
import json
from practices.models import PracticeIndexPage, PracticePage, Province, Theme
index = PracticeIndexPage.objects.get()
page = PracticePage(
    title={title!r},
    slug="grutto-netwerk",
    summary="Buren en wijkverpleging houden samen een oogje in het zeil.",
    problem="<p>Ouderen thuis vereenzamen.</p>",
    approach="<p>Een netwerk van buren.</p>",
    phase="lopend",
)
index.add_child(instance=page)
page.provinces.set(Province.objects.filter(slug="utrecht"))
page.themes.set(Theme.objects.all()[:1])
page.save_revision().publish()
print(json.dumps({{"url": page.url}}))
"""

REMOVE = """
import json
from practices.models import PracticePage
PracticePage.objects.filter(slug="grutto-netwerk").delete()
print(json.dumps({}))
"""

IMMEDIATE = """
import json
from accounts.models import Profile
Profile.objects.filter(user_id={id}).update(email_frequency="immediate")
print(json.dumps({{}}))
"""


def mails_about(var_dir, subject, wait_seconds=60):
    """The emails whose subject contains `subject`, waiting for the worker
    (which matches the saved searches, then sends)."""
    deadline = time.monotonic() + wait_seconds
    while True:
        found = []
        for path in sorted((var_dir / "mail").glob("*.log")):
            for raw in path.read_text("utf-8").split("\n" + "-" * 79 + "\n"):
                if raw.strip():
                    # From bytes: parsed from a string, a body's “ comes
                    # back as the text \u201c (raw-unicode-escape).
                    message = email.message_from_bytes(
                        raw.encode(), policy=policy.default
                    )
                    if subject in str(message["Subject"]):
                        found.append(message)
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


@pytest.fixture
def grutto_removed_afterwards(demo_var):
    """The demo site serves every browser test: the practice this journey
    publishes goes again, so the next test finds the site as it was (the
    newest practice first on every list)."""
    yield
    manage_shell(demo_var, REMOVE)


@pytest.mark.usefixtures("grutto_removed_afterwards")
def test_follow_a_search_and_hear_of_a_matching_practice(demo_site, demo_var, page):
    member = create_member(demo_var, "zoeker-grutto", "Iris Zoeker")
    manage_shell(demo_var, IMMEDIATE.format(id=member["id"]))

    # 1. A visitor searches, is asked to log in, and comes back to the search.
    page.goto(f"{demo_site}/zoeken/?q={WORD}")
    page.get_by_role("link", name="Log in om deze zoekopdracht te volgen").click()
    page.wait_for_load_state()
    assert "/account/login/" in page.url
    page.locator("#id_login").fill(member["email"])
    page.locator("#id_password").fill(member["password"])
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url == f"{demo_site}/zoeken/?q={WORD}"

    # 2. The member follows it; the search's feed is beside the button.
    feed = page.get_by_role("link", name="Atom-feed van deze zoekopdracht")
    assert feed.get_attribute("href") == f"/feeds/praktijkvoorbeelden.atom?q={WORD}"
    page.get_by_role("button", name="Volg deze zoekopdracht").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text(
        f"Je volgt nu de zoekopdracht “{WORD}”"
    )
    expect(page.locator("#follow-search")).to_contain_text(
        f"Je volgt deze zoekopdracht als “{WORD}”"
    )
    assert_no_axe_violations(page)

    # 3. It is listed, with its feed, on "Wat je volgt"; the member names it.
    page.goto(demo_site + "/meldingen/instellingen/")
    name = page.locator(".saved-search input[name=name]")
    name.fill("   ")  # spaces: the browser lets them through, the site not
    page.get_by_role("button", name=re.compile("^Naam opslaan")).click()
    page.wait_for_load_state()
    expect(page.locator("#error-summary")).to_contain_text(
        "Geef je zoekopdracht een naam."
    )
    assert_no_axe_violations(page)
    page.locator(".saved-search input[name=name]").fill("Gruttos in de wijk")
    page.get_by_role("button", name=re.compile("^Naam opslaan")).click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text(
        "Je zoekopdracht heet nu “Gruttos in de wijk”."
    )
    expect(page.locator(".saved-search")).to_contain_text("Atom-feed")
    assert_no_axe_violations(page)

    # 4. A practice that matches is published (the editors, elsewhere).
    published = manage_shell(demo_var, PUBLISH.format(title=TITLE))

    # 5. The email arrives through the outbox, with one-click unsubscribe...
    emails = mails_about(demo_var, TITLE)
    assert len(emails) == 1, "one email about the practice"
    message = emails[0]
    assert member["email"] in str(message["To"])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = message.get_body(("plain",)).get_content()
    assert "de zoekopdracht “Gruttos in de wijk”" in body
    assert published["url"] in body

    # 6. ...and the notification is in the site, leading to the practice.
    page.goto(demo_site + "/meldingen/")
    alert = page.locator("main").get_by_role(
        "link", name=re.compile(re.escape(f"“{TITLE}” past bij je zoekopdracht"))
    )
    expect(alert).to_have_count(1)
    assert_no_axe_violations(page)
    alert.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == TITLE
