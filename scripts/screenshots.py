"""Screenshots of the main pages at 375 px (mobile) and 1280 px (desktop).

`make screenshots` runs this: it starts a fresh demo site on loopback the way
the browser tests do (tests/browser.py), drives Debian's Chromium and writes
full-page PNGs to var/screenshots/ for a person to look at.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# tests.browser asks Django which database the demo site's processes use
# (SQLite here: `make screenshots` runs without DATABASE_URL).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings.dev")
import django  # noqa: E402

django.setup()

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser import (  # noqa: E402
    CHROMIUM_FLAGS,
    chromium_path,
    site_env,
    start_demo_site,
)
from tests.demo_site_data import create_member, create_question, log_in  # noqa: E402

WIDTHS = {"mobiel": 375, "desktop": 1280}
PRACTICE = "/praktijkvoorbeelden/havenue-rotterdam/"
# Taken up most often in the demo: its "Overgenomen elders" with the map.
ADOPTED = "/praktijkvoorbeelden/domeinoverstijgend-werken-ede/"
PUBLIC = [
    ("home", "/"),
    ("praktijkvoorbeelden", "/praktijkvoorbeelden/"),
    ("praktijkvoorbeeld", PRACTICE),
    ("praktijkvoorbeeld-overgenomen", ADOPTED),
    ("zoeken-meest-overgenomen", "/zoeken/?overgenomen=elders&sort=uptake"),
    ("zoeken", "/zoeken/?q=wijk"),
    ("zoeken-filters", "filters"),
    ("zoeken-geen-resultaten", "/zoeken/?q=xqzwvjk"),
    ("vergelijk", "compare"),
    ("contact-bezoeker", "contact"),
    ("contact-kijk-in-je-email", "contact-sent"),
    ("community", "/community/"),
    ("vraag", "question"),
    ("regios", "/regio/"),
    ("regio", "region"),
    ("witte-vlekken", "/witte-vlekken/"),
    ("witte-vlekken-ggz", "/witte-vlekken/?thema=ggz&indeling=provincie"),
    ("witte-vlek", "/witte-vlekken/nog-niets/?thema=ggz&zorgkantoorregio=zeeland"),
    ("collecties", "/collecties/"),
    ("collectie", "collection"),
    ("profiel", "profile"),
    ("toegankelijkheid", "/toegankelijkheid/"),
    ("colofon", "/colofon/"),
    ("contact-redactie", "/contact/"),
    ("privacy", "/privacy/"),
    ("open-data", "/open-data/"),
    ("niveaus", "/niveaus/"),
    ("zoeken-niveau", "/zoeken/?niveau=goede-praktijk"),
    (
        "praktijkvoorbeeld-met-niveau",
        "/praktijkvoorbeelden/demo-x-leefstijlloket-haarlem/",
    ),
    ("inloggen", "/account/login/"),
    ("aanmelden", "/account/signup/"),
    ("niet-gevonden", "/404/"),
    ("er-ging-iets-mis", "/500/"),
]
MEMBER = [
    ("vraag-stellen", "/community/vraag-stellen/"),
    ("deel-jouw-initiatief", "/deel-jouw-initiatief/"),
    ("meldingen", "/meldingen/"),
    ("zoeken-zoekopdracht-volgen", "follow-search"),
    ("wat-je-volgt", "/meldingen/instellingen/"),
    ("wat-je-volgt-naam-leeg", "rename-search-empty"),
    ("account", "/leden/account/"),
    ("contact-lid", "contact"),
    ("overgenomen-vastleggen", "adopt"),
]


def load_demo_site(var_dir):
    """A database of its own in `var_dir` with the demo content and its
    search index, as `make run` makes one (the browser tests serve a copy of
    the test database instead)."""
    env = site_env(var_dir)
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (
        ["migrate", "--no-input", "-v0"],
        ["load_demo_data", "--no-progress"],
        ["rebuild_search_index", "--no-progress"],
    ):
        subprocess.run(manage + command, env=env, check=True, stdout=subprocess.DEVNULL)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "var" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    executable = chromium_path()
    if not Path(executable).exists():
        sys.exit(f"No Chromium at {executable}: `make chromium` installs Debian's.")

    with tempfile.TemporaryDirectory(prefix="vindplaats-screenshots-") as var_dir:
        print("Starting the demo site (migrate + demo content)...", flush=True)
        load_demo_site(var_dir)
        server, base_url = start_demo_site(var_dir)
        try:
            member = create_member(var_dir, "schermafbeelding", "Sanne Visser")
            helper = create_member(var_dir, "schermafbeelding-2", "Joris Bakker")
            links = {
                "question": create_question(
                    var_dir,
                    member,
                    "Hoe regelen jullie de nachtzorg in de wijk?",
                    helper,
                ),
                "profile": member["profile_url"],
            }
            written = shoot(base_url, member, links, out, executable)
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"{written} screenshots written to {out}")


def shoot(base_url, member, links, out, executable):
    written = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_FLAGS
        )
        links = {**links, **find_links(browser, base_url, member)}
        for label, width in WIDTHS.items():
            for logged_in, pages in ((False, PUBLIC), (True, MEMBER)):
                context = browser.new_context(
                    locale="nl-NL", viewport={"width": width, "height": 900}
                )
                page = context.new_page()
                if logged_in:
                    log_in(page, base_url, member)
                for name, path in pages:
                    if path in ACTIONS:
                        ACTIONS[path](page, base_url, links)
                    else:
                        page.goto(base_url + links.get(path, path))
                    target = out / f"{name}-{label}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    written += 1
                context.close()
        browser.close()
    return written


def open_filters(page, base_url, links):
    """The search page with its filters open: the dialog on a phone."""
    page.goto(base_url + "/zoeken/?q=wijk")
    button = page.locator("button.filters-open, [data-filters-open]").first
    if button.count() and button.is_visible():
        button.click()
        page.wait_for_timeout(300)


def send_as_visitor(page, base_url, links):
    """The contact form filled in by a visitor without an account, sent: the
    page that asks to confirm the address."""
    page.goto(base_url + links["contact"])
    page.fill("input[name=name]", "Eva Jansen")
    page.fill("input[name=email]", "eva.jansen@example.org")
    page.fill("textarea[name=message]", "Hoe hebben jullie de huisartsen meegekregen?")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()


def follow_search(page, base_url, links):
    """The search page after "Volg deze zoekopdracht": the message, and the
    search followed (a second width finds it followed already)."""
    page.goto(base_url + "/zoeken/?q=wijk&provincie=utrecht")
    button = page.get_by_role("button", name="Volg deze zoekopdracht")
    if button.count():
        with page.expect_navigation():
            button.click()


def rename_search_empty(page, base_url, links):
    """ "Wat je volgt" after saving a saved search's name empty: the error."""
    page.goto(base_url + "/meldingen/instellingen/")
    page.locator(".saved-search input[name=name]").first.fill("   ")
    with page.expect_navigation():
        page.locator(".saved-search__rename button").first.click()


ACTIONS = {
    "filters": open_filters,
    "contact-sent": send_as_visitor,
    "follow-search": follow_search,
    "rename-search-empty": rename_search_empty,
}


def find_links(browser, base_url, member):
    """A region, a collection, a contact form, a comparison of two
    practices and the form "Wij zijn hier ook mee aan de slag", found as a
    visitor finds them."""
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    found = {}
    for key, index, selector in (
        ("region", "/regio/", "main a[href^='/regio/']:not([href='/regio/'])"),
        (
            "collection",
            "/collecties/",
            "main a[href^='/collecties/']:not([href='/collecties/'])",
        ),
    ):
        page.goto(base_url + index)
        found[key] = page.locator(selector).first.get_attribute("href")
    page.goto(base_url + PRACTICE)
    found["contact"] = page.locator(".contact-card a.button").first.get_attribute(
        "href"
    )
    ids = page.locator(".compare-toggle").evaluate_all(
        "links => links.map(link => link.dataset.compareId)"
    )
    found["compare"] = "/vergelijk/?ids=" + ",".join(dict.fromkeys(ids[:3]))
    found["adopt"] = page.locator("#overgenomen a.button").first.get_attribute("href")
    context.close()
    return found


if __name__ == "__main__":
    main()
