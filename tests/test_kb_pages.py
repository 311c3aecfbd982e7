"""What a visitor sees: every page type renders in Dutch, with its content."""

import html as html_lib
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import pytest
from wagtail.models import Site

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import include, path, reverse

from community import relay
from community import services as community
from community.models import Question
from kb.models import HomeFeaturedPractice, HomePage, StandardPage
from practices.models import CareOfficeRegion, PracticePage, Province, Theme
from search.query import SearchQuery
from search.service import search
from tests.browser import site_env
from tests.factories import (
    EditorFactory,
    PracticeContactFactory,
    PracticePageFactory,
)
from tests.factories_community import MemberFactory, QuestionFactory
from tests.test_regions import tile

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


def test_home_page_shows_search_featured_newest_and_province_counts(client, home_page):
    newest = PracticePageFactory(title="Allernieuwste praktijk")
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="nl"' in html
    assert 'role="search"' in html
    assert "Nieuwste praktijkvoorbeelden" in html
    assert newest.title in html
    featured = HomeFeaturedPractice.objects.filter(page=home_page).first()
    assert featured is not None and featured.practice.title in html
    # The map counts what search finds (the index follows publishing).
    for province in Province.objects.exclude(slug="landelijk"):
        count = search(SearchQuery(filters={"provincie": [province.slug]})).total
        assert count > 0
        assert tile(html, province.slug)[2] == count, province.name


def test_home_page_counts_only_live_practices(client):
    province = Province.objects.get(slug="zeeland")
    before = PracticePage.objects.live().filter(provinces=province).count()
    draft = PracticePageFactory(provinces=["zeeland"])
    draft.unpublish()
    html = client.get("/").content.decode()
    assert tile(html, "zeeland")[2] == before


