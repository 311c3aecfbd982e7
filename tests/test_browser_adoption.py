""" "Wij zijn hier ook mee aan de slag" in a real Chromium on the demo site: a
member records that their organisation took a practice up, an editor
confirms it in the Wagtail admin, and the practice page shows it on its list
and its map. axe-core finds nothing on the member's pages or the practice."""

import pytest
from playwright.sync_api import expect

from .a11y import assert_no_axe_violations
from .demo_site_data import create_member, demo_var, log_in, manage_shell

pytestmark = pytest.mark.browser

__all__ = ["demo_var"]  # the fixture, for pytest

PRACTICE = "/praktijkvoorbeelden/havenue-rotterdam/"
ORGANISATION = "Zorgnetwerk Kennemerland (voorbeeld)"

MAKE_EDITOR = """
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
user = get_user_model().objects.get(username={username!r})
user.groups.add(Group.objects.get(name="Editors"))
print(json.dumps({{"id": user.pk}}))
"""


def test_a_member_records_an_editor_confirms_the_page_shows_it(
    demo_site, demo_var, browser
):
    member = create_member(demo_var, "overnemer", "Fleur Overnemer")
    context = browser.new_context(
        locale="nl-NL", viewport={"width": 390, "height": 900}
    )
    page = context.new_page()
    log_in(page, demo_site, member)

    page.goto(demo_site + PRACTICE)
    section = page.locator("#overgenomen")
    expect(section.get_by_role("heading", name="Overgenomen elders")).to_be_visible()
    section.get_by_role("link", name="Wij zijn hier ook mee aan de slag").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Wij zijn hier ook mee aan de slag")
    assert_no_axe_violations(page)

    # Sent without an organisation: a Dutch error, the rest kept.
    page.locator("#id_region").select_option(label="Kennemerland")
    page.get_by_label("Bezig", exact=True).check()
    page.locator("#id_note").fill("Wij begonnen in Haarlem met één team.")
    page.get_by_role("button", name="Naar de redactie sturen").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_contain_text(
        "Vul de naam van je organisatie in."
    )
    expect(page.locator("#id_note")).to_have_value(
        "Wij begonnen in Haarlem met één team."
    )
    assert_no_axe_violations(page)

    page.locator("#id_organisation").fill(ORGANISATION)
    page.get_by_role("button", name="Naar de redactie sturen").click()
    page.wait_for_load_state()
    expect(page.locator(".adoption-table")).to_contain_text(ORGANISATION)
    expect(page.locator(".adoption-table")).to_contain_text("Wacht op de redactie")
    assert_no_axe_violations(page)
    page.goto(demo_site + PRACTICE)
    expect(page.locator("#overgenomen")).not_to_contain_text(ORGANISATION)
    context.close()

    # An editor confirms it in the admin.
    editor = create_member(demo_var, "redacteur-overname", "Ruud Redacteur")
    manage_shell(demo_var, MAKE_EDITOR.format(username=editor["username"]))
    context = browser.new_context(
        locale="nl-NL", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    log_in(page, demo_site, editor)
    page.goto(demo_site + "/admin/community/overgenomen/?review=pending")
    page.get_by_role("link", name=ORGANISATION).first.click()
    page.wait_for_load_state()
    page.get_by_role(
        "button", name="Bevestigen: tonen bij het praktijkvoorbeeld"
    ).click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("is bevestigd")

    # The practice page shows it: the count, the map and the list.
    page.goto(demo_site + PRACTICE)
    section = page.locator("#overgenomen")
    expect(section).to_contain_text("1 organisatie werkt hier ook mee")
    expect(section.locator(".adoptions__list")).to_contain_text(ORGANISATION)
    tile = section.locator("#kaart-noord-holland")
    expect(tile).to_have_attribute("aria-label", "Noord-Holland: 1 keer overgenomen")
    expect(tile).to_have_attribute("href", "#overgenomen-in-noord-holland")
    expect(page.locator("#overgenomen-in-noord-holland")).to_have_text("Noord-Holland")
    assert_no_axe_violations(page)
    context.close()