def test_practice_index_lists_newest_first_with_pagination(client, index_page):
    newest = PracticePageFactory(title="Nieuwste testpraktijk")
    response = client.get(index_page.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(newest.title) < html.index(
        "card__title", html.index(newest.title) + 1
    )
    total = PracticePage.objects.live().count()
    assert f"{total} praktijkvoorbeelden, nieuwste eerst" in html
    assert 'rel="next"' in html
    last_page = -(-total // index_page.page_size)
    last = client.get(index_page.url, {"pagina": last_page}).content.decode()
    assert last.count('class="card"') == total - (last_page - 1) * index_page.page_size
    # Out-of-range or junk page numbers show a valid page, never an error.
    assert client.get(index_page.url, {"pagina": "999"}).status_code == 200
    assert client.get(index_page.url, {"pagina": "abc"}).status_code == 200


def test_unpublished_practice_is_neither_listed_nor_reachable(client, index_page):
    practice = PracticePageFactory(title="Geheime conceptpraktijk")
    practice.unpublish()
    assert client.get(practice.url_path.replace("/home", "", 1)).status_code == 404
    html = client.get(index_page.url).content.decode()
    assert "Geheime conceptpraktijk" not in html


def test_practice_page_shows_story_facets_people_and_dates(client):
    practice = PracticePageFactory(
        title="Spoedzorg dichtbij",
        problem="<p>Te veel ritten naar de SEH.</p>",
        lessons="<p>Begin klein.</p>",
        provinces=["fryslan"],
        care_office_regions=["friesland"],
        target_groups=["kwetsbare-ouderen"],
        start_year=2019,
    )
    contact = PracticeContactFactory(
        page=practice, name="Sanne Visser", email="sanne.visser@example.org"
    )
    response = client.get(practice.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Spoedzorg dichtbij</h1>" in html
    assert "Aanleiding en probleem" in html and "Te veel ritten naar de SEH." in html
    assert "Lessen" in html
    assert 'href="/zoeken/?provincie=fryslan"' in html
    assert 'href="/regio/friesland/"' in html
    assert 'href="/zoeken/?doelgroep=kwetsbare-ouderen"' in html
    assert 'href="/zoeken/?fase=lopend"' in html
    assert "Sanne Visser" in html
    assert f'id="{contact.anchor}"' in html
    assert "Neem contact op met Sanne Visser" in html
    assert "sanne.visser@example.org" not in html
    assert "Gepubliceerd" in html and "Laatst gecontroleerd" in html
    assert "sinds 2019" in html


def test_practice_page_has_one_h1_and_ordered_headings(client):
    practice = PracticePage.objects.live().get(slug="havenue-rotterdam")
    html = client.get(practice.url).content.decode()
    levels = [int(level) for level in re.findall(r"<h([1-6])", html)]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


@pytest.mark.parametrize(
    "slug",
    ["over", "colofon", "contact", "privacy", "toegankelijkheid", "open-data"],
)
def test_content_pages_render(client, slug):
    page = StandardPage.objects.get(slug=slug)
    response = client.get(page.url)
    assert response.status_code == 200
    assert f"<h1>{page.title}</h1>" in response.content.decode()


def test_menus_link_content_pages(client):
    html = client.get("/").content.decode()
    assert 'aria-label="Hoofdmenu"' in html
    assert 'href="/praktijkvoorbeelden/"' in html
    assert 'href="/privacy/"' in html and 'href="/toegankelijkheid/"' in html


def main_menu(html):
    """(text, href, aria-current or None) of each link in the main menu."""
    block = html.split('aria-label="Hoofdmenu"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r"<a ([^>]*)>([^<]+)</a>", block)
    return [
        (
            html_lib.unescape(text.strip()),
            re.search(r'href="([^"]*)"', attrs).group(1),
            (re.search(r'aria-current="([^"]*)"', attrs) or [None, None])[1],
        )
        for attrs, text in links
    ]


def test_main_menu_has_the_sections_and_sharing_an_initiative(client):
    assert [(text, href) for text, href, _ in main_menu(client.get("/").text)] == [
        ("Zoeken", "/zoeken/"),
        ("Regio's", "/regio/"),
        ("Witte vlekken", "/witte-vlekken/"),
        ("Vragen", "/community/"),
        ("Collecties", "/collecties/"),
        ("Over Vindplaats", "/over/"),
        ("Deel jouw initiatief", "/deel-jouw-initiatief/"),
    ]


def test_main_menu_marks_where_the_visitor_is(client):
    """aria-current="page" on the section's own page, "true" inside it, and
    nothing on the home page."""
    region = CareOfficeRegion.objects.order_by("name").first()
    region_url = reverse("region", args=[region.slug])
    current = {
        path: {text: mark for text, _, mark in main_menu(client.get(path).text)}
        for path in ("/", "/regio/", region_url, "/over/")
    }
    assert not any(current["/"].values())
    assert current["/regio/"]["Regio's"] == "page"
    assert current[region_url]["Regio's"] == "true"
    assert current["/over/"]["Over Vindplaats"] == "page"
    assert [text for text, mark in current["/regio/"].items() if mark] == ["Regio's"]


def test_header_menu_works_without_javascript(client):
    """The menu is a <details> disclosure with a "Menu" summary: no script
    opens it."""
    html = client.get("/").text
    header = html.split("<header", 1)[1].split("</header>", 1)[0]
    assert re.search(
        r'<details class="site-menu">\s*<summary[^>]*>.*Menu</summary>', header, re.S
    )
    assert 'aria-label="Hoofdmenu"' in header.split("<details", 1)[1]


def test_home_page_says_what_the_site_offers_and_links_the_ways_in(client):
    html = client.get("/").text
    (heading,) = re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert heading.strip() == (
        "Vind praktijkvoorbeelden van de juiste zorg op de juiste plek"
    )
    assert (
        '<form class="search-box hero__search" role="search" action="/zoeken/"' in html
    )
    assert (
        '<label class="utrecht-form-label search-box__label" for="home-search">' in html
    )
    main = html.split("<main", 1)[1]
    for href in ("/regio/", "/community/", "/deel-jouw-initiatief/"):
        assert f'href="{href}"' in main, href


def test_home_page_lists_the_newest_public_questions_newest_first(client):
    older = QuestionFactory(title="Wie kent een goede valpreventie?")
    newer = QuestionFactory(title="Hoe starten jullie een wijkteam?")
    hidden = QuestionFactory(title="Verborgen vraag over de wijk", is_hidden=True)
    html = client.get("/").text
    block = html.split('id="questions-heading"', 1)[1].split("</section>", 1)[0]
    assert hidden.title not in block
    assert block.index(newer.title) < block.index(older.title)
    assert f'href="{newer.get_absolute_url()}"' in block
    shown = HomePage.newest_questions_count
    assert len(re.findall(r'<li class="question-item[ "]', block)) == min(
        shown, Question.objects.public().count()
    )


def test_home_page_shows_six_newest_practices(client):
    """Six cards: whole rows of one, two or three columns."""
    html = client.get("/").text
    block = html.split('id="newest-heading"', 1)[1].split("</section>", 1)[0]
    assert block.count("<article") == HomePage.newest_count == 6


def test_cached_home_page_shows_a_new_question_at_once(client, settings, commit):
    settings.PAGE_CACHE_SECONDS = 60
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"
    commit(
        community.ask_question,
        MemberFactory(),
        title="Wie heeft ervaring met nachtzorg op afstand?",
        body="Wij zoeken ervaringen.",
        themes=[Theme.objects.order_by("pk").first()],
    )
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "Wie heeft ervaring met nachtzorg op afstand?" in response.text


def test_not_found_page_is_dutch(client):
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.content.decode()


def test_make_run_serves_with_debug_off_and_the_static_files():
    """`make run` shows the site's own 404 and 500 pages: DEBUG off, and
    runserver --insecure for the static files; the browser tests' demo site
    starts the same way (tests/test_browser_a11y.py asks it for a page that
    does not exist)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SITE_URL")}
    dry_run = subprocess.run(
        ["make", "-n", "serve"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    (line,) = [line for line in dry_run.stdout.splitlines() if "DEBUG=" in line]
    shell = subprocess.run(
        ["sh", "-c", line.rstrip(" \\") + ' echo "$DEBUG"'],
        env=env,
        capture_output=True,
        text=True,
    )
    assert shell.stdout.strip() == "false"
    assert re.search(r"manage\.py runserver \S+ --insecure", dry_run.stdout)
    assert site_env(ROOT / "var")["DEBUG"] == "false"
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings as s; print(s.DEBUG, s.DEV_URLS)",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "kb.settings.dev", "DEBUG": "false"},
        capture_output=True,
        text=True,
    )
    assert loaded.stdout.split() == ["False", "True"], loaded.stderr


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    html = client.get("/").text
    assert '<link rel="icon" href="/favicon.ico"' in html
    svg = re.search(
        r'<link rel="icon" href="([^"]+\.svg)" type="image/svg\+xml">', html
    )
    assert svg, "no SVG icon linked"
    found = finders.find(svg.group(1).removeprefix(settings.STATIC_URL))
    assert found and Path(found).read_text().startswith("<svg")


def sitemap_locations(client, **headers):
    response = client.get("/sitemap.xml", **headers)
    assert response.status_code == 200
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    return [loc.text for loc in ET.fromstring(response.content).iter(namespace + "loc")]


def feed_links(client, **headers):
    response = client.get("/feeds/praktijkvoorbeelden.atom", **headers)
    assert response.status_code == 200
    return re.findall(r'<link href="([^"]+)"', response.text)


@pytest.fixture
def localhost_site(db):
    """Wagtail's Site record as the demo loader leaves it: "localhost"."""
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "localhost", 80
    site.save()
    return site


def test_sitemap_and_feed_use_site_url_when_it_is_set(client, settings, localhost_site):
    settings.SITE_URL = settings.WAGTAILADMIN_BASE_URL = "https://vindplaats.example"
    locations = sitemap_locations(client, HTTP_HOST="localhost")
    links = feed_links(client, HTTP_HOST="localhost")
    assert "https://vindplaats.example/" in locations
    assert "https://vindplaats.example/regio/" in locations
    for url in locations + links:
        assert url.startswith("https://vindplaats.example/"), url


def test_sitemap_and_feed_use_the_request_host_without_site_url(
    client, settings, localhost_site
):
    settings.SITE_URL = ""
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"  # the default
    locations = sitemap_locations(client, HTTP_HOST="vindplaats.test:8080")
    links = feed_links(client, HTTP_HOST="vindplaats.test:8080")
    assert "http://vindplaats.test:8080/" in locations
    for url in locations + links:
        assert url.startswith("http://vindplaats.test:8080/"), url
    robots = client.get("/robots.txt", HTTP_HOST="vindplaats.test:8080").text
    assert "Sitemap: http://vindplaats.test:8080/sitemap.xml" in robots


def test_an_expired_form_gets_a_dutch_page():
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(MemberFactory())
    response = csrf_client.post("/meldingen/alles-gelezen/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Het formulier is verlopen" in html and 'lang="nl"' in html


def _crash(request):
    raise RuntimeError("boom")


def _forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("crash/", _crash),
    path("verboden/", _forbidden),
    path("", include("kb.urls")),  # the page's menus link to the site
]


@override_settings(ROOT_URLCONF=__name__)
def test_no_access_page_is_dutch(client):
    response = client.get("/verboden/")
    assert response.status_code == 403
    assert "Geen toegang" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_server_error_page_is_dutch(client):
    client.raise_request_exception = False
    response = client.get("/crash/")
    assert response.status_code == 500
    assert "Er ging iets mis" in response.content.decode()


handler500 = "kb.views.server_error"


# Trust: who publishes Vindplaats, how to reach them, the statements ---------------

TRUST_PAGES = ["colofon", "contact", "privacy", "toegankelijkheid", "open-data"]


def text_of(html):
    """The page's text, tags removed and whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", unescape(html)).split())


def main_of(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_the_footer_names_the_publisher_and_links_the_trust_pages(client, settings):
    html = client.get("/").content.decode()
    footer = html[html.index("<footer") :]
    name = settings.VINDPLAATS_PUBLISHER["NAME"]
    assert f"Vindplaats is een uitgave van {name}." in text_of(footer)
    for slug in TRUST_PAGES:
        assert f'href="/{slug}/"' in footer, slug
        assert client.get(f"/{slug}/").status_code == 200, slug

    settings.VINDPLAATS_PUBLISHER = {
        **settings.VINDPLAATS_PUBLISHER,
        "NAME": "Stichting Zorg & Co",
    }
    html = client.get("/over/").content.decode()
    footer = html[html.index("<footer") :]
    assert "Vindplaats is een uitgave van Stichting Zorg &amp; Co." in footer


def test_the_colophon_names_the_configured_publisher(client, settings):
    publisher = settings.VINDPLAATS_PUBLISHER
    text = text_of(main_of(client, "/colofon/"))
    assert f"Vindplaats is een uitgave van {publisher['NAME']}." in text
    assert f"Adres: {publisher['ADDRESS']}" in text
    assert f"E-mail: {publisher['EMAIL']}" in text
    assert f"KvK-nummer: {publisher['KVK']}" in text
    assert publisher["HOSTING"] in text
    assert 'href="/contact/"' in main_of(client, "/colofon/")


def test_contact_says_how_to_reach_the_editors_and_the_practices(client, settings):
    html = main_of(client, "/contact/")
    text = text_of(html)
    email = settings.VINDPLAATS_PUBLISHER["EMAIL"]
    assert "<h1>Contact</h1>" in html
    assert f'href="mailto:{email}"' in html
    assert "Binnen 5 werkdagen krijg je antwoord" in text
    assert "Een fout in een praktijkvoorbeeld melden" in text
    assert "Contactpersonen" in text and "Neem contact op" in text
    assert "staat niet op de website" in text
    assert f'href="{reverse("submissions:mine")}"' in html


def test_the_privacy_statement_is_complete_and_matches_the_code(client, settings):
    from core.keep_input import HINT_COOKIE
    from search.terms import KEEP_DAYS

    html = main_of(client, "/privacy/")
    text = text_of(html)
    publisher = settings.VINDPLAATS_PUBLISHER
    assert "<h1>Privacyverklaring</h1>" in html
    # The controller, with their details.
    assert f"{publisher['NAME']} geeft Vindplaats uit" in text
    assert "verwerkingsverantwoordelijke" in text
    assert f"KvK-nummer: {publisher['KVK']}" in text
    # Per processing: data, purpose, legal basis (art. 6) and retention.
    headings = re.findall(r"<h3>(.*?)</h3>", html)
    assert headings == [
        "Bezoeken en zoeken",
        "Je account",
        "Vragen en antwoorden in de community",
        "Een initiatief delen",
        "Contactpersonen van praktijkvoorbeelden",
        "Contact opnemen met een initiatief",
        "Volgen en meldingen",
        "Back-ups",
    ]
    sections = re.split(r"<h3>", html)[1:]
    for section in sections:
        for label in ("Gegevens:", "Doel:", "Grondslag:", "Bewaartermijn:"):
            assert label in section, (section[:40], label)
        assert "artikel 6 lid 1 onder" in section, section[:40]
    for basis in ("onder a", "onder b", "onder f"):
        assert f"artikel 6 lid 1 {basis}" in text
    # The periods are the ones the code and settings keep.
    assert f"logboeken hoogstens {publisher['LOG_RETENTION_DAYS']} dagen" in text
    assert f"na {KEEP_DAYS} dagen verwijderen we de tellingen" in text
    assert f"nog {settings.NOTIFICATIONS_EMAIL_RETENTION_DAYS} dagen" in text
    assert f"hoogstens {publisher['BACKUP_RETENTION_DAYS']} dagen" in text
    assert f"niet binnen {relay.PENDING_KEEP_HOURS} uur" in text
    assert f"bewaren we nog {relay.KEEP_DAYS} dagen" in text
    assert f"bewaren we die gegevens {relay.REPORTED_KEEP_DAYS} dagen" in text
    # Processors, cookies by the names the site sets, rights, complaint, date.
    assert publisher["HOSTING"] in text and publisher["EMAIL_PROVIDER"] in text
    for cookie in (
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        HINT_COOKIE,
        getattr(settings, "MESSAGE_COOKIE_NAME", "messages"),
    ):
        assert f"<b>{cookie}</b>" in html, cookie
    for right in ("Inzage", "Rectificatie", "Verwijdering", "overdracht"):
        assert right in text
    assert f'href="{reverse("accounts:export")}"' in html
    assert f'href="{reverse("accounts:delete")}"' in html
    assert 'href="https://www.autoriteitpersoonsgegevens.nl/"' in html
    assert "vastgesteld op 3 december 2026" in text


def test_the_rights_links_lead_to_the_members_export_and_deletion(client):
    member = MemberFactory()
    client.force_login(member)
    html = main_of(client, "/privacy/")
    for name in ("accounts:export", "accounts:delete", "accounts:edit"):
        assert f'href="{reverse(name)}"' in html
        assert client.get(reverse(name)).status_code == 200, name


def test_the_accessibility_statement_follows_the_official_model(client, settings):
    from core.site_url import site_url

    html = main_of(client, "/toegankelijkheid/")
    text = text_of(html)
    name = settings.VINDPLAATS_PUBLISHER["NAME"]
    assert "<h1>Toegankelijkheidsverklaring</h1>" in html
    # The model's sections, in its order.
    sections = re.findall(r"<h2>(.*?)</h2>", html)
    assert sections == [
        "Verklaring",
        "Nalevingsstatus",
        "Akkoordverklaring",
        "Feedback en contactgegevens",
        "Handhavingsprocedure",
        "Toelichting",
        "Over deze verklaring",
    ]
    assert f"{name} streeft ernaar de website Vindplaats toegankelijk te maken" in text
    assert f"hoofddomein: {site_url('/')}" in text
    assert "Status C: eerste maatregelen genomen." in text
    assert "WCAG" in text and "2.1" in text and "EN 301 549" in text
    assert "axe-core" in text and "Alleen met het toetsenbord" in text
    assert "Bekende problemen en maatregelen" in text
    # Every known problem names a date by which it is solved.
    problems = re.search(r"Bekende problemen en maatregelen</h3>.*?</ul>", html).group()
    items = re.findall(r"<li>(.*?)</li>", problems)
    assert len(items) >= 3
    assert all(re.search(r"vóór 1 \w+ 2027", item) for item in items), items
    email = settings.VINDPLAATS_PUBLISHER["EMAIL"]
    assert f'href="mailto:{email}"' in html
    assert "Binnen 5 werkdagen krijg je een ontvangstbevestiging" in text
    assert "College voor de Rechten van de Mens" in text
    assert "opgesteld op 3 december 2026" in text
    for status in ("A: voldoet volledig", "B: voldoet gedeeltelijk", "D: voldoet niet"):
        assert status in text


def test_the_open_data_page_links_the_downloads(client):
    html = main_of(client, "/open-data/")
    for name in ("api_practices_csv", "api_practices_xlsx", "api_practices"):
        assert f'href="{reverse(name)}"' in html
    text = text_of(html)
    assert "Thema (code)" in text and "CC BY 4.0" in text


# The demo's content pages on an existing database ----------------------------------


def load_content_pages(home_page):
    import io

    from kb.management.commands.load_demo_data import Command

    out = io.StringIO()
    Command(stdout=out).content_pages(home_page)
    return out.getvalue()


def body_text(page):
    return " ".join(str(block.value) for block in page.body)


def test_the_loader_updates_its_own_pages_to_the_new_text(home_page):
    privacy = StandardPage.objects.get(slug="privacy")
    # As an older version of the loader left it: a revision without a user.
    privacy.title = "Privacy"
    privacy.body = [{"type": "paragraph", "value": "<p>Oude tekst.</p>"}]
    privacy.save_revision().publish()
    StandardPage.objects.get(slug="open-data").delete()

    output = load_content_pages(home_page)

    privacy = StandardPage.objects.get(slug="privacy")
    assert privacy.title == "Privacyverklaring"
    assert "Oude tekst" not in body_text(privacy)
    assert "verwerkingsverantwoordelijke" in body_text(privacy)
    assert StandardPage.objects.get(slug="open-data").live
    assert "toegevoegd: open-data" in output and "bijgewerkt: privacy" in output

    # Nothing changed since: nothing written.
    revisions = privacy.revisions.count()
    output = load_content_pages(home_page)
    assert privacy.revisions.count() == revisions
    assert "bijgewerkt" not in output and "toegevoegd" not in output


def test_the_loader_keeps_what_an_editor_wrote(home_page):
    editor = EditorFactory()
    contact = StandardPage.objects.get(slug="contact")
    contact.body = [{"type": "paragraph", "value": "<p>Bel ons gerust.</p>"}]
    contact.save_revision(user=editor).publish()
    colofon = StandardPage.objects.get(slug="colofon")
    colofon.intro = "Oude demotekst."
    colofon.save_revision().publish()  # the loader's, then the editor's draft:
    colofon.intro = "Een concept van de redactie."
    colofon.save_revision(user=editor)

    output = load_content_pages(home_page)

    assert body_text(StandardPage.objects.get(slug="contact")) == (
        "<p>Bel ons gerust.</p>"
    )
    colofon = StandardPage.objects.get(slug="colofon")
    assert colofon.intro == "Oude demotekst."
    assert colofon.get_latest_revision_as_object().intro == (
        "Een concept van de redactie."
    )
    assert "niet bijgewerkt" in output
    assert "demotekst: colofon, contact." in output


def test_the_loader_writes_a_new_publisher_into_its_pages(home_page, settings, client):
    settings.VINDPLAATS_PUBLISHER = {
        **settings.VINDPLAATS_PUBLISHER,
        "NAME": "Stichting Regio & Zorg",
        "KVK": "12345678",
    }

    load_content_pages(home_page)

    text = text_of(main_of(client, "/colofon/"))
    assert "Vindplaats is een uitgave van Stichting Regio & Zorg." in text
    assert "KvK-nummer: 12345678" in text
    html = main_of(client, "/privacy/")
    assert "Stichting Regio &amp; Zorg geeft Vindplaats uit" in html  # escaped once
    intro = StandardPage.objects.get(slug="toegankelijkheid").intro
    assert intro.startswith("Stichting Regio & Zorg wil")  # plain text


def test_an_unknown_placeholder_in_the_demo_pages_is_an_error():
    from kb.management.commands.load_demo_data import fill, page_values

    values = page_values()
    assert fill({"body": "<p>{publisher_name}</p>"}, values)["body"] == (
        f"<p>{values['publisher_name']}</p>"
    )
    with pytest.raises(KeyError):
        fill({"intro": "{uitgever}"}, values)
